#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/sendmail.sh - end to end with Sendmail 8.17 as Debian ships it
# (sendmail-bin, unpacked privately by scripts/lab-sendmail) in the mail lab:
# every delivery traced and compared, attempt by attempt, with Sendmail's own
# log (its syslog lines, caught by a private /dev/log); `famtrace check
# --sendmail`.
# Postfix is Debian's package unpacked privately (scripts/lab-postfix), never
# installed: the area runs where it looks installed.
[ -n "${FT_POSTFIX_META:-}" ] || exec "$(dirname "$0")/../scripts/lab-postfix" run bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
need_root dnsmasq postfix postconf unshare dpkg apt-get m4

# from_log FROM_LINE: the attempts Sendmail's log records, as JSON
# [{"addr","result"}]: "makeconnection (host. [addr].25 ...) failed: ERROR"
# for a failed one, the "stat=Sent" line's relay for the one that delivered.
# Sendmail writes IPv6 addresses as "IPv6:2001:db8:200:0:0:0:0:10".
from_log() {
	tail -n +"$1" "$MAILLOG" | sed -n \
		-e 's/.*makeconnection ([^[]*\[\(IPv6:\)\{0,1\}\([^]]*\)\]\.[0-9]* .*failed: Network is unreachable.*/{"addr":"\2","result":"net_unreachable"}/p' \
		-e 's/.*makeconnection ([^[]*\[\(IPv6:\)\{0,1\}\([^]]*\)\]\.[0-9]* .*failed: Connection timed out.*/{"addr":"\2","result":"abandoned"}/p' \
		-e 's/.*makeconnection ([^[]*\[\(IPv6:\)\{0,1\}\([^]]*\)\]\.[0-9]* .*failed: Connection refused.*/{"addr":"\2","result":"refused"}/p' \
		-e 's/.* to=.*, relay=[^ ]* \[\(IPv6:\)\{0,1\}\([^]]*\)\], .*stat=Sent.*/{"addr":"\2","result":"connected"}/p' |
		jq -s -c .
}
# famtrace's IPv6 addresses in Sendmail's form: all eight groups, "::" expanded.
FULL6='def full6: if test(":") then (split("::") as $p |
	($p[0] | if . == "" then [] else split(":") end) as $a |
	(if ($p | length) > 1 then ($p[1] | if . == "" then [] else split(":") end) else [] end) as $b |
	($a + [range(8 - ($a | length) - ($b | length)) | "0"] + $b) | join(":")) else . end;'
# deliver NAME DOMAIN [check options]: famtrace check --sendmail while Sendmail
# delivers to u@DOMAIN; as tests/exim.sh's.
deliver() {
	local name=$1 domain=$2 from
	shift 2
	from=$(($(wc -l <"$MAILLOG") + 1))
	scripts/lab-sendmail run timeout 60 "$FT" check -j -v --sendmail "$CF" "$@" -- \
		sh -c "scripts/lab-sendmail send $domain 20 >'$TMP/$name.lab' 2>&1" >"$TMP/$name" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
	from_log "$from" >"$TMP/$name.truth"
	jq -s -c "$FULL6"' [.[] | select(.type=="attempt" and .comm=="sendmail")] | sort_by(.start_ns) |
		map({addr: (.daddr | full6), result: .result})' "$TMP/$name" >"$TMP/$name.seen"
}

CLEANUPS+=("scripts/lab-sendmail down")
scripts/lab up >"$TMP/lab.log" 2>&1 || bail "lab up: relay and MX namespaces, dnsmasq" "$TMP/lab.log"
scripts/lab-sendmail up >"$TMP/sm.log" 2>&1 ||
	bail "Sendmail unpacked from Debian's packages, its sendmail.cf made with m4" "$TMP/sm.log"
eval "$(scripts/lab-sendmail env)"
ok "Sendmail unpacked from Debian's packages, sendmail.cf made with its m4 macros ($(grep -o 'Sendmail [0-9.]*' "$TMP/sm.log"))"

scripts/lab scenario noroute >/dev/null
deliver sm_noroute dual.lab.test
check "Sendmail, no IPv6 route: attempts match Sendmail's log" "$TMP/sm_noroute.truth" "$TMP/sm_noroute.seen" -- \
	same_as_log sm_noroute
check "Sendmail, no IPv6 route: one group for dual.lab.test with its MX (the trailing-dot host joined), IPv6 fails at once, IPv4 delivers" \
	"$TMP/sm_noroute" -- jqs "$TMP/sm_noroute" '
	map(select(.type=="group" and .comm=="sendmail")) | length == 1 and .[0].class == "fallback" and
	.[0].destination == "dual.lab.test" and .[0].mx_domain == "dual.lab.test" and .[0].mx_pref == 10 and
	(.[0].attempts | map(.result)) == ["net_unreachable", "connected"]'
check "Sendmail, no IPv6 route: every resolver call seen (res_querydomain, res_search MX, gethostbyname2 AAAA then A)" \
	"$TMP/sm_noroute" -- jqs "$TMP/sm_noroute" '
	(map(select(.type=="lookup" and .api=="res_querydomain")) | length > 0) and
	(map(select(.type=="lookup" and .api=="res_search" and .qtype=="MX" and .name=="dual.lab.test")) | length == 1) and
	(map(select(.type=="lookup" and .api=="gethostbyname2" and .name=="mx-dual.lab.test")) | map(.hint_family)) ==
	 ["ipv6", "ipv4"]'
check "check --sendmail, no IPv6 route: DEGRADED (exit 1, WARNING), no setting to name but the unit's RestrictAddressFamilies" \
	"$TMP/sm_noroute" "$TMP/sm_noroute.err" -- eval "rc_is sm_noroute 1 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and .delivery.unusable_families == 1 and
	 (.delivery.ways_out | contains(\"RestrictAddressFamilies=~AF_INET6\")) and
	 .settings[\"Timeout.connect\"] == \"2s\"' '$TMP/sm_noroute'"

# Every forward question Sendmail put on the wire (dnsmasq's query log) is a
# lookup famtrace reports, by name and type (gethostbyname2 AF_INET6 asks
# AAAA); a question for NAME.lab.test is the resolver's search-list retry of
# a lookup of NAME. Reverse (PTR) questions are not probed: docs/limits.md.
dns_from=$(($(wc -l <"$LAB_DIR/dnsmasq.log") + 1))
deliver sm_wire mixed.lab.test
sed -n "$dns_from,\$ s/.*query\[\([A-Z]*\)\] \([^ ]*\) from 198\.51\.100\.1\$/\1 \2/p" "$LAB_DIR/dnsmasq.log" |
	grep -v '^PTR ' | sort -u >"$TMP/sm_wire.dns"
jq -r -s 'map(select(.type=="lookup" and .comm=="sendmail") |
	(if .api == "gethostbyname2" then (if .hint_family == "ipv6" then "AAAA" else "A" end) else .qtype end)
	+ " " + .name) | unique | .[]' "$TMP/sm_wire" | sort -u >"$TMP/sm_wire.seen"
wire_unseen() {
	local t n
	while read -r t n; do
		grep -qx "$t $n" "$TMP/sm_wire.seen" || grep -qx "$t ${n%.lab.test}" "$TMP/sm_wire.seen" ||
			echo "$t $n"
	done <"$TMP/sm_wire.dns"
}
check "Sendmail: every forward question on the wire ($(wc -l <"$TMP/sm_wire.dns") name/type pairs in dnsmasq's log) is a famtrace lookup" \
	"$TMP/sm_wire.dns" "$TMP/sm_wire.seen" -- eval "test -s '$TMP/sm_wire.dns' && test -z \"\$(wire_unseen)\""

deliver sm_mixed mixed.lab.test
check "Sendmail, mixed-family MX set: attempts match Sendmail's log" "$TMP/sm_mixed.truth" "$TMP/sm_mixed.seen" -- \
	same_as_log sm_mixed
check "Sendmail, mixed-family MX set: one group for mixed.lab.test, the IPv4-only MX host never asked A is listed untried" \
	"$TMP/sm_mixed" -- jqs "$TMP/sm_mixed" '
	map(select(.type=="group" and .comm=="sendmail")) | length == 1 and .[0].destination == "mixed.lab.test" and
	.[0].class == "fallback"'

scripts/lab scenario blackhole >/dev/null
deliver sm_hole dual.lab.test
check "Sendmail, IPv6 SYNs dropped: attempts match Sendmail's log, abandoned after Timeout.connect (about 2 s)" \
	"$TMP/sm_hole.truth" "$TMP/sm_hole.seen" "$TMP/sm_hole" -- eval "same_as_log sm_hole &&
	jq -e -s 'map(select(.type==\"group\" and .comm==\"sendmail\"))[0] | .class == \"fallback\" and
	 .time_lost_ms >= 1950 and .time_lost_ms < 3500' '$TMP/sm_hole'"

scripts/lab scenario good >/dev/null
deliver sm_good dual.lab.test
check "Sendmail, working dual stack: IPv6 first and delivered, as its log says; check --sendmail conforms (exit 0)" \
	"$TMP/sm_good.truth" "$TMP/sm_good.seen" "$TMP/sm_good.err" -- eval "same_as_log sm_good && rc_is sm_good 0 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .tried_ipv6 == 1 and .tried_ipv4 == 0' '$TMP/sm_good'"
# Sendmail asks A only after IPv6 failed, so a working dual-stack host is
# never "offered both": the order of its questions is the evidence.
deliver sm_prefer4 dual.lab.test --prefer ipv4
check "check --sendmail --prefer ipv4 on a working dual stack: violation (exit 1), IPv6 tried before IPv4 was even asked" \
	"$TMP/sm_prefer4" "$TMP/sm_prefer4.err" -- eval "rc_is sm_prefer4 1 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"violation\" and
	 (.evidence | map(select(contains(\"first tried IPv6 for dual.lab.test without asking for its IPv4 addresses first\"))) | length == 1)' '$TMP/sm_prefer4'"
deliver sm_expect4 dual.lab.test --expect ipv4
check "check --sendmail --expect ipv4: violation (exit 1), the AAAA question and the IPv6 attempt named" \
	"$TMP/sm_expect4" "$TMP/sm_expect4.err" -- eval "rc_is sm_expect4 1 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"violation\" and
	 (.evidence | map(select(test(\"asked for IPv6 addresses: gethostbyname2 mx-dual.lab.test\"))) | length >= 1) and
	 (.evidence | map(select(test(\"tried IPv6: mx-dual.lab.test\\\\[2001:db8:200::10\\\\]:25, connected\"))) | length == 1)' '$TMP/sm_expect4'"
# The one way to make Sendmail IPv4-only: forbid IPv6 sockets, as systemd's
# RestrictAddressFamilies=~AF_INET6 does (tests/clients/noinet6, seccomp).
# Sendmail then asks no AAAA and tries no IPv6; --expect ipv4 conforms.
NOINET6=1 deliver sm_noinet6 dual.lab.test --expect ipv4
check "Sendmail under RestrictAddressFamilies=~AF_INET6 (seccomp): no AAAA asked, IPv4 only, as its log says; --expect ipv4 conforms" \
	"$TMP/sm_noinet6" "$TMP/sm_noinet6.truth" "$TMP/sm_noinet6.err" -- eval "same_as_log sm_noinet6 && rc_is sm_noinet6 0 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .asked_ipv6 == 0 and .tried_ipv6 == 0 and
	 .tried_ipv4 == 1' '$TMP/sm_noinet6'"
# ClientPortOptions Family=inet looks like "IPv4 only" and is not.
scripts/lab-sendmail set CLIENT_OPTIONS=Family=inet >/dev/null
deliver sm_clientinet dual.lab.test
check "Sendmail ClientPortOptions=Family=inet still tries IPv6; check says that option does not restrict families" \
	"$TMP/sm_clientinet" "$TMP/sm_clientinet.err" -- eval "rc_is sm_clientinet 0 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .tried_ipv6 == 1 and
	 (.note | contains(\"only chooses which client options apply\"))' '$TMP/sm_clientinet'"
scripts/lab-sendmail set >/dev/null

# A message received by SMTP: the daemon asks the client's ident port (113,
# refused here) and delivers from its child. The ident connection is
# reported apart, never as a delivery, and changes no verdict.
scripts/lab-sendmail daemon start >"$TMP/sm_daemon" 2>&1 || not_ok "the Sendmail daemon started" "$TMP/sm_daemon"
from=$(($(wc -l <"$MAILLOG") + 1))
timeout 60 "$FT" check -j -v --sendmail "$CF" -- sh -c "
	ip netns exec ${LAB}relay swaks --server 127.0.0.1 --port 587 --from lab@dual.lab.test --to u@dual.lab.test \
		>'$TMP/sm_smtp.swaks' 2>&1
	for i in \$(seq 100); do tail -n +$from '$MAILLOG' | grep -q 'stat=Sent' && break; sleep 0.1; done" \
	>"$TMP/sm_smtp" 2>"$TMP/sm_smtp.err"
echo $? >"$TMP/sm_smtp.rc"
from_log "$from" >"$TMP/sm_smtp.truth"
jq -s -c "$FULL6"' [.[] | select(.type=="attempt" and .comm=="sendmail" and .dport==25)] | sort_by(.start_ns) |
	map({addr: (.daddr | full6), result: .result})' "$TMP/sm_smtp" >"$TMP/sm_smtp.seen"
check "Sendmail daemon, message received by SMTP: its delivery matches the log; the ident query (port 113) is a connection apart, not a delivery; conforms" \
	"$TMP/sm_smtp" "$TMP/sm_smtp.err" "$TMP/sm_smtp.truth" "$TMP/sm_smtp.seen" -- eval "same_as_log sm_smtp && rc_is sm_smtp 0 &&
	jq -e -s '(map(select(.type==\"attempt\" and .dport==113)) | length >= 1) and
	 (map(select(.type==\"group\" and .dport==113)) | length >= 1 and all(.[]; .delivery == false)) and
	 (map(select(.type==\"group\" and .dport==25)) | length == 1 and .[0].delivery and .[0].destination == \"dual.lab.test\") and
	 (map(select(.type==\"check\"))[0].verdict == \"conforms\")' '$TMP/sm_smtp'"
scripts/lab-sendmail daemon stop >/dev/null 2>&1

# Messages from Sendmail's own log (--maillog): its syslog lines, as the
# lab's private /dev/log writes them. With no IPv6 route, the message is
# sent over IPv4 after the IPv6 attempt fails: the delivery line (relay,
# DSN, stat=Sent) joins the fallback group of the process that logged it.
scripts/lab scenario noroute >/dev/null
scripts/lab-sendmail run timeout 60 "$FT" run -j --maillog "$MAILLOG" -- \
	sh -c "scripts/lab-sendmail send dual.lab.test 20 >'$TMP/sm_msg.lab' 2>&1" >"$TMP/sm_msg" 2>"$TMP/sm_msg.err"
check "--maillog with Sendmail's log: the message (from, size), its delivery line (esmtp, relay mx-dual.lab.test, 2.0.0, sent) joined to the fallback group behind it" \
	"$TMP/sm_msg" "$TMP/sm_msg.err" "$TMP/sm_msg.lab" -- jqs "$TMP/sm_msg" '
	(map(select(.type=="group" and .comm=="sendmail" and .destination=="dual.lab.test"))[0]) as $g |
	($g.class == "fallback") and
	(map(select(.type=="message")) | length == 1 and .[0].from == "lab@lab.test" and .[0].size > 0 and
	 (.[0].deliveries | length == 1 and .[0].to == "u@dual.lab.test" and .[0].status == "sent" and
	  .[0].dsn == "2.0.0" and .[0].relay == "mx-dual.lab.test" and .[0].group == $g.group and
	  .[0].pid == $g.pid and .[0].class == "fallback"))'

scripts/lab-sendmail run timeout 30 "$FT" check --sendmail "$CF" -- true >"$TMP/sm_none" 2>&1
echo $? >"$TMP/sm_none.rc"
check "check --sendmail with a command that delivers nothing: NOTHING OBSERVED, exit 3 (UNKNOWN)" "$TMP/sm_none" -- eval "
	rc_is sm_none 3 && grep -q 'verdict:    NOTHING OBSERVED' '$TMP/sm_none'"
"$FT" check --sendmail /nonexistent.cf -d 1 >/dev/null 2>"$TMP/sm_bad"
echo $? >"$TMP/sm_bad.rc"
check "check --sendmail of a file that is not there: exit 3 (UNKNOWN) and why" "$TMP/sm_bad" -- eval "
	rc_is sm_bad 3 && grep -q 'cannot read /nonexistent.cf' '$TMP/sm_bad'"
summary
