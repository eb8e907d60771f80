#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/resolver.sh - lookups through the C library's resolver (uprobes)
# against dnsmasq and a deliberately broken DNS server, joined to attempts.
. "$(dirname "$0")/lib.sh"
need_root dnsmasq
net_up
dns_up

ft gai -- $R -1 2525 mx1.famtrace.test
check "getaddrinfo: name, hints and result list captured in order" "$TMP/gai" "$TMP/gai.err" -- jqs "$TMP/gai" '
	map(select(.type=="lookup")) | length == 1 and .[0].api == "getaddrinfo" and
	.[0].name == "mx1.famtrace.test" and .[0].hint_family == "unspec" and .[0].ret == 0 and
	(.[0].addrs | map(.addr)) == ["2001:db8:1::2", "192.0.2.2"]'
check "getaddrinfo: the attempt is linked to its lookup and named" "$TMP/gai" -- jqs "$TMP/gai" '
	(map(select(.type=="lookup"))[0].lookup) as $id |
	(map(select(.type=="attempt")) | length == 1 and .[0].lookup == $id and
	 .[0].name == "mx1.famtrace.test" and .[0].daddr == "2001:db8:1::2")'

ft ghbn -- $R -g inet6 hole.famtrace.test
check "gethostbyname2: one lookup (not two via gethostbyname2_r), AAAA result" "$TMP/ghbn" -- jqs "$TMP/ghbn" '
	map(select(.type=="lookup")) | length == 1 and .[0].api == "gethostbyname2" and
	.[0].hint_family == "ipv6" and (.[0].addrs | map(.addr)) == ["2001:db8:2::25"]'

ft mx -- $R -m famtrace.test
check "res_nsearch MX: answer parsed with libresolv (preferences, exchanges)" "$TMP/mx" -- jqs "$TMP/mx" '
	map(select(.type=="lookup")) | length == 1 and .[0].api == "res_nsearch" and
	.[0].qtype == "MX" and .[0].rcode == "NOERROR" and .[0].parsed and
	(.[0].answers | map(select(.type=="MX")) | map("\(.pref) \(.exchange)") | sort) ==
	["10 mx1.famtrace.test", "20 hole.famtrace.test"]'

ft mkq -- $R -q famtrace.test MX
check "res_nmkquery + res_nsend (as Postfix 3.x): name and type from the message" "$TMP/mkq" -- jqs "$TMP/mkq" '
	map(select(.type=="lookup")) | length == 1 and .[0].api == "res_nsend" and
	.[0].name == "famtrace.test" and .[0].qtype == "MX" and (.[0].answers | length) == 2'

ft nx -- $R -q nope.famtrace.test A
check "NXDOMAIN is reported as a failed lookup" "$TMP/nx" -- jqs "$TMP/nx" '
	map(select(.type=="lookup")) | length == 1 and .[0].rcode == "NXDOMAIN" and .[0].failed'

ft nodata -- $R -q v6only.famtrace.test A
check "NODATA: NOERROR without records" "$TMP/nodata" -- jqs "$TMP/nodata" '
	map(select(.type=="lookup")) | length == 1 and .[0].rcode == "NOERROR" and
	(.[0].answers | length) == 0'

ft rfb -- $R -n -t 1000 2525 hole.famtrace.test
check "lookup + IPv6 black hole + IPv4: fallback for the named destination" "$TMP/rfb" -- jqs "$TMP/rfb" '
	map(select(.type=="group")) | length == 1 and .[0].class == "fallback" and
	.[0].name == "hole.famtrace.test" and .[0].first_family == "ipv6" and
	.[0].time_lost_ms >= 990 and .[0].time_lost_ms < 3000'

ft rnofb -- $R -1 -n -t 500 2525 hole.famtrace.test
check "client that tries only the first (IPv6) address: NO FALLBACK, IPv4 untried" "$TMP/rnofb" -- jqs "$TMP/rnofb" '
	map(select(.type=="group")) | length == 1 and .[0].class == "no_fallback" and
	.[0].untried_family == "ipv4" and (.[0].offered | map(.addr) | index("192.0.2.2")) != null'

ft runreach -- $R -4 2525 v4only.famtrace.test v6only.famtrace.test
check "IPv6-only name from an IPv4-only client: family unreachable" "$TMP/runreach" -- jqs "$TMP/runreach" '
	(map(select(.type=="group" and .class=="family_unreachable")) | length == 1 and
	 .[0].name == "v6only.famtrace.test" and .[0].first_family == "ipv6") and
	(map(select(.type=="group" and .class=="connected_first")) | .[0].name == "v4only.famtrace.test")'

# Issue 35, finding 13: an IPv6 address literal resolved by an IPv4-only
# process (Postfix's master resolving inet_interfaces ::1) is no destination:
# no family-unreachable group, so no critical alert on a healthy relay.
ft runlit -- $R -4 2525 v4only.famtrace.test 2001:db8:3::26
check "an IPv6 address literal resolved by an IPv4-only client is not a family-unreachable destination" \
	"$TMP/runlit" "$TMP/runlit.err" -- jqs "$TMP/runlit" '
	(map(select(.type=="lookup" and .name=="2001:db8:3::26")) | length == 1) and
	(map(select(.type=="group" and .class=="family_unreachable")) | length == 0)'

for bad in junk cut big; do
	ft "bad$bad" -- $R -s 192.0.2.3 -q $bad.bad.test A
done
check "malformed DNS answer: unparsable, not a crash" "$TMP/badjunk" "$TMP/badjunk.err" -- jqs "$TMP/badjunk" '
	(map(select(.type=="lookup")) | length == 1 and (.[0].parsed | not) and (.[0].error | length) > 0) and
	(map(select(.type=="summary"))[0].malformed == 0)'
check "DNS answer cut inside a record: unparsable" "$TMP/badcut" -- jqs "$TMP/badcut" '
	map(select(.type=="lookup")) | length == 1 and (.[0].parsed | not)'
check "DNS answer larger than the probe's copy (60 A records, 989 bytes): true size kept, read whole from the wire's copy (16 records kept)" \
	"$TMP/badbig" -- jqs "$TMP/badbig" '
	map(select(.type=="lookup")) | length == 1 and .[0].parsed and (.[0].partial | not) and
	.[0].dns_bytes > 512 and (.[0].answers | length) == 16 and (.[0].addrs | length) == 16 and
	.[0].answers[0].addr == "192.0.2.10" and .[0].name == "big.bad.test" and .[0].qtype == "A"'
# Issue 35, finding 4: the address past byte 512 (three long CNAMEs first)
# is offered: the probe's copy ends before it, the wire's holds it all.
ft baddeep -- $R -s 192.0.2.3 -q deep.bad.test A
check "an answer whose address lies past the probe's 512 bytes: the address offered, from the wire's whole copy" \
	"$TMP/baddeep" "$TMP/baddeep.err" -- jqs "$TMP/baddeep" '
	map(select(.type=="lookup" and .name=="deep.bad.test")) | length == 1 and .[0].dns_bytes > 512 and
	(.[0].addrs | map(.addr)) == ["192.0.2.2"] and (.[0].answers | map(.type)) == ["CNAME","CNAME","CNAME","A"]'

# A hostile nameserver's stray records (issue 35, finding 3): an AAAA answer
# carrying an A record offers no IPv4 address, nor an A answer an IPv6 one,
# as the resolver reads it; the stray record is counted, not offered.
ft stray -- $R -s 192.0.2.3 -q stray.bad.test AAAA,A
check "hostile DNS: a record of the other type in an answer is ignored, as resolvers do (counted, never an address)" \
	"$TMP/stray" "$TMP/stray.err" -- jqs "$TMP/stray" '
	map(select(.type=="lookup" and .name=="stray.bad.test")) | length == 2 and
	(map(select(.qtype=="AAAA"))[0] | (.addrs | map(.addr)) == ["2001:db8:1::2"] and .ignored_records == 1 and
	 (.answers | length) == 1) and
	(map(select(.qtype=="A"))[0] | (.addrs | map(.addr)) == ["192.0.2.2"] and .ignored_records == 1)'

# A nameserver that never answers AAAA (a middlebox that drops AAAA): the
# client asks A, then AAAA, in one process as Postfix does; the AAAA lookup
# waits out the resolver's timeout (1 s, one try). Lookup time is counted by
# the family asked, and IPv6 is named the slow family.
ft slow6 -o "$TMP/slow6.ftr" -- $R -s 192.0.2.3 -q slow6.bad.test A,AAAA
check "a nameserver that drops AAAA: lookup time by family (A at once, AAAA waits ~1 s), IPv6 the slow family" \
	"$TMP/slow6" "$TMP/slow6.err" -- jqs "$TMP/slow6" '
	map(select(.type=="lookup" and .name=="slow6.bad.test")) as $l |
	($l | length == 2) and ($l | map(select(.qtype=="AAAA"))[0].latency_ms >= 900) and
	(map(select(.type=="process" and .lookups.total == 2))[0].lookups |
	 .time.ipv4.n == 1 and .time.ipv4.max_ms < 100 and .time.ipv6.n == 1 and .time.ipv6.max_ms >= 900 and
	 .time.ipv6.total_ms >= 900 and .time.both.n == 0 and .slow_family == "ipv6")'
"$FT" report "$TMP/slow6.ftr" >"$TMP/slow6.txt" 2>&1
"$FT" report --metrics "$TMP/slow6.prom" "$TMP/slow6.ftr" >/dev/null 2>&1
check "the same in text (lookup time line, SLOW IPv6 LOOKUPS) and metrics (famtrace_lookup_seconds_total by type)" \
	"$TMP/slow6.txt" "$TMP/slow6.prom" -- bash -c "
	grep -Eq 'lookup time: IPv4 only \(A\) [0-9.]+ ms in 1 \(slowest [0-9.]+ ms\); IPv6 only \(AAAA\) 1\.[0-9]+ s in 1' '$TMP/slow6.txt' &&
	grep -q 'SLOW IPv6 LOOKUPS: the slowest AAAA lookup took 1\.[0-9]* s against' '$TMP/slow6.txt' &&
	awk '/^famtrace_lookup_seconds_total\{type=\"AAAA\"\}/ { exit !(\$2 >= 0.9) }' '$TMP/slow6.prom' &&
	grep -q '^famtrace_lookup_seconds_total{type=\"A\"} 0\.0' '$TMP/slow6.prom'"
timeout 60 "$FT" check --expect all -- $R -s 192.0.2.3 -q slow6.bad.test A,AAAA >"$TMP/slow6.check" 2>&1
rc=$?
check "check: the lookup wait is in the cost line, the slow family is said, and the verdict is DEGRADED (exit 1, WARNING), not CONFORMS" \
	"$TMP/slow6.check" -- bash -c "test $rc = 1 &&
	grep -Eq '^cost: .*; lookups waited IPv4 \(A\) [0-9.]+ ms, IPv6 \(AAAA\) 1\.[0-9]+ s, both 0' '$TMP/slow6.check' &&
	grep -q '^lookups:    SLOW IPv6 LOOKUPS' '$TMP/slow6.check' && grep -q 'DEGRADED' '$TMP/slow6.check' &&
	grep -q 'AAAA lookups are slow: the slowest took 1\.[0-9]* s' '$TMP/slow6.check'"

# A client that waits before the next address (OpenSMTPD retries the next
# address 2 s after a failure): its IPv6 attempt into the black hole is
# abandoned after 1 s, it pauses 2.5 s (longer than --group-gap), then IPv4
# connects. One destination, a fallback that cost the whole wait; not an
# "all failed" group and a "connected first time" one.
ft pause -- $R -n -t 1000 -P 2500 2525 hole.famtrace.test
check "a pause longer than --group-gap before the next address of the same answer: one group, fallback IPv6 -> IPv4, the wait counted" \
	"$TMP/pause" "$TMP/pause.err" -- jqs "$TMP/pause" '
	map(select(.type=="group" and .name=="hole.famtrace.test")) | length == 1 and
	.[0].class == "fallback" and .[0].first_family == "ipv6" and (.[0].attempts | length) == 2 and
	.[0].time_lost_ms >= 3400'

# A chrooted process with its own copy of the C library (as Postfix's smtp in
# /var/spool/postfix can have): /proc/PID/maps names the host's path, which
# is not under /proc/PID/root; famtrace -p PID finds the copy anyway (checked
# by inode) and traces lookups through it.
CH=$TMP/chroot.d
mkdir -p "$CH/etc" "$CH/lib64" "$CH/lib/x86_64-linux-gnu"
cp "$B/resolver" "$CH/resolver"
for lib in $(ldd "$B/resolver" | grep -o '/[^ ]*'); do mkdir -p "$CH$(dirname "$lib")"; cp -L "$lib" "$CH$lib"; done
echo "nameserver 192.0.2.2" >"$CH/etc/resolv.conf"
echo "hosts: files dns" >"$CH/etc/nsswitch.conf"
: >"$CH/etc/hosts"
mkfifo "$CH/go"
ip netns exec "$CLI" chroot "$CH" /resolver -W /go -q mx1.famtrace.test A >"$TMP/chroot.out" 2>&1 &
CPID=$!
BG_PIDS+=($CPID)
wait_for 5 grep -q "$CH/lib" "/proc/$CPID/maps"
live chroot -p "$CPID"
echo go >"$CH/go"
wait_for 5 eval "! kill -0 $CPID"
stop_live chroot
check "a chrooted process's own C library copy is found by inode and traced (-p PID)" \
	"$TMP/chroot" "$TMP/chroot.err" "$TMP/chroot.out" -- bash -c "
	! grep -q 'cannot open' '$TMP/chroot.err' &&
	jq -e -s 'map(select(.type==\"lookup\")) | length == 1 and .[0].api == \"res_nsend\" and
		.[0].name == \"mx1.famtrace.test\" and .[0].pid == $CPID' '$TMP/chroot'"

timeout 60 "$FT" run -- $R -1 -n -t 500 2525 hole.famtrace.test >"$TMP/rtext" 2>&1
check "text: lookup with its answer, then the attempt, then NO FALLBACK" "$TMP/rtext" -- bash -c "
	grep -q 'DNS  getaddrinfo hole.famtrace.test (AF_UNSPEC) -> 2001:db8:2::25, 192.0.2.2' '$TMP/rtext' &&
	grep -q 'hole.famtrace.test port 2525: NO FALLBACK: IPv6 failed, IPv4 192.0.2.2 never tried' '$TMP/rtext' &&
	grep -q 'lookup: getaddrinfo hole.famtrace.test' '$TMP/rtext'"

# Sendmail asks with res_querydomain (name and domain apart) and looks up the
# MX answer's exchange with a trailing dot: both are lookups, and the dotted
# name is the same name.
ft qdom -- $R -D mx1 famtrace.test AAAA
check "res_querydomain (as Sendmail): name and domain joined, type and answer captured" "$TMP/qdom" "$TMP/qdom.err" -- jqs "$TMP/qdom" '
	map(select(.type=="lookup")) | length == 1 and .[0].api == "res_querydomain" and
	.[0].name == "mx1.famtrace.test" and .[0].qtype == "AAAA" and .[0].rcode == "NOERROR" and
	(.[0].addrs | map(.addr)) == ["2001:db8:1::2"]'
ft dotted -- $R -1 2525 mx1.famtrace.test.
check "a name with a trailing dot is the same name: looked up and joined to its attempt as mx1.famtrace.test" \
	"$TMP/dotted" -- jqs "$TMP/dotted" '
	(map(select(.type=="lookup"))[0].name == "mx1.famtrace.test") and
	(map(select(.type=="attempt"))[0] | .name == "mx1.famtrace.test" and .lookup != null)'

# Mail mode, a process not traced yet: its getaddrinfo is kept for the
# pre-trace window unless it names the service of a port that is not a
# mail port (its addresses carry that port); once the process is traced,
# every lookup is. The lookup left out still goes to DNS, and is seen there.
live svc --port 2525 || bail "famtrace in mail mode started" "$TMP/svc.err"
svc_run() { $R -1 -S "$1" 2525 "${@:2}" 2>>"$TMP/svc.out" & wait $!; echo $! >>"$TMP/svc.pids"; }
: >"$TMP/svc.pids"
svc_run 80 mx1.famtrace.test v4only.famtrace.test
svc_run http mx1.famtrace.test
svc_run 2525 mx1.famtrace.test
svc_run - mx1.famtrace.test
stop_live svc
read -r P80 PHTTP P2525 PNONE < <(tr '\n' ' ' <"$TMP/svc.pids")
check "mail mode: getaddrinfo of a process not traced yet for service 80 or http is not recorded; once traced, it is" \
	"$TMP/svc" "$TMP/svc.err" "$TMP/svc.out" -- jqs "$TMP/svc" "
	(map(select(.type==\"lookup\" and .api==\"getaddrinfo\" and .pid==$P80)) | map(.name)) == [\"v4only.famtrace.test\"] and
	(map(select(.type==\"lookup\" and .api==\"getaddrinfo\" and .pid==$PHTTP)) | length) == 0"
check "mail mode: the lookup left out is seen on the wire, and the attempt is joined to it by name" \
	"$TMP/svc" -- jqs "$TMP/svc" "
	. as \$all | map(select(.type==\"attempt\" and .pid==$P80))[0] as \$a |
	\$a.name == \"mx1.famtrace.test\" and
	(\$all | map(select(.type==\"lookup\" and .lookup==\$a.lookup))[0].api) == \"dns\""
check "mail mode: getaddrinfo for the mail port or for no service is recorded before the connect and joined to it" \
	"$TMP/svc" -- jqs "$TMP/svc" "
	. as \$all | [$P2525, $PNONE] | all(. as \$p | \$all | (map(select(.type==\"lookup\" and .api==\"getaddrinfo\" and .pid==\$p))) as \$l |
		(\$l | length) == 1 and \$l[0].name == \"mx1.famtrace.test\" and
		(\$all | map(select(.type==\"attempt\" and .pid==\$p))[0].lookup) == \$l[0].lookup)"

summary
