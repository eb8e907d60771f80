# tests/lib.sh - the helpers every test area shares (sourced, never run).
#
# An area file (tests/connect.sh, tests/resolver.sh, ...) sources this, asks
# for what it needs (need_root, net_up, dns_up), runs its checks and ends
# with `summary`. Each area runs alone (`tests/connect.sh`) or from tests/run,
# which runs them all. Tests make real connections over loopback and veth
# pairs between network namespaces they create (documentation ranges only:
# 192.0.2.0/24, 203.0.113.0/24, 2001:db8::/32), and clean up what they made,
# by pid and by namespace name, even when a check fails.
#
# Prints "ok - NAME" / "not ok - NAME"; a test that cannot run counts as
# failed, never as skipped. summary prints "N passed, N failed".
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FT=$PWD/famtrace
B=$PWD/build/tests
RC=$PWD/build/bench/connstorm
PASS=0
FAIL=0
P=ft$$_          # namespace prefix: unique per run
CLI=${P}cli SRV=${P}srv HOLE=${P}hole
TMP=$(mktemp -d /tmp/famtrace-test.XXXXXX)
BG_PIDS=()
CLEANUPS=()      # extra cleanup commands an area adds

export LAB=ft$$l- LAB_DIR=/run/famtrace-test-lab.$$
# A lab an earlier run left under these names (its pid was this one's, and
# it was killed before its cleanup) is not this run's to stop: other names.
for m in m n o p q r s t u v; do
	[ -e "$LAB_DIR" ] || ip netns list 2>/dev/null | grep -q "^$LAB" || break
	LAB=ft$$$m- LAB_DIR=/run/famtrace-test-lab.$$$m
done
cleanup() {
	local p c
	for c in "${CLEANUPS[@]}"; do eval "$c" >/dev/null 2>&1; done
	[ -d "$LAB_DIR" ] && scripts/lab down >/dev/null 2>&1
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for ns in "$CLI" "$SRV" "$HOLE"; do ip netns del "$ns" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
	rm -rf "/etc/netns/$CLI"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $1"
	shift
	local f n
	for f in "$@"; do
		[ -e "$f" ] || continue
		# A report's verdicts are at its end: a long file shows both ends.
		n=$(wc -l <"$f")
		if [ "$n" -le 40 ]; then
			sed 's/^/#   /' "$f"
		else
			echo "# $f ($n lines; the first 10 and the last 30):"
			head -10 "$f" | sed 's/^/#   /'
			echo "#   ..."
			tail -30 "$f" | sed 's/^/#   /'
		fi
	done
}
# famtrace folds its text to 100 columns unless told otherwise (tests/width.sh
# proves it says the same); the areas grep whole lines, so they read it
# unfolded. Where a test needs the default, it runs famtrace with env -u COLUMNS.
export COLUMNS=1000
# fits WIDTH FILE: no line of FILE is wider than WIDTH columns.
fits() { awk -v w="$1" 'length($0) > w { bad = 1 } END { exit bad }' "$2"; }
# same_words A B: A and B say the same words in the same order, whatever
# their line breaks and padding.
same_words() { cmp -s <(tr -s ' \n' '\n\n' <"$1") <(tr -s ' \n' '\n\n' <"$2"); }
# check NAME FILE... -- COMMAND: pass if COMMAND succeeds; on failure show FILEs.
check() {
	local name=$1 files=()
	shift
	while [ "$1" != "--" ]; do files+=("$1"); shift; done
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name" "${files[@]}"; fi
}
# jqs FILE FILTER: the JSON Lines in FILE, slurped, must make FILTER true.
jqs() { jq -e -s "$2" "$1"; }
# The MTA areas' comparisons: same_as_log NAME: $TMP/NAME.truth (the
# attempts the MTA's own log records) is not empty and equals
# $TMP/NAME.seen (famtrace's); rc_is NAME CODE: $TMP/NAME.rc holds CODE.
same_as_log() { [ -s "$TMP/$1.truth" ] && [ "$(cat "$TMP/$1.truth")" != "[]" ] && diff "$TMP/$1.truth" "$TMP/$1.seen"; }
rc_is() { test "$(cat "$TMP/$1.rc")" = "$2"; }

# The closing line; an area's exit status says whether all passed.
summary() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
# bail NAME: a precondition failed; count it and stop this area.
bail() {
	not_ok "$@"
	summary
	exit 1
}

# need_root TOOL...: kernel tests need root, famtrace built, and the tools.
need_root() {
	[ "$(id -u)" = 0 ] || bail "kernel tests need root (sudo make test)"
	local tool
	for tool in jq ip "$@"; do
		command -v "$tool" >/dev/null || bail "tool $tool is installed"
	done
	[ -x "$FT" ] || bail "famtrace is built"
}

# private_tool TOOL PACKAGE...: the directory holding TOOL, from the first of
# these Debian packages that has it, unpacked under build/ by
# scripts/private-deb, never installed (promtool without a Prometheus server
# enabled at boot: in Debian 12 it is in prometheus, in 13 a package of its
# own). Fails if none has it.
private_tool() {
	local tool=$1 p root
	shift
	for p in "$@"; do
		root=$(scripts/private-deb "$p" 2>/dev/null) || continue
		[ -x "$root/usr/bin/$tool" ] && echo "$root/usr/bin" && return 0
	done
	return 1
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds (10 times a second).
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# ------------------------------------------------------------ test network
#  CLI: lo 127.0.0.1 ::1
#       c0 192.0.2.1/24 2001:db8:1::1/64  <-veth->  SRV s0 192.0.2.2/24 2001:db8:1::2/64
#       h0 2001:db8:ff::1/64              <-veth->  HOLE h1 (IPv6 off: drops all)
#       route 2001:db8:2::/64 via 2001:db8:ff::2 (permanent neighbour): a black hole
#       no route to 2001:db8:3::/64: ENETUNREACH
setup_net() {
	set -e
	ip netns add "$CLI"
	ip netns add "$SRV"
	ip netns add "$HOLE"
	ip -n "$CLI" link set lo up
	ip -n "$SRV" link set lo up
	ip link add c0 netns "$CLI" type veth peer name s0 netns "$SRV"
	ip link add h0 netns "$CLI" type veth peer name h1 netns "$HOLE"
	ip netns exec "$HOLE" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$CLI" addr add 192.0.2.1/24 dev c0
	ip -n "$CLI" addr add 2001:db8:1::1/64 dev c0 nodad
	ip -n "$CLI" addr add 2001:db8:ff::1/64 dev h0 nodad
	ip -n "$SRV" addr add 192.0.2.2/24 dev s0
	ip -n "$SRV" addr add 2001:db8:1::2/64 dev s0 nodad
	ip -n "$SRV" addr add 192.0.2.3/24 dev s0
	ip -n "$CLI" link set c0 up
	ip -n "$CLI" link set h0 up
	ip -n "$SRV" link set s0 up
	ip -n "$HOLE" link set h1 up
	local hmac
	hmac=$(ip -n "$HOLE" -o link show h1 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n "$CLI" neigh add 2001:db8:ff::2 lladdr "$hmac" dev h0 nud permanent
	ip -n "$CLI" route add 2001:db8:2::/64 via 2001:db8:ff::2 dev h0
	set +e
}

# start_listener NS ADDR PORT [tfo]: a TCP listener in NS; waits for "ready".
start_listener() {
	local ns=$1 addr=$2 port=$3 out=$TMP/listener.$RANDOM
	ip netns exec "$ns" "$B/listener" "$addr" "$port" "${@:4}" >"$out" 2>&1 &
	BG_PIDS+=($!)
	wait_for 5 grep -q ready "$out"
}

C="ip netns exec $CLI $B/connector"
R="ip netns exec $CLI $B/resolver"

# net_up: the namespaces above and listeners on 127.0.0.1/::1 port 2600 (CLI)
# and 192.0.2.2/2001:db8:1::2 port 2525 (SRV).
net_up() {
	setup_net >"$TMP/setup.log" 2>&1 || bail "test network set up" "$TMP/setup.log"
	start_listener "$CLI" 127.0.0.1 2600 && start_listener "$CLI" ::1 2600 &&
		start_listener "$SRV" 192.0.2.2 2525 && start_listener "$SRV" 2001:db8:1::2 2525 ||
		bail "listeners started"
	ok "test network set up (namespaces $CLI $SRV $HOLE), listeners ready"
}

# dns_up: dnsmasq in SRV serves famtrace.test; CLI resolves through it.
# baddns on 192.0.2.3 answers with broken messages on purpose.
dns_up() {
	mkdir -p "/etc/netns/$CLI"
	echo "nameserver 192.0.2.2" >"/etc/netns/$CLI/resolv.conf"
	ip netns exec "$SRV" dnsmasq -k -C /dev/null --no-resolv --no-hosts --no-poll --user=root \
		--bind-interfaces --listen-address=192.0.2.2 --pid-file= --local=/famtrace.test/ \
		--host-record=mx1.famtrace.test,192.0.2.2,2001:db8:1::2 \
		--host-record=hole.famtrace.test,192.0.2.2,2001:db8:2::25 \
		--host-record=v4only.famtrace.test,192.0.2.2 \
		--host-record=v6only.famtrace.test,2001:db8:3::26 \
		--host-record=rr.famtrace.test,2001:db8:2::30 --host-record=rr.famtrace.test,2001:db8:1::30 \
		--host-record=rr.famtrace.test,192.0.2.30 \
		--host-record=rr2.famtrace.test,2001:db8:2::31 --host-record=rr2.famtrace.test,2001:db8:2::30 \
		--host-record=sixtofour.famtrace.test,2002:c000:202::25,192.0.2.2 \
		--host-record=ula.famtrace.test,fd00:db8::25,192.0.2.2 \
		--host-record=teredo.famtrace.test,2001:0:c000:201:0:63bf:39cc:9bf8 \
		--host-record=nat64.famtrace.test,64:ff9b::c000:221 \
		--mx-host=famtrace.test,mx1.famtrace.test,10 \
		--mx-host=famtrace.test,hole.famtrace.test,20 >"$TMP/dnsmasq.log" 2>&1 &
	BG_PIDS+=($!)
	ip netns exec "$SRV" "$B/baddns" 192.0.2.3 >"$TMP/baddns.log" 2>&1 &
	BADDNS_PID=$!
	BG_PIDS+=($!)
	wait_for 5 eval "$R -q mx1.famtrace.test A && grep -q ready '$TMP/baddns.log'" ||
		bail "dnsmasq and baddns answer in the test network" "$TMP/dnsmasq.log" "$TMP/baddns.log"
	ok "dnsmasq and baddns answer in the test network"
}

# relay WHAT CMD...: CMD's "ok"/"not ok" lines become this area's results,
# its "#" lines pass through; a CMD that reports nothing is a failure.
relay() {
	local what=$1 n_before=$((PASS + FAIL)) line
	shift
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) FAIL=$((FAIL + 1)); echo "$line" ;;
		"#"*) echo "$line" ;;
		esac
	done < <("$@" 2>&1)
	[ $((PASS + FAIL)) -gt "$n_before" ] || not_ok "$what reported nothing"
}

# ft NAME [famtrace options] -- CMD...: famtrace run, JSON to $TMP/NAME.
ft() {
	local name=$1
	shift
	timeout 60 "$FT" run -j "$@" >"$TMP/$name" 2>"$TMP/$name.err"
	echo $? >"$TMP/$name.rc"
}

# live NAME [options]: famtrace in the background until stop_live; returns
# once it says it is tracing (or recording), which comes after the drop of
# privileges and every attach.
live() {
	local name=$1
	shift
	: >"$TMP/$name.err" # an earlier run's "tracing" line must not count
	if [ "${1:-}" = record ]; then # a recording prints nothing: no -j
		"$FT" "$@" >"$TMP/$name" 2>"$TMP/$name.err" &
	else
		"$FT" -j "$@" >"$TMP/$name" 2>"$TMP/$name.err" &
	fi
	LIVE_PID=$!
	BG_PIDS+=($LIVE_PID)
	for _ in $(seq 100); do
		grep -q "Ctrl-C to stop" "$TMP/$name.err" 2>/dev/null && return 0
		kill -0 $LIVE_PID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# stop_live NAME: SIGTERM, wait, exit status into $TMP/NAME.rc.
stop_live() {
	# Outcomes reach famtrace within one poll of its ring buffer (100 ms);
	# what is still in flight then is the test's to wait for, not a sleep's.
	sleep 0.3
	kill -TERM "$LIVE_PID"
	wait "$LIVE_PID"
	echo $? >"$TMP/$1.rc"
}

# rec NAME [famtrace record options]: record in the background (RPID).
rec() {
	local name=$1
	shift
	live "$name" record -o "$TMP/$name.ftr" "$@"
	RPID=$LIVE_PID
}

# private_journald [devlog]: a systemd-journald of the test's own, in the
# area's private mount namespace (its caller unshared it): its sockets and
# files on tmpfs mounts over /run/systemd/journal, /run/log/journal and
# /var/log/journal (mount points made here are removed on exit); nothing
# of the host's journal is read or written. devlog: also a private /dev
# whose /dev/log is journald's (syslog() reaches it). Its pid: JPID.
private_journald() {
	local j p d
	JOURNALD=
	for j in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
		[ -x "$j" ] && JOURNALD=$j && break
	done
	[ -n "$JOURNALD" ] || bail "systemd-journald is installed (the systemd package)"
	JOURNAL_MADE=()
	for d in /run/systemd/journal /run/log/journal; do
		p=$d
		while [ ! -d "$p" ]; do JOURNAL_MADE+=("$p"); p=$(dirname "$p"); done # deepest first
		mkdir -p "$d"
	done
	CLEANUPS+=('umount /run/systemd/journal /run/log/journal; for d in "${JOURNAL_MADE[@]}"; do rmdir "$d"; done')
	if [ "${1:-}" = devlog ]; then
		mount -t tmpfs -o mode=755 famtrace-dev /dev &&
			mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
			mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9 &&
			ln -s /proc/self/fd /dev/fd && ln -s /run/systemd/journal/dev-log /dev/log ||
			bail "a private /dev"
	fi
	mount -t tmpfs famtrace-journal /run/systemd/journal &&
		mount -t tmpfs famtrace-journal /run/log/journal ||
		bail "private journal directories"
	[ -d /var/log/journal ] && { mount -t tmpfs famtrace-journal /var/log/journal || bail "a private /var/log/journal"; }
	"$JOURNALD" >"$TMP/journald.log" 2>&1 &
	JPID=$!
	BG_PIDS+=($JPID)
	wait_for 10 test -S /run/systemd/journal/socket || bail "systemd-journald started (see its output)" "$TMP/journald.log"
	[ "${1:-}" != devlog ] || wait_for 10 test -S /run/systemd/journal/dev-log ||
		bail "systemd-journald takes syslog (see its output)" "$TMP/journald.log"
}
