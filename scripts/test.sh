#!/usr/bin/env bash
# Install everything the tests need (system packages included) and run the whole suite:
# ruff, the import-layer contract, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# System packages: headless Chromium for browser tests and chart pictures, CJK fonts for charts
# and PDFs, poppler-utils to read PDFs back, nginx to check the example proxy configuration
# (never started). Installed only when missing.
bash scripts/system-packages.sh chromium fonts-noto-cjk fonts-wqy-zenhei fonts-arphic-uming fonts-dejavu-core poppler-utils nginx
bash scripts/setup-venv.sh requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/lint-imports --config pyproject.toml
.venv/bin/python -m pytest "$@"
