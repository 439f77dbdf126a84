#!/bin/sh
# Installs web/node_modules exactly as package-lock.json pins it, with the machine's own npm.
# The rtc4j-server build runs this at generate-resources, then copies the app and the browser
# builds of peerjs and webrtc-adapter into rtc4j.jar (under web/).
#
# `npm ci` always wipes node_modules and installs again, and the test run in a network namespace
# (scripts/test.sh) has no registry: so after a successful install a copy of package.json and
# package-lock.json is kept in node_modules/, and the install is skipped while they still match.
# --prefer-offline uses the npm cache first; --ignore-scripts runs no package's install scripts.
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.rtc4j-installed
want=$(cat package.json package-lock.json)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && [ -f node_modules/peerjs/dist/peerjs.min.js ] && [ -f node_modules/webrtc-adapter/out/adapter.js ]; then
  echo "web: node_modules matches package-lock.json"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "web: npm is needed to build the web app (Debian: apt-get install npm)" >&2
  exit 1
fi
npm ci --prefer-offline --no-audit --no-fund --ignore-scripts
printf '%s' "$want" > "$stamp"
