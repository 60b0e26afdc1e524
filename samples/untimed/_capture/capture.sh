#!/usr/bin/env bash
# Captures samples/untimed: nginx (Debian's nginx package) in front of Express + morgan('dev')
# (npm: express, morgan), on 127.0.0.1, for SECONDS_TO_RUN seconds (20 by default). Needs node_modules with
# express and morgan next to app.js (npm install express morgan). Writes edge.log, express.log
# and expected.json into OUT (default: this directory's parent).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(dirname "$here")}
work=$(mktemp -d)
mkdir -p "$work/tmp" "$work/static"
chmod 755 "$work" # mktemp makes it 0700: nginx workers (user nobody) must read the static files
echo 'body{}' >"$work/static/app.css"
echo '{"results":[]}' >"$work/static/fallback.json"
sed "s#/srv/untimed#$work#g" "$here/nginx.conf" >"$work/nginx.conf"
node "$here/app.js" >"$work/express.log" 2>&1 &
node=$!
nginx -c "$work/nginx.conf"
trap 'kill "$node" 2>/dev/null; kill "$(cat "$work/nginx.pid")" 2>/dev/null' EXIT
sleep 1
(cd "$work" && python3 "$here/client.py" "${SECONDS_TO_RUN:-20}")
sleep 1
cp "$work/edge.log" "$work/express.log" "$work/expected.json" "$OUT/"
