#!/usr/bin/env bash
# Runs the real stack (nginx 1.22, gunicorn 20.1 + Flask 2.2 twice, uvicorn 0.17 + FastAPI 0.92
# with its output wrapped as containerd's CRI log does, Gin 1.12), sends client.py's traffic
# (Gin is redeployed without DELETE /api/carts/:id half-way) and writes the logs and expected.json
# to OUT (default: the directory above this one).
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(dirname "$DIR")}
SECS=${SECONDS_PER_PHASE:-60}
PY=/usr/bin/python3
mkdir -p "$OUT/tmp"
rm -f "$OUT"/{edge,flask-1,flask-2,fastapi,gin}.log
export TZ=UTC
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -f "$OUT/nginx.pid" ] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true; }
trap cleanup EXIT
cri() { $PY -u -c 'import sys,datetime
for l in sys.stdin:
    t=datetime.datetime.now(datetime.timezone.utc)
    sys.stdout.write(t.strftime("%Y-%m-%dT%H:%M:%S.%f")+"000Z stdout F "+l); sys.stdout.flush()'; }
(cd "$DIR" && exec gunicorn -w 2 -b 127.0.0.1:18001 --access-logfile - flask_app:app >>"$OUT/flask-1.log" 2>&1) & pids+=($!)
(cd "$DIR" && STALE=1 exec gunicorn -w 2 -b 127.0.0.1:18002 --access-logfile - flask_app:app >>"$OUT/flask-2.log" 2>&1) & pids+=($!)
cd "$DIR"
uvicorn fastapi_app:app --host 127.0.0.1 --port 18003 > >(cri >>"$OUT/fastapi.log") 2>&1 & pids+=($!)
cd - >/dev/null
(cd "$DIR/gin" && go build -o "$OUT/tmp/gin" .)
ADDR=127.0.0.1:18004 "$OUT/tmp/gin" >>"$OUT/gin.log" 2>&1 & gpid=$!
sed -e "s|@DIR@|$DIR|g" -e "s|@OUT@|$OUT|g" "$DIR/nginx.conf" >"$OUT/tmp/nginx.conf"
nginx -c "$OUT/tmp/nginx.conf" -p "$OUT/tmp" 2>/dev/null || nginx -c "$OUT/tmp/nginx.conf" -p "$OUT/tmp"
sleep 2
PHASE=1 SECONDS_PER_PHASE=$SECS $PY "$DIR/client.py" >"$OUT/tmp/key1.json"
kill "$gpid"; wait "$gpid" 2>/dev/null || true
VERSION=2 ADDR=127.0.0.1:18004 "$OUT/tmp/gin" >>"$OUT/gin.log" 2>&1 & gpid=$!
pids+=($gpid)
sleep 1
PHASE=2 SECONDS_PER_PHASE=$SECS $PY "$DIR/client.py" >"$OUT/tmp/key2.json"
sleep 1
$PY -c 'import json,sys; k=json.load(open(sys.argv[1]))+json.load(open(sys.argv[2])); k.sort(key=lambda x:x["time"])
print("[\n"+",\n".join(json.dumps({a:b for a,b in x.items() if a!="time"}) for x in k)+"\n]")' "$OUT/tmp/key1.json" "$OUT/tmp/key2.json" >"$OUT/expected.json"
cleanup; trap - EXIT
sleep 1
rm -rf "$OUT/tmp" "$OUT/nginx.pid" "$OUT/nginx-error.log"
wc -l "$OUT"/*.log "$OUT/expected.json"
