#!/usr/bin/env bash
# Vendor benchmarks against the in-process sandbox (prints BENCH lines; no assertions):
#  - `agents | assign group G` over SWB_BENCH_AGENTS (2000) chatrhub agents, latency 20 ms, --parallel 16
#  - `agents --vendor dixa | length` over SWB_BENCH_DIXA (100000) agents: records/s and peak RSS
#   usage: scripts/dev/bench-vendors.sh [debug|release]   (default release)
set -euo pipefail
cd "$(dirname "$0")/../.."
CONF=${1:-release}
SCRATCH=${SCRATCH:-.build-vendors}
swift build --scratch-path "$SCRATCH" -c "$CONF" --build-tests -Xswiftc -enable-testing >&2
SWB_BENCH=1 swift test --scratch-path "$SCRATCH" -c "$CONF" -Xswiftc -enable-testing --skip-build --filter 'SwitchboardVendorsTests.BenchTests' 2>&1 | grep -E '^BENCH|✘'
