#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser test (tests/test_website_browser.py).
# Installs it with apt when run as root; otherwise says what to install.
set -euo pipefail
browser="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
bash "$(dirname "$0")/apt_install.sh" "The browser test (Chromium at $browser, or set CHROMIUM)" chromium
"$browser" --version
