#!/bin/bash
# tests/privileges.sh - famtrace without privileges (exit 3), the drop to
# CAP_BPF after attach, and the systemd unit.
. "$(dirname "$0")/lib.sh"
need_root setpriv systemd-analyze
net_up
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

sed "s#/usr/local/sbin/famtrace#$FT#" scripts/famtrace.service >"$TMP/famtrace.service"
systemd-analyze verify "$TMP/famtrace.service" >"$TMP/unit.log" 2>&1; rc=$?
check "scripts/famtrace.service passes systemd-analyze verify" "$TMP/unit.log" -- test $rc = 0


summary
