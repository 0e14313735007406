#!/usr/bin/env bash
# Renders the demo digest in headless Chromium (Debian's `chromium` package) to docs/digest.png for the README, and
# copies the digest's chart (made by digest/chart.py) to docs/chart.png.
# Not part of CI. Usage: scripts/screenshot_digest.sh   (after `make demo`, or it runs the demo itself)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "install Debian's chromium and a CJK font first: apt-get install chromium fonts-wqy-zenhei" >&2; exit 1; }
[ -x .venv/bin/pilotwatch ] || make install
out=$(mktemp -d)
.venv/bin/pilotwatch demo --out "$out" --port 18380 >/dev/null
html=$(ls "$out"/digest-*.html | head -n 1)
profile=$(mktemp -d)
# The background-networking flags keep Chromium from calling out (this machine has no internet).
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size=900,4300 --screenshot="$PWD/docs/digest.png" "file://$html" 2>/dev/null
cp "$out"/digest-*-chart.png docs/chart.png
rm -rf "$out" "$profile"
echo "wrote docs/digest.png and docs/chart.png"
