#!/usr/bin/env bash
# Installs what building and testing Switchboard needs on Debian: libedit (the REPL's line
# editor; SwiftPM only prints a hint when it is missing) and tmux (the REPL's end-to-end test).
set -euo pipefail
need=()
for p in libedit-dev tmux; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
