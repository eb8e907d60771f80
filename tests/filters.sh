#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/filters.sh - what live tracing follows: the default mail filter,
# -c, --all, --port, -p, lookups adopted before the mail-port connect, and
# lost events counted and said.
. "$(dirname "$0")/lib.sh"
need_root dnsmasq
net_up
dns_up
cp "$B/connector" "$TMP/msmtp"

live mail
$C -1 25 127.0.0.1 >/dev/null 2>&1
$C -1 2601 127.0.0.1 >/dev/null 2>&1
ip netns exec "$CLI" "$TMP/msmtp" -1 2602 127.0.0.1 >/dev/null 2>&1
stop_live mail
check "default filter: a connect to a mail port is traced" "$TMP/mail" "$TMP/mail.err" -- jqs "$TMP/mail" '
	map(select(.type=="attempt" and .dport==25 and .comm=="connector")) | length == 1'
check "default filter: other ports from other programs are not" "$TMP/mail" -- jqs "$TMP/mail" '
	map(select(.type=="attempt" and .dport==2601)) | length == 0'
check "default filter: a mail program (msmtp) is traced on any port" "$TMP/mail" -- jqs "$TMP/mail" '
	(map(select(.type=="attempt" and .dport==2602 and .comm=="msmtp")) | length == 1) and
	(map(select(.type=="process" and .comm=="msmtp"))[0].traced_as == "comm")'
check "SIGTERM ends a live trace with the report and status 0" "$TMP/mail.err" -- bash -c "
	test \$(cat '$TMP/mail.rc') = 0 && jq -e -s 'map(select(.type==\"summary\")) | length == 1 and .[0].complete' '$TMP/mail'"

live comm -c msmtp
$C -1 25 127.0.0.1 >/dev/null 2>&1
ip netns exec "$CLI" "$TMP/msmtp" -1 2603 127.0.0.1 >/dev/null 2>&1
stop_live comm
check "-c narrows to the named programs" "$TMP/comm" -- jqs "$TMP/comm" '
	(map(select(.type=="attempt" and .dport==2603)) | length == 1) and
	(map(select(.type=="attempt" and .comm=="connector")) | length == 0)'

live all --all
$C -1 2604 127.0.0.1 >/dev/null 2>&1
stop_live all
check "--all traces every process" "$TMP/all" -- jqs "$TMP/all" '
	map(select(.type=="attempt" and .dport==2604 and .comm=="connector")) | length == 1'

live ports --port 2605
$C -1 2605 127.0.0.1 >/dev/null 2>&1
$C -1 25 127.0.0.1 >/dev/null 2>&1
stop_live ports
check "--port replaces the mail ports" "$TMP/ports" -- jqs "$TMP/ports" '
	(map(select(.type=="attempt" and .dport==2605)) | length == 1) and
	(map(select(.type=="attempt" and .comm=="connector" and .dport==25)) | length == 0)'

# A process is a mail process only once it connects to port 25; its lookup
# came first and must still be attributed to it.
live adopt
$R -1 25 mx1.famtrace.test >/dev/null 2>&1
stop_live adopt
check "default filter: lookups made before the mail-port connect are attributed" "$TMP/adopt" -- jqs "$TMP/adopt" '
	(map(select(.type=="lookup" and .comm=="resolver" and .name=="mx1.famtrace.test")) | length == 1) and
	(map(select(.type=="attempt" and .comm=="resolver" and .dport==25)) | length == 1 and
	 .[0].lookup != null and .[0].name == "mx1.famtrace.test")'

# Loss is counted and said, never silent: a 4 KiB ring buffer under a storm.
# famtrace is stopped (SIGSTOP) while the storm runs, a reader that stalls,
# as behind a slow terminal or disk: a running reader kept up with the storm
# once in CI and nothing was lost, so the test could not say what it is for.
live lossy --all --buffer-size 4
kill -STOP "$LIVE_PID"
ip netns exec "$CLI" "$PWD/build/bench/connstorm" 20000 2601 >/dev/null 2>&1
kill -CONT "$LIVE_PID"
wait_for 5 grep -q 'events lost in the last' "$TMP/lossy.err" # said once a second
stop_live lossy
check "ring buffer overflow: lost events counted, warned while running, report marked incomplete" \
	"$TMP/lossy.err" -- bash -c "
	grep -q 'events lost in the last' '$TMP/lossy.err' &&
	jq -e -s '(map(select(.type==\"summary\"))[-1]) as \$s |
		(map(select(.type==\"attempt\" and .comm==\"connstorm\")) | length) as \$n |
		\$s.lost > 0 and (\$s.complete | not) and \$n <= 20000 and \$n + \$s.lost >= 20000' '$TMP/lossy'"

# A reader that falls behind: a client's IPv6 attempt is refused, it waits
# 600 ms (as OpenSMTPD waits 2 s) and connects over IPv4, while a storm of
# other connects (more records than one read batch) fills the pause.
# famtrace is stopped through all of it and 5.5 s more (past the hold a
# group with an untried address gets), so on resuming the clock is past
# the hold while the IPv4 attempt is still unread behind the first batch.
# Ticking by the clock closed the group there: "all failed" and "connected
# first time" for one delivery that fell back.
start_listener "$SRV" 192.0.2.2 2602 || not_ok "listener on 192.0.2.2:2602 (IPv4 only)"
live stall --all
kill -STOP "$LIVE_PID"
ip netns exec "$CLI" bash -c '"$1" -P 600 2602 mx1.famtrace.test >/dev/null 2>&1 &
	sleep 0.25
	"$2" 6000 2601 >/dev/null 2>&1
	wait' _ "$B/resolver" "$PWD/build/bench/connstorm"
sleep 5.5
kill -CONT "$LIVE_PID"
stop_live stall
check "a reader stalled past the hold: a refused IPv6 attempt and the IPv4 one 600 ms later, a storm between them, stay one fallback group" \
	"$TMP/stall.err" -- jqs "$TMP/stall" '
	(map(select(.type=="summary"))[-1].lost == 0) and
	(map(select(.type=="attempt" and .dport==2602 and .comm=="resolver")) | map(.result)) == ["refused", "connected"] and
	(map(select(.type=="group" and .dport==2602 and .comm=="resolver")) | length == 1 and .[0].class == "fallback" and
	 .[0].time_lost_ms > 500)'

# -p: a process that exists before famtrace starts, and only it. It waits on
# a FIFO, not a clock, until famtrace is tracing (a fixed 1.5 s lost the race
# once when the previous famtrace's uprobes were still being removed), then
# execs the connector under the same pid.
mkfifo "$TMP/pid.go"
bash -c 'read -r _ <"$1"; shift; exec "$@"' _ "$TMP/pid.go" $C -1 2606 127.0.0.1 >/dev/null 2>&1 &
TARGET=$!
BG_PIDS+=($TARGET)
live pid -p "$TARGET"
echo go >"$TMP/pid.go"
$C -1 2607 127.0.0.1 >/dev/null 2>&1
wait "$TARGET"
stop_live pid
check "-p traces that process only" "$TMP/pid" -- jqs "$TMP/pid" "
	(map(select(.type==\"attempt\" and .dport==2606 and .pid==$TARGET)) | length == 1) and
	(map(select(.type==\"attempt\" and .dport==2607)) | length == 0)"


# A hostile local user names a process with terminal escapes and makes it
# connect to port 25 and look up a name with escapes too: the text output
# (famtrace runs as root on the operator's terminal) shows them escaped, as
# ls and ps do, and never emits the raw bytes.
evil=$'x\e[2J\nFAKE\r\a'
cp "$B/connector" "$TMP/$evil"
cp "$B/resolver" "$TMP/r$evil"
"$FT" --all >"$TMP/evil.txt" 2>"$TMP/evil.err" &
EVIL_PID=$!
BG_PIDS+=($EVIL_PID)
wait_for 10 grep -q "Ctrl-C to stop" "$TMP/evil.err"
ip netns exec "$CLI" "$TMP/$evil" -1 25 127.0.0.1 >/dev/null 2>&1
ip netns exec "$CLI" "$TMP/r$evil" -q $'evil\e]0;owned\a.famtrace.test' A >/dev/null 2>&1
wait_for 10 grep -q -- "---- port 25" "$TMP/evil.txt" # the group closes after the 2 s gap
kill -TERM $EVIL_PID; wait $EVIL_PID
check "hostile process and DNS names print escaped in text (\\e, \\n, \\r, \\x07), never as raw control bytes" \
	"$TMP/evil.txt" -- bash -c "
	! grep -q \$'[\\x01-\\x09\\x0b-\\x1f\\x7f]' '$TMP/evil.txt' &&
	grep -qF 'x\\e[2J\\nFAKE\\r\\x07' '$TMP/evil.txt' &&
	grep -qF 'evil\\\\027]0' '$TMP/evil.txt' &&
	! grep -q '^FAKE' '$TMP/evil.txt'"

summary
