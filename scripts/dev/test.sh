#!/usr/bin/env bash
# The whole test suite: one debug build, every Swift test, then the REPL driven in tmux.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --build-tests
swift test --skip-build
if [ -x scripts/dev/repl-e2e.sh ]; then
  scripts/dev/repl-e2e.sh
fi
