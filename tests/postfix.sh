#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/postfix.sh - end to end with real Postfix instances and dnsmasq
# (scripts/lab): every delivery traced and compared, attempt by attempt, with
# Postfix's own log; `famtrace check`; and `make demo`.
# Postfix is Debian's package unpacked privately (scripts/lab-postfix), never
# installed: the area runs where it looks installed.
[ -n "${FT_POSTFIX_META:-}" ] || exec "$(dirname "$0")/../scripts/lab-postfix" run bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
PROMTOOL_DIR=$(private_tool promtool prometheus promtool) && PATH=$PROMTOOL_DIR:$PATH
need_root dnsmasq postfix postconf promtool
# ------------------------------------------------------- Postfix lab (end to end)
# A relay and MX hosts with real Postfix instances and dnsmasq (scripts/lab).
# Each delivery is traced by famtrace and compared, attempt by attempt, with
# Postfix's own log of the same delivery: the ground truth.
RLOG=$LAB_DIR/relay/log/maillog
master() { head -1 "$LAB_DIR/relay/queue/pid/master.pid" | tr -d ' '; }

# from_log FILE FROM_LINE: the attempts Postfix logged, as JSON [{"addr","result"}].
from_log() {
	tail -n +"$2" "$1" | sed -n \
		-e '/status=\(deferred\|bounced\)/d' \
		-e 's/.*connect to [^[]*\[\([^]]*\)\]:[0-9]*: Network is unreachable.*/{"addr":"\1","result":"net_unreachable"}/p' \
		-e 's/.*connect to [^[]*\[\([^]]*\)\]:[0-9]*: Connection timed out.*/{"addr":"\1","result":"abandoned"}/p' \
		-e 's/.*connect to [^[]*\[\([^]]*\)\]:[0-9]*: Connection refused.*/{"addr":"\1","result":"refused"}/p' \
		-e 's/.*relay=[^[]*\[\([^]]*\)\]:[0-9]*,.*status=sent.*/{"addr":"\1","result":"connected"}/p' | jq -s -c .
}
# deliver NAME DOMAIN [OPTIONS]: trace the relay while it delivers to u@DOMAIN.
deliver() {
	local name=$1 domain=$2 from
	shift 2
	from=$(($(wc -l <"$RLOG") + 1))
	live "$name" -p "$(master)" "$@"
	scripts/lab send "$domain" 20 >"$TMP/$name.lab" 2>&1
	stop_live "$name"
	from_log "$RLOG" "$from" >"$TMP/$name.truth"
	jq -s -c '[.[] | select(.type=="attempt" and .comm=="smtp")] | sort_by(.start_ns) |
		map({addr: .daddr, result: .result})' "$TMP/$name" >"$TMP/$name.seen"
}

if scripts/lab up >"$TMP/lab.log" 2>&1; then
	ok "lab up: relay and MX Postfix instances, dnsmasq"

	scripts/lab scenario noroute >/dev/null
	deliver pf_noroute dual.lab.test
	check "Postfix, no IPv6 route: attempts match Postfix's log" "$TMP/pf_noroute.truth" "$TMP/pf_noroute.seen" -- \
		same_as_log pf_noroute
	check "Postfix, no IPv6 route: IPv6 fails at once, IPv4 delivers, fallback reported" "$TMP/pf_noroute" -- jqs "$TMP/pf_noroute" '
		map(select(.type=="group" and .comm=="smtp")) | length == 1 and .[0].class == "fallback" and
		.[0].destination == "dual.lab.test" and .[0].mx_pref == 10 and
		(.[0].attempts | map(.result)) == ["net_unreachable", "connected"] and .[0].time_lost_ms < 1000'

	scripts/lab scenario blackhole >/dev/null
	deliver pf_hole dual.lab.test -o "$TMP/pf_hole.ftr" --metrics "$TMP/pf_hole.prom"
	check "Postfix, IPv6 SYNs dropped: attempts match Postfix's log" "$TMP/pf_hole.truth" "$TMP/pf_hole.seen" -- \
		same_as_log pf_hole
	check "Postfix, IPv6 SYNs dropped in another namespace (the network, not this host's firewall): abandoned after smtp_connect_timeout, cost about 2 s, never 'dropped here'" "$TMP/pf_hole" -- jqs "$TMP/pf_hole" '
		map(select(.type=="group" and .comm=="smtp")) | length == 1 and .[0].class == "fallback" and
		.[0].attempts[0].result == "abandoned" and .[0].attempts[0].dropped_here == false and
		.[0].time_lost_ms >= 1950 and .[0].time_lost_ms < 3500'

	# check -- CMD where CMD returns before the delivery (sendmail only
	# queues it): check waits for the smtp client, which pays the 2 s
	# connect timeout over IPv6 and then delivers over IPv4. Judging when
	# sendmail returned would read the attempt still connecting as stuck mail.
	timeout 150 "$FT" check -j --postfix "$LAB_DIR/relay/etc" -- sh -c 'printf "Subject: settle\n\nhello\n" |
		ip netns exec "${LAB}relay" sendmail -C "$LAB_DIR/relay/etc" -f lab@lab.test u@dual.lab.test' \
		>"$TMP/ck_settle" 2>"$TMP/ck_settle.err"; rc=$?
	check "check -- sendmail (returns before the delivery): waits for it; the fallback after the 2 s timeout is DEGRADED (exit $rc, 1), not MAIL STUCK" \
		"$TMP/ck_settle" "$TMP/ck_settle.err" -- bash -c "test $rc = 1 && jq -e -s '.[-1] |
		.verdict == \"degraded\" and .tried_ipv6 == 1 and .tried_ipv4 == 1 and .fallbacks == 1 and
		.abandoned == 1 and .fallback_time_lost_ms >= 1950' '$TMP/ck_settle'"

	# Post-incident: the recording, copied elsewhere, tells the same story.
	mkdir -p "$TMP/elsewhere" && cp "$TMP/pf_hole.ftr" "$TMP/elsewhere/incident.ftr"
	(cd "$TMP/elsewhere" && "$FT" report -j incident.ftr >incident.jsonl 2>incident.err)
	check "Postfix incident recording, copied elsewhere: report is identical to the live run" \
		"$TMP/elsewhere/incident.err" -- bash -c "
		diff '$TMP/pf_hole' '$TMP/elsewhere/incident.jsonl' &&
		jq -e -s 'map(select(.type==\"group\" and .class==\"fallback\")) | length == 1' '$TMP/pf_hole'"
	check "Postfix incident metrics: promtool accepts them; the fallback and its cost are counted" \
		"$TMP/pf_hole.prom" -- bash -c "
		promtool check metrics <'$TMP/pf_hole.prom' &&
		grep -q '^famtrace_destinations_total{comm=\"smtp\",class=\"fallback\"} 1\$' '$TMP/pf_hole.prom' &&
		grep -q '^famtrace_connect_attempts_total{comm=\"smtp\",family=\"ipv6\",result=\"abandoned\"} 1\$' '$TMP/pf_hole.prom' &&
		grep -q '^famtrace_fallback_cost_seconds_bucket{from_family=\"ipv6\",le=\"1\"} 0\$' '$TMP/pf_hole.prom' &&
		grep -q '^famtrace_fallback_cost_seconds_bucket{from_family=\"ipv6\",le=\"5\"} 1\$' '$TMP/pf_hole.prom' &&
		grep -q '^famtrace_lookups_total{type=\"MX\",result=\"ok\"} [1-9]' '$TMP/pf_hole.prom' &&
		grep -q '^famtrace_events_lost_total 0\$' '$TMP/pf_hole.prom'"

	deliver pf_mixed mixed.lab.test
	check "Postfix, mixed-family MX set: attempts match Postfix's log" "$TMP/pf_mixed.truth" "$TMP/pf_mixed.seen" -- \
		same_as_log pf_mixed
	check "Postfix, mixed-family MX set: MX answer, hosts tried in MX order, fallback across MX hosts" "$TMP/pf_mixed" -- jqs "$TMP/pf_mixed" '
		(map(select(.type=="lookup" and .qtype=="MX" and .name=="mixed.lab.test")) | length == 1 and
		 (.[0].answers | map(.pref) | sort) == [10, 20, 30]) and
		(map(select(.type=="attempt" and .comm=="smtp")) | sort_by(.start_ns) | map(.name)) ==
		 ["mx-v6.lab.test", "mx-v4.lab.test"] and
		(map(select(.type=="group" and .comm=="smtp"))[0] | .destination == "mixed.lab.test" and .class == "fallback")'

	scripts/lab scenario noroute >/dev/null
	timeout 60 "$FT" check -v --postfix "$LAB_DIR/relay/etc" -- \
		sh -c 'scripts/lab send mixed.lab.test 20 >/dev/null' >"$TMP/pf_mxtext" 2>&1
	check "text report of a mixed-family MX set: hosts by preference, families, tried and how it ended, or why not" "$TMP/pf_mxtext" -- \
		grep -q 'MX hosts: 10 mx-v6.lab.test (IPv6, tried: net unreachable), 20 mx-v4.lab.test (IPv4, tried: connected), 30 mx-dual.lab.test (IPv4+IPv6, not tried: a more preferred host took the mail)' "$TMP/pf_mxtext"

	# The incident famtrace exists for: wide.lab.test has four MX hosts of equal
	# preference, each with one A and four AAAA records; the relay has no IPv6
	# route. With smtp_balance_inet_protocols = no, the 5 addresses Postfix
	# keeps (smtp_mx_address_limit) are all IPv6: each fails at once, IPv4 is
	# never tried, the message is deferred. check must not say CONFORMS.
	scripts/lab scenario nobalance >/dev/null
	from=$(($(wc -l <"$RLOG") + 1))
	timeout 60 "$FT" check -j -v --postfix "$LAB_DIR/relay/etc" -- \
		sh -c 'scripts/lab send wide.lab.test 20 >/dev/null' >"$TMP/wide" 2>"$TMP/wide.err"
	echo $? >"$TMP/wide.rc"
	from_log "$RLOG" "$from" >"$TMP/wide.truth"
	jq -s -c '[.[] | select(.type=="attempt" and .comm=="smtp")] | sort_by(.start_ns) |
		map({addr: .daddr, result: .result})' "$TMP/wide" >"$TMP/wide.seen"
	same_as_log wide >/dev/null 2>&1; sal=$?
	check "incident MX set, balancing off: Postfix deferred after 5 IPv6 failures, famtrace's attempts match its log" \
		"$TMP/wide.truth" "$TMP/wide.seen" -- bash -c "test $sal = 0 && tail -n +$from '$RLOG' | grep -q 'status=deferred' &&
		jq -e 'length == 5 and all(.[]; .result == \"net_unreachable\" and (.addr | contains(\":\")))' '$TMP/wide.seen'"
	check "incident, balancing off: check says MAIL STUCK (exit 2, CRITICAL), names smtp_mx_address_limit filled by IPv6 with balancing off, and the ways out" \
		"$TMP/wide" "$TMP/wide.err" -- bash -c "test \$(cat '$TMP/wide.rc') = 2 &&
		jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"stuck\" and .delivery.stuck == 1 and
		 .delivery.limit_decided == 1 and .settings.smtp_mx_address_limit == \"5\" and
		 (.delivery.findings | map(select(contains(\"smtp_mx_address_limit = 5 was filled by IPv6 addresses; smtp_balance_inet_protocols = no\"))) | length == 1) and
		 (.delivery.ways_out | contains(\"smtp_balance_inet_protocols = yes\"))' '$TMP/wide'"
	check "incident, balancing off: one group for the MX set, its never-tried list holds the 4 IPv4 addresses only, no port-0 group" \
		"$TMP/wide" -- jqs "$TMP/wide" '
		(map(select(.type=="group" and .comm=="smtp")) | length == 1) and
		(map(select(.type=="group" and .comm=="smtp"))[0] | .class == "no_fallback" and
		 .destination == "wide.lab.test" and .untried_family == "ipv4" and
		 (.untried | map(.addr) | sort) == ["203.0.113.41", "203.0.113.42", "203.0.113.43", "203.0.113.44"] and
		 (.offered | length) == 20) and
		(map(select(.type=="group" and .dport==0)) | length == 0)'

	# The healthy counterpart: balancing on keeps IPv4 within the limit; the
	# message leaves after 3 IPv6 failures. Mail leaves, so not stuck; IPv6 is
	# configured but unusable, so not CONFORMS either.
	scripts/lab scenario noroute >/dev/null
	timeout 60 "$FT" check -j -v --postfix "$LAB_DIR/relay/etc" -- \
		sh -c 'scripts/lab send wide.lab.test 20 >/dev/null' >"$TMP/wideb" 2>"$TMP/wideb.err"
	echo $? >"$TMP/wideb.rc"
	check "incident MX set, balancing on: fallback to IPv4 after the IPv6 failures; DEGRADED (exit 1, WARNING), balancing named" \
		"$TMP/wideb" "$TMP/wideb.err" -- bash -c "test \$(cat '$TMP/wideb.rc') = 1 &&
		jq -e -s '(map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and .delivery.stuck == 0 and
		 .delivery.unusable_families == 1 and
		 (.delivery.findings | map(select(contains(\"kept both families within smtp_mx_address_limit = 5\"))) | length == 1)) and
		 (map(select(.type==\"group\" and .comm==\"smtp\")) | length == 1 and .[0].class == \"fallback\" and
		  .[0].first_family == \"ipv6\" and .[0].connected_family == \"ipv4\")' '$TMP/wideb'"

	# A deferred message retried (postqueue -f): two delivery lines under one
	# queue ID, each joined to its own group of attempts.
	scripts/lab scenario nobalance >/dev/null
	sleep 1.5
	from=$(($(wc -l <"$RLOG") + 1))
	live pf_retry -p "$(master)" --maillog "$RLOG"
	scripts/lab send wide.lab.test 20 >/dev/null 2>&1
	sleep 2.5 # beyond the group gap: the retry is a new destination group
	ip netns exec "${LAB}relay" postqueue -c "$LAB_DIR/relay/etc" -f
	wait_for 15 eval "test \$(tail -n +$from '$RLOG' | grep -c 'to=<u@wide.lab.test>.*status=deferred') -ge 2"
	stop_live pf_retry
	rqid=$(tail -n +"$from" "$RLOG" | sed -n 's/.*smtp\[[0-9]*\]: \([0-9A-F]*\): to=<u@wide.lab.test>.*status=deferred.*/\1/p' | head -1)
	[ -n "$rqid" ] && postsuper -c "$LAB_DIR/relay/etc" -d "$rqid" >/dev/null 2>&1
	check "--maillog, a deferred message retried: two delivery lines under one queue ID ($rqid), each joined to its own no-fallback group" \
		"$TMP/pf_retry" "$TMP/pf_retry.err" -- jqs "$TMP/pf_retry" '
		map(select(.type=="message" and .queue_id=="'"$rqid"'")) | length == 1 and
		(.[0].deliveries | length == 2 and all(.status == "deferred" and .dsn == "4.4.1" and
		 .class == "no_fallback" and .family_problem) and .[0].group != .[1].group and
		 .[0].group != null and .[1].group != null)'

	scripts/lab scenario ipv4only >/dev/null
	from=$(($(wc -l <"$RLOG") + 1))
	timeout 60 "$FT" check -j --postfix "$LAB_DIR/relay/etc" -- sh -c 'scripts/lab send dual.lab.test 20 >/dev/null' \
		>"$TMP/ck4" 2>"$TMP/ck4.err"
	echo $? >"$TMP/ck4.rc"
	check "check, inet_protocols = ipv4: no AAAA, no IPv6, conforms (exit 0)" "$TMP/ck4" "$TMP/ck4.err" -- bash -c "
		test \$(cat '$TMP/ck4.rc') = 0 && jq -e -s '.[-1] | .type == \"check\" and .verdict == \"conforms\" and
		.asked_ipv6 == 0 and .tried_ipv6 == 0 and .asked_ipv4 > 0 and .tried_ipv4 == 1' '$TMP/ck4'"
	# Verdicts from absence: an IPv4-only relay and a domain whose only MX
	# host has AAAA records only. Postfix asks MX, then A (NODATA), never
	# AAAA, tries nothing, and bounces: conforming, and the mail cannot leave.
	from=$(($(wc -l <"$RLOG") + 1))
	timeout 60 "$FT" check -j -v --postfix "$LAB_DIR/relay/etc" -- sh -c 'scripts/lab send v6only.lab.test 20 >/dev/null' \
		>"$TMP/ck4v6" 2>"$TMP/ck4v6.err"
	echo $? >"$TMP/ck4v6.rc"
	check "inet_protocols = ipv4, IPv6-only MX host: Postfix bounces, and so does its notice to lab.test (no MX, no A); check says MAIL STUCK (exit 2): no usable address, IPv6 never asked, the setting and the way out named" \
		"$TMP/ck4v6" "$TMP/ck4v6.err" -- bash -c "test \$(cat '$TMP/ck4v6.rc') = 2 &&
		tail -n +$from '$RLOG' | grep -q 'status=bounced' &&
		jq -e -s '(map(select(.type==\"group\" and .comm==\"smtp\" and .destination == \"v6only.lab.test\")) | length == 1 and
		  .[0].class == \"no_usable_address\" and .[0].asked_families == [\"ipv4\"] and .[0].never_asked == [\"ipv6\"]) and
		 (map(select(.type==\"group\" and .comm==\"smtp\" and .destination == \"lab.test\")) | length == 1 and
		  .[0].class == \"no_usable_address\" and .[0].mx_domain == null) and
		 (map(select(.type==\"check\"))[0] | .verdict == \"stuck\" and
		  (.delivery.findings | map(select(contains(\"v6only.lab.test: its MX hosts gave no address in IPv4, the only family asked; IPv6 was never asked (inet_protocols = ipv4)\"))) | length == 1) and
		  (.delivery.findings | map(select(contains(\"lab.test: no MX records, and the domain itself gave no address in IPv4\"))) | length == 1) and
		  (.delivery.ways_out | contains(\"inet_protocols = all\")))' '$TMP/ck4v6'"
	# Each MX host's fate from an IPv4-only relay: the IPv6-only first host
	# asked A only (nothing), the second delivers, the third never needed.
	deliver pf_mx4 mixed.lab.test
	check "MX hosts from an IPv4-only relay: each with its fate (no address in the family asked, IPv6 never asked; tried; a more preferred host took the mail)" \
		"$TMP/pf_mx4" -- jqs "$TMP/pf_mx4" '
		map(select(.type=="group" and .comm=="smtp" and .destination=="mixed.lab.test"))[0].mx_hosts |
		length == 3 and
		(.[0] | .pref == 10 and .host == "mx-v6.lab.test" and .looked_up and .asked == ["ipv4"] and
		 .families == [] and (.tried | not) and .why_not == "no address in the families asked") and
		(.[1] | .host == "mx-v4.lab.test" and .families == ["ipv4"] and .tried and .why_not == null) and
		(.[2] | .host == "mx-dual.lab.test" and (.tried | not) and .why_not == "a more preferred host took the mail")'
	# The issue's MX set: the first host refuses, the second has only IPv6
	# (never asked by an IPv4-only relay), the third delivers.
	deliver pf_mxr refuse.lab.test -o "$TMP/pf_mxr.ftr"
	same_as_log pf_mxr >"$TMP/pf_mxr.diff" 2>&1; sal=$?
	check "MX hosts: the first refuses, the second has only the family never asked, the third delivers; attempts as Postfix logged them" \
		"$TMP/pf_mxr" "$TMP/pf_mxr.diff" -- bash -c "test $sal = 0 && jq -e -s '
		map(select(.type==\"group\" and .comm==\"smtp\" and .destination==\"refuse.lab.test\"))[0] |
		.class == \"retried_same_family\" and (.mx_hosts | length == 3 and
		(.[0] | .host == \"mx-refuse.lab.test\" and .families == [\"ipv4\"] and .tried and .result == \"refused\") and
		(.[1] | .host == \"mx-v6.lab.test\" and .asked == [\"ipv4\"] and .families == [] and (.tried | not) and
		 .why_not == \"no address in the families asked\" and .result == null) and
		(.[2] | .host == \"mx-v4.lab.test\" and .tried and .result == \"connected\" and .why_not == null))' '$TMP/pf_mxr'"
	"$FT" report "$TMP/pf_mxr.ftr" >"$TMP/pf_mxr.txt" 2>&1
	check "MX hosts in text: 10 mx-refuse tried: refused, 20 mx-v6 IPv6 never asked, 30 mx-v4 tried: connected" \
		"$TMP/pf_mxr.txt" -- grep -q 'MX hosts: 10 mx-refuse.lab.test (IPv4, tried: refused), 20 mx-v6.lab.test (asked IPv4: no address; IPv6 never asked), 30 mx-v4.lab.test (IPv4, tried: connected)' "$TMP/pf_mxr.txt"

	# Messages from the MTA's own log (--maillog): the bounce, and its notice
	# to the sender's domain (lab.test: no MX and no A record, only the
	# relay's own names), each joined to what famtrace saw behind it.
	# (Postfix logs whole seconds: the previous test's lines must be older.)
	sleep 1.5
	from=$(($(wc -l <"$RLOG") + 1))
	live pf_msg -p "$(master)" --maillog "$RLOG" -o "$TMP/pf_msg.ftr" --metrics "$TMP/pf_msg.prom"
	scripts/lab send v6only.lab.test 20 >"$TMP/pf_msg.lab" 2>&1
	wait_for 10 eval "tail -n +$from '$RLOG' | grep -q 'to=<lab@lab.test>.*status='"
	stop_live pf_msg
	qid=$(jq -r -s 'map(select(.type=="message" and .notice_of == null))[0].queue_id // "none"' "$TMP/pf_msg")
	check "--maillog: the bounced message ($qid) with Postfix's status and DSN, joined to the group behind it (no usable address)" \
		"$TMP/pf_msg" "$TMP/pf_msg.err" -- jqs "$TMP/pf_msg" '
		(map(select(.type=="group" and .class=="no_usable_address" and .destination=="v6only.lab.test"))[0]) as $g |
		map(select(.type=="message" and .notice_of == null)) | length == 1 and
		.[0].from == "lab@lab.test" and .[0].notice != null and
		(.[0].deliveries | length == 1 and .[0].to == "u@v6only.lab.test" and .[0].status == "bounced" and
		 .[0].dsn == "5.4.4" and .[0].relay == null and .[0].group == $g.group and .[0].pid == $g.pid and
		 .[0].class == "no_usable_address" and .[0].family_problem)'
	check "--maillog: the bounce notice is linked to its message by queue ID, and its own delivery failed the same way" \
		"$TMP/pf_msg" -- jqs "$TMP/pf_msg" '
		(map(select(.type=="message" and .notice_of == null))[0]) as $m |
		map(select(.type=="message" and .notice_of == $m.queue_id)) | length == 1 and
		.[0].queue_id == $m.notice and .[0].from == "" and
		(.[0].deliveries[0] | .to == "lab@lab.test" and .status == "bounced" and .class == "no_usable_address" and
		 .family_problem)'
	check "--maillog metrics: both bounces counted as deliveries with a family problem; promtool accepts them" \
		"$TMP/pf_msg.prom" -- bash -c "promtool check metrics <'$TMP/pf_msg.prom' &&
		grep -q '^famtrace_message_deliveries_total{status=\"bounced\",family_problem=\"true\"} 2\$' '$TMP/pf_msg.prom' &&
		grep -q '^famtrace_message_deliveries_total{status=\"sent\",family_problem=\"false\"} 0\$' '$TMP/pf_msg.prom'"
	# Asked by message, after the incident: the recording and the log.
	"$FT" report --maillog "$RLOG" --queue-id "$qid" "$TMP/pf_msg.ftr" >"$TMP/pf_qid" 2>"$TMP/pf_qid.err"; rc=$?
	check "report --queue-id: the message, its delivery's lookups and verdict, and the notice beneath it" \
		"$TMP/pf_qid" "$TMP/pf_qid.err" -- bash -c "test $rc = 0 &&
		grep -q '^$qid from <lab@lab.test>' '$TMP/pf_qid' &&
		grep -q 'to <u@v6only.lab.test>: bounced 5.4.4' '$TMP/pf_qid' &&
		grep -q 'v6only.lab.test (MX) port 25: NO USABLE ADDRESS: asked IPv4 only, got none; IPv6 never asked' '$TMP/pf_qid' &&
		grep -q '    non-delivery notice .* from <>' '$TMP/pf_qid' &&
		grep -q 'lab.test port 25: NO USABLE ADDRESS' '$TMP/pf_qid' &&
		test \$(grep -c '^[0-9A-F]* from <' '$TMP/pf_qid') = 1 && ! grep -q '^smtp\[' '$TMP/pf_qid'"
	# What a postmaster reads at a terminal: folded to 100 columns, the same words.
	env -u COLUMNS "$FT" report -v --maillog "$RLOG" "$TMP/pf_msg.ftr" >"$TMP/pf_fold" 2>&1
	"$FT" report -v --wide --maillog "$RLOG" "$TMP/pf_msg.ftr" >"$TMP/pf_wide" 2>&1
	check "report of the incident with Postfix's log fits 100 columns (wider unfolded) and says what --wide says" \
		"$TMP/pf_fold" -- bash -c "$(declare -f fits same_words)
		fits 100 '$TMP/pf_fold' && ! fits 100 '$TMP/pf_wide' && same_words '$TMP/pf_fold' '$TMP/pf_wide'"
	"$FT" report -j --maillog "$RLOG" --domain v6only.lab.test "$TMP/pf_msg.ftr" >"$TMP/pf_dom" 2>/dev/null
	"$FT" report -j --maillog "$RLOG" --recipient nobody@nowhere.lab.test "$TMP/pf_msg.ftr" >"$TMP/pf_none" 2>/dev/null
	check "report --domain selects the message and its notice; --recipient of nobody selects none; no other objects" \
		"$TMP/pf_dom" "$TMP/pf_none" -- bash -c "
		jq -e -s 'map(select(.type==\"message\")) | (map(.queue_id) | index(\"$qid\")) != null and
			all(.deliveries[0].to == \"u@v6only.lab.test\" or .notice_of != null) and
			(map(select(.notice_of == \"$qid\")) | length) == 1' '$TMP/pf_dom' &&
		jq -e -s 'map(.type) | unique == [\"message\", \"summary\"]' '$TMP/pf_dom' &&
		jq -e -s 'map(select(.type==\"message\")) | length == 0' '$TMP/pf_none'"
	# Followed across \`postfix logrotate\` (renamed, compressed, recreated).
	scripts/lab scenario good >/dev/null
	live pf_rot -p "$(master)" --maillog "$RLOG"
	{
		scripts/lab send dual.lab.test 20 || echo "first send: exit $?"
		ip netns exec "${LAB}relay" postfix -c "$LAB_DIR/relay/etc" logrotate || echo "logrotate: exit $?"
		scripts/lab send dual.lab.test 20 || echo "second send: exit $?"
		ls -l "$LAB_DIR/relay/log"
	} >"$TMP/pf_rot.steps" 2>&1
	stop_live pf_rot
	check "--maillog followed across postfix logrotate: both messages sent, each joined to its connected group" \
		"$TMP/pf_rot.steps" "$TMP/pf_rot" "$TMP/pf_rot.err" -- jqs "$TMP/pf_rot" '
		map(select(.type=="message")) | length == 2 and
		all(.deliveries[0] | .status == "sent" and .relay == "mx-dual.lab.test" and .class == "connected_first" and
		    (.family_problem | not))'
	ls "$LAB_DIR"/relay/log/maillog.*.gz >/dev/null 2>&1 && gz=yes || gz=no
	logs=(--maillog "$RLOG")
	for f in "$LAB_DIR"/relay/log/maillog.*.gz; do [ -e "$f" ] && logs+=(--maillog "$f"); done
	"$FT" report -j "${logs[@]}" "$TMP/pf_msg.ftr" >"$TMP/pf_gz" 2>"$TMP/pf_gz.err"
	check "report reads rotated, gzip-compressed logs beside the current one (rotated: $gz)" "$TMP/pf_gz" "$TMP/pf_gz.err" -- bash -c "
		test $gz = yes && jq -e -s 'map(select(.type==\"message\" and .queue_id==\"$qid\")) | length == 1' '$TMP/pf_gz'"
	scripts/lab scenario ipv4only >/dev/null

	# main.cf may say inet_protocols = $name: postconf -x expands it as Postfix does.
	postconf -c "$LAB_DIR/relay/etc" -e 'famtrace_test_protocols = ipv4' \
		'inet_protocols = $famtrace_test_protocols'
	timeout 60 "$FT" check -j --postfix "$LAB_DIR/relay/etc" -- sh -c 'scripts/lab send dual.lab.test 20 >/dev/null' \
		>"$TMP/ckx" 2>"$TMP/ckx.err"; rc=$?
	postconf -c "$LAB_DIR/relay/etc" -e 'inet_protocols = ipv4'
	postconf -c "$LAB_DIR/relay/etc" -X famtrace_test_protocols
	check "check reads inet_protocols = \$name expanded (postconf -x): conforms, exit 0" "$TMP/ckx" "$TMP/ckx.err" -- bash -c "
		test $rc = 0 && jq -e -s '.[-1] | .verdict == \"conforms\" and .expected_families == [\"ipv4\"]' '$TMP/ckx'"

	# A route over one family, the way postmasters make one: transport_maps
	# sends a domain to a master.cf service whose -o overrides change what
	# check judges by. Postfix honours them (IPv4 only, sent); check judges
	# that smtp process by them, not by main.cf's preference for IPv6. The
	# reload makes the first check see the service's smtp start (exec); the
	# second finds it already running.
	scripts/lab scenario good >/dev/null
	postconf -c "$LAB_DIR/relay/etc" -M 'smtp4b/unix=smtp4b unix - - n - - smtp -o smtp_address_preference=ipv4' \
		'smtp4/unix=smtp4 unix - - n - - smtp -o inet_protocols=ipv4'
	postconf -c "$LAB_DIR/relay/etc" -e 'transport_maps = inline:{ dual.lab.test=smtp4b:, mixed.lab.test=smtp4: }'
	ip netns exec "${LAB}relay" postfix -c "$LAB_DIR/relay/etc" reload >/dev/null 2>&1
	sleep 1
	for n in 1 2; do
		for d in dual mixed; do
			timeout 150 "$FT" check -j --postfix "$LAB_DIR/relay/etc" -- sh -c "scripts/lab send $d.lab.test 20 >/dev/null" \
				>"$TMP/svc_$d$n" 2>"$TMP/svc_$d$n.err"
			echo $? >"$TMP/svc_$d$n.rc"
		done
	done
	postconf -c "$LAB_DIR/relay/etc" -X transport_maps
	postconf -c "$LAB_DIR/relay/etc" -MX smtp4b/unix smtp4/unix
	ip netns exec "${LAB}relay" postfix -c "$LAB_DIR/relay/etc" reload >/dev/null 2>&1
	svc_ok() { # FILE SERVICE OVERRIDE
		test "$(cat "$1.rc")" = 0 && jq -e -s --arg s "$2" --arg o "$3" '.[-1] | .verdict == "conforms" and
			.tried_ipv4 == 1 and .tried_ipv6 == 0 and (.services | length == 1 and .[0].service == $s and
			.[0].overrides == $o)' "$1"
	}
	check "transport_maps to master.cf services with -o smtp_address_preference=ipv4 / -o inet_protocols=ipv4: each smtp judged by its overrides, CONFORMS (exit 0), started during the check or already running" \
		"$TMP/svc_dual1" "$TMP/svc_mixed1" "$TMP/svc_dual2" -- bash -c "$(declare -f svc_ok)
		svc_ok '$TMP/svc_dual1' smtp4b '-o smtp_address_preference=ipv4' &&
		svc_ok '$TMP/svc_mixed1' smtp4 '-o inet_protocols=ipv4' &&
		svc_ok '$TMP/svc_dual2' smtp4b '-o smtp_address_preference=ipv4' &&
		svc_ok '$TMP/svc_mixed2' smtp4 '-o inet_protocols=ipv4'"
	scripts/lab scenario ipv4only >/dev/null

	# A provider that drops outbound port 25 over IPv4 (an nftables rule in
	# the relay's namespace), no IPv6 route, IPv4 preferred: every IPv4
	# attempt to port 25 goes unanswered at both IPv4 MX hosts of
	# mixed.lab.test while IPv4 DNS answers. Postfix's status names IPv6's
	# error; famtrace names the block, and check's ways out never say "stop
	# using IPv6 (inet_protocols = ipv4)", which would not help.
	scripts/lab scenario noroute >/dev/null
	postconf -c "$LAB_DIR/relay/etc" -e 'smtp_address_preference = ipv4'
	ip netns exec "${LAB}relay" nft -f - <<-'EOF'
		table inet ftblock {
			chain out { type filter hook output priority 0; ip daddr 203.0.113.0/24 tcp dport 25 counter drop; }
		}
	EOF
	timeout 150 "$FT" check -j -v --maillog "$RLOG" --postfix "$LAB_DIR/relay/etc" -- sh -c 'scripts/lab send mixed.lab.test 30 >/dev/null' \
		>"$TMP/egress" 2>"$TMP/egress.err"
	echo $? >"$TMP/egress.rc"
	drops=$(ip netns exec "${LAB}relay" nft list table inet ftblock 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
	ip netns exec "${LAB}relay" nft delete table inet ftblock
	check "IPv4 port 25 dropped by an nftables rule on the relay ($drops SYNs dropped, by its counter), IPv6 unrouted: the drops seen by the kernel's drop reason, 'outbound port 25 over IPv4 is dropped by this host's firewall' at both hosts while IPv4 DNS answered, first; Postfix's status names only IPv6's error, and check says IPv4 failed too; MAIL STUCK (exit 2: nothing left to try); ways out remove the rule or use a relay on 587, never inet_protocols = ipv4; IPv6 first is no violation of smtp_address_preference = ipv4 (the most preferred MX host has only IPv6)" \
		"$TMP/egress" "$TMP/egress.err" -- bash -c "test \$(cat '$TMP/egress.rc') = 2 && test '${drops:-0}' -gt 0 &&
		jq -e -s '(map(select(.type==\"summary\"))[0].port25_blocked | length == 1 and .[0].family == \"ipv4\" and
			.[0].hosts == 2 and .[0].dropped_here == .[0].attempts and (.[0].works | startswith(\"the nameserver 203.0.113.53 answered DNS\"))) and
		(map(select(.type==\"check\"))[0] | .verdict == \"stuck\" and (.evidence | length == 0) and
			(.delivery.findings[0] | test(\"^IPv4: outbound port 25 is dropped by this host.s firewall: netfilter dropped the SYNs of all\")) and
			(.delivery.findings | map(select(test(\"mixed.lab.test.*all [0-9]+ attempt.*the mail did not leave\"))) | length == 1) and
			(.delivery.findings | map(select(test(\"mixed.lab.test: the MTA.s status for [0-9A-F]+ names IPv6.s error only; IPv4 failed too \\\\([0-9]+ attempt\\\\(s\\\\), the last abandoned\\\\)\"))) | length == 1) and
			(.delivery.ways_out | contains(\"remove or narrow the rule on this host that drops outbound TCP port 25 over IPv4\") and contains(\"port 587\") and
			 (contains(\"inet_protocols = ipv4\") | not)))' '$TMP/egress'"
	postconf -c "$LAB_DIR/relay/etc" -X smtp_address_preference
	scripts/lab scenario ipv4only >/dev/null

	# After the handshake: MX hosts that answer by the client's family
	# (tests/clients/smtpmx, its sessions in smtpmx.log). IPv6 routed and
	# preferred. mx-greet greets IPv6 clients with 421: Postfix logs
	# "refused to talk to me" and delivers over IPv4 in the same delivery, a
	# fallback after the handshake (one group, never "first tried IPv4").
	scripts/lab scenario good >/dev/null
	sleep 1.1 # Postfix logs whole seconds: earlier lines must be older
	from=$(($(wc -l <"$RLOG") + 1)); mxfrom=$(($(wc -l <"$LAB_DIR/smtpmx.log") + 1))
	timeout 150 "$FT" check -j -v --maillog "$RLOG" --postfix "$LAB_DIR/relay/etc" -- \
		sh -c 'scripts/lab send greet.lab.test 20 >/dev/null' >"$TMP/greet" 2>"$TMP/greet.err"
	echo $? >"$TMP/greet.rc"
	tail -n +"$from" "$RLOG" >"$TMP/greet.log"; tail -n +"$mxfrom" "$LAB_DIR/smtpmx.log" >"$TMP/greet.mx"
	check "421 greeting over IPv6 (the MX's log: greeted IPv6 with 421, took the mail over IPv4; Postfix's: refused to talk to me, sent): one group, a fallback IPv6 -> IPv4 whose IPv6 session failed; check DEGRADED (exit 1), the 421 quoted, no VIOLATION; the sources' reverse DNS asked in the relay's namespace (IPv4: PTR, FCrDNS, HELO name; IPv6: none)" \
		"$TMP/greet" "$TMP/greet.err" "$TMP/greet.log" "$TMP/greet.mx" -- bash -c "test \$(cat '$TMP/greet.rc') = 1 &&
		grep -q '^2526 ipv6 2001:db8:100::1: greeting 421\$' '$TMP/greet.mx' &&
		grep -q '^2526 ipv4 198.51.100.1: data 250\$' '$TMP/greet.mx' &&
		grep -q 'host mx-greet.lab.test\[2001:db8:200::61\] refused to talk to me: 421 4.7.0' '$TMP/greet.log' &&
		grep -q 'relay=mx-greet.lab.test\[203.0.113.61\]:25,.*status=sent' '$TMP/greet.log' &&
		jq -e -s '(map(select(.type==\"group\" and .destination==\"greet.lab.test\")) | length == 1 and
			.[0].class == \"fallback\" and .[0].session_failed_family == \"ipv6\" and
			(.[0].attempts | map([.family, .result, .session_failed]) ==
				[[\"ipv6\", \"connected\", true], [\"ipv4\", \"connected\", false]])) and
		(map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and (.evidence | length == 0) and
			.delivery.sessions_failed == 1 and .delivery.refused_over_one_family == 0 and
			(.source_identity | sort_by(.family) | map([.addr, .ptr_result, .ptr, .fcrdns, .helo_matches]) ==
				[[\"198.51.100.1\", \"found\", \"relay.lab.test\", true, true],
				 [\"2001:db8:100::1\", \"none\", null, null, null]]) and
			(.delivery.findings[0] | test(\"greet.lab.test: the IPv6 session with \\\\[2001:db8:200::61\\\\]:25 failed after connecting \\\\(the greeting was 421 4.7.0 Try again later\")))' '$TMP/greet'"

	# mx-policy answers RCPT TO over IPv6 with Gmail's 550-5.7.1 IPv6
	# PTR/authentication text (the relay's IPv6 source has no PTR): Postfix
	# bounces and never tries IPv4 (no other address after a 5xx). famtrace
	# alone sees "connected first time"; with the log, check says REFUSED
	# OVER IPv6, MAIL STUCK, and ways out that would work.
	sleep 1.1
	from=$(($(wc -l <"$RLOG") + 1)); mxfrom=$(($(wc -l <"$LAB_DIR/smtpmx.log") + 1))
	timeout 150 "$FT" check -j --maillog "$RLOG" --postfix "$LAB_DIR/relay/etc" -- \
		sh -c 'scripts/lab send policy.lab.test 20 >/dev/null' >"$TMP/policy" 2>"$TMP/policy.err"
	echo $? >"$TMP/policy.rc"
	tail -n +"$from" "$RLOG" >"$TMP/policy.log"; tail -n +"$mxfrom" "$LAB_DIR/smtpmx.log" >"$TMP/policy.mx"
	check "550-5.7.1 over IPv6 at RCPT (the MX's log: IPv6 refused, no IPv4 session; Postfix's: bounced 5.7.1): check --maillog says REFUSED OVER IPv6 first, the reply's class (PTR/authentication), IPv4 never tried, the IPv6 source without PTR; MAIL STUCK (exit 2); ways out name the source's PTR and an IPv4 transport, never a route" \
		"$TMP/policy" "$TMP/policy.err" "$TMP/policy.log" "$TMP/policy.mx" -- bash -c "test \$(cat '$TMP/policy.rc') = 2 &&
		grep -q '^2525 ipv6 2001:db8:100::1: rcpt 550 5.7.1\$' '$TMP/policy.mx' && ! grep -q '^2525 ipv4' '$TMP/policy.mx' &&
		grep -q 'to=<u@policy.lab.test>, relay=mx-policy.lab.test\[2001:db8:200::60\]:25,.*dsn=5.7.1, status=bounced' '$TMP/policy.log' &&
		jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"stuck\" and .delivery.refused_over_one_family == 1 and
			(.source_identity | length == 1 and .[0].addr == \"2001:db8:100::1\" and .[0].ptr_result == \"none\") and
			(.delivery.findings[0] | test(\"policy.lab.test: REFUSED OVER IPv6: mx-policy.lab.test\\\\[2001:db8:200::60\\\\] answered RCPT TO with 550 5.7.1 \\\\(policy on the source.s reverse DNS \\\\(PTR\\\\) or authentication\\\\); IPv4 was never tried \\\\(1 address offered\\\\)\")) and
			(.delivery.ways_out | contains(\"give 2001:db8:100::1 a PTR\") and contains(\"inet_protocols=ipv4\") and
			 (contains(\"working route\") | not))' '$TMP/policy'"

	# The same refusal in the message view, live and from the recording.
	sleep 1.1
	live pf_pol -p "$(master)" --maillog "$RLOG" -o "$TMP/pf_pol.ftr" --metrics "$TMP/pf_pol.prom"
	scripts/lab send policy.lab.test 20 >"$TMP/pf_pol.lab" 2>&1
	stop_live pf_pol
	"$FT" report --maillog "$RLOG" --domain policy.lab.test "$TMP/pf_pol.ftr" >"$TMP/pf_pol.txt" 2>"$TMP/pf_pol.txt.err"
	check "message view: the bounce's reply (550 5.7.1 at RCPT TO over IPv6, class ptr_auth) and refused_over ipv6 in JSON; REFUSED OVER IPv6 and its ways out in the report from the recording; counted in the metrics by family and reply class (promtool accepts them)" \
		"$TMP/pf_pol" "$TMP/pf_pol.txt" "$TMP/pf_pol.txt.err" "$TMP/pf_pol.prom" -- bash -c "promtool check metrics <'$TMP/pf_pol.prom' &&
		grep -q '^famtrace_message_refused_over_family_total{family=\"ipv6\",reply_class=\"ptr_auth\"} 1\$' '$TMP/pf_pol.prom' &&
		grep -q '^famtrace_message_refused_over_family_total{family=\"ipv4\",reply_class=\"ptr_auth\"} 0\$' '$TMP/pf_pol.prom' &&
		grep -q '^famtrace_message_deliveries_by_family_total{family=\"ipv6\",status=\"bounced\",reply_class=\"ptr_auth\"} 1\$' '$TMP/pf_pol.prom' &&
		jq -e -s 'map(select(.type==\"message\" and .notice_of == null)) |
			length == 1 and (.[0].deliveries[0] | .status == \"bounced\" and .refused_over == \"ipv6\" and .family_problem and
			.reply.family == \"ipv6\" and .reply.code == 550 and .reply.enhanced == \"5.7.1\" and .reply.stage == \"rcpt\" and
			.reply.class == \"ptr_auth\" and .reply.addr == \"2001:db8:200::60\")' '$TMP/pf_pol' &&
		grep -q 'REFUSED OVER IPv6: mx-policy.lab.test\[2001:db8:200::60\] refused the mail at RCPT TO (550 5.7.1:' '$TMP/pf_pol.txt' &&
		grep -q 'ways out: give 2001:db8:100::1 a PTR whose name resolves back to it (FCrDNS)' '$TMP/pf_pol.txt'"
	scripts/lab scenario ipv4only >/dev/null

	# The pid file must name this instance's master: pid 1, or the MX side's
	# master, is refused rather than traced.
	pidfile=$LAB_DIR/relay/queue/pid/master.pid
	cp -p "$pidfile" "$TMP/master.pid.saved"
	printf '%*d\n' 10 1 >"$pidfile"
	"$FT" check --postfix "$LAB_DIR/relay/etc" -d 1 >/dev/null 2>"$TMP/ckpid1"; rc1=$?
	cp "$LAB_DIR/mx/queue/pid/master.pid" "$pidfile"
	"$FT" check --postfix "$LAB_DIR/relay/etc" -d 1 >/dev/null 2>"$TMP/ckpid2"; rc2=$?
	cp -p "$TMP/master.pid.saved" "$pidfile"
	check "check --postfix refuses a pid file naming pid 1 or another instance's master (exit 3, UNKNOWN; one line)" \
		"$TMP/ckpid1" "$TMP/ckpid2" -- bash -c "test $rc1 = 3 && test $rc2 = 3 &&
		grep -q 'names pid 1, not a Postfix master' '$TMP/ckpid1' &&
		grep -q 'a master of another Postfix instance' '$TMP/ckpid2' &&
		test \$(wc -l <'$TMP/ckpid1') = 1 && test \$(wc -l <'$TMP/ckpid2') = 1"

	# Issue 35, finding 10: a stale pid file whose pid another process took,
	# named master and working in the queue directory, as an unprivileged
	# user can arrange (and as root, running another program): refused,
	# could not check (exit 3, UNKNOWN), never CONFORMS.
	IMP=$(mktemp -d /tmp/famtrace-imp.XXXXXX)
	CLEANUPS+=("rm -rf '$IMP'")
	chmod 755 "$IMP" && cp /bin/sleep "$IMP/master"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		sh -c "cd '$LAB_DIR/relay/queue' && exec '$IMP/master' 60" &
	imp1=$!
	(cd "$LAB_DIR/relay/queue" && exec "$IMP/master" 60) &
	imp2=$!
	BG_PIDS+=($imp1 $imp2)
	wait_for 5 bash -c "test \"\$(cat /proc/$imp1/comm /proc/$imp2/comm 2>/dev/null | tr -d '\n')\" = mastermaster"
	printf '%*d\n' 10 $imp1 >"$pidfile"
	"$FT" check --postfix "$LAB_DIR/relay/etc" -d 1 >/dev/null 2>"$TMP/ckimp1"; ri1=$?
	printf '%*d\n' 10 $imp2 >"$pidfile"
	"$FT" check --postfix "$LAB_DIR/relay/etc" -d 1 >/dev/null 2>"$TMP/ckimp2"; ri2=$?
	cp -p "$TMP/master.pid.saved" "$pidfile"
	kill $imp1 $imp2 2>/dev/null
	check "check --postfix refuses an impostor master on a stale pid file: not root's, or another program (exit 3 each)" \
		"$TMP/ckimp1" "$TMP/ckimp2" -- bash -c "test $ri1 = 3 && test $ri2 = 3 &&
		grep -q \"a process that is not root's\" '$TMP/ckimp1' &&
		grep -q 'a process running another program' '$TMP/ckimp2'"
	timeout 60 "$FT" check --postfix "$LAB_DIR/relay/etc" --expect ipv6 -- scripts/lab send dual.lab.test 20 \
		>"$TMP/ck6" 2>"$TMP/ck6.err"
	echo $? >"$TMP/ck6.rc"
	check "check --expect ipv6 against an IPv4-only relay: violation (exit 1) with evidence" "$TMP/ck6" "$TMP/ck6.err" -- bash -c "
		test \$(cat '$TMP/ck6.rc') = 1 && grep -q 'verdict:    VIOLATION' '$TMP/ck6' &&
		grep -q 'tried IPv4: mx-dual.lab.test\[203.0.113.10\]:25, connected' '$TMP/ck6' &&
		grep -q 'asked for IPv4 addresses: res_nsearch mx-dual.lab.test A' '$TMP/ck6'"

	scripts/lab scenario prefer4 >/dev/null
	timeout 60 "$FT" check -j -v --postfix "$LAB_DIR/relay/etc" -- sh -c 'scripts/lab send dual.lab.test 20 >/dev/null' \
		>"$TMP/ckp" 2>"$TMP/ckp.err"
	echo $? >"$TMP/ckp.rc"
	check "smtp_address_preference = ipv4 on a working dual stack: first attempt IPv4, conforms" "$TMP/ckp" "$TMP/ckp.err" -- bash -c "
		test \$(cat '$TMP/ckp.rc') = 0 && jq -e -s '(map(select(.type==\"check\"))[0] | .dual_destinations == 1 and
		.first_ipv4 == 1 and .first_ipv6 == 0) and (map(select(.type==\"group\" and .comm==\"smtp\"))[0] |
		.class == \"connected_first\" and .connected_family == \"ipv4\")' '$TMP/ckp'"
	timeout 60 "$FT" check --postfix "$LAB_DIR/relay/etc" --prefer ipv6 -- scripts/lab send dual.lab.test 20 \
		>"$TMP/ckp6" 2>"$TMP/ckp6.err"
	check "check --prefer ipv6 against it: violation names the destination" "$TMP/ckp6" -- bash -c "
		grep -q 'first tried IPv4 for dual.lab.test, which has both families' '$TMP/ckp6'"
	# A master.cf -o override decides for its transport: main.cf prefers
	# IPv6, the smtp service's -o prefers IPv4, and Postfix follows -o.
	scripts/lab scenario good >/dev/null
	RC_DIR=$LAB_DIR/relay/etc
	postconf -c "$RC_DIR" -P "smtp/unix/smtp_address_preference=ipv4"
	ip netns exec "${LAB}relay" postfix -c "$RC_DIR" reload >/dev/null 2>&1
	timeout 60 "$FT" check -j -v --postfix "$RC_DIR" -- sh -c 'scripts/lab send dual.lab.test 20 >/dev/null' \
		>"$TMP/ckov" 2>"$TMP/ckov.err"; rc=$?
	postconf -c "$RC_DIR" -PX smtp/unix/smtp_address_preference
	check "check reads master.cf -o overrides (postconf -P): smtp/unix prefers IPv4 over main.cf's IPv6; first attempt IPv4, conforms" \
		"$TMP/ckov" "$TMP/ckov.err" -- bash -c "test $rc = 0 &&
		jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .expected_prefer == \"ipv4\" and
		 .first_ipv4 == 1 and .settings[\"smtp/unix/smtp_address_preference\"] == \"ipv4\"' '$TMP/ckov'"
	# smtp_dns_reply_filter drops AAAA records before Postfix orders its
	# addresses: DNS returned IPv6 (famtrace sees it), Postfix never had it.
	printf '/ IN AAAA / IGNORE\n' >"$RC_DIR/reply_filter"
	postconf -c "$RC_DIR" -e "smtp_dns_reply_filter = regexp:$RC_DIR/reply_filter"
	ip netns exec "${LAB}relay" postfix -c "$RC_DIR" reload >/dev/null 2>&1
	timeout 60 "$FT" check -j -v --postfix "$RC_DIR" -- sh -c 'scripts/lab send dual.lab.test 20 >/dev/null' \
		>"$TMP/ckrf" 2>"$TMP/ckrf.err"; rc=$?
	postconf -c "$RC_DIR" -X smtp_dns_reply_filter
	check "smtp_dns_reply_filter hiding AAAA: IPv4 first though IPv6 is preferred; check says why (the filter), not a violation" \
		"$TMP/ckrf" "$TMP/ckrf.err" -- bash -c "test $rc = 0 &&
		jq -e -s '(map(select(.type==\"lookup\" and .qtype==\"AAAA\" and .name==\"mx-dual.lab.test\")) | length == 1) and
		 (map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .first_ipv4 == 1 and .tried_ipv6 == 0 and
		  (.note | contains(\"smtp_dns_reply_filter = regexp:\")))' '$TMP/ckrf'"
	"$FT" check --postfix /nonexistent >/dev/null 2>"$TMP/ckbad"; rc=$?
	check "check of something that is not a Postfix instance: exit 3 (UNKNOWN) and why" "$TMP/ckbad" -- bash -c "
		test $rc = 3 && grep -q 'postconf' '$TMP/ckbad'"
	scripts/lab down >/dev/null 2>&1
	check "lab down removes its namespaces" -- bash -c "! ip netns list | grep -q '^$LAB'"
else
	not_ok "lab up: relay and MX Postfix instances, dnsmasq" "$TMP/lab.log"
fi

# -------------------------------------------------------------- make demo
t0=$(date +%s)
timeout 120 scripts/demo >"$TMP/demo" 2>&1
rc=$?
took=$(($(date +%s) - t0))
check "make demo: the incident explained (fallback, 2 s lost per message) in under a minute (${took} s)" "$TMP/demo" -- bash -c "
	test $rc = 0 && test $took -lt 60 &&
	grep -q 'mx-dual.lab.test\[203.0.113.10\]:25 *connected.*FALLBACK IPv6->IPv4, 2.0[0-9] s lost' '$TMP/demo' &&
	grep -q 'cost:       2 fallback(s), 4.0[0-9] s lost; 2 attempt(s) abandoned' '$TMP/demo' &&
	grep -q 'connect to mx-dual.lab.test\[2001:db8:200::10\]:25: Connection timed out' '$TMP/demo' &&
	! ip netns list | grep -q '^ftdemo-'"

# -------------------------------------------------------------- bench/relay
# Not a speed test (make bench measures): the relay benchmark runs end to end
# on a few messages, accounts every contender, loses nothing, sees each
# delivery's connect in the kernel's own counts and in what famtrace reported
# (its recording: 200 SMTP connects for 200 messages), and leaves nothing
# behind.
timeout 600 env ROUNDS=1 MSGS=200 CONTENDERS="famtrace_service floor floor_old floor_syscalls" bench/relay \
	>"$TMP/relay" 2>&1
rc=$?
check "bench/relay: a Postfix relay to smtp-sink, untraced/traced/floor/old floor/one kind of hook alone, per-hook BPF time; every delivery seen, nothing lost or left behind; famtrace attaches no syscall tracepoint" "$TMP/relay" -- bash -c "
	test $rc = 0 &&
	jq -e 'map(.contender) | sort == [\"A/A\", \"famtrace_service\", \"floor\", \"floor_old\", \"floor_syscalls\"]' build/bench/relay.json &&
	jq -e 'all(.ratio_median > 0 and .base_median > 0) and (map(select(.contender == \"famtrace_service\"))[0].lost == 0)' build/bench/relay.json &&
	jq -e 'map(select(.contender == \"famtrace_service\"))[0].seen_min == 200' build/bench/relay.json &&
	jq -s -e 'map(select(.contender == \"famtrace_service\" and .prog == \"ft_connect4\"))[0].runs_per_msg >= 1' build/bench/relay.bpf.jsonl &&
	jq -s -e 'map(select(.contender == \"famtrace_service\" and (.prog | test(\"enter_|exit_\")))) | length == 0' build/bench/relay.bpf.jsonl &&
	jq -s -e 'map(select(.contender == \"floor\" and .prog == \"floor_connect4\"))[0].runs_per_msg >= 1' build/bench/relay.bpf.jsonl &&
	jq -s -e 'map(select(.contender == \"floor_old\" and .prog == \"floor_enter_connect\"))[0].runs_per_msg >= 1' build/bench/relay.bpf.jsonl &&
	jq -s -e 'map(select(.contender == \"floor\" and .prog == \"floor_uretprobe\"))[0].runs_per_msg >= 1' build/bench/relay.bpf.jsonl &&
	jq -s -e 'map(select(.contender == \"floor_syscalls\" and .runs_per_msg > 0) | .prog) | sort ==
		[\"floor_enter_connect\", \"floor_enter_sendto\", \"floor_exit_connect\", \"floor_exit_sendto\"]' build/bench/relay.bpf.jsonl &&
	grep -q '^| famtrace_service | ' '$TMP/relay' &&
	! ip netns list | grep -q '^ftrb' && ! grep -q famtrace-bench /proc/mounts"

summary
