#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/privileges.sh - famtrace without privileges (exit 3), the drop to
# CAP_BPF after attach, and the systemd unit.
. "$(dirname "$0")/lib.sh"
need_root setpriv systemd-analyze strace dnsmasq
net_up
dns_up
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
	"$FT" -d 1 >/dev/null 2>"$TMP/e5"; rc=$?
check "without privileges: exit 3 and says so" "$TMP/e5" -- bash -c "test $rc = 3 && grep -q root '$TMP/e5'"
# After loading, famtrace keeps only CAP_BPF (and CAP_DAC_OVERRIDE when it
# writes files), and still traces and reads its counters.
# live waits for the "tracing" line, which comes after the drop.
live caps --all -d 3
cp_pid=$LIVE_PID
capeff=$(awk '/^CapEff/ { print $2 }' "/proc/$cp_pid/status")
nnp=$(awk '/^NoNewPrivs/ { print $2 }' "/proc/$cp_pid/status")
$C -1 2601 127.0.0.1 >/dev/null 2>&1
wait $cp_pid; rc=$?
check "privileges dropped after attach (CapEff $capeff, no_new_privs $nnp), tracing goes on" \
	"$TMP/caps.err" -- bash -c "test $rc = 0 && test '$capeff' = 0000008000000000 && test '$nnp' = 1 &&
	grep -q 'ECONNREFUSED' '$TMP/caps' && ! grep -q 'cannot read' '$TMP/caps.err'"

# A compromised famtrace is still uid 0 (its recordings are root's): after
# start-up it confines itself with Landlock, so root's own files are out of
# its reach, while it keeps recording, rotating, and writing metrics.
# --debug makes the process itself try /etc/shadow once confined.
mkdir -p "$TMP/conf"
"$FT" record --debug -o "$TMP/conf/t.ftr" --rotate 1M --keep 2 --metrics "$TMP/conf/m.prom" \
	--metrics-interval 0.2 --all -d 2 >/dev/null 2>"$TMP/conf.err" &
CF_PID=$!
BG_PIDS+=($CF_PID)
wait_for 20 grep -q "Ctrl-C to stop" "$TMP/conf.err"
$C -1 2601 127.0.0.1 >/dev/null 2>&1
wait $CF_PID; rc=$?
"$FT" report "$TMP/conf/t.ftr" >"$TMP/conf.rep" 2>&1
check "after start-up famtrace is confined: /etc/shadow refused to the process itself, yet it records and writes metrics" \
	"$TMP/conf.err" "$TMP/conf.rep" -- bash -c "test $rc = 0 && test -r /etc/shadow &&
	grep -q 'confined (Landlock ABI [0-9]*): reading /etc/shadow: Permission denied' '$TMP/conf.err' &&
	grep -q '^famtrace_trace_complete 1' '$TMP/conf/m.prom' && grep -q ECONNREFUSED '$TMP/conf.rep'"

sed "s#/usr/local/sbin/famtrace#$FT#" scripts/famtrace.service >"$TMP/famtrace.service"
# Its Documentation= is famtrace's own manual, found where make install puts it.
mkdir -p "$TMP/man/man8" && cp man/famtrace.8 "$TMP/man/man8/"
MANPATH=$TMP/man systemd-analyze verify "$TMP/famtrace.service" >"$TMP/unit.log" 2>&1; rc=$?
check "scripts/famtrace.service passes systemd-analyze verify (its Documentation= is famtrace(8))" "$TMP/unit.log" -- test $rc = 0


# ------------------------------------------------------- the systemd unit
# PID 1 here is not systemd, so the unit's sandbox is proven piece by piece
# against what famtrace really does.
UNIT=scripts/famtrace.service
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -1; }

# Exposure score as systemd computes it.
systemd-analyze security --offline=yes "$TMP/famtrace.service" >"$TMP/score.log" 2>&1
score=$(sed -n 's/.*Overall exposure level for famtrace.service: \([0-9.]*\).*/\1/p' "$TMP/score.log")
check "systemd-analyze security of the unit: $score (at most 2.0; it was 4.2)" "$TMP/score.log" -- \
	awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'

# Every system call famtrace makes (load, attach the resolver uprobes,
# trace, record, metrics, SIGHUP, SIGTERM, the uprobe-holding child) is in
# the unit's SystemCallFilter, as systemd expands it.
expand_filter() {
	local item
	for item in "$@"; do
		case $item in
		@*) expand_filter $(systemd-analyze syscall-filter "$item" | awk 'NR > 1 && !/^ *#/ && NF { print $1 }') ;;
		*) echo "$item" ;;
		esac
	done
}
expand_filter $(unit_value SystemCallFilter) | sort -u >"$TMP/allowed"
strace -f -qq -o "$TMP/strace.log" "$FT" record -o "$TMP/sc.ftr" --metrics "$TMP/sc.prom" \
	--metrics-interval 0.2 --all >/dev/null 2>"$TMP/sc.err" &
SC_PID=$!
BG_PIDS+=($SC_PID)
wait_for 20 grep -q "Ctrl-C to stop" "$TMP/sc.err"
$R -1 2601 mx1.famtrace.test >/dev/null 2>&1
$C -1 2601 127.0.0.1 >/dev/null 2>&1
FT_UNDER=$(pgrep -P $SC_PID | head -1) # famtrace, strace's child, by pid
kill -HUP "$FT_UNDER"
wait_for 5 grep -q reopened "$TMP/sc.err"
kill -TERM "$FT_UNDER"
wait $SC_PID
sed -E 's/^[0-9]+ +//; s/\(.*//' "$TMP/strace.log" | grep -E '^[a-z_0-9]+$' | sort -u >"$TMP/used"
comm -23 "$TMP/used" "$TMP/allowed" >"$TMP/outside"
check "every system call famtrace made ($(wc -l <"$TMP/used") kinds) is allowed by the unit's SystemCallFilter" \
	"$TMP/outside" "$TMP/sc.err" -- bash -c "test -s '$TMP/used' && grep -q bpf '$TMP/used' &&
	grep -q perf_event_open '$TMP/used' && ! test -s '$TMP/outside'"
# Permanent errors stop the unit instead of a restart every 5 s forever:
# each exit code the unit names is one that no retry can change.
check "the unit does not restart on permanent errors: RestartPreventExitStatus = usage 2, privileges 3, kernel 4, tracefs 5" \
	"$UNIT" -- bash -c "test '$(unit_value RestartPreventExitStatus)' = '2 3 4 5' &&
	grep -q 'FT_EXIT_USAGE = 2' user/lib/exitcodes.h && grep -q 'FT_EXIT_PRIV = 3' user/lib/exitcodes.h &&
	grep -q 'FT_EXIT_KERNEL = 4' user/lib/exitcodes.h && grep -q 'FT_EXIT_TRACEFS = 5' user/lib/exitcodes.h"
# RestrictAddressFamilies=none: famtrace, and journalctl under --journal,
# open no socket of any family.
timeout 30 strace -f -qq -e trace=socket,socketpair -o "$TMP/sock.log" "$FT" -d 1 --journal \
	>/dev/null 2>"$TMP/sock.err"
check "the unit's RestrictAddressFamilies=none holds: no socket() by famtrace, recording or with --journal's journalctl" \
	"$TMP/sock.log" "$TMP/sock.err" -- bash -c "test '$(unit_value RestrictAddressFamilies)' = none &&
	! grep -qE '^(socket|socketpair)$' '$TMP/used' && ! grep -qE '(socket|socketpair)\(' '$TMP/sock.log'"

# With only the unit's capability bounding set, famtrace loads, traces,
# looks up the resolver's C library and records.
caps=$(unit_value CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
setpriv --bounding-set=-all,$caps --inh-caps=-all "$FT" -j -d 3 --all -o "$TMP/bs.ftr" \
	>"$TMP/bs" 2>"$TMP/bs.err" &
BS_PID=$!
BG_PIDS+=($BS_PID)
wait_for 20 grep -q "Ctrl-C to stop" "$TMP/bs.err"
$R -1 2601 mx1.famtrace.test >/dev/null 2>&1
wait $BS_PID; rc=$?
check "with only the unit's capabilities ($caps): loads, traces lookups and connects, records (exit 0)" \
	"$TMP/bs.err" -- bash -c "test $rc = 0 && ! grep -q warning '$TMP/bs.err' &&
	jq -e -s '(map(select(.type==\"lookup\" and .name==\"mx1.famtrace.test\")) | length == 1) and
	 (map(select(.type==\"attempt\" and .dport==2601)) | length == 1)' '$TMP/bs'"

summary
