#!/usr/bin/env bash
# Install the runtime and start the dashboard on the embedded default store
# (data/tracker.duckdb, or $TRACKER_DB), creating it with demo data on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
# Report exports draw charts with Debian's chromium and embed TrueType CJK fonts in PDFs.
bash scripts/system-packages.sh chromium fonts-noto-cjk fonts-wqy-zenhei fonts-arphic-uming fonts-dejavu-core
bash scripts/setup-venv.sh requirements.txt
.venv/bin/python manage.py init --demo
exec .venv/bin/python -m streamlit run dashboard.py \
  --server.headless true --server.port "${PORT:-8501}" --browser.gatherUsageStats false
