#!/bin/bash
# tests/recording.sh - recordings: durable to the last second after
# SIGKILL, mode 0600, no symlinks, rotation, SIGHUP reopen, --since/--until,
# and foreign, newer and corrupt files refused with exit 7.
. "$(dirname "$0")/lib.sh"
need_root
net_up
rec killed --all
$C 2601 127.0.0.1 ::1 >/dev/null 2>&1
$C -1 2601 127.0.0.1 >/dev/null 2>&1
# The writer syncs every second: wait until the file, read while it is
# written, holds the three attempts (a slow machine may need a tick more).
t_sync=$(date +%s%N)
for _ in $(seq 100); do
	"$FT" report -j "$TMP/killed.ftr" 2>/dev/null |
		jq -e -s '[.[] | select(.type=="attempt" and .dport==2601)] | length == 3' >/dev/null && break
	sleep 0.1
done
t_sync=$((($(date +%s%N) - t_sync) / 1000000))
kill -KILL "$RPID"; wait "$RPID" 2>/dev/null
"$FT" report -j "$TMP/killed.ftr" >"$TMP/killed.rep" 2>"$TMP/killed.rep.err"; rc=$?
check "SIGKILL while recording: report reads up to the last second (on disk ${t_sync} ms after the connects) and says where it was cut" \
	"$TMP/killed.rep" "$TMP/killed.rep.err" -- bash -c "test $rc = 0 &&
	grep -q 'cut short at' '$TMP/killed.rep.err' && jq -e -s '
	(map(select(.type==\"attempt\" and .dport==2601 and .comm==\"connector\")) | map(.family) | sort) ==
	 [\"ipv4\", \"ipv4\", \"ipv6\"] and .[-1].type == \"summary\" and .[-1].cut == 1 and
	 .[-1].complete == false' '$TMP/killed.rep'"
check "a recording is gzip: zcat opens it, mode 0600" "$TMP/killed.ftr" -- bash -c "
	zcat '$TMP/killed.ftr' 2>/dev/null | head -c 100 | grep -aq FAMTRACE &&
	test \$(stat -c %a '$TMP/killed.ftr') = 600"

(umask 000; "$FT" run -o "$TMP/umask.ftr" -- true >/dev/null 2>&1)
check "recording mode is 0600 whatever the umask" -- test "$(stat -c %a "$TMP/umask.ftr")" = 600

ln -s "$TMP/victim" "$TMP/link.ftr"
echo precious >"$TMP/victim"
"$FT" record -o "$TMP/link.ftr" -d 1 >/dev/null 2>"$TMP/link.err"; rc=$?
check "a recording is never written through a symlink: exit 1, target untouched" "$TMP/link.err" -- bash -c "
	test $rc = 1 && grep -q symlink '$TMP/link.err' && test \"\$(cat '$TMP/victim')\" = precious"

rec rot --all --rotate 16K --keep 2
"$RC" 20000 2601 >/dev/null 2>&1
wait_for 5 test -e "$TMP/rot.ftr.1" # rotation happens at the once-a-second sync
"$RC" 20000 2601 >/dev/null 2>&1
wait_for 5 test -e "$TMP/rot.ftr.2"
stop_live rot
ls "$TMP"/rot.ftr* >"$TMP/rot.ls"
"$FT" report -j "$TMP/rot.ftr" "$TMP/rot.ftr.1" "$TMP/rot.ftr.2" >"$TMP/rot.rep" 2>"$TMP/rot.rep.err"; rc=$?
"$FT" report -j "$TMP/rot.ftr.2" "$TMP/rot.ftr" "$TMP/rot.ftr.1" >"$TMP/rot.rep2" 2>/dev/null
check "--rotate 16K --keep 2: FILE, FILE.1, FILE.2 and no more; read together in any order" \
	"$TMP/rot.ls" "$TMP/rot.rep.err" -- bash -c "
	test $rc = 0 && test \$(wc -l <'$TMP/rot.ls') = 3 && test -s '$TMP/rot.ftr.2' &&
	! test -e '$TMP/rot.ftr.3' && cmp '$TMP/rot.rep' '$TMP/rot.rep2' &&
	jq -e -s '.[-1].type == \"summary\" and .[-1].cut == 0 and
	 (map(select(.type==\"attempt\" and .comm==\"connstorm\")) | length) > 1000' '$TMP/rot.rep'"

rec hup --all
$C -1 2601 127.0.0.1 >/dev/null 2>&1
sleep 0.3
mv "$TMP/hup.ftr" "$TMP/hup.ftr.old" # what logrotate does
kill -HUP "$RPID"
for _ in $(seq 50); do grep -q reopened "$TMP/hup.err" && break; sleep 0.1; done
$C -1 2601 ::1 >/dev/null 2>&1
stop_live hup
"$FT" report -j "$TMP/hup.ftr.old" "$TMP/hup.ftr" >"$TMP/hup.rep" 2>"$TMP/hup.rep.err"; rc=$?
check "SIGHUP reopens the recording (logrotate): old and new file hold one event each" \
	"$TMP/hup.err" "$TMP/hup.rep.err" -- bash -c "test $rc = 0 && test \$(cat '$TMP/hup.rc') = 0 &&
	jq -e -s '(map(select(.type==\"attempt\" and .dport==2601 and .comm==\"connector\")) | map(.family)) ==
	 [\"ipv4\", \"ipv6\"] and .[-1].cut == 0' '$TMP/hup.rep' &&
	\"$FT\" report -j '$TMP/hup.ftr' | jq -e -s 'map(select(.type==\"attempt\" and .dport==2601)) | length == 1'"

"$FT" report -j -c connector --since +0 --until @1 "$TMP/hup.ftr.old" "$TMP/hup.ftr" >"$TMP/until.rep" 2>/dev/null
"$FT" report -j -c nosuch "$TMP/hup.ftr.old" "$TMP/hup.ftr" >"$TMP/comm.rep" 2>/dev/null
"$FT" report -j -c connector --since +0 "$TMP/hup.ftr.old" "$TMP/hup.ftr" >"$TMP/since.rep" 2>/dev/null
check "report --since/--until and -c select events" "$TMP/until.rep" "$TMP/since.rep" -- bash -c "
	jq -e -s 'map(select(.type==\"attempt\")) | length == 0' '$TMP/until.rep' &&
	jq -e -s 'map(select(.type==\"attempt\")) | length == 0' '$TMP/comm.rep' &&
	jq -e -s 'map(select(.type==\"attempt\")) | length == 2' '$TMP/since.rep'"
"$FT" report --since 'yesterday-ish' "$TMP/hup.ftr" >/dev/null 2>"$TMP/badtime"; rc=$?
check "report --since with a bad time: exit 2 and the accepted forms" "$TMP/badtime" -- bash -c "
	test $rc = 2 && grep -q 'HH:MM' '$TMP/badtime'"

echo 'Subject: not a recording' | gzip >"$TMP/foreign.gz"
"$FT" report "$TMP/foreign.gz" >/dev/null 2>"$TMP/foreign.err"; rc=$?
check "a foreign file: exit 7 and one clear line" "$TMP/foreign.err" -- bash -c "
	test $rc = 7 && test \$(wc -l <'$TMP/foreign.err') = 1 && grep -q 'not a famtrace recording' '$TMP/foreign.err'"
zcat "$TMP/hup.ftr" >"$TMP/newer"
printf '\x02\x00\x00\x00' | dd of="$TMP/newer" bs=1 seek=16 conv=notrunc 2>/dev/null
"$FT" report "$TMP/newer" >/dev/null 2>"$TMP/newer.err"; rc=$?
check "a newer format version is refused, naming both versions: exit 7" "$TMP/newer.err" -- bash -c "
	test $rc = 7 && grep -q 'format version 2 is newer than this famtrace reads (version 1)' '$TMP/newer.err'"
cp "$TMP/rot.ftr.1" "$TMP/corrupt.ftr"
printf 'garbage!garbage!garbage!' | dd of="$TMP/corrupt.ftr" bs=1 seek=20000 conv=notrunc 2>/dev/null
"$FT" report -j "$TMP/corrupt.ftr" >"$TMP/corrupt.rep" 2>"$TMP/corrupt.err"; rc=$?
check "a corrupt recording: exit 7 with the reason, the part before the damage still reported" \
	"$TMP/corrupt.err" -- bash -c "test $rc = 7 && grep -q 'corrupt\|invalid\|incorrect' '$TMP/corrupt.err' &&
	jq -e -s '.[-1].type == \"summary\"' '$TMP/corrupt.rep'"

summary
