#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/journal.sh - --journal and --journal-dir against a real
# systemd-journald: the area runs in a private mount namespace with a /dev
# of its own whose /dev/log is journald's socket, and journald's sockets
# and files on private tmpfs mounts (nothing of the host's journal is read
# or written). The lab's relay Postfix logs through syslog only; famtrace
# joins its journal entries to what it traced, live and in `report`.
# Postfix is Debian's package unpacked privately (scripts/lab-postfix), never
# installed: the area runs where it looks installed.
[ -n "${FT_POSTFIX_META:-}" ] || exec "$(dirname "$0")/../scripts/lab-postfix" run bash "$0" "$@"
if [ "${FT_JOURNAL_NS:-}" != 1 ]; then
	FT_JOURNAL_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need_root dnsmasq postfix postconf journalctl
private_journald devlog
logger -p mail.info -t famtrace-test "journal ready $$"
wait_for 10 eval "journalctl -q -o cat SYSLOG_FACILITY=2 | grep -q 'journal ready $$'"
check "a private systemd-journald takes mail-facility syslog lines" "$TMP/journald.log" -- \
	eval "journalctl -q -o cat SYSLOG_FACILITY=2 | grep -q 'journal ready $$'"

scripts/lab up >"$TMP/lab.log" 2>&1 || bail "lab up" "$TMP/lab.log"
# The relay logs through syslog only (no maillog_file), as on most hosts.
postconf -c "$LAB_DIR/relay/etc" -e "maillog_file =" "syslog_name = postfix"
scripts/lab scenario ipv4only >/dev/null
master() { head -1 "$LAB_DIR/relay/queue/pid/master.pid" | tr -d ' '; }
notice_logged() { journalctl -q -o cat SYSLOG_FACILITY=2 | grep -q 'to=<lab@lab.test>.*status='; }

# Live: the bounce and its notice (as in tests/postfix.sh), from the journal.
live j_live -p "$(master)" --journal -o "$TMP/j_live.ftr" --metrics "$TMP/j_live.prom"
scripts/lab send v6only.lab.test 20 >"$TMP/j_live.lab" 2>&1
wait_for 10 notice_logged
stop_live j_live
journalctl -q -o short-iso SYSLOG_FACILITY=2 >"$TMP/journal.txt"
qid=$(jq -r -s 'map(select(.type=="message" and .notice_of == null))[0].queue_id // "none"' "$TMP/j_live")
check "--journal, live: the bounced message ($qid) from Postfix's journal entries, joined to the group behind it" \
	"$TMP/j_live" "$TMP/j_live.err" "$TMP/journal.txt" -- jqs "$TMP/j_live" '
	(map(select(.type=="group" and .class=="no_usable_address" and .destination=="v6only.lab.test"))[0]) as $g |
	map(select(.type=="message" and .notice_of == null)) | length == 1 and
	.[0].from == "lab@lab.test" and .[0].notice != null and
	(.[0].deliveries | length == 1 and .[0].to == "u@v6only.lab.test" and .[0].status == "bounced" and
	 .[0].dsn == "5.4.4" and .[0].group == $g.group and .[0].pid == $g.pid and .[0].family_problem)'
check "--journal, live: the notice is linked by queue ID and its own delivery failed the same way" \
	"$TMP/j_live" -- jqs "$TMP/j_live" '
	(map(select(.type=="message" and .notice_of == null))[0]) as $m |
	map(select(.type=="message" and .notice_of == $m.queue_id)) | length == 1 and
	.[0].queue_id == $m.notice and .[0].deliveries[0].status == "bounced" and
	.[0].deliveries[0].class == "no_usable_address"'
check "--journal, live: the metrics count 2 bounced deliveries with a family problem" \
	"$TMP/j_live.prom" -- grep -q '^famtrace_message_deliveries_total{status="bounced",family_problem="true"} 2$' "$TMP/j_live.prom"

# A burst of mail-facility entries, all read live. famtrace's journalctl
# follows no match and famtrace chooses the entries itself: journalctl 252
# following a match on _COMM let about a quarter of a burst by (the
# containers area proves that path); on SYSLOG_FACILITY it lost none here.
live j_burst --journal
for i in $(seq 300); do logger -p mail.info -t famtrace-burst "burst $i of 300"; done
wait_for 10 eval "journalctl -q -o cat SYSLOG_FACILITY=2 | grep -q 'burst 300 of 300'"
sleep 1
stop_live j_burst
check "--journal, live: a burst of 300 mail-facility entries, every one read (journalctl follows no match)" \
	"$TMP/j_burst" "$TMP/j_burst.err" -- jqs "$TMP/j_burst" '
	map(select(.type=="summary"))[0].maillog.lines >= 300'

# journalctl stopping mid-trace (here: killed by its pid, as famtrace's
# child) is said on stderr, never a silent end of messages.
live j_end -p "$(master)" --journal
# (ps ORs its selections: famtrace's children are listed and journalctl is
# picked by name; famtrace has another child, its prober.)
jpid=$(ps -o pid=,comm= --ppid "$LIVE_PID" | awk '$2 == "journalctl" { print $1; exit }')
[ -n "$jpid" ] && kill "$jpid"
wait_for 5 grep -q 'journalctl ended' "$TMP/j_end.err"
stop_live j_end
check "journalctl ending during a trace is said (later messages are not read), not left silent" \
	"$TMP/j_end.err" -- bash -c "test -n '$jpid' && grep -q 'warning: journalctl ended (signal 15); the MTA' '$TMP/j_end.err'"

# Issue 35, finding 7: nobody forges an entry for the bounced message that
# names Postfix's smtp and its pid and says "sent". journald's own fields
# (_UID 65534, _COMM logger) give it away: ignored and counted.
smtp_pid=$(jq -r -s 'map(select(.type=="message" and .notice_of == null))[0].deliveries[0].pid' "$TMP/j_live")
printf '%s\n' "SYSLOG_IDENTIFIER=postfix/smtp" "SYSLOG_PID=$smtp_pid" "SYSLOG_FACILITY=2" "PRIORITY=6" \
	"MESSAGE=$qid: to=<u@v6only.lab.test>, relay=mx.evil.test[203.0.113.66]:25, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 forged)" |
	setpriv --reuid=65534 --regid=65534 --clear-groups logger --journald
wait_for 10 eval "journalctl -q -o cat SYSLOG_FACILITY=2 | grep -q '250 forged'"

# Report: the recording beside the local journal, and beside a copy of its
# files (journald stopped first, as after an incident).
"$FT" report -j --journal "$TMP/j_live.ftr" >"$TMP/j_rep" 2>"$TMP/j_rep.err"
check "--journal: an entry forged by nobody as postfix/smtp (pid $smtp_pid) saying sent is ignored and counted; the message stays bounced" \
	"$TMP/j_rep" "$TMP/j_rep.err" -- bash -c "
	journalctl -q -o cat SYSLOG_FACILITY=2 | grep -q '250 forged' &&
	jq -e -s '(map(select(.type==\"message\" and .queue_id==\"$qid\"))[0].deliveries | length == 1 and
		.[0].status == \"bounced\") and
		(map(select(.type==\"summary\"))[0].maillog.foreign_entries >= 1)' '$TMP/j_rep'"
check "report --journal: the same two messages, the same verdicts" "$TMP/j_rep" "$TMP/j_rep.err" -- jqs "$TMP/j_rep" '
	map(select(.type=="message")) | length == 2 and
	(map(select(.notice_of == null))[0].deliveries[0] | .status == "bounced" and .class == "no_usable_address")'
kill "$JPID"
wait "$JPID" 2>/dev/null
mkdir -p "$TMP/jcopy"
cp /run/log/journal/*/*.journal /var/log/journal/*/*.journal "$TMP/jcopy/" 2>/dev/null
"$FT" report --journal-dir "$TMP/jcopy" --queue-id "$qid" "$TMP/j_live.ftr" >"$TMP/j_dir" 2>"$TMP/j_dir.err"
check "report --journal-dir (a copy of the journal's files) --queue-id $qid: that message's story, bounced, no usable address" \
	"$TMP/j_dir" "$TMP/j_dir.err" -- bash -c "grep -q '$qid' '$TMP/j_dir' && grep -q 'bounced' '$TMP/j_dir' &&
	grep -q 'NO USABLE ADDRESS' '$TMP/j_dir' && ! grep -q 'lab@lab.test.*status' '$TMP/j_dir'"
mkdir -p "$TMP/jempty"
"$FT" report --journal-dir "$TMP/jempty" "$TMP/j_live.ftr" >"$TMP/j_empty" 2>"$TMP/j_empty.err"
check "report --journal-dir with no journal in it says that no mail entries were read, not that nothing was delivered" \
	"$TMP/j_empty.err" -- grep -q 'no mail-facility entries' "$TMP/j_empty.err"
"$FT" report --journal-dir /nonexistent "$TMP/j_live.ftr" >/dev/null 2>"$TMP/j_bad.err"
rc=$?
check "report --journal-dir on a missing directory: a usage error (exit 2) in one line" "$TMP/j_bad.err" -- \
	bash -c "test $rc = 2 && test \$(wc -l <'$TMP/j_bad.err') = 1 && grep -q 'journal-dir: /nonexistent' '$TMP/j_bad.err'"

summary
