#!/usr/bin/env bash
# The whole test suite: one debug build, every Swift test, then the REPL driven in tmux.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --build-tests
# Serial: tests that run the synchronous evaluator block their thread while vendor I/O runs
# on the cooperative pool, which has only as many threads as cores (2 in CI).
swift test --skip-build --no-parallel
if [ -x scripts/dev/repl-e2e.sh ]; then
  scripts/dev/repl-e2e.sh
fi
