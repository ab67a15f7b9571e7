#!/usr/bin/env bash
# Copies the status page's chart library (uPlot, MIT, pinned in package.json) from node_modules into
# src/Daemon/Http/Assets/vendor, where the daemon embeds it: the page loads it from the daemon, never a CDN.
# Run after changing its version in package.json: npm install && scripts/vendor-uplot.sh, then commit.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/uplot
want=$(node -p "require('./package.json').devDependencies.uplot")
have=$(node -p "require('./$src/package.json').version")
if [ "$want" != "$have" ]; then
  echo "node_modules has uplot $have, package.json pins $want: run npm install first" >&2
  exit 1
fi
dest=src/Daemon/Http/Assets/vendor
cp "$src/dist/uPlot.iife.min.js" "$dest/uPlot.iife.min.js"
cp "$src/dist/uPlot.min.css" "$dest/uPlot.min.css"
cp "$src/LICENSE" "$dest/uPlot.LICENSE"
echo "$have" > "$dest/uPlot.VERSION"
echo "vendored uplot $have into $dest"
