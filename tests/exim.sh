#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/exim.sh - end to end with Exim 4 as Debian ships it (exim4-daemon-
# light, unpacked privately by scripts/lab-exim) in the mail lab: every
# delivery traced and compared, attempt by attempt, with Exim's main log,
# with TCP Fast Open on (Exim's default) and off; `famtrace check --exim`.
# Postfix is Debian's package unpacked privately (scripts/lab-postfix), never
# installed: the area runs where it looks installed.
[ -n "${FT_POSTFIX_META:-}" ] || exec "$(dirname "$0")/../scripts/lab-postfix" run bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
need_root dnsmasq postfix postconf unshare dpkg apt-get

# from_log FROM_LINE: the attempts Exim's main log records, as JSON
# [{"addr","result"}]: "H=host [addr]:port ERROR" for a failed one, the
# "=>" line for the one that delivered.
from_log() {
	tail -n +"$1" "$MAINLOG" | sed -n \
		-e 's/.* => .* H=[^ ]* \[\([^]]*\)\]:[0-9]* .*/{"addr":"\1","result":"connected"}/p' \
		-e 's/.* H=[^ ]* \[\([^]]*\)\]:[0-9]*:\{0,1\} .*Network is unreachable.*/{"addr":"\1","result":"net_unreachable"}/p' \
		-e 's/.* H=[^ ]* \[\([^]]*\)\]:[0-9]*:\{0,1\} .*Connection timed out.*/{"addr":"\1","result":"abandoned"}/p' \
		-e 's/.* H=[^ ]* \[\([^]]*\)\]:[0-9]*:\{0,1\} .*Connection refused.*/{"addr":"\1","result":"refused"}/p' |
		jq -s -c .
}
# deliver NAME DOMAIN [check options]: famtrace check --exim while Exim
# delivers to u@DOMAIN; JSON to $TMP/NAME, attempts in $TMP/NAME.seen, the
# log's in $TMP/NAME.truth, check's exit status in $TMP/NAME.rc.
deliver() {
	local name=$1 domain=$2 from
	shift 2
	from=$(($(wc -l <"$MAINLOG") + 1))
	scripts/lab-exim run timeout 60 "$FT" check -j -v --exim "$CONF" "$@" -- \
		sh -c "scripts/lab-exim send $domain 20 >'$TMP/$name.lab' 2>&1" >"$TMP/$name" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
	from_log "$from" >"$TMP/$name.truth"
	jq -s -c '[.[] | select(.type=="attempt" and .comm=="exim4")] | sort_by(.start_ns) |
		map({addr: .daddr, result: .result})' "$TMP/$name" >"$TMP/$name.seen"
}
# via NAME WAY: every Exim attempt of NAME was opened that way (tfo, connect).
via() { jq -e -s --arg w "$2" 'map(select(.type=="attempt" and .comm=="exim4")) | length > 0 and all(.[]; .via == $w)' "$TMP/$1"; }

CLEANUPS+=("scripts/lab-exim down")
scripts/lab up >"$TMP/lab.log" 2>&1 || bail "lab up: relay and MX namespaces, dnsmasq" "$TMP/lab.log"
scripts/lab-exim up >"$TMP/exim.log" 2>&1 || bail "Exim unpacked from Debian's packages and its daemon started" "$TMP/exim.log"
eval "$(scripts/lab-exim env)"
ok "Exim unpacked from Debian's packages, daemon running ($(grep -o 'Exim version [^ ]*' "$TMP/exim.log"))"
check "Exim as shipped tries TCP Fast Open to every host (hosts_try_fastopen = *)" -- \
	bash -c "scripts/lab-exim run exim4 -C '$CONF' -bP transports | grep -qx 'hosts_try_fastopen = \*'"

for tfo in on off; do
	if [ $tfo = on ]; then scripts/lab-exim set >/dev/null; way=tfo; else
		scripts/lab-exim set hosts_try_fastopen= >/dev/null; way=connect; fi

	scripts/lab scenario noroute >/dev/null
	deliver ex_noroute_$tfo dual.lab.test
	check "Exim (Fast Open $tfo), no IPv6 route: attempts match Exim's main log, opened by $way" \
		"$TMP/ex_noroute_$tfo.truth" "$TMP/ex_noroute_$tfo.seen" -- \
		eval "same_as_log ex_noroute_$tfo && via ex_noroute_$tfo $way"
	check "Exim (Fast Open $tfo), no IPv6 route: one group for dual.lab.test (MX 10), IPv6 fails at once, IPv4 delivers" \
		"$TMP/ex_noroute_$tfo" -- jqs "$TMP/ex_noroute_$tfo" '
		map(select(.type=="group" and .comm=="exim4")) | length == 1 and .[0].class == "fallback" and
		.[0].destination == "dual.lab.test" and .[0].mx_pref == 10 and
		(.[0].attempts | map(.result)) == ["net_unreachable", "connected"] and .[0].time_lost_ms < 1000'
	check "check --exim (Fast Open $tfo), no IPv6 route: DEGRADED (exit 1, WARNING), way out disable_ipv6 = true" \
		"$TMP/ex_noroute_$tfo" "$TMP/ex_noroute_$tfo.err" -- bash -c "test \$(cat '$TMP/ex_noroute_$tfo.rc') = 1 &&
		jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and
		 .delivery.unusable_families == 1 and (.delivery.ways_out | contains(\"disable_ipv6 = true\")) and
		 .settings.disable_ipv6 == \"false\"' '$TMP/ex_noroute_$tfo'"

	deliver ex_mixed_$tfo mixed.lab.test
	check "Exim (Fast Open $tfo), mixed-family MX set: attempts match Exim's main log" \
		"$TMP/ex_mixed_$tfo.truth" "$TMP/ex_mixed_$tfo.seen" -- \
		same_as_log ex_mixed_$tfo
	check "Exim (Fast Open $tfo), mixed-family MX set: lookups in the parent joined to the child's attempts (MX hosts named, one group)" \
		"$TMP/ex_mixed_$tfo" -- jqs "$TMP/ex_mixed_$tfo" '
		(map(select(.type=="attempt" and .comm=="exim4")) | sort_by(.start_ns) | map(.name)) ==
		 ["mx-v6.lab.test", "mx-v4.lab.test"] and
		(map(select(.type=="attempt" and .comm=="exim4")) | map(.pid) | unique | length) == 1 and
		(map(select(.type=="lookup" and .qtype=="MX")) | .[0].pid) as $resolver |
		(map(select(.type=="attempt" and .comm=="exim4"))[0].pid != $resolver) and
		(map(select(.type=="group" and .comm=="exim4")) | length == 1 and .[0].destination == "mixed.lab.test" and
		 .[0].class == "fallback")'

	scripts/lab scenario blackhole >/dev/null
	deliver ex_hole_$tfo dual.lab.test
	check "Exim (Fast Open $tfo), IPv6 SYNs dropped: attempts match Exim's main log" \
		"$TMP/ex_hole_$tfo.truth" "$TMP/ex_hole_$tfo.seen" -- \
		same_as_log ex_hole_$tfo
done
# The black hole's cost: connect_timeout (2s) bounds a plain connect; a Fast
# Open one returns at once and Exim waits for the banner (command_timeout 4s).
check "Exim, IPv6 black hole, Fast Open off: abandoned after connect_timeout (about 2 s)" "$TMP/ex_hole_off" -- \
	jqs "$TMP/ex_hole_off" 'map(select(.type=="group" and .comm=="exim4"))[0] | .class == "fallback" and
	.time_lost_ms >= 1950 and .time_lost_ms < 3500'
check "Exim, IPv6 black hole, Fast Open on: the real time lost (over 4 s), not bounded by connect_timeout, said by check" \
	"$TMP/ex_hole_on" "$TMP/ex_hole_on.err" -- bash -c "test \$(cat '$TMP/ex_hole_on.rc') = 1 &&
	jq -e -s '(map(select(.type==\"group\" and .comm==\"exim4\"))[0] | .class == \"fallback\" and
	 .time_lost_ms >= 3950 and .attempts[0].via == \"tfo\") and
	 (map(select(.type==\"check\"))[0].delivery | .tfo_unbounded == 1 and
	  (.findings | map(select(contains(\"connect_timeout = 2s does not bound a Fast Open connect\"))) | length == 1))' '$TMP/ex_hole_on'"

# The incident, with Exim's defaults: wide.lab.test has four MX hosts of
# equal preference, one A and four AAAA each; Exim lists each host's AAAA
# first, hosts_max_try (5) is filled by IPv6 addresses that all fail at once
# (no IPv6 route), IPv4 is never tried and the message is deferred.
scripts/lab scenario noroute >/dev/null
for tfo in on off; do
	if [ $tfo = on ]; then scripts/lab-exim set >/dev/null; else
		scripts/lab-exim set hosts_try_fastopen= >/dev/null; fi
	deliver ex_wide_$tfo wide.lab.test
	check "Exim (Fast Open $tfo), incident MX set: 5 IPv6 failures then deferred, attempts match Exim's main log" \
		"$TMP/ex_wide_$tfo.truth" "$TMP/ex_wide_$tfo.seen" "$TMP/ex_wide_$tfo.lab" -- eval "
		same_as_log ex_wide_$tfo && grep -q ' == u@wide.lab.test' '$TMP/ex_wide_$tfo.lab' &&
		jq -e 'length == 5 and all(.[]; .result == \"net_unreachable\")' '$TMP/ex_wide_$tfo.seen'"
	check "check --exim (Fast Open $tfo), incident MX set: MAIL STUCK (exit 2, CRITICAL), hosts_max_try = 5 filled by IPv6 named, one group, its 4 IPv4 addresses never tried" \
		"$TMP/ex_wide_$tfo" "$TMP/ex_wide_$tfo.err" -- eval "rc_is ex_wide_$tfo 2 &&
		jq -e -s '(map(select(.type==\"check\"))[0] | .verdict == \"stuck\" and .delivery.limit_decided == 1 and
		 (.delivery.findings | map(select(contains(\"hosts_max_try = 5 was filled by IPv6 addresses\"))) | length == 1) and
		 (.delivery.ways_out | contains(\"a higher hosts_max_try\"))) and
		 (map(select(.type==\"group\" and .comm==\"exim4\")) | length == 1 and .[0].class == \"no_fallback\" and
		  .[0].destination == \"wide.lab.test\" and
		  (.[0].untried | map(.addr) | sort) == [\"203.0.113.41\", \"203.0.113.42\", \"203.0.113.43\", \"203.0.113.44\"]) and
		 (map(select(.type==\"lookup\" and .qtype==\"MX\"))[0] | (.answers | length) == 4)' '$TMP/ex_wide_$tfo'"
done
# With hosts_max_try = 20 the list reaches IPv4: delivered, a fallback; the
# unusable family still makes it DEGRADED, not CONFORMS.
scripts/lab-exim set hosts_max_try=20 >/dev/null
deliver ex_wide20 wide.lab.test
check "Exim hosts_max_try = 20, incident MX set: IPv4 reached after the IPv6 failures, delivered; one fallback group; DEGRADED (exit 1)" \
	"$TMP/ex_wide20" "$TMP/ex_wide20.truth" "$TMP/ex_wide20.seen" -- eval "
	same_as_log ex_wide20 && rc_is ex_wide20 1 &&
	jq -e -s '(map(select(.type==\"group\" and .comm==\"exim4\")) | length == 1 and .[0].class == \"fallback\" and
	 .[0].destination == \"wide.lab.test\" and .[0].connected_family == \"ipv4\") and
	 (map(select(.type==\"check\"))[0].verdict == \"degraded\")' '$TMP/ex_wide20'"

# Exim's family settings: disable_ipv6 and dns_ipv4_lookup.
scripts/lab scenario good >/dev/null
scripts/lab-exim set disable_ipv6=true >/dev/null
deliver ex_nov6 dual.lab.test
check "Exim disable_ipv6 = true: no AAAA asked, IPv4 only, as its log says; check --exim conforms (exit 0)" \
	"$TMP/ex_nov6" "$TMP/ex_nov6.truth" "$TMP/ex_nov6.err" -- eval "
	same_as_log ex_nov6 && test \$(cat '$TMP/ex_nov6.rc') = 0 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .expected_families == [\"ipv4\"] and
	 .asked_ipv6 == 0 and .tried_ipv6 == 0 and .tried_ipv4 == 1' '$TMP/ex_nov6'"
# The bounce under Exim, joined to Exim's main log (--maillog): disable_ipv6
# and an IPv6-only MX host; Exim bounces ("**"), its bounce message ("<= <>
# R=ID") is the notice, and it fails too (lab.test: no MX, no A).
from=$(($(wc -l <"$MAINLOG") + 1))
scripts/lab-exim run timeout 60 "$FT" run -j --maillog "$MAINLOG" -- \
	sh -c "scripts/lab-exim send v6only.lab.test 20 >'$TMP/ex_msg.lab' 2>&1; sleep 1" >"$TMP/ex_msg" 2>"$TMP/ex_msg.err"
check "Exim's main log joined: the bounce (**) to its no-usable-address group, the bounce message (<= <> R=) as its notice, failing too" \
	"$TMP/ex_msg" "$TMP/ex_msg.err" -- jqs "$TMP/ex_msg" '
	(map(select(.type=="message" and .notice_of == null)) | length == 1 and
	 .[0].from == "lab@lab.test" and .[0].notice != null and
	 (.[0].deliveries[0] | .to == "u@v6only.lab.test" and .status == "bounced" and .agent == "exim" and
	  .class == "no_usable_address" and .family_problem and (.text | test("non-existent hosts")))) and
	(map(select(.type=="message" and .notice_of != null)) | length == 1 and .[0].from == "" and
	 (.[0].deliveries[0] | .to == "lab@lab.test" and .status == "bounced" and .class == "no_usable_address"))'
scripts/lab-exim set 'dns_ipv4_lookup=*' >/dev/null
deliver ex_v4lookup mixed.lab.test
check "Exim dns_ipv4_lookup = *: no AAAA asked, the IPv6-only MX host skipped, IPv4 delivers; conforms (exit 0)" \
	"$TMP/ex_v4lookup" "$TMP/ex_v4lookup.truth" "$TMP/ex_v4lookup.err" -- eval "
	same_as_log ex_v4lookup && test \$(cat '$TMP/ex_v4lookup.rc') = 0 &&
	jq -e -s '(map(select(.type==\"lookup\" and .qtype==\"AAAA\")) | length == 0) and
	 (map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .tried_ipv6 == 0)' '$TMP/ex_v4lookup'"
# dns_ipv4_lookup names some hosts: they are never asked AAAA, the others are.
scripts/lab-exim set 'dns_ipv4_lookup=mx-dual.lab.test' >/dev/null
deliver ex_v4some dual.lab.test
check "Exim dns_ipv4_lookup = mx-dual.lab.test: that host not asked AAAA; conforms (exit 0)" \
	"$TMP/ex_v4some" "$TMP/ex_v4some.err" -- bash -c "test \$(cat '$TMP/ex_v4some.rc') = 0 &&
	jq -e -s '(map(select(.type==\"lookup\" and .name==\"mx-dual.lab.test\") | .qtype) == [\"A\"]) and
	 (map(select(.type==\"check\"))[0] | .verdict == \"conforms\")' '$TMP/ex_v4some'"

# Expecting what Exim is not set to do: a violation with evidence.
scripts/lab-exim set >/dev/null
deliver ex_expect4 dual.lab.test --expect ipv4
check "check --exim --expect ipv4 against Exim as shipped: violation (exit 1), the AAAA question and the IPv6 attempt named" \
	"$TMP/ex_expect4" "$TMP/ex_expect4.err" -- bash -c "test \$(cat '$TMP/ex_expect4.rc') = 1 &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"violation\" and
	 (.evidence | map(select(test(\"asked for IPv6 addresses: res_search mx-dual.lab.test AAAA\"))) | length == 1) and
	 (.evidence | map(select(test(\"tried IPv6: mx-dual.lab.test\\\\[2001:db8:200::10\\\\]:25, connected\"))) | length == 1)' '$TMP/ex_expect4'"

# After the handshake, as Exim logs it (the lab's smtpmx MX hosts, IPv6
# routed): mx-greet greets IPv6 with 421 (Exim logs the session's SMTP
# error from its transport's subprocess, then => over IPv4); mx-policy
# answers RCPT over IPv6 with Gmail's 550-5.7.1 (Exim's ** line holds the
# five lines, "\n" between them). check reads them with --maillog.
scripts/lab scenario good >/dev/null
deliver ex_greet greet.lab.test --maillog "$MAINLOG"
check "Exim, 421 greeting over IPv6 (its log: SMTP error after initial connection, then delivered over IPv4): one fallback group whose IPv6 session failed; check DEGRADED (exit 1), the 421 quoted, no violation" \
	"$TMP/ex_greet" "$TMP/ex_greet.err" -- bash -c "test \$(cat '$TMP/ex_greet.rc') = 1 &&
	grep -q 'H=mx-greet.lab.test \[2001:db8:200::61\]:25: SMTP error from remote mail server after initial connection: 421 4.7.0' '$MAINLOG' &&
	jq -e -s '(map(select(.type==\"group\" and .destination==\"greet.lab.test\")) | length == 1 and .[0].class == \"fallback\" and
		.[0].session_failed_family == \"ipv6\") and
	(map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and (.evidence | length == 0) and .delivery.sessions_failed == 1 and
		(.delivery.findings[0] | test(\"greet.lab.test: the IPv6 session with \\\\[2001:db8:200::61\\\\]:25 failed after connecting \\\\(the greeting was 421 4.7.0 Try again later\")))' '$TMP/ex_greet'"
deliver ex_policy policy.lab.test --maillog "$MAINLOG"
check "Exim, 550-5.7.1 over IPv6 at RCPT (its log: ** with the five-line reply): REFUSED OVER IPv6 first, class PTR/authentication, IPv4 never tried; MAIL STUCK (exit 2); ways out for Exim (the source's PTR, or that domain over IPv4 only)" \
	"$TMP/ex_policy" "$TMP/ex_policy.err" -- bash -c "test \$(cat '$TMP/ex_policy.rc') = 2 &&
	grep -q '\*\* u@policy.lab.test R=dnslookup T=remote_smtp H=mx-policy.lab.test \[2001:db8:200::60\]:25: SMTP error from remote mail server after RCPT TO:<u@policy.lab.test>: 550-5.7.1' '$MAINLOG' &&
	jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"stuck\" and .delivery.refused_over_one_family == 1 and
		(.delivery.findings[0] | test(\"policy.lab.test: REFUSED OVER IPv6: mx-policy.lab.test\\\\[2001:db8:200::60\\\\] answered RCPT TO with 550 5.7.1 \\\\(policy on the source.s reverse DNS\")) and
		(.delivery.ways_out | contains(\"give 2001:db8:100::1 a PTR\") and contains(\"over IPv4 only\"))' '$TMP/ex_policy'"

# A check that saw nothing cannot conform.
scripts/lab-exim run timeout 30 "$FT" check --exim "$CONF" -- true >"$TMP/ex_none" 2>&1
echo $? >"$TMP/ex_none.rc"
check "check --exim with a command that delivers nothing: NOTHING OBSERVED, exit 3 (UNKNOWN)" "$TMP/ex_none" -- bash -c "
	test \$(cat '$TMP/ex_none.rc') = 3 && grep -q 'verdict:    NOTHING OBSERVED' '$TMP/ex_none'"
"$FT" check --exim /nonexistent.conf -d 1 >/dev/null 2>"$TMP/ex_bad"
echo $? >"$TMP/ex_bad.rc"
check "check --exim of a configuration Exim cannot read: exit 3 (UNKNOWN) and why" "$TMP/ex_bad" -- bash -c "
	test \$(cat '$TMP/ex_bad.rc') = 3 && grep -q 'exim -bP -C /nonexistent.conf failed' '$TMP/ex_bad'"

scripts/lab-exim down >/dev/null 2>&1
check "lab-exim down stops the daemon it started" -- bash -c "! test -d '$LAB_DIR/exim'"
summary
