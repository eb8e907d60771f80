#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
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

# The same recording named twice (a glob and a link to it) is read once;
# a name that is no file is a usage error (2), not a corrupt recording (7).
ln -s "$TMP/killed.ftr" "$TMP/killed.link"
"$FT" report -j "$TMP/killed.ftr" "$TMP/killed.link" >"$TMP/twice.rep" 2>"$TMP/twice.err"
"$FT" report -j "$TMP/nonexistent.ftr" >/dev/null 2>"$TMP/nofile.err"; rc_nofile=$?
check "report: a recording named twice is read once (said); a missing file exits 2, not 7" \
	"$TMP/twice.err" "$TMP/nofile.err" -- bash -c "
	test \$(jq -s 'map(select(.type==\"summary\"))[0].events' '$TMP/twice.rep') = \
	     \$(jq -s 'map(select(.type==\"summary\"))[0].events' '$TMP/killed.rep') &&
	grep -q 'named twice; read once' '$TMP/twice.err' && test $rc_nofile = 2 &&
	grep -q 'No such file' '$TMP/nofile.err'"

(umask 000; "$FT" run -o "$TMP/umask.ftr" -- true >/dev/null 2>&1)
check "recording mode is 0600 whatever the umask" -- test "$(stat -c %a "$TMP/umask.ftr")" = 600

ln -s "$TMP/victim" "$TMP/link.ftr"
echo precious >"$TMP/victim"
"$FT" record -o "$TMP/link.ftr" -d 1 >/dev/null 2>"$TMP/link.err"; rc=$?
check "a recording is never written through a symlink: exit 1, target untouched" "$TMP/link.err" -- bash -c "
	test $rc = 1 && grep -q symlink '$TMP/link.err' && test \"\$(cat '$TMP/victim')\" = precious"

# In a sticky directory (like /tmp) a symlink of another user fails with
# EACCES before O_NOFOLLOW's ELOOP (fs.protected_symlinks): the same message.
STICKY=$(mktemp -d /tmp/famtrace-sticky.XXXXXX)
CLEANUPS+=("rm -rf '$STICKY'")
chmod 1777 "$STICKY"
setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$TMP/victim" "$STICKY/link.ftr"
"$FT" record -o "$STICKY/link.ftr" -d 1 >/dev/null 2>"$TMP/slink.err"; rc=$?
check "another user's symlink in a sticky directory: 'refusing to write through a symlink', target untouched" \
	"$TMP/slink.err" -- bash -c "test $rc = 1 && grep -q 'refusing to write through a symlink' '$TMP/slink.err' &&
	test \"\$(cat '$TMP/victim')\" = precious"

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

"$FT" report -j "$TMP/rot.ftr" >"$TMP/rot1.rep" 2>/dev/null
check "a report of the newest rotated file alone says the earlier parts are missing (complete:false)" \
	"$TMP/rot1.rep" -- jqs "$TMP/rot1.rep" '.[-1].missing_parts >= 2 and (.[-1].complete | not)'

rec hup --all
$C -1 2601 127.0.0.1 >/dev/null 2>&1
wait_for 5 grep -q . "$TMP/hup.ftr" # the header and the attempt are in the file's buffer
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
"$FT" report --since yesterday-ish "$TMP/hup.ftr" >"$TMP/badsince.out" 2>"$TMP/badsince.err"; rc=$?
check "report --since that is no time: exit 2 before any output (stdout empty), the option and the accepted forms named" \
	"$TMP/badsince.out" "$TMP/badsince.err" -- bash -c "test $rc = 2 && ! test -s '$TMP/badsince.out' &&
	grep -q \"\-\-since 'yesterday-ish' is not a time\" '$TMP/badsince.err' && grep -q 'HH:MM' '$TMP/badsince.err'"

echo 'Subject: not a recording' | gzip >"$TMP/foreign.gz"
"$FT" report "$TMP/foreign.gz" >/dev/null 2>"$TMP/foreign.err"; rc=$?
check "a foreign file: exit 7 and one clear line" "$TMP/foreign.err" -- bash -c "
	test $rc = 7 && test \$(wc -l <'$TMP/foreign.err') = 1 && grep -q 'not a famtrace recording' '$TMP/foreign.err'"
zcat "$TMP/hup.ftr" >"$TMP/newer"
CUR=$(awk '/^#define REC_FORMAT_VERSION/ {print $3}' user/records/recording.h)
NEXT=$((CUR + 1))
printf "\\x$(printf %02x $NEXT)\\x00\\x00\\x00" | dd of="$TMP/newer" bs=1 seek=16 conv=notrunc 2>/dev/null
"$FT" report "$TMP/newer" >/dev/null 2>"$TMP/newer.err"; rc=$?
check "a newer format version is refused, naming both versions: exit 7" "$TMP/newer.err" -- bash -c "
	test $rc = 7 && grep -q 'format version $NEXT is newer than this famtrace reads (version $CUR)' '$TMP/newer.err'"
# Version 1 (before source-address records) is still read.
zcat "$TMP/hup.ftr" >"$TMP/older"
printf '\x01\x00\x00\x00' | dd of="$TMP/older" bs=1 seek=16 conv=notrunc 2>/dev/null
"$FT" report -j "$TMP/older" >"$TMP/older.rep" 2>"$TMP/older.err"; rc=$?
check "a version 1 recording is still read" "$TMP/older.err" "$TMP/older.rep" -- bash -c "
	test $rc = 0 && jq -e -s 'map(select(.type==\"attempt\")) | length >= 1' '$TMP/older.rep' >/dev/null"
# Format 2 (famtrace 0.3.0, every event whole) is read as before, and gives
# the report its format-3 form (events with their zero runs elided) gives.
CORPUS=$(dirname "$0")/fuzz/corpus/recording
"$FT" report -j "$CORPUS/wire-dns" >"$TMP/f2.rep" 2>"$TMP/f2.err"; rc2=$?
"$FT" report -j "$CORPUS/wire-dns-format3" >"$TMP/f3.rep" 2>"$TMP/f3.err"; rc3=$?
check "a format 2 recording reads as its format 3 form does (zero runs elided)" "$TMP/f2.rep" "$TMP/f3.rep" -- bash -c "
	test $rc2 = 0 && test $rc3 = 0 && cmp -s '$TMP/f2.rep' '$TMP/f3.rep' &&
	jq -e -s 'map(select(.type==\"lookup\")) | length >= 2' '$TMP/f2.rep' >/dev/null"
cp "$TMP/rot.ftr.1" "$TMP/corrupt.ftr"
printf 'garbage!garbage!garbage!' | dd of="$TMP/corrupt.ftr" bs=1 seek=20000 conv=notrunc 2>/dev/null
"$FT" report -j "$TMP/corrupt.ftr" >"$TMP/corrupt.rep" 2>"$TMP/corrupt.err"; rc=$?
check "a corrupt recording: exit 7 with the reason, the part before the damage still reported" \
	"$TMP/corrupt.err" -- bash -c "test $rc = 7 && grep -q 'corrupt\|invalid\|incorrect' '$TMP/corrupt.err' &&
	grep -q 'corrupt.ftr' '$TMP/corrupt.err' && ! grep -q '<fd:' '$TMP/corrupt.err' &&
	jq -e -s '.[-1].type == \"summary\"' '$TMP/corrupt.rep'"

# ------------------------------------------- nothing on disk is ever lost
# report_has FILE... -- JQ: the report of the files makes JQ true.
report_has() {
	local files=()
	while [ "$1" != "--" ]; do files+=("$1"); shift; done
	"$FT" report -j "${files[@]}" 2>/dev/null | jq -e -s "$2" >/dev/null
}

# A restart (kill -9, power cut, systemd's Restart=) on the same -o keeps what
# the killed instance had synced: the old file moves to FILE.1.
rec restart --all
$C -1 2601 127.0.0.1 >/dev/null 2>&1
wait_for 10 report_has "$TMP/restart.ftr" -- '[.[] | select(.type=="attempt" and .dport==2601)] | length == 1'
kill -KILL "$RPID"; wait "$RPID" 2>/dev/null
rec restart --all
$C -1 2601 ::1 >/dev/null 2>&1
stop_live restart
"$FT" report -j "$TMP/restart.ftr.1" "$TMP/restart.ftr" >"$TMP/restart.rep" 2>"$TMP/restart.rep.err"
check "kill -9 then a restart on the same -o: the first run's events kept (moved to FILE.1), both runs reported, cut said" \
	"$TMP/restart.err" "$TMP/restart.rep" "$TMP/restart.rep.err" -- bash -c "
	grep -q 'moved to $TMP/restart.ftr.1' '$TMP/restart.err' &&
	jq -e -s '(map(select(.type==\"attempt\" and .dport==2601 and .comm==\"connector\")) | map(.family)) ==
	 [\"ipv4\", \"ipv6\"] and .[-1].cut == 1 and .[-1].complete == false' '$TMP/restart.rep'"

# Clean restarts (systemctl restart, an upgrade) go on in the cleanly ended
# recording instead of taking a --keep place each: with --keep 1, three
# restarts used to leave only the last two runs.
for dst in 127.0.0.1 ::1 127.0.0.1 ::1; do
	rec again --all --rotate 1M --keep 1
	$C -1 2601 "$dst" >/dev/null 2>&1
	stop_live again
done
ls "$TMP"/again.ftr* >"$TMP/again.ls"
"$FT" report -j "$TMP/again.ftr" >"$TMP/again.rep" 2>"$TMP/again.rep.err"; rc=$?
check "four clean runs on one -o with --keep 1: one file holds all four runs, nothing rotated away, each restart says so" \
	"$TMP/again.ls" "$TMP/again.err" "$TMP/again.rep.err" -- bash -c "test $rc = 0 &&
	test \$(wc -l <'$TMP/again.ls') = 1 && grep -q 'going on in the earlier recording' '$TMP/again.err' &&
	jq -e -s '(map(select(.type==\"attempt\" and .dport==2601 and .comm==\"connector\")) | map(.family)) ==
	 [\"ipv4\", \"ipv6\", \"ipv4\", \"ipv6\"] and .[-1].cut == 0 and .[-1].complete' '$TMP/again.rep'"

# A second writer on the same path refuses at once; the first goes on.
rec first --all
"$FT" record -o "$TMP/first.ftr" -d 3 >/dev/null 2>"$TMP/second.err"; rc=$?
$C -1 2601 127.0.0.1 >/dev/null 2>&1
stop_live first
check "a second famtrace on the same -o: exit 1 with one line; the first one's recording is whole" \
	"$TMP/second.err" -- bash -c "test $rc = 1 && test \$(wc -l <'$TMP/second.err') = 1 &&
	grep -q '^famtrace: .*another famtrace is writing this recording' '$TMP/second.err' &&
	! test -e '$TMP/first.ftr.1' && report_has() { \"$FT\" report -j \"\$1\" | jq -e -s \"\$2\"; } &&
	report_has '$TMP/first.ftr' '(map(select(.type==\"attempt\" and .dport==2601)) | length == 1) and .[-1].complete'"

# Files famtrace writes are its own: another user's file is not written into
# (its owner would read the recording), a FIFO does not block it.
echo "someone else's" >"$TMP/theirs.ftr"
chown 65534 "$TMP/theirs.ftr"
"$FT" record -o "$TMP/theirs.ftr" -d 1 >/dev/null 2>"$TMP/theirs.err"; rc=$?
check "a recording path owned by another user is refused: exit 1, the file untouched" "$TMP/theirs.err" -- bash -c "
	test $rc = 1 && grep -q 'owned by uid 65534' '$TMP/theirs.err' &&
	test \"\$(cat '$TMP/theirs.ftr')\" = \"someone else's\" && ! test -e '$TMP/theirs.ftr.1'"
mkfifo "$TMP/fifo.ftr"
timeout 10 "$FT" record -o "$TMP/fifo.ftr" -d 1 >/dev/null 2>"$TMP/fifo.err"; rc=$?
timeout 10 "$FT" report "$TMP/fifo.ftr" >/dev/null 2>"$TMP/fifor.err"; rc2=$?
check "a FIFO as recording: record exits 1 and report exits 7 at once (not a regular file), neither blocks" \
	"$TMP/fifo.err" "$TMP/fifor.err" -- bash -c "test $rc = 1 && test $rc2 = 7 &&
	grep -q 'not a regular file' '$TMP/fifo.err' && grep -q 'not a regular file' '$TMP/fifor.err'"

# Disk full: the recording stops and says so once, tracing (live output,
# metrics) goes on, the recording resumes when space comes back, and the
# run ends non-zero with complete:false.
mkdir -p "$TMP/small"
if mount -t tmpfs -o size=256k tmpfs "$TMP/small"; then
	CLEANUPS+=("umount '$TMP/small'")
	live full --all -o "$TMP/small/full.ftr" --metrics "$TMP/full.prom" --metrics-interval 0.5
	FULL_PID=$LIVE_PID
	dd if=/dev/zero of="$TMP/small/filler" bs=4k count=1000 2>/dev/null # fills it
	"$RC" 20000 2601 >/dev/null 2>&1
	wait_for 10 grep -q 'recording stopped' "$TMP/full.err"
	rm -f "$TMP/small/filler"
	wait_for 15 grep -q 'recording resumed' "$TMP/full.err"
	$C -1 2609 127.0.0.1 >/dev/null 2>&1
	# the resumed part reaches the disk at its next once-a-second sync
	wait_for 5 report_has "$TMP"/small/full.ftr -- 'map(select(.type=="attempt" and .dport==2609)) | length == 1' 
	alive=no; kill -0 "$FULL_PID" 2>/dev/null && alive=yes
	stop_live full
	ls "$TMP/small" >"$TMP/full.ls"
	check "disk full: recording stops (said once), tracing goes on, resumes when space is back; exit 1, complete:false" \
		"$TMP/full.err" "$TMP/full.ls" -- bash -c "test $alive = yes && test \$(cat '$TMP/full.rc') = 1 &&
		test \$(grep -c '^famtrace: recording stopped:' '$TMP/full.err') = 1 && grep -q 'No space left' '$TMP/full.err' &&
		grep -q 'recording incomplete: it stopped 1 time' '$TMP/full.err' &&
		jq -e -s '(map(select(.type==\"attempt\" and .dport==2609)) | length == 1) and
		 .[-1].recording_stopped == 1 and .[-1].recording_missed > 0 and (.[-1].complete | not)' '$TMP/full' &&
		grep -q '^famtrace_recording_stopped_total 1\$' '$TMP/full.prom' &&
		grep -q '^famtrace_trace_complete 0\$' '$TMP/full.prom'"
	"$FT" report -j "$TMP"/small/full.ftr* >"$TMP/full.rep" 2>"$TMP/full.rep.err"
	check "disk full: the resumed recording holds what came after, and the report says events are missing" \
		"$TMP/full.rep.err" -- bash -c "jq -e -s '(map(select(.type==\"attempt\" and .dport==2609)) | length == 1) and
		 (.[-1].complete | not)' '$TMP/full.rep'"
	umount "$TMP/small"
else
	not_ok "a small tmpfs for the disk-full test"
fi

# ------------------------------------------------------------------ metrics
# The temporary file is unpredictable and created new: a FIFO planted at the
# old predictable name blocks nothing.
live mfifo --all --metrics "$TMP/m.prom" --metrics-interval 0.2
mkfifo "$TMP/.m.prom.$LIVE_PID.tmp"
rm -f "$TMP/m.prom"
wait_for 5 test -s "$TMP/m.prom"; written=$?
stop_live mfifo
check "metrics: a FIFO at .NAME.PID.tmp blocks nothing; the file is replaced atomically, mode 0644" \
	"$TMP/mfifo.err" -- bash -c "test $written = 0 && test \$(cat '$TMP/mfifo.rc') = 0 &&
	test \$(stat -c %a '$TMP/m.prom') = 644 && ! ls '$TMP' | grep -q '^\.m\.prom\..*[^p]$\|XXXXXX'" 
"$FT" --all -d 2 --metrics /nonexistent/dir/m.prom --metrics-interval 0.2 >/dev/null 2>"$TMP/mnone.err"; rc=$?
check "metrics that can never be written: warned once (not every interval), exit 1 at the end" "$TMP/mnone.err" -- bash -c "
	test $rc = 1 && test \$(grep -c 'metrics not written' '$TMP/mnone.err') = 1 &&
	grep -q 'metrics were never written to /nonexistent/dir/m.prom' '$TMP/mnone.err'"

summary
