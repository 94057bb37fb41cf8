#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser test (tests/test_website_browser.py).
# Installs it with apt when run as root; otherwise says what to install.
set -euo pipefail
browser="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The browser test needs Chromium at $browser: sudo apt-get install chromium (or set CHROMIUM)" >&2
  exit 1
fi
echo "Installing Chromium for the browser test (apt-get install chromium)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends chromium >/dev/null || {
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends chromium >/dev/null
}
"$browser" --version
