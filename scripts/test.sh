#!/usr/bin/env bash
# Install everything the tests need (system packages included) and run the whole suite:
# ruff, the import-layer contract, then pytest (in two phases, below).
set -euo pipefail
cd "$(dirname "$0")/.."
# System packages: headless Chromium for browser tests and chart pictures, CJK fonts for charts
# and PDFs, poppler-utils to read PDFs back, nginx to check the example proxy configuration
# (never started). Installed only when missing.
bash scripts/system-packages.sh chromium fonts-noto-cjk fonts-wqy-zenhei fonts-arphic-uming fonts-dejavu-core poppler-utils nginx
bash scripts/setup-venv.sh requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/lint-imports --config pyproject.toml
# Two phases. The tests without a browser run on every core (pytest-xdist; TEST_WORKERS overrides
# the count): each has its own store in its own temporary folder, so they do not meet. The browser
# tests (marked `browser`, tests/browser.py) run after them one at a time: a browser and its server
# beside other work on two cores time out. Exit status 5 is "this selection collected no test"
# (`-k` naming only tests of the other phase), which is not a failure; any other failure is.
phase() {
    local status=0
    .venv/bin/python -m pytest "$@" || status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
}
phase -m "not browser" -n "${TEST_WORKERS:-$(nproc)}" "$@"
phase -m browser "$@"
