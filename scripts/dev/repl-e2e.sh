#!/usr/bin/env bash
# Drives the swb REPL in tmux as a person would (send-keys, capture-pane) and checks what
# the screen shows. Prints `N passed, N failed`; exits 1 if any check failed.
#   usage: scripts/dev/repl-e2e.sh [path/to/swb]     (default: .build/debug/swb)
set -uo pipefail
cd "$(dirname "$0")/../.."
SWB=$(realpath "${1:-.build/debug/swb}")
command -v tmux >/dev/null || { echo "tmux is needed: apt-get install -y tmux" >&2; exit 1; }
[ -x "$SWB" ] || { echo "no swb at $SWB (swift build first)" >&2; exit 1; }

WORK=$(mktemp -d)
SOCK="swb-e2e-$$"
T="tmux -L $SOCK"
passed=0; failed=0
cleanup() { $T kill-server 2>/dev/null; if [ -n "${SANDBOX_PID:-}" ]; then kill "$SANDBOX_PID" 2>/dev/null; wait "$SANDBOX_PID" 2>/dev/null; fi; rm -rf "$WORK" 2>/dev/null || true; }
trap cleanup EXIT

check() {  # NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"
  else failed=$((failed + 1)); echo "FAIL $name"; echo "---- screen:"; screen | sed 's/^/     /'; echo "----"; fi
}
screen() { $T capture-pane -p -t e2e 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
wait_for() {  # TEXT [SECONDS]
  local deadline=$((SECONDS + ${2:-10}))
  while [ $SECONDS -lt $deadline ]; do has "$1" && return 0; sleep 0.1; done
  return 1
}
start() {  # start swb in a fresh pane; ENV... passed through `env`
  $T kill-session -t e2e 2>/dev/null
  rm -f "$WORK/exit"
  $T new-session -d -s e2e -x 80 -y 40 "env XDG_STATE_HOME=$WORK/state HOME=$WORK LANG=C $* $SWB; echo \$? > $WORK/exit; sleep 60"
  wait_for "swb[" 15
}
keys() { $T send-keys -t e2e "$@"; }
prompt_count() { screen | grep -c 'swb\['; }

# 1. Completion of a command, a flag and a field.
start
keys 'agents | whe' Tab
check "completes a command name" wait_for 'agents | where' 3
keys C-u 'agents --ven' Tab
check "completes a flag" wait_for 'agents --vendor' 3
keys C-u 'agents | where sta' Tab
check "completes a field of the previous stage" wait_for 'agents | where status' 3
keys C-u

# 2. Multi-line input: an open bracket asks for more.
keys 'let team = [' Enter
check "an unfinished statement asks for more" wait_for '   ...' 3
keys '{name: "Ann"}, {name: "Bob"}' Enter ']' Enter
keys '$team | get name | str-join "+"' Enter
check "the multi-line statement ran" wait_for 'Ann+Bob' 5

# 3. Ctrl-C clears the line being typed.
keys 'print "half a li'
sleep 0.3
keys C-c
sleep 0.3
keys 'print ("fr" + "esh")' Enter
check "Ctrl-C clears the line" wait_for 'fresh' 3
check "the cleared line did not run" bash -c "! $T capture-pane -p -t e2e | grep -q 'half a lifresh'"

# 4. Non-ASCII input.
keys '"café" | str-upcase | print' Enter
check "non-ASCII input survives" wait_for 'CAFÉ' 3

# 5. A table fits an 80-column pane.
keys 'agents | first 5' Enter
wait_for '╰' 10
check "a table fits 80 columns" bash -c "! $T capture-pane -p -t e2e | awk 'length > 80' | grep -q ."
check "the table has rows" has '│ 4 │'

# 6. History across two runs: Ctrl-D exits 0, the next run recalls the line with Up.
keys 'print ("remember" + " me")' Enter
wait_for 'remember me' 3
keys C-d
for _ in $(seq 50); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
check "Ctrl-D exits with status 0" [ "$(cat "$WORK/exit" 2>/dev/null)" = "0" ]
start
keys Up
check "history is kept across runs" wait_for 'print ("remember" + " me")' 3
keys C-u
keys ' print ("sec" + "ret")' Enter
wait_for 'secret' 3
keys C-d
sleep 0.5
check "a line starting with a space is not saved" bash -c "! grep -q secret '$WORK/state/switchboard/history'"

# 7. Ctrl-C during a slow vendor request returns to the prompt within a second.
PORT=$((20000 + RANDOM % 20000))
"$SWB" sandbox --port "$PORT" --latency 5s >"$WORK/sandbox.toml" 2>"$WORK/sandbox.err" &
SANDBOX_PID=$!
for _ in $(seq 100); do grep -q 'base_url' "$WORK/sandbox.toml" 2>/dev/null && break; sleep 0.1; done
sed -n '/^\[\|^default_vendor\|^base_url\|^api_key\|^jwt\|^stream_id\|^account_id\|^client_id\|^client_secret\|^type/p' "$WORK/sandbox.toml" >"$WORK/config.toml"
chmod 600 "$WORK/config.toml"
start "SWB_CONFIG=$WORK/config.toml"
keys 'agents | count' Enter
sleep 0.5
before=$(prompt_count)
t0=$(date +%s.%N)
keys C-c
ok=1
while ! [ "$(prompt_count)" -gt "$before" ]; do
  sleep 0.05
  if awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{exit !(b - a > 1.0)}'; then ok=0; break; fi
done
check "Ctrl-C stops a slow request within 1 s" [ $ok = 1 ]
keys 'print (1 + 41)' Enter
check "the REPL still works after Ctrl-C" wait_for '42' 3
keys C-d

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
