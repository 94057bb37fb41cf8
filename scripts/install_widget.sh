#!/usr/bin/env bash
# Installs the chat widget (rasa-webchat) and, for the browser tests, axe-core, pinned in
# website/package-lock.json, with npm.
# The web app serves its standalone build, website/node_modules/rasa-webchat/lib/index.js.
set -euo pipefail
cd "$(dirname "$0")/../website"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is needed to install the chat widget (Node.js 18 or newer): apt-get install nodejs npm" >&2
  exit 1
fi
echo "Installing the chat widget with npm ci (website/package-lock.json)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
