#!/usr/bin/env bash
# Vendor benchmarks (prints BENCH lines; no assertions).
#  In-process (the sandbox in the test process, so its memory and CPU count too):
#  - `agents | assign group G` over SWB_BENCH_AGENTS (2000) chatrhub agents, latency 20 ms, --parallel 16
#  - `agents --vendor dixa | length` over SWB_BENCH_DIXA (100000) agents: records/s and peak RSS
#  Two processes (`swb sandbox` and `swb`, so the RSS is swb's own):
#  - the same two, wall time and swb's peak RSS (GNU time)
#  Last run (2 cores shared with other builds, release, 2026-11-29; before -> after the sandbox's
#  byte JSON parser and streamed Dixa presence): assign in-process 3.54-4.02 s -> 2.74-2.84 s,
#  two processes 2.97-3.03 s -> 2.76-2.93 s (ideal 2.50 s); sandbox peak RSS at 100k agents
#  494 MB -> 400 MB; in-process dixa count RSS growth 92 MB -> 9 MB.
#   usage: scripts/dev/bench-vendors.sh [debug|release]   (default release)
#   env: SCRATCH (.build-vendors), SWB_BENCH_AGENTS, SWB_BENCH_DIXA, SWB_BENCH_LATENCY_MS, SKIP_INPROCESS=1
set -euo pipefail
cd "$(dirname "$0")/../.."
CONF=${1:-release}
SCRATCH=${SCRATCH:-.build-vendors}
AGENTS=${SWB_BENCH_AGENTS:-2000}
DIXA=${SWB_BENCH_DIXA:-100000}
LATENCY=${SWB_BENCH_LATENCY_MS:-20}
swift build --scratch-path "$SCRATCH" -c "$CONF" --build-tests -Xswiftc -enable-testing >&2
if [ "${SKIP_INPROCESS:-}" != 1 ]; then
  SWB_BENCH=1 swift test --scratch-path "$SCRATCH" -c "$CONF" -Xswiftc -enable-testing --skip-build --filter 'SwitchboardVendorsTests.BenchTests' 2>&1 | grep -E '^BENCH|✘'
fi

SWB=$("$(command -v swift)" build --scratch-path "$SCRATCH" -c "$CONF" -Xswiftc -enable-testing --show-bin-path)/swb
TMP=$(mktemp -d)
SANDBOX_PID=
cleanup() { [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# Starts `swb sandbox ARGS...` and writes its config to $TMP/config.toml (mode 600).
sandbox() {
  [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null
  "$SWB" sandbox "$@" > "$TMP/sandbox.out" 2>&1 &
  SANDBOX_PID=$!
  for _ in $(seq 600); do grep -q '^Serving' "$TMP/sandbox.out" && break; sleep 0.1; done
  grep -q '^Serving' "$TMP/sandbox.out" || { echo "swb sandbox did not start:"; cat "$TMP/sandbox.out"; exit 1; }
  sed -n '/^default_vendor/,/^Serving/p' "$TMP/sandbox.out" | grep -v '^Serving' > "$TMP/config.toml"
  chmod 600 "$TMP/config.toml"
}

# run NAME SCRIPT: wall time and swb's peak RSS
run() {
  local out
  out=$(SWB_CONFIG=$TMP/config.toml /usr/bin/time -f '%e %M' "$SWB" -c "$2" 2>&1 >"$TMP/result") || { echo "BENCH $1: failed: $out"; return; }
  read -r secs kb <<<"$(tail -1 <<<"$out")"
  echo "$secs $((kb / 1024)) $(head -c 200 "$TMP/result" | tr '\n' ' ')"
}

sandbox --agents "$AGENTS" --latency "${LATENCY}ms"
SWB_CONFIG=$TMP/config.toml "$SWB" -c '(agents 1 --vendor chatrhub).id' >/dev/null
read -r secs mb result <<<"$(run assign "agents --vendor chatrhub | assign group 10204 --parallel 16 | where ok | length")"
ideal=$(awk -v n="$AGENTS" -v l="$LATENCY" 'BEGIN { printf "%.2f", n * l / 1000 / 16 }')
echo "BENCH assign (2 processes): $result of $AGENTS agents ok, latency ${LATENCY}ms, --parallel 16: ${secs} s (ideal $ideal s, ratio $(awk -v a="$secs" -v b="$ideal" 'BEGIN { printf "%.2f", a / b }')); swb peak RSS $mb MB"

for n in 10000 "$DIXA"; do
  sandbox --agents "$n"
  read -r secs mb result <<<"$(run dixa 'agents --vendor dixa | length')"
  hwm=$(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$SANDBOX_PID/status" 2>/dev/null || echo "?")
  echo "BENCH dixa count (2 processes): $result agents in $secs s = $(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%d", n / s }') records/s (process start included); swb peak RSS $mb MB (the sandbox's: $hwm MB)"
done
