#!/usr/bin/env bash
# Benchmarks: the swb version of each workload in shared/bench (W1-W5) and the peers
# (python3, lua5.4, jq) in the same pass, release build. Prints median wall time, peak
# RSS and the ratio swb/peer (below 1 means swb is faster).
#   usage: scripts/dev/bench.sh [--only REGEX]     env: RUNS=3 WARMUP=1 DATA=/tmp/agents-1m
# Peers: apt-get install -y hyperfine jq lua5.4 lua-cjson time
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
P=$SHARED/bench/peers
B=$ROOT/scripts/dev/bench
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
DATA=${DATA:-/tmp/agents-1m}
OUT=${OUT:-/tmp/swb-bench}
ONLY=.
[ "${1:-}" = "--only" ] && ONLY=$2
mkdir -p "$OUT"

# The build to install: the Swift runtime linked in (start-up ~12 -> ~7 ms: no dynamic
# symbol binding of libswiftCore and Foundation at every run).
swift build -c release --static-swift-stdlib --product swb >&2
SWB=$ROOT/.build/release/swb
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if [ ! -s "$DATA.json" ]; then "$PY" "$SHARED/bench/gen_agents.py" --prefix "$DATA" >&2; fi

W1=166667
W5='available 333334\nunavailable 333333\noffline 333333'   # \n expanded in measure: rows are one line each
# id | workload | expected | swb command | peer commands (name=command;...)
rows=(
  "w1|W1 filter-project (1M, in memory)|$W1|$SWB $B/w1_filter_project.swb|python3=$PY $P/w1_filter_project.py;lua5.4=lua5.4 $P/w1_filter_project.lua;jq=jq -n -f $P/w1_filter_project.jq"
  "w1s|W1s filter-project (1M, streaming)|$W1|$SWB $B/w1s_filter_project_stream.swb|python3=$PY $P/w1s_filter_project_stream.py;lua5.4=lua5.4 $P/w1s_filter_project_stream.lua"
  "w2|W2 json-ingest (110 MB array)|$W1|$SWB $B/w2_json_ingest.swb $DATA.json|python3 json=$PY $P/w2_json_ingest.py $DATA.json;jq=jq -f $P/w2_json_ingest.jq $DATA.json"
  "w3|W3 start-up (print 1 + 1)|2|$SWB -c print(1+1)|python3=$PY -c print(1+1);lua5.4=lua5.4 -e print(1+1)"
  "w4|W4 fib(27)|196418|$SWB $B/w4_fib.swb|python3=$PY $P/w4_fib.py;lua5.4=lua5.4 $P/w4_fib.lua"
  "w5|W5 group-count (1M)|$W5|$SWB $B/w5_group_count.swb|python3=$PY $P/w5_group_count.py;lua5.4=lua5.4 $P/w5_group_count.lua"
)

measure() {  # id cmd -> "median_s rss_mib" or "WRONG"
  local id=$1 cmd=$2 expected got
  expected=$(printf '%b' "$3")
  got=$($cmd 2>"$OUT/$id.err" | sed 's/[[:space:]]*$//') || true
  if [ "$got" != "$expected" ]; then echo "WRONG"; printf '%s\n' "$got" >"$OUT/$id.wrong"; return; fi
  hyperfine --shell=none --warmup "$WARMUP" --runs "$RUNS" --style none --export-json "$OUT/$id.json" "$cmd" >/dev/null 2>&1
  local med rss
  med=$(jq -r '.results[0].median' "$OUT/$id.json")
  /usr/bin/time -f '%M' -o "$OUT/$id.rss" $cmd >/dev/null 2>&1 || true
  rss=$(tail -n1 "$OUT/$id.rss")
  awk -v m="$med" -v r="$rss" 'BEGIN{printf "%.4f %.0f", m, r/1024}'
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); runs: $RUNS after $WARMUP warm-up"
echo
echo "| workload | swb s | swb MiB | peer | peer s | peer MiB | swb/peer |"
echo "|---|---:|---:|---|---:|---:|---:|"
for row in "${rows[@]}"; do
  IFS='|' read -r id wl expected swbcmd peers <<<"$row"
  [[ "$id" =~ $ONLY ]] || continue
  read -r ss sm <<<"$(measure "$id-swb" "$swbcmd" "$expected")"
  if [ "$ss" = "WRONG" ]; then echo "| $wl | WRONG OUTPUT (see $OUT/$id-swb.wrong) | | | | | |"; continue; fi
  IFS=';' read -ra plist <<<"$peers"
  for p in "${plist[@]}"; do
    name=${p%%=*}; cmd=${p#*=}
    command -v "${cmd%% *}" >/dev/null 2>&1 || continue
    read -r ps pm <<<"$(measure "$id-$name" "$cmd" "$expected")"
    ratio=$(awk -v a="$ss" -v b="$ps" 'BEGIN{ if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else print "–" }')
    echo "| $wl | $ss | ${sm:-} | $name | $ps | ${pm:-} | $ratio |"
  done
done
