#!/usr/bin/env bash
# Create .venv (if missing) and install the given requirements file into it.
# Sourced by run.sh and test.sh; works on a fresh Debian with Python 3.11.
set -euo pipefail
REQ="${1:?requirements file}"
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    # Debian's python3 ships venv separately.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf .venv && "$PY" -m venv .venv
    else
      echo "cannot create a virtual environment: install python3-venv" >&2; exit 1
    fi
  fi
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r "$REQ"
