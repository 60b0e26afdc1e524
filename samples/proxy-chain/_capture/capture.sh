#!/usr/bin/env bash
# Captures samples/proxy-chain: nginx (Debian's nginx package) in front of HAProxy (Debian's
# haproxy) in front of Express + morgan('combined') (npm: express, morgan), on 127.0.0.1, for
# SECONDS_TO_RUN seconds (20 by default). The app and the client are samples/untimed's
# (samples/untimed/_capture: app.js with MORGAN_FORMAT=combined, client.py with the denial at lb
# and no masking); it needs node_modules with express and morgan there (npm install express
# morgan). Writes edge.log, haproxy.log, express.log and expected.json into OUT (default: this
# directory's parent).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../../untimed/_capture" && pwd)
OUT=${OUT:-$(dirname "$here")}
work=$(mktemp -d)
mkdir -p "$work/tmp" "$work/static"
chmod 755 "$work" # mktemp makes it 0700: nginx workers (user nobody) must read the static files
echo 'body{}' >"$work/static/app.css"
sed "s#/srv/proxy-chain#$work#g" "$here/nginx.conf" >"$work/nginx.conf"
MORGAN_FORMAT=combined node "$shared/app.js" >"$work/express.log" 2>&1 &
node=$!
haproxy -f "$here/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy=$!
nginx -c "$work/nginx.conf"
trap 'kill "$node" "$haproxy" 2>/dev/null; kill "$(cat "$work/nginx.pid")" 2>/dev/null' EXIT
sleep 1
(cd "$work" && BLOCK_ORIGIN=lb SEARCH_MASKED=0 python3 "$shared/client.py" "${SECONDS_TO_RUN:-20}")
sleep 1
cp "$work/edge.log" "$work/haproxy.log" "$work/express.log" "$work/expected.json" "$OUT/"
