#!/usr/bin/env bash
# Installs Debian packages with apt when run as root; otherwise says what to install and fails.
# Usage: scripts/apt_install.sh "what needs them" package ...   (used by ensure_chromium.sh, ensure_services.sh)
set -euo pipefail
why="$1"
shift
if [ "$(id -u)" -ne 0 ]; then
  echo "$why needs these Debian packages: sudo apt-get install $*" >&2
  exit 1
fi
echo "Installing $* for $why (apt-get install)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "$@" >/dev/null || {
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
