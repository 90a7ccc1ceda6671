#!/usr/bin/env bash
# Drives the swb REPL in tmux as a person would (send-keys, capture-pane) and checks what
# the screen shows. Prints `N passed, N failed`; exits 1 if any check failed.
#   usage: scripts/dev/repl-e2e.sh [path/to/swb]     (default: $SWB, else .build/debug/swb)
#          SWB=.build-mine/debug/swb scripts/dev/repl-e2e.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
SWB=$(realpath "${1:-${SWB:-.build/debug/swb}}")
command -v tmux >/dev/null || { echo "tmux is needed: apt-get install -y tmux" >&2; exit 1; }
[ -x "$SWB" ] || { echo "no swb at $SWB (swift build first)" >&2; exit 1; }

WORK=$(mktemp -d)
SOCK="swb-e2e-$$"
T="tmux -L $SOCK"
passed=0; failed=0
SANDBOX_PIDS=""
cleanup() {
  $T kill-server 2>/dev/null
  for pid in $SANDBOX_PIDS; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$WORK" 2>/dev/null || true
}
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
count_of() { screen | grep -cF -- "$1"; }
# A separate sandbox whose every answer takes LATENCY; writes NAME.toml, a config for SWB_CONFIG.
sandbox() {  # NAME LATENCY
  local port=$((20000 + RANDOM % 20000))
  "$SWB" sandbox --port "$port" --latency "$2" >"$WORK/$1.out" 2>"$WORK/$1.err" &
  SANDBOX_PIDS="$SANDBOX_PIDS $!"
  for _ in $(seq 100); do grep -q 'base_url' "$WORK/$1.out" 2>/dev/null && break; sleep 0.1; done
  sed -n '/^\[\|^default_vendor\|^base_url\|^api_key\|^jwt\|^stream_id\|^account_id\|^client_id\|^client_secret\|^type/p' "$WORK/$1.out" >"$WORK/$1.toml"
  chmod 600 "$WORK/$1.toml"
}
# Whether agent $1 is in chatrhub group $2, asked through the vendor API (defines `member`).
MEMBER_FN='fn member(a, g) { print "agent \($a) in \($g): \((http GET "/api/v1/agent_groups/agent_id/\($a)/group_id/\($g).json" --vendor chatrhub).data != null)" }'

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
# Characters, not bytes (mawk's `length` counts bytes): bash's ${#line} in a UTF-8 locale.
check "a table fits 80 columns" bash -c "$T capture-pane -p -t e2e | LC_ALL=C.UTF-8 bash -c 'while IFS= read -r l; do [ \${#l} -le 80 ] || exit 1; done'"
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
sandbox slow 5s
start "SWB_CONFIG=$WORK/slow.toml"
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

# 8. An action over more than 10 objects asks first; n, Ctrl-C and Ctrl-D send nothing, y does.
start
keys "$MEMBER_FN" Enter
keys C-l 'agents | first 12 | assign group 10204 | count' Enter
check "asks before acting on 12 agents" wait_for 'assign group 10204 to 12 agents on chatrhub? [y/N]' 10
keys n Enter
check "n cancels" wait_for 'assign group 10204: cancelled, nothing was sent' 5
keys 'member 12 10204' Enter
check "n sent nothing" wait_for 'agent 12 in 10204: false' 5
keys C-l 'agents | first 12 | assign group 10204 | count' Enter
wait_for '[y/N]' 10
keys C-c
check "Ctrl-C at the question cancels" wait_for 'cancelled, nothing was sent' 2
keys 'member 12 10204' Enter
check "Ctrl-C sent nothing" wait_for 'agent 12 in 10204: false' 5
keys C-l 'agents | first 12 | assign group 10204 | count' Enter
wait_for '[y/N]' 10
keys y Enter
check "y goes ahead" wait_for 'assign group 10204: 12 ok, 0 failed (chatrhub)' 10
keys 'member 12 10204' Enter
check "y assigned them" wait_for 'agent 12 in 10204: true' 5
keys C-l 'agents | first 12 | assign group 10205 --yes | count' Enter
wait_for 'assign group 10205: 12 ok' 10
check "--yes does not ask" [ "$(count_of '[y/N]')" = 0 ]
keys 'agents | first 10 | assign group 10206 | count' Enter
wait_for 'assign group 10206: 10 ok' 10
check "10 objects do not ask" [ "$(count_of '[y/N]')" = 0 ]
keys C-d

# 9. A long action draws a progress line on stderr, erased when it ends or on Ctrl-C.
sandbox paced 400ms
start "SWB_CONFIG=$WORK/paced.toml"
keys C-l 'agents | first 16 | assign group 10204 --yes --parallel 2 | count' Enter
check "a long action shows a progress bar" wait_for '/16' 6
check "the bar has its label, bar and count" bash -c "$T capture-pane -p -t e2e | grep -qE '^assign group 10204  [█░]+ +[0-9]+/16 +[0-9]+%  +[0-9.]+s\$'"
check "the action ends" wait_for 'assign group 10204: 16 ok, 0 failed (chatrhub)' 10
check "the bar is erased when it ends" bash -c "! $T capture-pane -p -t e2e | grep -qE '░|█|/16'"
check "the count follows on a clean line" bash -c "$T capture-pane -p -t e2e | grep -qx '16'"
keys C-l 'agents | first 16 | assign group 10205 --yes --parallel 1 | count' Enter
wait_for '/16' 6
before=$(prompt_count)
keys C-c
for _ in $(seq 20); do [ "$(prompt_count)" -gt "$before" ] && break; sleep 0.05; done
check "Ctrl-C stops a long action within 1 s" [ "$(prompt_count)" -gt "$before" ]
check "Ctrl-C erases the bar" bash -c "! $T capture-pane -p -t e2e | grep -qE '░|█|/16'"
check "Ctrl-C says interrupted" has 'interrupted'
keys 'print (6 * 7)' Enter
check "the REPL works after stopping an action" wait_for '42' 3
keys C-d

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
