#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/memory.sh - resident memory stays bounded: a million events and
# thousands of short-lived processes through a live famtrace, and thousands
# of live processes of an unprivileged user that each open many destinations.
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

# ------------------------------------------------- hostile live processes
# 1500 processes of user nobody stay alive, each having tried 70 destinations
# (ports 25..94, all refused). Without a bound that is ~230 MB of details;
# with it, the details kept stay under their budget (8192 destinations,
# 4096 lookups: about 32 MB) plus ~1 KB per process, and tracing goes on.
N_HOSTILE=1500
"$FT" --metrics "$TMP/hostile.prom" --metrics-interval 0.5 -j >"$TMP/hostile" 2>"$TMP/hostile.err" &
LIVE_PID=$!
BG_PIDS+=($LIVE_PID)
wait_for 10 grep -q "Ctrl-C to stop" "$TMP/hostile.err"
rss0=$(rss_kb "$LIVE_PID")
HOSTILE=()
for _ in $(seq $N_HOSTILE); do
	setpriv --reuid=65534 --regid=65534 --clear-groups "$B/connector" -1 -P 70 -s 300000 25 127.0.0.1 \
		>/dev/null 2>&1 &
	HOSTILE+=($!)
done
# Every attempt is either read or counted as lost (a burst of 105,000 on a busy
# machine can overflow the ring buffer; that is not what this test is about).
wait_for 120 bash -c "test \$(awk '/^famtrace_(events|events_lost)_total / { n += \$2 } END { print n + 0 }' \
	'$TMP/hostile.prom') -ge $((N_HOSTILE * 70))"
rss1=$(rss_kb "$LIVE_PID")
$C -1 25 192.0.2.2 >/dev/null 2>&1 # root, from the test namespace: still seen
wait_for 5 grep -q '"daddr":"192.0.2.2"' "$TMP/hostile"
kill "${HOSTILE[@]}" 2>/dev/null; wait "${HOSTILE[@]}" 2>/dev/null
stop_live hostile
growth=$((rss1 - rss0))
check "$N_HOSTILE live processes of user nobody x 70 destinations: RSS $rss0 -> $rss1 KiB (+$growth, bound 40960), details summarised and said, tracing goes on" \
	"$TMP/hostile.err" -- bash -c "test $growth -lt 40960 && test \$(cat '$TMP/hostile.rc') = 0 &&
	jq -e -s '.[-1].lost as \$lost | (.[-1].details_dropped.groups > 0) and
	 (map(select(.type==\"attempt\" and .daddr==\"192.0.2.2\" and .dport==25)) | length == 1) and
	 (map(select(.type==\"process\" and .uid==65534)) | length == $N_HOSTILE) and
	 (map(select(.type==\"process\" and .uid==65534)) | map(.ipv4.tried) | add) + \$lost >= $((N_HOSTILE * 70))' \
	 '$TMP/hostile'"

summary
