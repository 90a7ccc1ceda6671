#!/usr/bin/env bash
# Requests per second for small GETs against `swb sandbox` (release build), one vendor at a time.
# Usage: scripts/dev/sandbox-bench.sh [AGENTS] [PORT]   (needs wrk)
set -euo pipefail
agents=${1:-100000}
port=${2:-18400}
swift build -c release --scratch-path .build-sandbox-rel --product swb
bin=$(swift build -c release --scratch-path .build-sandbox-rel --show-bin-path)/swb
"$bin" sandbox --port "$port" --agents "$agents" > /tmp/sandbox-bench.log 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$((port + 3))/v1/teams" && break; sleep 0.2; done
jwt=$(sed -n 's/^jwt = "\(.*\)"$/\1/p' /tmp/sandbox-bench.log)
run() { echo "== $1"; shift; wrk -t2 -c32 -d5s "$@" | grep -E "Requests/sec|Non-2xx"; }
run "chatrhub GET /api/v1/agents/5.json" -H "Authorization: Bearer sbx-chatrhub-key" "http://127.0.0.1:$port/api/v1/agents/5.json"
run "agentiq GET /api/agents/me" -H "x-api-key: sbx-agentiq-key" "http://127.0.0.1:$((port + 1))/api/agents/me"
run "smartassist GET agent-groups?limit=1" -H "auth: $jwt" -H "accountId: sbx-account-0001" \
    "http://127.0.0.1:$((port + 2))/agentassist/api/v1/public/st-sbx-0001/agent-groups?limit=1"
run "dixa GET /v1/tags" -H "Authorization: sbx-dixa-key" "http://127.0.0.1:$((port + 3))/v1/tags"
