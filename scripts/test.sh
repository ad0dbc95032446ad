#!/usr/bin/env bash
# Install everything the tests need (system packages included) and run the whole suite:
# ruff, the import-layer contract, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# System packages: headless Chromium for browser tests, CJK fonts for charts and PDFs,
# poppler-utils to render PDF pages. Installed only when missing.
PKGS="chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "warning: missing system packages:$missing (run as root to install them)" >&2
  fi
fi
bash scripts/setup-venv.sh requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/lint-imports --config pyproject.toml
.venv/bin/python -m pytest "$@"
