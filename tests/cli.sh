#!/bin/bash
# tests/cli.sh - the command line: bad input ends in one line and exit 2,
# missing processes, --help.
. "$(dirname "$0")/lib.sh"
[ -x "$FT" ] || bail "famtrace is built"
"$FT" --bogus >/dev/null 2>"$TMP/e1"; rc=$?
check "unknown option: exit 2 and a message" "$TMP/e1" -- bash -c "test $rc = 2 && test -s '$TMP/e1'"
"$FT" --port 70000 >/dev/null 2>"$TMP/e2"; rc=$?
check "bad port: exit 2, names the bad value" "$TMP/e2" -- bash -c "test $rc = 2 && grep -q 70000 '$TMP/e2'"
nopid=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
"$FT" -p $nopid >/dev/null 2>"$TMP/e3"; rc=$?
check "unknown pid: exit 6" "$TMP/e3" -- bash -c "test $rc = 6 && grep -q 'no process' '$TMP/e3'"
"$FT" run >/dev/null 2>"$TMP/e4"; rc=$?
check "run without a command: exit 2" "$TMP/e4" -- test $rc = 2

"$FT" --help >"$TMP/help"; rc=$?
check "--help exits 0 with examples" "$TMP/help" -- bash -c "test $rc = 0 && grep -q Examples '$TMP/help'"

summary
