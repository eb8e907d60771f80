#!/bin/bash
# tests/memory.sh - resident memory stays bounded: a million events and
# thousands of short-lived processes through a live famtrace.
. "$(dirname "$0")/lib.sh"
need_root
net_up
# ------------------------------------------------------------------ soak
# A million events and 2000 short-lived processes through a live famtrace:
# resident memory must be flat after warm-up (exited processes fold into
# per-name summaries), and every event is either read or counted as lost.
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
"$FT" --all --metrics "$TMP/soak.prom" --metrics-interval 1 >/dev/null 2>"$TMP/soak.err" &
LIVE_PID=$!
BG_PIDS+=($LIVE_PID)
for _ in $(seq 100); do grep -q tracing "$TMP/soak.err" && break; sleep 0.1; done
rss=()
for phase in 1 2 3 4; do
	"$RC" 250000 2601 >/dev/null 2>&1
	for _ in $(seq 500); do "$B/connector" -1 2601 127.0.0.1 >/dev/null 2>&1; done
	sleep 3 # groups close after the 2 s gap; exited processes settle and fold
	rss+=("$(rss_kb "$LIVE_PID")")
done
stop_live soak
ev=$(awk '/^famtrace_events_total/ { print $2 }' "$TMP/soak.prom")
lost=$(awk '/^famtrace_events_lost_total/ { print $2 }' "$TMP/soak.prom")
check "soak: $ev events read + $lost lost, RSS ${rss[*]} KiB after each quarter: flat after warm-up" \
	"$TMP/soak.err" -- bash -c "test \$(cat '$TMP/soak.rc') = 0 && test $((ev + lost)) -ge 1000000 &&
	test $((${rss[3]} - ${rss[1]})) -le 1024"

summary
