#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/opensmtpd.sh - end to end with OpenSMTPD 6.8 as Debian ships it
# (opensmtpd, unpacked privately by scripts/lab-opensmtpd) in the mail lab.
# OpenSMTPD resolves in one process (its lookup agent) and connects from a
# sibling (its "pony express"), with a resolver of its own (no libc call to
# probe: lookups from the wire), and pauses 2 s before the next address:
# every delivery traced and compared, attempt by attempt, with its own log
# (syslog, caught by a private /dev/log), its log lines joined to the
# deliveries, and `famtrace check --opensmtpd`.
# Postfix is Debian's package unpacked privately (scripts/lab-postfix), never
# installed: the area runs where it looks installed.
[ -n "${FT_POSTFIX_META:-}" ] || exec "$(dirname "$0")/../scripts/lab-postfix" run bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
need_root dnsmasq postfix postconf unshare nsenter dpkg apt-get

# from_log FROM_LINE: the attempts OpenSMTPD's log records, as JSON
# [{"addr","result"}]: each session's "mta connecting address=smtp://A:25"
# and how it went on ("mta connected", or "mta error reason=...").
from_log() {
	tail -n +"$1" "$MAILLOG" | awk '
		/ mta connecting address=smtp:\/\// {
			a = $0; sub(/.*address=smtp:\/\//, "", a); sub(/ .*/, "", a); sub(/:[0-9]+$/, "", a)
			gsub(/[][]/, "", a); addr[$6] = a; next }
		/ mta connected$/ { if ($6 in addr) printf "{\"addr\":\"%s\",\"result\":\"connected\"}\n", addr[$6]; next }
		/ mta error reason=/ {
			if (!($6 in addr)) next
			r = "other"
			if ($0 ~ /Network is unreachable/) r = "net_unreachable"
			else if ($0 ~ /Connection refused/) r = "refused"
			else if ($0 ~ /timed out|timeout/) r = "abandoned"
			printf "{\"addr\":\"%s\",\"result\":\"%s\"}\n", addr[$6], r }' | jq -s -c .
}
# deliver NAME DOMAIN [check options]: famtrace check --opensmtpd (with the
# log, and a recording) while OpenSMTPD delivers to u@DOMAIN; JSON to
# $TMP/NAME, attempts in $TMP/NAME.seen, the log's in $TMP/NAME.truth,
# check's exit status in $TMP/NAME.rc.
deliver() {
	local name=$1 domain=$2 from
	shift 2
	from=$(($(wc -l <"$MAILLOG") + 1))
	scripts/lab-opensmtpd run timeout 90 "$FT" check -j -v --opensmtpd "$CONF" --maillog "$MAILLOG" \
		-o "$TMP/$name.ftr" "$@" -- \
		sh -c "scripts/lab-opensmtpd send $domain 30 >'$TMP/$name.lab' 2>&1" >"$TMP/$name" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
	from_log "$from" >"$TMP/$name.truth"
	jq -s -c '[.[] | select(.type=="attempt" and .comm=="smtpd" and .dport==25)] | sort_by(.start_ns) |
		map({addr: .daddr, result: .result})' "$TMP/$name" >"$TMP/$name.seen"
}

CLEANUPS+=("scripts/lab-opensmtpd down")
scripts/lab up >"$TMP/lab.log" 2>&1 || bail "lab up: relay and MX namespaces, dnsmasq" "$TMP/lab.log"
scripts/lab-opensmtpd up >"$TMP/osd.log" 2>&1 || bail "OpenSMTPD unpacked from Debian's package and its daemon started" "$TMP/osd.log"
eval "$(scripts/lab-opensmtpd env)"
ok "OpenSMTPD unpacked from Debian's package, daemon running ($(grep -o 'OpenSMTPD [^ ]*' "$TMP/osd.log"))"

# No IPv6 route: the IPv6 attempt fails at once, OpenSMTPD waits 2 s and
# tries the IPv4 address of the same MX host. One delivery that fell back,
# its lookups made by the lookup agent, its attempts by the pony process.
scripts/lab scenario noroute >/dev/null
scripts/lab-opensmtpd set >/dev/null
deliver osd_noroute dual.lab.test
check "OpenSMTPD, no IPv6 route: attempts match its log" \
	"$TMP/osd_noroute.truth" "$TMP/osd_noroute.seen" "$TMP/osd_noroute.err" -- same_as_log osd_noroute
check "OpenSMTPD, no IPv6 route: one fallback group for dual.lab.test (MX 10) across its 2 s pause, the lookups a sibling's (lookup agent) joined to the pony process's attempts" \
	"$TMP/osd_noroute" -- jqs "$TMP/osd_noroute" '
	(map(select(.type=="group" and .comm=="smtpd" and .dport==25))) as $g |
	($g | length == 1) and $g[0].class == "fallback" and $g[0].destination == "dual.lab.test" and
	$g[0].mx_pref == 10 and ($g[0].attempts | map(.result)) == ["net_unreachable", "connected"] and
	$g[0].time_lost_ms > 1500 and $g[0].time_lost_ms < 4000 and
	(map(select(.type=="attempt" and .comm=="smtpd" and .dport==25)) | map(.name) | unique) == ["mx-dual.lab.test"] and
	(map(select(.type=="lookup" and .qtype=="MX" and .name=="dual.lab.test"))[0]) as $mx |
	$mx.pid != $g[0].pid and $mx.ppid == $g[0].ppid'
check "check --opensmtpd as shipped, no IPv6 route: DEGRADED (exit 1), the relay action read, smtpd -n ran, way out a src of IPv4 addresses" \
	"$TMP/osd_noroute" "$TMP/osd_noroute.err" -- bash -c "test \$(cat '$TMP/osd_noroute.rc') = 1 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and
	 .delivery.unusable_families == 1 and (.delivery.ways_out | contains(\"src\")) and
	 (.source | contains(\"smtpd -n: configuration OK\")) and .expected_families == [\"ipv4\", \"ipv6\"]' '$TMP/osd_noroute'"
check "--maillog with OpenSMTPD's log: the message (from, size), its delivery line (relay mx-dual.lab.test, 2.0.0, sent, delay 2 s) joined to the fallback group of the process that logged it" \
	"$TMP/osd_noroute" "$TMP/osd_noroute.lab" -- jqs "$TMP/osd_noroute" '
	(map(select(.type=="group" and .comm=="smtpd" and .destination=="dual.lab.test"))[0]) as $g |
	(map(select(.type=="message")) | length == 1 and .[0].from == "lab@lab.test" and .[0].size > 0 and
	 (.[0].deliveries | length == 1 and .[0].to == "u@dual.lab.test" and .[0].status == "sent" and
	  .[0].agent == "smtpd" and .[0].dsn == "2.0.0" and .[0].relay == "mx-dual.lab.test" and
	  .[0].relay_addr == "203.0.113.10" and .[0].delay >= 1 and .[0].group == $g.group and
	  .[0].traced_pid == $g.pid and .[0].class == "fallback"))'
"$FT" report -j -c smtpd "$TMP/osd_noroute.ftr" >"$TMP/osd_rep_c" 2>"$TMP/osd_rep_c.err"
check "report -c smtpd of that recording: every lookup answered on the wire (the answers, found by socket, go with their queries), the same fallback" \
	"$TMP/osd_rep_c" "$TMP/osd_rep_c.err" -- jqs "$TMP/osd_rep_c" '
	(map(select(.type=="lookup" and .comm=="smtpd")) | length >= 3 and all(.[]; .failed == false and .rcode == "NOERROR")) and
	(map(select(.type=="group" and .dport==25)) | length == 1 and .[0].class == "fallback")'

# Two messages in a row: OpenSMTPD sends the second over the session the
# first one's fallback opened (its log names one session for both). The
# second rode that connection: no attempt of its own, no fallback of its own.
scripts/lab-opensmtpd set >/dev/null
scripts/lab-opensmtpd run timeout 90 "$FT" check -j -v --opensmtpd "$CONF" --maillog "$MAILLOG" -- \
	sh -c "{ scripts/lab-opensmtpd send dual.lab.test 30 && scripts/lab-opensmtpd send dual.lab.test 30; } \
		>'$TMP/osd_reuse.lab' 2>&1" \
	>"$TMP/osd_reuse" 2>"$TMP/osd_reuse.err"
check "two messages over one OpenSMTPD session: the first's delivery carries the fallback, the second's says whose connection it reused (connection_of) and no family problem of its own" \
	"$TMP/osd_reuse" "$TMP/osd_reuse.err" "$TMP/osd_reuse.lab" -- jqs "$TMP/osd_reuse" '
	(map(select(.type=="message")) | sort_by(.deliveries[0].time)) as $m |
	($m | length == 2) and
	($m[0].deliveries[0] | .class == "fallback" and .connection_of == null and .family_problem) and
	($m[1].deliveries[0] | .status == "sent" and .group == $m[0].deliveries[0].group and
	 .connection_of == $m[0].queue_id and (.family_problem | not))'

# An MX set with IPv6 only: nothing can leave. Deferred in the log, all
# attempts failed in the trace, the two joined; check says STUCK.
deliver osd_v6only v6only.lab.test
check "OpenSMTPD, IPv6-only MX and no IPv6 route: attempts match its log; the deferred delivery line (relay the domain, no address reached) joined to the all-failed group; check STUCK (exit 2)" \
	"$TMP/osd_v6only" "$TMP/osd_v6only.truth" "$TMP/osd_v6only.seen" "$TMP/osd_v6only.err" -- eval "same_as_log osd_v6only && rc_is osd_v6only 2 &&
	jq -e -s '(map(select(.type==\"group\" and .dport==25)) | length == 1 and .[0].class == \"all_failed\") as \$one |
	 \$one and (map(select(.type==\"message\"))[0].deliveries[0] | .status == \"deferred\" and .relay == \"v6only.lab.test\" and
	  .class == \"all_failed\" and .family_problem == true) and
	 map(select(.type==\"check\"))[0].verdict == \"stuck\"' '$TMP/osd_v6only'"

# A relay action with an IPv4 source only: OpenSMTPD tries no IPv6 address
# at all, and check expects IPv4 only: conforms.
scripts/lab-opensmtpd set 'action "relay" relay src 198.51.100.1' >/dev/null
deliver osd_src4 dual.lab.test
check "check --opensmtpd with 'relay src 198.51.100.1': IPv4 expected, no IPv6 attempt (none in its log either), connected first time, conforms (exit 0)" \
	"$TMP/osd_src4" "$TMP/osd_src4.truth" "$TMP/osd_src4.err" -- eval "rc_is osd_src4 0 &&
	test \"\$(cat '$TMP/osd_src4.truth')\" = '[{\"addr\":\"203.0.113.10\",\"result\":\"connected\"}]' &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .expected_families == [\"ipv4\"] and
	 .tried_ipv6 == 0 and .tried_ipv4 == 1' '$TMP/osd_src4'"
scripts/lab-opensmtpd set >/dev/null

"$FT" check --opensmtpd /nonexistent.conf -d 1 >/dev/null 2>"$TMP/osd_bad"
echo $? >"$TMP/osd_bad.rc"
check "check --opensmtpd of a file that is not there: exit 3 (UNKNOWN) and why" "$TMP/osd_bad" -- eval "
	rc_is osd_bad 3 && grep -q 'cannot read /nonexistent.conf' '$TMP/osd_bad'"
printf 'action "relay" relay src\nmatch from local for any action "relay"\n' >"$TMP/osd_broken.conf"
scripts/lab-opensmtpd run "$FT" check --opensmtpd "$TMP/osd_broken.conf" -d 1 >/dev/null 2>"$TMP/osd_broken"
echo $? >"$TMP/osd_broken.rc"
check "check --opensmtpd of a file smtpd -n refuses: exit 3 (UNKNOWN), smtpd -n named" "$TMP/osd_broken" -- eval "
	rc_is osd_broken 3 && grep -q 'smtpd -n -f .*: the configuration has errors' '$TMP/osd_broken'"
summary
