#!/usr/bin/env bash
# Install the given Debian packages when missing (as root); otherwise say which are missing.
# Used by run.sh (chromium and CJK fonts for report exports) and test.sh (also poppler-utils).
set -euo pipefail
missing=""
for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "warning: missing system packages:$missing (run as root to install them)" >&2
fi
