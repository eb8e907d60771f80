#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/connect.sh - connect attempts on the real kernel: families, outcomes
# (connected, refused, no route, black hole, abandoned), fallbacks, UDP
# route probes, text output, and the process tree of `famtrace run`.
. "$(dirname "$0")/lib.sh"
need_root
net_up

# The BPF programs load at all: a clear first failure if they cannot.
ft load -- true
check "BPF programs load and attach" "$TMP/load.err" -- test "$(cat "$TMP/load.rc")" = 0

# -------------------------------------------------------- loopback basics
ft v4ok -- $C 2600 127.0.0.1
check "loopback IPv4 connected" "$TMP/v4ok" "$TMP/v4ok.err" -- jqs "$TMP/v4ok" '
	map(select(.type=="attempt")) | length == 1 and .[0].family == "ipv4" and
	.[0].result == "connected" and .[0].daddr == "127.0.0.1" and .[0].dport == 2600 and
	.[0].saddr == "127.0.0.1" and .[0].sport > 0 and .[0].latency_ms > 0 and
	.[0].comm == "connector" and .[0].errno == null'

ft v6ok -- $C 2600 ::1
check "loopback IPv6 connected" "$TMP/v6ok" "$TMP/v6ok.err" -- jqs "$TMP/v6ok" '
	map(select(.type=="attempt")) | length == 1 and .[0].family == "ipv6" and
	.[0].result == "connected" and .[0].daddr == "::1" and .[0].saddr == "::1"'

ft refused -- $C -1 2601 127.0.0.1
ft refused6 -- $C -1 2601 ::1
check "loopback IPv4 refused" "$TMP/refused" -- jqs "$TMP/refused" '
	map(select(.type=="attempt")) | length == 1 and .[0].family == "ipv4" and
	.[0].result == "refused" and .[0].errno == "ECONNREFUSED"'
check "loopback IPv6 refused" "$TMP/refused6" -- jqs "$TMP/refused6" '
	map(select(.type=="attempt")) | length == 1 and .[0].family == "ipv6" and
	.[0].result == "refused" and .[0].errno == "ECONNREFUSED"'
check "run exits with the command's status (connector failed: 1)" "$TMP/refused.rc" -- \
	test "$(cat "$TMP/refused.rc")" = 1

ft mapped -- $C 2600 ::ffff:127.0.0.1
check "::ffff:127.0.0.1 on an AF_INET6 socket is IPv4 on the wire" "$TMP/mapped" -- jqs "$TMP/mapped" '
	map(select(.type=="attempt")) | length == 1 and .[0].family == "ipv4" and
	.[0].v4mapped == true and .[0].daddr == "127.0.0.1" and .[0].result == "connected"'

ft udp -- $C -u 2553 192.0.2.2 2001:db8:3::1
check "UDP connect is a route probe, not an attempt" "$TMP/udp" -- jqs "$TMP/udp" '
	(map(select(.type=="attempt")) | length == 0) and
	(map(select(.type=="probe" and .role=="route_probe" and .family=="ipv4" and .ok and .daddr=="192.0.2.2" and .saddr=="192.0.2.1")) | length == 1) and
	(map(select(.type=="probe" and .family=="ipv6" and (.ok|not) and .errno=="ENETUNREACH")) | length == 1) and
	(map(select(.type=="process"))[0].ipv6.probes_failed == 1)'
# To a nameserver port it is a resolver's DNS socket (OpenSMTPD's libasr,
# c-ares, res_nsend), not a route probe; --dns-port names more such ports.
ft udpdns -- $C -u 53 192.0.2.2 2001:db8:3::1
ft udpdns2 --dns-port 53,5353 -- $C -u 5353 192.0.2.2
check "UDP connect to port 53 (and a --dns-port): a DNS socket, counted apart from route probes" "$TMP/udpdns" "$TMP/udpdns2" -- bash -c "
	jq -e -s '(map(select(.type==\"probe\")) | length == 2 and all(.role == \"dns\")) and
		(map(select(.type==\"process\"))[0] | .ipv4.dns_sockets_ok == 1 and .ipv4.probes_ok == 0 and
		 .ipv6.dns_sockets_failed == 1 and .ipv6.probes_failed == 0)' '$TMP/udpdns' &&
	jq -e -s 'map(select(.type==\"probe\")) | length == 1 and .[0].role == \"dns\" and .[0].dport == 5353' '$TMP/udpdns2'"

# --------------------------------------------------------- failure kinds
ft noroute -- $C -1 2525 2001:db8:3::25
check "no IPv6 route: immediate ENETUNREACH" "$TMP/noroute" -- jqs "$TMP/noroute" '
	map(select(.type=="attempt")) | length == 1 and .[0].family == "ipv6" and
	.[0].result == "net_unreachable" and .[0].errno == "ENETUNREACH"'

ft fb -- $C 2525 2001:db8:3::25 192.0.2.2
check "fallback after ENETUNREACH: IPv6 -> IPv4 with its cost" "$TMP/fb" -- jqs "$TMP/fb" '
	map(select(.type=="group")) | length == 1 and .[0].class == "fallback" and
	.[0].first_family == "ipv6" and .[0].connected_family == "ipv4" and
	.[0].time_lost_ms > 0 and .[0].time_lost_ms < 1000 and
	(.[0].attempts | map(.result)) == ["net_unreachable", "connected"]'

ft hole -- $C -n -t 1000 2525 2001:db8:2::25 192.0.2.2
check "IPv6 black hole: abandoned by the application after its 1 s timeout" "$TMP/hole" -- jqs "$TMP/hole" '
	map(select(.type=="attempt" and .family=="ipv6")) | length == 1 and
	.[0].result == "abandoned" and .[0].errno == null and .[0].nonblock and
	.[0].latency_ms >= 990 and .[0].latency_ms < 3000'
check "IPv6 black hole then IPv4: fallback costing about the timeout" "$TMP/hole" -- jqs "$TMP/hole" '
	(map(select(.type=="group")) | length == 1 and .[0].class == "fallback" and
	 .[0].time_lost_ms >= 990 and .[0].time_lost_ms < 3000) and
	(map(select(.type=="process"))[0] | .fallbacks_from_ipv6 == 1 and .groups.fallback == 1)'

ft async -- $C -n -1 2999 192.0.2.2
check "non-blocking connect refused over veth (asynchronous outcome)" "$TMP/async" -- jqs "$TMP/async" '
	map(select(.type=="attempt")) | length == 1 and .[0].result == "refused" and
	.[0].nonblock == true and .[0].daddr == "192.0.2.2"'

ft v6veth -- $C 2525 2001:db8:1::2
check "IPv6 over veth connected first time" "$TMP/v6veth" -- jqs "$TMP/v6veth" '
	map(select(.type=="group")) | length == 1 and .[0].class == "connected_first" and
	.[0].connected_family == "ipv6"'

# Text output names the failed attempt, its errno, the winner and the cost.
timeout 60 "$FT" run -- $C -n -t 1000 2525 2001:db8:2::25 192.0.2.2 >"$TMP/text" 2>&1
check "text report: failed IPv6 attempt, IPv4 winner, time lost" "$TMP/text" -- bash -c "
	grep -q 'IPv6 \[2001:db8:2::25\]:2525 *abandoned after 1.0' '$TMP/text' &&
	grep -q 'IPv4 192.0.2.2:2525 *connected.*FALLBACK IPv6->IPv4, 1.0[0-9] s lost' '$TMP/text' &&
	grep -q 'fallbacks: 1 from IPv6' '$TMP/text'"

# ----------------------------------------- errnos decided before the SYN
# Routes of every failing kind, in both families: the errno comes from the
# route lookup (no fexit on a hardened kernel) or from fexit on connect()
# (Debian's stock kernels); both give the same.
ip -n "$CLI" route add unreachable 198.51.100.1/32
ip -n "$CLI" route add prohibit 198.51.100.2/32
ip -n "$CLI" route add blackhole 198.51.100.3/32
ip -n "$CLI" -6 route add unreachable 2001:db8:a::1/128
ip -n "$CLI" -6 route add prohibit 2001:db8:a::2/128
ip -n "$CLI" -6 route add blackhole 2001:db8:a::3/128
ft routes -- $C 2525 198.51.100.1 198.51.100.2 198.51.100.3 2001:db8:a::1 2001:db8:a::2 2001:db8:a::3
got=$(jq -r -s 'map(select(.type=="attempt")) | map("\(.daddr)=\(.result)/\(.errno)") | join(" ")' "$TMP/routes")
check "unreachable, prohibit and blackhole routes, IPv4 and IPv6: EHOSTUNREACH, EACCES, EINVAL (got: $got)" \
	"$TMP/routes" "$TMP/routes.err" -- test "$got" = \
	"198.51.100.1=host_unreachable/EHOSTUNREACH 198.51.100.2=denied/EACCES 198.51.100.3=other_error/EINVAL 2001:db8:a::1=host_unreachable/EHOSTUNREACH 2001:db8:a::2=denied/EACCES 2001:db8:a::3=other_error/EINVAL"
ft uroutes -- $C -u 2525 198.51.100.1 2001:db8:a::2
got=$(jq -r -s 'map(select(.type=="probe")) | map("\(.daddr)=\(.ok)/\(.errno)") | join(" ")' "$TMP/uroutes")
check "UDP connects through unreachable and prohibit routes: failed route probes with their errnos (got: $got)" \
	"$TMP/uroutes" -- test "$got" = "198.51.100.1=false/EHOSTUNREACH 2001:db8:a::2=false/EACCES"

# No local port left (one port in the range, two connects at once): the
# second connect() fails after SYN_SENT, EADDRNOTAVAIL.
ip netns exec "$CLI" sysctl -qw net.ipv4.ip_local_port_range="40000 40000"
ft noport -- $C -M 2 -t 300 2525 192.0.2.2
ip netns exec "$CLI" sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
check "no local port free: EADDRNOTAVAIL before the SYN, not an abandonment" "$TMP/noport" "$TMP/noport.err" -- jqs "$TMP/noport" '
	map(select(.type=="attempt")) | length == 2 and
	(map(select(.result == "no_source_address" and .errno == "EADDRNOTAVAIL")) | length == 1)'

# famtrace puts no program on a syscall tracepoint, in any mode: every
# system call of the host would take the slow path for it. (Its tracepoint
# programs are all tp_btf, "tracing"; a syscall tracepoint program would be
# "tracepoint" or "raw_tracepoint".)
tp_progs() {
	bpftool prog show -j | jq -r 'map(select((.name // "") | startswith("ft_")) | select(.type == "tracepoint" or .type == "raw_tracepoint")) | length'
}
modes_ok=yes
for mode in "" "--all" "-p $$" "record -o $TMP/tp.ftr"; do
	# shellcheck disable=SC2086
	live tpmode $mode || { modes_ok="no (famtrace $mode did not start)"; break; }
	n=$(tp_progs)
	[ "$(bpftool prog show -j | jq 'map(select((.name // "") == "ft_connect4")) | length')" -ge 1 ] || modes_ok="no (no ft_connect4 with famtrace $mode)"
	stop_live tpmode
	[ "$n" = 0 ] || modes_ok="no ($n syscall tracepoint programs with famtrace $mode)"
done
check "no syscall tracepoint attached in the default, --all, -p and record modes: $modes_ok" -- test "$modes_ok" = yes

# ------------------------------------------------------- processes, run
ft status -- sh -c 'exit 7'
check "run returns the command's exit status (7)" "$TMP/status.err" -- test "$(cat "$TMP/status.rc")" = 7
ft noexec -- /nonexistent/command
check "run of a missing command exits 127 with a message" "$TMP/noexec.err" -- bash -c "
	test \$(cat '$TMP/noexec.rc') = 127 && grep -q 'cannot run /nonexistent/command' '$TMP/noexec.err'"

ft child -- $C -F 2600 127.0.0.1
check "run sees the command's children" "$TMP/child" -- jqs "$TMP/child" '
	(map(select(.type=="attempt")) | length == 1) as $one |
	(map(select(.type=="attempt"))[0].pid) as $pid |
	$one and (map(select(.type=="process" and .pid == $pid))[0].traced_as == "parent")'

ft thread -- $C -T 2600 127.0.0.1
check "a thread's attempt belongs to its process" "$TMP/thread" -- jqs "$TMP/thread" '
	map(select(.type=="attempt")) | length == 1 and .[0].tid != .[0].pid'
check "a thread's attempt is counted once, in its process" "$TMP/thread" -- jqs "$TMP/thread" '
	map(select(.type=="process" and .ipv4.tried > 0)) | length == 1 and .[0].ipv4.tried == 1'

# Not every connection starts with connect(): TCP Fast Open (Exim's default:
# sendto with MSG_FASTOPEN) and io_uring's IORING_OP_CONNECT are attempts too.
TFO="ip netns exec $CLI $B/tfo"
URING="ip netns exec $CLI $B/uring"
ft tfo -- $TFO 2525 2001:db8:3::25 192.0.2.2
check "TCP Fast Open (sendto MSG_FASTOPEN): no-route IPv6 seen at once, IPv4 connected, one fallback, via tfo" \
	"$TMP/tfo" "$TMP/tfo.err" -- jqs "$TMP/tfo" '
	(map(select(.type=="attempt")) | map({daddr, result, via})) ==
	 [{"daddr":"2001:db8:3::25","result":"net_unreachable","via":"tfo"},
	  {"daddr":"192.0.2.2","result":"connected","via":"tfo"}] and
	(map(select(.type=="group")) | length == 1 and .[0].class == "fallback")'
ft tfohole -- $TFO 2999 192.0.2.2
check "TCP Fast Open refused over veth: the asynchronous outcome, via tfo" "$TMP/tfohole" -- jqs "$TMP/tfohole" '
	map(select(.type=="attempt")) | length == 1 and .[0].result == "refused" and .[0].via == "tfo"'
ft uring -- $URING 2999 2001:db8:1::2 192.0.2.2
ft uring2 -- $URING 2525 2001:db8:1::2
check "io_uring connect (never the connect syscall): refused and connected attempts seen, named for the process" \
	"$TMP/uring" "$TMP/uring2" "$TMP/uring.err" -- bash -c "
	jq -e -s 'map(select(.type==\"attempt\")) | length == 2 and all(.[]; .result == \"refused\" and .comm == \"uring\" and .via != \"connect\")' '$TMP/uring' &&
	jq -e -s 'map(select(.type==\"attempt\")) | length == 1 and .[0].result == \"connected\" and .[0].daddr == \"2001:db8:1::2\"' '$TMP/uring2'"
timeout 60 "$FT" run -- $TFO 2525 192.0.2.2 >"$TMP/tfotext" 2>&1
check "text: an attempt opened with TCP Fast Open is marked [tfo]" "$TMP/tfotext" -- \
	grep -q 'IPv4 192.0.2.2:2525 *connected \[tfo, plain handshake\]' "$TMP/tfotext"

# Fast Open with data, against a server that takes it (its own address, so
# the client's cookie cache starts empty): the first connection asks for a
# cookie (plain handshake), the next sends its data in the SYN; once the
# server's key changes, the cookie is refused and the data goes again.
ip -n "$SRV" addr add 192.0.2.4/24 dev s0
ip netns exec "$SRV" sysctl -qw net.ipv4.tcp_fastopen=3
start_listener "$SRV" 192.0.2.4 2527 tfo || not_ok "a Fast Open listener started"
ft tfo1 -- $TFO -d EHLO 2527 192.0.2.4
ft tfo2 -- $TFO -d EHLO 2527 192.0.2.4
ip netns exec "$SRV" sysctl -qw net.ipv4.tcp_fastopen_key=00000000-00000000-00000000-0000002a
ft tfo3 -- $TFO -d EHLO 2527 192.0.2.4
tfo_results() {
	for n in 1 2 3; do
		jq -r -s 'map(select(.type=="attempt")) | map("\(.result)/\(.via)/\(.tfo)") | join(",")' "$TMP/tfo$n"
	done | paste -sd' '
}
got=$(tfo_results)
check "TCP Fast Open results: plain handshake (no cookie), data in SYN (cookie accepted), SYN data refused (key changed) (got: $got)" \
	"$TMP/tfo1" "$TMP/tfo2" "$TMP/tfo3" -- \
	test "$got" = "connected/tfo/plain_handshake connected/tfo/data_in_syn connected/tfo/syn_data_refused"

# The thread-group leader exits first (pthread_exit in main); the process
# lives on in another thread, which connects: still traced, and its exit
# is the process's.
ft leader -- $C -L 2600 127.0.0.1
check "the main thread exits first, another thread connects afterwards: traced, and the process exit reported" \
	"$TMP/leader" "$TMP/leader.err" -- jqs "$TMP/leader" '
	(map(select(.type=="attempt" and .dport==2600)) | length == 1 and .[0].result == "connected" and
	 .[0].tid != .[0].pid) and
	(map(select(.type=="process" and .comm=="connector"))[0] | .exited and .exit_status == 0)'

# An attempt still in SYN_SENT when the trace ends is reported as in
# progress with the time so far, not dropped.
ft inprog -d 1 -- $C -n -t 2500 2525 2001:db8:2::25 192.0.2.2
check "an attempt still connecting when the trace ends: reported in_progress with its time so far" \
	"$TMP/inprog" "$TMP/inprog.err" -- jqs "$TMP/inprog" '
	(map(select(.type=="attempt")) | length == 1 and .[0].result == "in_progress" and
	 .[0].daddr == "2001:db8:2::25" and .[0].latency_ms >= 900 and .[0].latency_ms < 2500) and
	(.[-1].in_progress == 1) and (map(select(.type=="group")) | length == 1)'

# A burst bigger than the pending map: every attempt is either seen or
# counted as not tracked (an LRU map evicted some silently).
ft burst --map-entries 16 -- $C -M 64 -t 500 2525 2001:db8:2::25
check "64 attempts at once through a 16-entry pending map: seen + counted as not tracked = 64" \
	"$TMP/burst" "$TMP/burst.err" -- jqs "$TMP/burst" '
	(map(select(.type=="attempt" and .dport==2525)) | length) as $seen |
	.[-1].pending_full as $refused |
	$seen > 0 and $refused > 0 and $seen + $refused == 64 and (.[-1].complete | not)'
grep -q "pending map full" "$TMP/burst.err"; said=$?
check "the refused attempts are said on stderr at the end of the trace" "$TMP/burst.err" -- test $said = 0

summary
