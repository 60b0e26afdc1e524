#!/usr/bin/env bash
# Whole-command measurements, printed side by side in one run (make bench-cmd). Each row has
# wall time, CPU time (user+sys: what matters on a loaded or one-core machine, where wall time
# mostly measures the neighbours) and peak RSS.
#  1. on a generated 2,000,000-line nginx combined log: `wc -l`, `grep -c`, `awk '$9 == 405'`,
#     `logtriage parse --status 405` (the pre-filter parses only lines holding " 405"-like
#     tokens), the same with --strict (every line parsed), and `logtriage parse` of every record;
#  2. the cost of the progress line: parse --status 405 under a pseudo-terminal (script(1)) and
#     without, when script is installed;
#  3. `logtriage analyze` on generated four-hop logs (ALB, nginx, Envoy, app) with ~1% of
#     requests answering 405, then the same with 10x the healthy traffic and the same 405s:
#     records/s and peak RSS (the x1 run RUNS times, 3 by default: the median and the fastest);
#  4. peak RSS of `analyze` on 1M and 5M lines that each answer 405 with their own request id,
#     and on 1M lines on distinct routes with -o json (MANY="1000000 5000000" sets the sizes).
# Section 3 also reads the x1 ALB log split into SPLIT gzip objects (analyze and parse).
# An empty MULTS or MANY skips its section.
# PROFILE=DIR also writes CPU and allocation profiles of analyze (x1) to DIR
# (LOGTRIAGE_CPUPROFILE, LOGTRIAGE_MEMPROFILE; read them with go tool pprof).
set -euo pipefail
BIN=${1:-bin/logtriage}
LINES=${LINES:-2000000}
REQS=${REQS:-600000}
MULTS=${MULTS-1 10}
SPLIT=${SPLIT-1000} # the x1 ALB log is also read as this many gzip objects ("" skips it)
WORK=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"' EXIT

go build -o "$WORK/loggen" ./cmd/loggen
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"

# run LABEL CMD... : wall time, CPU time and peak RSS of one command (output discarded). The
# disk writes of what ran before (loggen's logs, a run's output) are flushed first, so that the
# kernel's writeback does not share the cores with the command timed.
run() {
	local label=$1; shift
	sync
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
		read -r wall user sys rss <"$WORK/t"
	else
		local s e; s=$(date +%s.%N); "$@" >"$WORK/out" 2>"$WORK/err"; e=$(date +%s.%N)
		wall=$(echo "$e - $s" | bc); user=0; sys=0; rss=0
	fi
	cpu=$(echo "$user + $sys" | bc)
	printf '%-44s %7.2f s wall %7.2f s cpu %6d MiB peak  %s\n' "$label" "$wall" "$cpu" "$((rss / 1024))" "$(wc -l <"$WORK/out") lines out"
	echo "$wall $cpu" >"$WORK/last"
}

# runmed N LABEL CMD... : run N times; prints the run of median wall time, and the fastest.
# This machine's speed drifts by up to 2x within the hour, so a single run of the headline rows
# says little; the median of a few says more.
runmed() {
	local n=$1; shift
	local label=$1; shift
	local rows=()
	for _ in $(seq "$n"); do
		rows+=("$(run "$label" "$@")")
		rows[-1]="$(cat "$WORK/last") ${rows[-1]}"
	done
	local med
	med=$(printf '%s\n' "${rows[@]}" | sort -n -k1,1 | sed -n "$(((n + 1) / 2))p")
	local fastest
	fastest=$(printf '%s\n' "${rows[@]}" | sort -n -k1,1 | head -1 | cut -d' ' -f1)
	echo "$med" | cut -d' ' -f3-
	[ "$n" -gt 1 ] && echo "  (median of $n runs; fastest ${fastest} s wall)"
	echo "$med" | cut -d' ' -f1-2 >"$WORK/last"
}

# rate LABEL COUNT UNIT: COUNT per second of the last run's wall and CPU time.
rate() {
	read -r wall cpu <"$WORK/last"
	awk -v l="$1" -v n="$2" -v u="$3" -v s="$size" -v w="$wall" -v c="$cpu" 'BEGIN {
		printf "  %s: %.0f %s/s wall, %.0f %s per CPU second", l, n / w, u, n / c, u
		if (u == "lines") printf ", %.0f MB/s wall", s / w / 1e6
		printf "\n" }'
}

echo "== ingest: $LINES-line nginx combined log"
"$WORK/loggen" nginx-combined -lines "$LINES" -o "$WORK/combined.log"
size=$(stat -c %s "$WORK/combined.log")
cat "$WORK/combined.log" >/dev/null # warm the page cache for every contender alike
run "wc -l" wc -l "$WORK/combined.log"
run "grep -c '\" 405 '" grep -c '" 405 ' "$WORK/combined.log" || true
run "awk '\$9 == 405'" awk '$9 == 405' "$WORK/combined.log"
read -r _ awkcpu <"$WORK/last"
run "logtriage parse --status 405" "$BIN" parse -q --status 405 "$WORK/combined.log"
read -r _ ltcpu <"$WORK/last"
rate "parse --status 405" "$LINES" lines
awk -v a="$awkcpu" -v l="$ltcpu" 'BEGIN { printf "  CPU time: logtriage %.2f s, awk %.2f s (%.2fx)\n", l, a, l / a }'
run "logtriage parse --status 405 --strict" "$BIN" parse -q --strict --status 405 "$WORK/combined.log"
rate "parse --status 405 --strict (every line parsed)" "$LINES" lines
run "logtriage parse (every record)" "$BIN" parse -q "$WORK/combined.log"
rate "parse" "$LINES" lines
# The same into /dev/null: the run above also times writing 2 M JSON lines (about 700 MB) to
# this machine's disk, which varies from run to run more than the parsing does.
run "logtriage parse (every record) >/dev/null" sh -c "\"\$0\" parse -q \"\$1\" >/dev/null" "$BIN" "$WORK/combined.log"
rate "parse >/dev/null" "$LINES" lines

if command -v script >/dev/null 2>&1; then
	echo "== progress line: parse --status 405 with stderr on a pseudo-terminal, and without"
	run "  without (stderr a file)" script -qec "$BIN parse --status 405 $WORK/combined.log >/dev/null 2>$WORK/plain.err" /dev/null
	run "  with (stderr the terminal)" script -qec "$BIN parse --status 405 $WORK/combined.log >/dev/null" /dev/null
fi

for mult in $MULTS; do
	echo "== analyze: $REQS requests, healthy traffic x$mult, 1% with a 405"
	d="$WORK/multihop$mult"
	"$WORK/loggen" multihop -requests "$REQS" -error-rate 0.01 -healthy "$mult" -out "$d" >/dev/null
	recs=$(cat "$d"/edge.log "$d"/ingress.log "$d"/app.json | wc -l)
	recs=$((recs + $(gzip -dc "$d"/alb.log.gz | wc -l)))
	find "$d" -maxdepth 1 -type f -exec cat {} + >/dev/null # warm the page cache
	prof=()
	if [ -n "${PROFILE:-}" ] && [ "$mult" = 1 ]; then
		mkdir -p "$PROFILE"
		prof=(env LOGTRIAGE_CPUPROFILE="$PROFILE/analyze.cpu.pprof" LOGTRIAGE_MEMPROFILE="$PROFILE/analyze.alloc.pprof")
	fi
	runs=1
	[ "$mult" = 1 ] && runs=${RUNS:-3}
	runmed "$runs" "logtriage analyze ($recs records)" "${prof[@]}" "$BIN" analyze -q --nginx-conf "$d/nginx.conf" --envoy-config "$d/envoy.yaml" \
		alb="$d/alb.log.gz" edge="$d/edge.log" ingress="$d/ingress.log" app="$d/app.json"
	size=$(cat "$d"/edge.log "$d"/ingress.log "$d"/app.json "$d"/alb.log.gz | wc -c)
	rate "analyze" "$recs" records
	if [ "$mult" = 1 ] && [ -n "$SPLIT" ]; then
		# The same ALB log as the objects an ALB writes: many small gzip files, one after another.
		rm -rf "$d/albdir" # a BENCH_DIR of an earlier run has one
		mkdir -p "$d/albdir"
		gzip -dc "$d/alb.log.gz" >"$d/alb.plain" # split -n needs to know the size
		split -n "l/$SPLIT" -d -a 4 "$d/alb.plain" "$d/albdir/alb-"
		rm "$d/alb.plain"
		for f in "$d"/albdir/alb-*; do mv "$f" "$f.log"; done
		gzip -1 "$d"/albdir/*.log
		cat "$d"/albdir/* >/dev/null
		run "logtriage analyze, ALB in $SPLIT gzip objects" "$BIN" analyze -q --nginx-conf "$d/nginx.conf" --envoy-config "$d/envoy.yaml" \
			alb="$d/albdir" edge="$d/edge.log" ingress="$d/ingress.log" app="$d/app.json"
		rate "analyze" "$recs" records
		run "logtriage parse --status 405, ALB log in one file" "$BIN" parse -q --status 405 "$d/alb.log.gz"
		run "logtriage parse --status 405, ALB in $SPLIT objects" "$BIN" parse -q --status 405 "$d/albdir"
	fi
done
# 4. Memory bounds of requests with a 405 (README, Limits): every line a 405 with its own request
#    id, on one route template (1M and 5M lines), and on a route of its own (1M lines, -o json).
MANY=${MANY-1000000 5000000}
echo "== requests with a 405: peak RSS (the bound: 10,000 kept whole, the rest folded by shape)"
for n in $MANY; do
	"$WORK/loggen" many405 -lines "$n" -o "$WORK/many.json"
	run "analyze: $n unique-id 405 lines" "$BIN" analyze -q "$WORK/many.json"
	rm -f "$WORK/many.json"
done
if [ -n "$MANY" ]; then
	"$WORK/loggen" many405 -lines "${MANY%% *}" -routes distinct -o "$WORK/routes.json"
	run "analyze -o json: ${MANY%% *} distinct routes" "$BIN" analyze -q -o json "$WORK/routes.json"
	rm -f "$WORK/routes.json"
fi

if [ -n "${PROFILE:-}" ]; then
	echo "== profiles in $PROFILE: go tool pprof -top $BIN $PROFILE/analyze.cpu.pprof"
	go tool pprof -top -nodecount=25 "$BIN" "$PROFILE/analyze.cpu.pprof" 2>/dev/null | head -32 || true
	go tool pprof -top -nodecount=15 -sample_index=alloc_space "$BIN" "$PROFILE/analyze.alloc.pprof" 2>/dev/null | head -22 || true
fi
