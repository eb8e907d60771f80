#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/addresses.sh - what famtrace says about addresses, with real glibc,
# dnsmasq and the kernel: the class of every address (JSON) and of the
# unusual ones (text), the source each attempt and route probe left from,
# the RFC 6724 rule behind each pair of a getaddrinfo result (glibc's
# built-in table, and a gai.conf that prefers IPv4), and the "round robin
# defeated by rule 9" verdict. The 6to4 and ULA addresses live only in DNS
# answers: no route leads to them, so no packet is ever sent to one.
. "$(dirname "$0")/lib.sh"
need_root dnsmasq
net_up
dns_up

# rr.famtrace.test: 2001:db8:1::30 shares 122 bits with the client's source
# 2001:db8:1::1 (on-link); 2001:db8:2::30 leaves via h0 from 2001:db8:ff::1
# (40 bits); 192.0.2.30 is IPv4 (precedence 10 against 40).
ft order -- $R -L 3 rr.famtrace.test
check "getaddrinfo's sources come from its route probes (UDP connects, no packets)" "$TMP/order" "$TMP/order.err" -- jqs "$TMP/order" '
	map(select(.type=="lookup")) | length == 3 and
	(.[0].addrs | map(.addr)) == ["2001:db8:1::30", "2001:db8:2::30", "192.0.2.30"] and
	(.[0].sources | map(.source)) == ["2001:db8:1::1", "2001:db8:ff::1", "192.0.2.1"] and
	(.[0].sources | map(.probe) | unique) == ["ok"] and
	(.[0].sources | map(.source_deprecated)) == [false, false, null]'
check "each adjacent pair names its RFC 6724 rule: 9 (longest prefix), then 6 (precedence 40 > 10)" "$TMP/order" -- jqs "$TMP/order" '
	map(select(.type=="lookup"))[0] | .order_explained and .policy == "built-in" and
	(.order | map(.rule)) == [9, 6] and .order[1].why == "precedence 40 > 10" and
	(.order[0].why | test("122 common prefix bits"))'
check "over 3 lookups rule 9 pinned 2001:db8:1::30 first: round robin defeated" "$TMP/order" -- jqs "$TMP/order" '
	map(select(.type=="order" and .family=="ipv6")) | length == 1 and .[0].name == "rr.famtrace.test" and
	.[0].lookups == 3 and .[0].rule9_first == 3 and .[0].verdict == "rule9_pinned" and
	(.[0].addrs | map(select(.addr=="2001:db8:1::30"))[0].first) == 3'
check "every address has its class (documentation here)" "$TMP/order" -- jqs "$TMP/order" '
	map(select(.type=="lookup"))[0] | ([.addrs[].class] | unique) == ["documentation"] and
	([.sources[].source_class] | unique) == ["documentation"]'

# rr2: both addresses leave via h0 with 40 common bits: no rule decides, the
# resolver's order stands; no rule 9 verdict.
ft order2 -- $R -L 3 rr2.famtrace.test
check "no longer shared prefix: rule 10 (the resolver's order), no rule 9 verdict" "$TMP/order2" "$TMP/order2.err" -- jqs "$TMP/order2" '
	(map(select(.type=="lookup")) | length == 3 and all(.order[0].rule == 10)) and
	(map(select(.type=="order")) | length == 1 and .[0].verdict != "rule9_pinned" and .[0].rule9_first == 0)'

timeout 60 "$FT" run -- $R -L 2 rr.famtrace.test >"$TMP/ordertext" 2>&1
check "text: the order under the lookup and the verdict in the report" "$TMP/ordertext" -- bash -c "
	grep -q 'order: 2001:db8:1::30 before 2001:db8:2::30: rule 9, 122 common prefix bits with its source > 40' '$TMP/ordertext' &&
	grep -q 'order: 2001:db8:2::30 before 192.0.2.30: rule 6, precedence 40 > 10' '$TMP/ordertext' &&
	grep -q 'ROUND ROBIN DEFEATED BY RULE 9' '$TMP/ordertext'"

# A gai.conf that prefers IPv4, for the client only (ip netns exec mounts
# /etc/netns/NS/gai.conf over /etc/gai.conf); famtrace is told the same.
echo "precedence ::ffff:0:0/96 100" >"/etc/netns/$CLI/gai.conf"
ft gaiconf --gai-conf "/etc/netns/$CLI/gai.conf" -- $R -L 1 rr.famtrace.test
check "gai.conf preferring IPv4: IPv4 first, rule 6 with precedence 100 > 40, the file named" "$TMP/gaiconf" "$TMP/gaiconf.err" -- jqs "$TMP/gaiconf" '
	map(select(.type=="lookup"))[0] | .addrs[0].addr == "192.0.2.30" and .order[0].rule == 6 and
	.order[0].why == "precedence 100 > 40" and .order_explained and (.policy | endswith("gai.conf"))'
# Explained with the wrong table (the built-in one), the same order cannot be.
ft gaiwrong -- $R -L 1 rr.famtrace.test
rm -f "/etc/netns/$CLI/gai.conf"
check "explained with a table glibc did not use: the order is flagged as not explained" "$TMP/gaiwrong" -- jqs "$TMP/gaiwrong" '
	map(select(.type=="lookup"))[0] | .addrs[0].addr == "192.0.2.30" and (.order_explained | not) and
	.order[0].rule == null and (.order[0].why | test("rule 6"))'

# A mail host whose AAAA is a 6to4 address: classed, described, noted; glibc
# sorts it last (no route: its probe failed, rule 1), the client connects
# over IPv4.
ft sixtofour -- $R -1 2525 sixtofour.famtrace.test
check "6to4 answer: class, route probe failed (rule 1), address note on the destination" "$TMP/sixtofour" "$TMP/sixtofour.err" -- jqs "$TMP/sixtofour" '
	(map(select(.type=="lookup"))[0] | (.addrs | map(.addr)) == ["192.0.2.2", "2002:c000:202::25"] and
	 .addrs[1].class == "6to4" and .sources[1].probe == "failed" and .sources[1].probe_errno == "ENETUNREACH" and
	 .order[0].rule == 1) and
	(map(select(.type=="group"))[0] | .class == "connected_first" and
	 (.address_notes | length) == 1 and .address_notes[0].kind == "transition_address" and
	 .address_notes[0].class == "6to4" and (.address_notes[0].note | test("6to4 of 192.0.2.2")))'
check "the connected attempt names its source and the source's class" "$TMP/sixtofour" -- jqs "$TMP/sixtofour" '
	map(select(.type=="attempt"))[0] | .saddr == "192.0.2.1" and .saddr_class == "documentation" and
	.daddr_class == "documentation" and .sport > 0'
ft ula -- $R -1 2525 ula.famtrace.test
check "ULA answer from a relay with no ULA source: an internal-address note" "$TMP/ula" "$TMP/ula.err" -- jqs "$TMP/ula" '
	map(select(.type=="group"))[0] | (.offered | map(select(.addr=="fd00:db8::25"))[0].class) == "ula" and
	(.address_notes | length) == 1 and .address_notes[0].kind == "internal_address"'
timeout 60 "$FT" run -v -- $R -1 2525 sixtofour.famtrace.test >"$TMP/sixtext" 2>&1
check "text: the class after an unusual address, the note under the destination, the source" "$TMP/sixtext" -- bash -c "
	grep -q -- '-> 192.0.2.2, 2002:c000:202::25 (6to4 of 192.0.2.2)' '$TMP/sixtext' &&
	grep -q 'ADDRESS: 2002:c000:202::25 is 6to4 of 192.0.2.2: a transition address' '$TMP/sixtext' &&
	grep -qE 'connected in .*, from 192.0.2.1' '$TMP/sixtext'"

# Teredo and NAT64 answers say what they embed (documentation addresses in
# both: server 192.0.2.1, client 198.51.100.7:40000; 192.0.2.33).
ft teredo -- $R -g inet6 teredo.famtrace.test
ft nat64 -- $R -g inet6 nat64.famtrace.test
check "Teredo and NAT64 answers: their classes" "$TMP/teredo" "$TMP/nat64" -- bash -c "
	jq -e -s 'map(select(.type==\"lookup\"))[0].addrs[0].class == \"teredo\"' '$TMP/teredo' &&
	jq -e -s 'map(select(.type==\"lookup\"))[0].addrs[0].class == \"nat64\"' '$TMP/nat64'"
timeout 60 "$FT" run -- $R -g inet6 teredo.famtrace.test >"$TMP/teredotext" 2>&1
timeout 60 "$FT" run -- $R -g inet6 nat64.famtrace.test >>"$TMP/teredotext" 2>&1
check "text: what a Teredo and a NAT64 address embed" "$TMP/teredotext" -- bash -c "
	grep -q '2001:0:c000:201:0:63bf:39cc:9bf8 (Teredo: server 192.0.2.1, client 198.51.100.7:40000)' '$TMP/teredotext' &&
	grep -q '64:ff9b::c000:221 (NAT64 of 192.0.2.33)' '$TMP/teredotext'"

# A failed attempt that reached SYN_SENT has its source too (the IPv6 black hole).
ft hole -- $C -n -t 300 2525 2001:db8:2::25
check "an attempt abandoned in SYN_SENT still names the source it left from" "$TMP/hole" "$TMP/hole.err" -- jqs "$TMP/hole" '
	map(select(.type=="attempt"))[0] | .result == "abandoned" and .saddr == "2001:db8:ff::1" and .saddr_class == "documentation"'

# What kind of source: the static address first, then a temporary (RFC 4941)
# address the kernel makes from it (mngtmpaddr, use_tempaddr=2 prefers it).
ft static -- $C 2525 2001:db8:1::2
check "a connect from a configured address: its kind, its interface, no note" "$TMP/static" "$TMP/static.err" -- jqs "$TMP/static" '
	(map(select(.type=="attempt"))[0] | .saddr == "2001:db8:1::1" and .saddr_kind.origin == "configured" and
	 (.saddr_kind.temporary | not) and (.saddr_kind.deprecated | not) and .saddr_kind.iface == "c0" and
	 .saddr_kind.prefix_len == 64) and
	(map(select(.type=="group"))[0].address_notes | length) == 0'
ip netns exec "$CLI" sysctl -qw net.ipv6.conf.c0.use_tempaddr=2
ip -n "$CLI" addr change 2001:db8:1::1/64 dev c0 mngtmpaddr nodad
tmp=$(ip -n "$CLI" -6 -o addr show dev c0 temporary | awk '{print $4}' | cut -d/ -f1 | head -1)
wait_for 5 eval "ip -n $CLI -6 -o addr show dev c0 temporary | grep -qv tentative"
ft temp -v -- $C 2525 2001:db8:1::2
check "a connect from a temporary address ($tmp): kind temporary, and the destination says so" "$TMP/temp" "$TMP/temp.err" -- jqs "$TMP/temp" '
	(map(select(.type=="attempt"))[0] | .saddr == "'"$tmp"'" and .saddr_kind.origin == "temporary" and
	 .saddr_kind.temporary and .saddr_kind.iface == "c0" and .saddr_kind.valid_lft > 0) and
	(map(select(.type=="group"))[0].address_notes | length == 1 and .[0].kind == "temporary_source" and
	 .[0].addr == "'"$tmp"'" and (.[0].note | test("smtp_bind_address6"))) and
	(map(select(.type=="process"))[0].sources | length == 1 and .[0].addr == "'"$tmp"'" and
	 .[0].origin == "temporary" and .[0].temporary and .[0].attempts == 1)'
timeout 60 "$FT" run -v -- $C 2525 2001:db8:1::2 >"$TMP/temptext" 2>&1
check "text: the temporary source and the advice under the destination" "$TMP/temptext" -- bash -c "
	grep -q 'from $tmp (temporary address on c0)' '$TMP/temptext' &&
	grep -q 'sources: $tmp (temporary on c0) 1 attempt TEMPORARY ADDRESS' '$TMP/temptext' &&
	grep -q 'ADDRESS: IPv6 attempts left from a temporary (privacy) address $tmp on c0' '$TMP/temptext'"

# An address from a router advertisement (SLAAC) on a second link: kind
# "slaac" where the kernel says so (Linux 6.3 and later), "dynamic" before.
{
	ip link add c1 netns "$CLI" type veth peer name s1 netns "$SRV" &&
	ip netns exec "$CLI" sysctl -qw net.ipv6.conf.c1.use_tempaddr=0 net.ipv6.conf.c1.accept_ra=1 &&
	ip -n "$CLI" link set c1 up && ip -n "$SRV" link set s1 up &&
	ip -n "$SRV" addr add 2001:db8:5::2/64 dev s1 nodad
} >"$TMP/ra.log" 2>&1
start_listener "$SRV" 2001:db8:5::2 2525
wait_for 5 eval "ip -n $SRV -6 -o addr show dev s1 scope link | grep -qv tentative"
ip netns exec "$SRV" "$B/ra" s1 2001:db8:5:: >>"$TMP/ra.log" 2>&1
wait_for 5 eval "ip -n $CLI -6 -o addr show dev c1 scope global | grep -v tentative | grep -q 2001:db8:5:"
slaac=$(ip -n "$CLI" -6 -o addr show dev c1 scope global | awk '{print $4}' | cut -d/ -f1 | head -1)
want=slaac
[ "$(printf '%s\n' 6.3 "$(uname -r | cut -d- -f1)" | sort -V | head -1)" = 6.3 ] || want=dynamic
ft slaac -- $C 2525 2001:db8:5::2
check "a connect from a SLAAC address ($slaac): origin $want, the advertised lifetimes" "$TMP/slaac" "$TMP/slaac.err" "$TMP/ra.log" -- jqs "$TMP/slaac" '
	map(select(.type=="attempt"))[0] | .result == "connected" and .saddr == "'"$slaac"'" and
	.saddr_kind.origin == "'"$want"'" and (.saddr_kind.temporary | not) and .saddr_kind.iface == "c1" and
	.saddr_kind.valid_lft == 86400 and .saddr_kind.preferred_lft == 14400'

timeout 60 "$FT" check -j --expect all -- $C 2525 2001:db8:1::2 >"$TMP/tempcheck" 2>"$TMP/tempcheck.err"
check "check: the temporary source is a warning beside the verdict" "$TMP/tempcheck" "$TMP/tempcheck.err" -- jqs "$TMP/tempcheck" '
	map(select(.type=="check"))[0] | .verdict == "conforms" and (.address_warnings | length) == 1 and
	(.address_warnings[0] | test("temporary \\(privacy\\) address '"$tmp"' on c0"))'

summary
