#!/usr/bin/env bash
# Whole-command measurements, printed side by side in one run (make bench-cmd):
#  1. `logtriage parse --status 405` on a generated 2,000,000-line nginx combined log, beside
#     `wc -l` and `awk '$9 == 405'` on the same file;
#  2. `logtriage analyze` on generated four-hop logs (ALB, nginx, Envoy, app) with ~1% of requests
#     answering 405, then the same with 10x the healthy traffic and the same 405s: records/s and
#     peak RSS;
#  3. `logtriage analyze` on ~2M records of default logs without ids (cmd/loggen default-logs).
set -euo pipefail
BIN=${1:-bin/logtriage}
LINES=${LINES:-2000000}
REQS=${REQS:-600000}
WORK=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"' EXIT

go build -o "$WORK/loggen" ./cmd/loggen

# run LABEL CMD... : wall time, CPU time and peak RSS of one command (output discarded).
run() {
	local label=$1; shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
		read -r wall user sys rss <"$WORK/t"
	else
		local s e; s=$(date +%s.%N); "$@" >"$WORK/out" 2>"$WORK/err"; e=$(date +%s.%N)
		wall=$(echo "$e - $s" | bc); user=?; sys=?; rss=0
	fi
	printf '%-44s %8.2f s wall %8s s cpu %8d MiB peak  %s\n' "$label" "$wall" \
		"$(echo "$user + $sys" | bc 2>/dev/null || echo ?)" "$((rss / 1024))" "$(wc -l <"$WORK/out") lines out"
	echo "$wall"  >"$WORK/last_wall"
}

echo "== ingest: $LINES-line nginx combined log"
"$WORK/loggen" nginx-combined -lines "$LINES" -o "$WORK/combined.log"
size=$(stat -c %s "$WORK/combined.log")
cat "$WORK/combined.log" >/dev/null # warm the page cache for every contender alike
run "wc -l" wc -l "$WORK/combined.log"
run "awk '\$9 == 405'" awk '$9 == 405' "$WORK/combined.log"
run "logtriage parse --status 405" "$BIN" parse -q --status 405 "$WORK/combined.log"
wall=$(cat "$WORK/last_wall")
awk -v l="$LINES" -v s="$size" -v w="$wall" 'BEGIN { printf "logtriage parse: %.0f lines/s, %.0f MB/s\n", l / w, s / w / 1e6 }'

for mult in 1 10; do
	echo "== analyze: $REQS requests, healthy traffic x$mult, 1% with a 405"
	d="$WORK/multihop$mult"
	"$WORK/loggen" multihop -requests "$REQS" -error-rate 0.01 -healthy "$mult" -out "$d" >/dev/null
	recs=$(cat "$d"/edge.log "$d"/ingress.log "$d"/app.json | wc -l)
	recs=$((recs + $(gzip -dc "$d"/alb.log.gz | wc -l)))
	cat "$d"/* >/dev/null
	run "logtriage analyze ($recs records)" "$BIN" analyze -q --nginx-conf "$d/nginx.conf" --envoy-config "$d/envoy.yaml" \
		alb="$d/alb.log.gz" edge="$d/edge.log" ingress="$d/ingress.log" app="$d/app.json"
	wall=$(cat "$WORK/last_wall")
	awk -v r="$recs" -v w="$wall" 'BEGIN { printf "logtriage analyze: %.0f records/s\n", r / w }'
done

# The same 405 share in default logs (nginx combined + gunicorn, uvicorn and Gin lines, no ids):
# joined by match (docs/joins.md). Compare its records/s with the id-joined x1 run above.
echo "== analyze, default logs (no ids): ~2M records, 1% with a 405"
d="$WORK/default-logs"
"$WORK/loggen" default-logs -out "$d" -requests 1045000 -scale 35 -window 8h 2>/dev/null
recs=$(cat "$d"/*.log | wc -l)
cat "$d"/*.log >/dev/null
run "logtriage analyze ($recs records, no ids)" "$BIN" analyze -q edge="$d/edge.log" flask="$d/flask-1.log" \
	flask="$d/flask-2.log" fastapi="$d/fastapi.log" gin="$d/gin.log"
wall=$(cat "$WORK/last_wall")
awk -v r="$recs" -v w="$wall" 'BEGIN { printf "logtriage analyze (default logs): %.0f records/s\n", r / w }'
