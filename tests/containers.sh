#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/containers.sh - where mail stacks live: a Postfix instance in a podman
# container (Debian's podman and runc) beside the lab's own Postfix on the
# host, both delivering from the relay's network namespace at once. famtrace,
# on the host, must name the container of every process it reports, give the
# pid the container's own log uses, and join that log's lines to the
# container's deliveries and the host's log to the host's. The container's
# Postfix logs to its standard output (maillog_file = /dev/stdout), which
# podman keeps in its k8s-file log: --container-logs finds and reads it.
# Then Debian's
# docker.io, a daemon of the test's own: containers whose one process
# connects and exits at once, named all the same, their networks judged.
# The container's root is the host's (an overlay, no image, no registry) with
# the private Postfix's /usr (scripts/lab-postfix) bound in; its PID, UTS,
# mount and cgroup namespaces are its own, its network the relay's.
[ -n "${FT_POSTFIX_META:-}" ] || exec "$(dirname "$0")/../scripts/lab-postfix" run bash "$0" "$@"
if [ "${FT_CONTAINERS_NS:-}" != 1 ]; then # a journald of its own (docker's journald driver)
	FT_CONTAINERS_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need_root dnsmasq postfix postconf podman runc dockerd busybox journalctl
private_journald

CNAME=${P}mta
CDIR=$LAB_DIR/crelay
RLOG=$LAB_DIR/relay/log/maillog
CLOG=$CDIR/log/maillog
# Debian's podman defaults to crun, which refuses a host with cgroup v1
# controllers mounted (this machine kind); runc takes either. Limits within
# the host's hard ones (podman asks for more than a CI machine allows).
PODMAN=(podman --runtime runc)
CLEANUPS+=("podman --runtime runc rm -f -t 2 $CNAME")

scripts/lab up >"$TMP/lab.log" 2>&1 || bail "lab up" "$TMP/lab.log"
scripts/lab scenario noroute >/dev/null || bail "lab scenario noroute"

# The container's instance: the relay's configuration, its own directories.
mkdir -p "$CDIR/etc" "$CDIR/queue" "$CDIR/data" "$CDIR/log"
chown postfix "$CDIR/data"
sed "s|$LAB_DIR/relay|$CDIR|g; s|^myhostname = .*|myhostname = crelay.lab.test|
	s|^maillog_file = .*|maillog_file = /dev/stdout|; s|^maillog_file_prefixes = .*|maillog_file_prefixes = /dev/stdout|" \
	"$LAB_DIR/relay/etc/main.cf" >"$CDIR/etc/main.cf"
cp "$LAB_DIR/relay/etc/master.cf" "$CDIR/etc/master.cf"
# clog: the container's log as podman keeps it (its output), into $CLOG.
clog() { "${PODMAN[@]}" logs "$CNAME" >"$CLOG" 2>/dev/null; }

container_up() {
	"${PODMAN[@]}" run -d --name "$CNAME" --hostname crelay --log-driver k8s-file --ulimit nofile=4096:4096 \
		--ulimit nproc=4096:4096 --network "ns:/run/netns/${LAB}relay" \
		-v /usr:/usr -v /etc/passwd:/etc/passwd:ro -v /etc/group:/etc/group:ro \
		-v "/etc/netns/${LAB}relay/resolv.conf:/etc/resolv.conf:ro" \
		-v "$LAB_DIR:$LAB_DIR" -v "$FT_POSTFIX_META:$FT_POSTFIX_META:ro" --rootfs /:O \
		postfix -c "$CDIR/etc" start-fg >"$TMP/podman.log" 2>&1 &&
		wait_for 30 test -s "$CDIR/queue/pid/master.pid"
}
# csend DOMAIN: mail handed to the container's Postfix, waited for in its log.
csend() {
	local before
	clog
	before=$(wc -l <"$CLOG")
	printf 'Subject: famtrace container\n\nhello\n' |
		"${PODMAN[@]}" exec -i "$CNAME" sendmail -C "$CDIR/etc" -f lab@lab.test "u@$1" || return 1
	wait_for 20 sh -c "${PODMAN[*]} logs $CNAME 2>/dev/null | tail -n +$((before + 1)) | grep -q 'status='"
	clog
}
# The pid the container's log gives its smtp for the latest delivery.
log_pid() { grep 'postfix/smtp\[' "$1" | grep 'status=' | tail -1 | sed 's/.*postfix\/smtp\[\([0-9]*\)\].*/\1/'; }

# --- famtrace first, then the container (a service started before it) ----
live pc -o "$TMP/pc.ftr" --metrics "$TMP/pc.prom" --container-logs || bail "famtrace traces" "$TMP/pc.err"
container_up || bail "the container's Postfix starts (podman, runc)" "$TMP/podman.log"
ok "podman runs a Postfix of its own in the relay's network namespace"
csend dual.lab.test >"$TMP/csend.log" 2>&1
scripts/lab send dual.lab.test 20 >"$TMP/hsend.log" 2>&1
stop_live pc
clog
CPID=$(log_pid "$CLOG")
HPID=$(log_pid "$RLOG")
check "both instances delivered over IPv4 after IPv6's ENETUNREACH (their logs)" "$CLOG" "$RLOG" -- \
	bash -c "[ -n '$CPID' ] && [ -n '$HPID' ] && grep -q 'Network is unreachable' '$CLOG' &&
		grep -q 'status=sent' '$CLOG' && grep -q 'status=sent' '$RLOG'"

check "the container's smtp is named: podman, the container's name, its own PID namespace, the pid its log gives ($CPID)" \
	"$TMP/pc" -- jqs "$TMP/pc" "
	[.[] | select(.type == \"process\" and .comm == \"smtp\" and .place.kind == \"container\")] |
	length == 1 and .[0].place.runtime == \"podman\" and .[0].place.container == \"$CNAME\" and
	(.[0].place.container_id | test(\"^[0-9a-f]{64}$\")) and .[0].place.own_pid_namespace and
	.[0].place.ns_pid == $CPID and .[0].pid != $CPID and .[0].place.net_namespace != null"
check "the host's smtp is not in a container, and its pid is its log's ($HPID)" "$TMP/pc" -- jqs "$TMP/pc" "
	[.[] | select(.type == \"process\" and .comm == \"smtp\" and .place.kind != \"container\")] |
	length == 1 and .[0].place.own_pid_namespace == false and .[0].pid == $HPID"
check "the container's delivery: fallback IPv6 -> IPv4 after ENETUNREACH" "$TMP/pc" -- jqs "$TMP/pc" '
	([.[] | select(.type == "process" and .place.kind == "container" and .comm == "smtp")][0].pid) as $p |
	[.[] | select(.type == "group" and .pid == $p)] | length == 1 and .[0].class == "fallback" and
	(.[0].attempts | map(.result)) == ["net_unreachable", "connected"]'
check "the container's network is judged: no IPv6 route (JSON network.ipv6), IPv4 fine" "$TMP/pc" -- jqs "$TMP/pc" '
	[.[] | select(.type == "process" and .place.kind == "container" and .comm == "smtp")] |
	length == 1 and .[0].network.ipv6 == "no_route" and .[0].network.ipv4 == null'
"$FT" report "$TMP/pc.ftr" >"$TMP/pc.txt" 2>"$TMP/pc.txt.err"
check "... and in words: NETWORK: container $CNAME has no IPv6 route, with the ways out for a container" "$TMP/pc.txt" -- \
	bash -c "tr -s ' \n' '  ' <'$TMP/pc.txt' | grep -q 'NETWORK: container $CNAME has no IPv6 route: 1 connect(s) and route probe(s) failed at the route lookup (ENETUNREACH: no route to the address, so no default route either), none connected; ways out: give the container.s network an IPv6 route'"
check "metrics: the container's smtp has series of its own, labelled with the container; the host's has none" \
	"$TMP/pc.prom" -- bash -c "
	grep -q 'famtrace_connect_attempts_total{comm=\"smtp\",container=\"$CNAME\",family=\"ipv6\",result=\"net_unreachable\"} 1' '$TMP/pc.prom' &&
	grep -q 'famtrace_connect_attempts_total{comm=\"smtp\",family=\"ipv6\",result=\"net_unreachable\"} 1' '$TMP/pc.prom'"

# --- the recording, each log joined in its own namespace ----------------
"$FT" report -j --maillog "$CLOG" "$TMP/pc.ftr" >"$TMP/rc_c" 2>"$TMP/rc_c.err"
CHOST=$(jq -s '[.[] | select(.type == "process" and .place.kind == "container" and .comm == "smtp")][0].pid' "$TMP/pc")
check "report --maillog <the container's log>: its smtp[$CPID] line is joined to the container's smtp (host pid $CHOST), not to a host process" \
	"$TMP/rc_c" "$TMP/rc_c.err" -- jqs "$TMP/rc_c" "
	[.[] | select(.type == \"message\") | .deliveries[] | select(.status == \"sent\")] |
	length >= 1 and all(.pid == $CPID and .traced_pid == $CHOST and .class == \"fallback\" and
	.pid_ambiguous == false)"
"$FT" report --maillog "$CLOG" "$TMP/pc.ftr" >"$TMP/rc_ct" 2>"$TMP/rc_ct.err"
check "... and in words: the log's pid is the host's $CHOST, in the container" "$TMP/rc_ct" -- \
	grep -q "smtp\[$CPID\] of this log is pid $CHOST on the host, in container $CNAME (podman [0-9a-f]\{12\}), pid $CPID in its PID namespace" "$TMP/rc_ct"

# --- the container's log found by itself (--container-logs) --------------
# podman keeps the container's output in its k8s-file log; famtrace finds
# it from the container's id and reads it as the container's lines only.
check "live --container-logs: the container's log found and followed (podman's k8s-file), said on standard error" \
	"$TMP/pc.err" -- grep -q "container $CNAME (podman [0-9a-f]\{12\}): its log (k8s-file) followed: /var/lib/containers/storage/overlay-containers/[0-9a-f]\{64\}/userdata/ctr.log" "$TMP/pc.err"
check "... its smtp[$CPID] line joined live to the container's smtp (host pid $CHOST): fallback; the host's delivery has no line (its log was not given)" \
	"$TMP/pc" -- jqs "$TMP/pc" "
	([.[] | select(.type == \"message\") | .deliveries[] | select(.status == \"sent\")] |
	 length == 1 and .[0].pid == $CPID and .[0].traced_pid == $CHOST and .[0].class == \"fallback\" and
	 .[0].pid_ambiguous == false) and
	([.[] | select(.type == \"message\") | .deliveries[] | select(.traced_pid == $HPID)] | length == 0)"
check "... and counted in the metrics: one delivery sent with a family problem behind it" "$TMP/pc.prom" -- \
	grep -q 'famtrace_message_deliveries_total{status="sent",family_problem="true"} 1' "$TMP/pc.prom"
"$FT" report -j --container-logs "$TMP/pc.ftr" >"$TMP/rc_cl" 2>"$TMP/rc_cl.err"
check "report --container-logs: the recording's container's log read by itself, its line joined to the container's smtp" \
	"$TMP/rc_cl" "$TMP/rc_cl.err" -- bash -c "grep -q 'container $CNAME (podman [0-9a-f]\{12\}): its log (k8s-file) read:' '$TMP/rc_cl.err' && jq -e -s '
	[.[] | select(.type == \"message\") | .deliveries[] | select(.status == \"sent\")] |
	length == 1 and .[0].pid == $CPID and .[0].traced_pid == $CHOST and .[0].class == \"fallback\"' '$TMP/rc_cl'"
"$FT" report -j --container-logs --maillog "$RLOG" "$TMP/pc.ftr" >"$TMP/rc_both" 2>"$TMP/rc_both.err"
check "report --container-logs --maillog <the host's log>: each delivery joined to its own instance's smtp" \
	"$TMP/rc_both" "$TMP/rc_both.err" -- jqs "$TMP/rc_both" "
	[.[] | select(.type == \"message\") | .deliveries[] | select(.status == \"sent\")] |
	length == 2 and (map(.traced_pid) | sort) == ([$CHOST, $HPID] | sort) and all(.class == \"fallback\")"

"$FT" report -j --maillog "$RLOG" "$TMP/pc.ftr" >"$TMP/rc_h" 2>"$TMP/rc_h.err"
check "report --maillog <the host's log>: its smtp[$HPID] line is joined to the host's smtp" "$TMP/rc_h" -- jqs "$TMP/rc_h" "
	[.[] | select(.type == \"message\") | .deliveries[] | select(.status == \"sent\")] |
	length >= 1 and all(.traced_pid == $HPID and .class == \"fallback\")"
"$FT" report -j --container "$CNAME" "$TMP/pc.ftr" >"$TMP/rc_sel" 2>"$TMP/rc_sel.err"
check "report --container $CNAME: only the container's processes, and the summary says so" "$TMP/rc_sel" "$TMP/rc_sel.err" -- jqs "$TMP/rc_sel" "
	([.[] | select(.type == \"process\")] | length >= 1 and all(.place.container == \"$CNAME\") and
	 any(.comm == \"smtp\")) and ([.[] | select(.type == \"summary\")][0].place_filter == \"$CNAME\")"
"$FT" report -j --container "${CNAME}x" "$TMP/pc.ftr" >"$TMP/rc_none" 2>"$TMP/rc_none.err"
check "report --container <another name>: no process, no attempt, group or lookup of one" "$TMP/rc_none" -- jqs "$TMP/rc_none" \
	'[.[] | select(.type != "summary")] | length == 0'
"$FT" report --container 'bad name' "$TMP/pc.ftr" >"$TMP/rc_bad" 2>&1; rc=$?
check "report --container 'bad name': a usage error (exit $rc)" "$TMP/rc_bad" -- \
	bash -c "[ $rc = 2 ] && grep -q \"not a container name\" '$TMP/rc_bad'"

# --- famtrace started after the container: the smtp it finds running -----
SMTP_HOST=$CHOST
live pc2 || bail "famtrace traces (second run)" "$TMP/pc2.err"
csend dual.lab.test >"$TMP/csend2.log" 2>&1
stop_live pc2
check "started after the container: the smtp already running ($SMTP_HOST, no fork or exec seen) is named from /proc" \
	"$TMP/pc2" -- jqs "$TMP/pc2" "
	[.[] | select(.type == \"process\" and .pid == $SMTP_HOST)] | length == 1 and
	.[0].place.container == \"$CNAME\" and .[0].place.ns_pid == $CPID"

# --- check --postfix for the container's instance -------------------------
# Its master.pid holds the pid the master has in the container; check finds
# the master by that pid among the masters working in that queue directory,
# and judges the container's deliveries as the host's.
clog
before=$(wc -l <"$CLOG")
timeout 90 "$FT" check -j -v --postfix "$CDIR/etc" -- bash -c "
	printf 'Subject: famtrace check\n\nhello\n' |
		${PODMAN[*]} exec -i $CNAME sendmail -C '$CDIR/etc' -f lab@lab.test u@dual.lab.test &&
	for i in \$(seq 200); do ${PODMAN[*]} logs $CNAME 2>/dev/null | tail -n +$((before + 1)) | grep -q 'status=' && break; sleep 0.1; done" \
	>"$TMP/cchk" 2>"$TMP/cchk.err"
echo $? >"$TMP/cchk.rc"
CMASTER=$(head -1 "$CDIR/queue/pid/master.pid" | tr -d ' ')
check "check --postfix <the container's config>: its master found by the pid its pid file gives ($CMASTER in the container), its delivery judged: DEGRADED (exit 1), IPv6 unusable" \
	"$TMP/cchk" "$TMP/cchk.err" -- bash -c "test \$(cat '$TMP/cchk.rc') = 1 && jq -e -s '
	(map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and .delivery.unusable_families == 1 and
	 (.source | test(\"its master is pid [0-9]+ on the host, pid $CMASTER in a PID namespace of its own\"))) and
	(map(select(.type==\"group\" and .comm==\"smtp\")) | length == 1 and .[0].class == \"fallback\") and
	(map(select(.type==\"process\" and .comm==\"smtp\")) | length == 1 and .[0].place.container == \"$CNAME\")' '$TMP/cchk'"

# The same instance with its configuration only inside the container (a copy
# in the container's own /etc, which the host does not see): check reads it
# with the container's own postconf, in the container's namespaces.
"${PODMAN[@]}" exec "$CNAME" cp -a "$CDIR/etc" /etc/postfix-in >"$TMP/cp.log" 2>&1 ||
	bail "a configuration copied inside the container" "$TMP/cp.log"
"$FT" check --postfix /etc/postfix-in -d 1 >"$TMP/cchk_host" 2>&1; rc=$?
check "check --postfix <a directory only the container has>, without --container: the host's postconf cannot read it (exit $rc: UNKNOWN)" \
	"$TMP/cchk_host" -- bash -c "[ ! -e /etc/postfix-in ] && [ $rc = 3 ] && grep -q 'postconf -c /etc/postfix-in failed' '$TMP/cchk_host'"
clog
before=$(wc -l <"$CLOG")
timeout 90 "$FT" check -j -v --container "$CNAME" --postfix /etc/postfix-in -- bash -c "
	printf 'Subject: famtrace check\n\nhello\n' |
		${PODMAN[*]} exec -i $CNAME sendmail -C /etc/postfix-in -f lab@lab.test u@dual.lab.test &&
	for i in \$(seq 200); do ${PODMAN[*]} logs $CNAME 2>/dev/null | tail -n +$((before + 1)) | grep -q 'status=' && break; sleep 0.1; done" \
	>"$TMP/cchk_in" 2>"$TMP/cchk_in.err"
echo $? >"$TMP/cchk_in.rc"
check "check --container $CNAME --postfix /etc/postfix-in: read by the container's own postconf, its master found in the container, its delivery judged: DEGRADED (exit 1)" \
	"$TMP/cchk_in" "$TMP/cchk_in.err" -- bash -c "test \$(cat '$TMP/cchk_in.rc') = 1 && jq -e -s '
	(map(select(.type==\"check\"))[0] | .verdict == \"degraded\" and .delivery.unusable_families == 1 and
	 (.source | test(\"postconf -c /etc/postfix-in in container $CNAME .its own postconf.; its master is pid [0-9]+ on the host, pid $CMASTER in the container\"))) and
	(map(select(.type==\"group\" and .comm==\"smtp\")) | length == 1 and .[0].class == \"fallback\")' '$TMP/cchk_in'"
"$FT" check --container "${CNAME}x" --postfix /etc/postfix-in -d 1 >"$TMP/cchk_none" 2>&1; rc=$?
check "check --container <no such container>: said, exit 3 (UNKNOWN)" "$TMP/cchk_none" -- \
	bash -c "[ $rc = 3 ] && grep -q 'no Postfix master runs in container ${CNAME}x' '$TMP/cchk_none'"

# --- docker (Debian's docker.io): a daemon of the test's own ----------------
# Its data under the test's directory, no bridge, no iptables rules: nothing
# of the host's network changes. The image is imported from a tar (busybox
# and the static musl client), no registry.
DK=$TMP/docker
DOCKER=(/usr/bin/docker -H "unix://$DK/docker.sock")
mkdir -p "$DK/data" "$DK/exec" "$DK/img/bin"
dockerd --data-root "$DK/data" --exec-root "$DK/exec" -H "unix://$DK/docker.sock" --pidfile "$DK/docker.pid" \
	--iptables=false --ip6tables=false --bridge=none >"$DK/dockerd.log" 2>&1 &
DOCKERD=$!
BG_PIDS+=($DOCKERD)
CLEANUPS=("${DOCKER[*]} rm -f ${P}dk6 ${P}dk4 ${P}dkl ${P}dkj" "${PODMAN[*]} rm -f -t 0 ${P}pj" "${CLEANUPS[@]}")
wait_for 60 "${DOCKER[@]}" info || bail "dockerd starts" "$DK/dockerd.log"
cp "$(command -v busybox)" "$B/gaiconnect-musl" "$DK/img/bin/"
tar -C "$DK/img" -c . | "${DOCKER[@]}" import - "${P}img:1" >/dev/null 2>"$DK/import.err" ||
	bail "an image imported from a tar" "$DK/import.err"
ok "dockerd (docker.io) of the test's own runs; an image imported from a tar"
# famtrace after dockerd (it reads where dockerd keeps its containers' names),
# before the containers; each container's process connects once and exits at once.
live dk -o "$TMP/dk.ftr" --container-logs || bail "famtrace traces (docker)" "$TMP/dk.err"
"${DOCKER[@]}" run --rm --name "${P}dk6" --network none "${P}img:1" /bin/gaiconnect-musl -t 300 25 2001:db8::1 \
	>"$DK/run6.log" 2>&1
"${DOCKER[@]}" run --rm --name "${P}dk4" --network none "${P}img:1" /bin/gaiconnect-musl -t 300 25 192.0.2.1 \
	>"$DK/run4.log" 2>&1
# Containers that log as Postfix does on its standard output: a shell
# writes a delivery line in Postfix's form for the connect its child made
# (its pid in the container's namespace), QID and ADDR its arguments. One
# kept by dockerd's json-file driver (dockerd's default), one by its
# journald driver (the test's own journald). Not removed until the end:
# their logs are read again by report.
SMTPLIKE='i=0; while [ $i -lt ${3:-0} ]; do echo "line $i of a burst"; i=$((i + 1)); done
/bin/gaiconnect-musl -t 300 25 "$2" & p=$!; wait $p
echo "$(/bin/busybox date "+%b %e %H:%M:%S") dk postfix/smtp[$p]: $1: to=<u@lab.test>, relay=$2[$2]:25, delay=0.3, delays=0/0/0.3/0, dsn=4.4.1, status=deferred (connect to $2[$2]:25: Network is unreachable)"
/bin/busybox sleep 1'
"${DOCKER[@]}" run -d --name "${P}dkl" --network none "${P}img:1" /bin/busybox sh -c "$SMTPLIKE" sh 5E3F0A1B2C 192.0.2.1 \
	>"$DK/runl.log" 2>&1
"${DOCKER[@]}" run -d --name "${P}dkj" --log-driver journald --network none "${P}img:1" /bin/busybox sh -c "$SMTPLIKE" sh \
	6F4A1B2C3D 192.0.2.2 300 >"$DK/runj.log" 2>&1
# And podman's journald driver (its default under systemd), through conmon:
# the same script on the host's root (an overlay), its own binaries' paths.
PSMTPLIKE=$(printf '%s' "$SMTPLIKE" | sed "s|/bin/gaiconnect-musl|$B/gaiconnect-musl|; s|/bin/busybox|$(command -v busybox)|g")
"${PODMAN[@]}" run -d --name "${P}pj" --log-driver journald --network none --ulimit nofile=4096:4096 \
	--ulimit nproc=4096:4096 --rootfs /:O sh -c "$PSMTPLIKE" sh \
	7A5B2C3D4E 192.0.2.3 >"$DK/runpj.log" 2>&1
wait_for 20 sh -c "${DOCKER[*]} logs ${P}dkl 2>/dev/null | grep -q status=deferred"
wait_for 20 sh -c "${DOCKER[*]} logs ${P}dkj 2>/dev/null | grep -q status=deferred"
"${DOCKER[@]}" wait "${P}dkl" "${P}dkj" >/dev/null 2>&1
wait_for 20 sh -c "journalctl -q -o cat CONTAINER_NAME=${P}pj | grep -q status=deferred"
"${PODMAN[@]}" wait "${P}pj" >/dev/null 2>&1
stop_live dk
LPID=$("${DOCKER[@]}" logs "${P}dkl" 2>/dev/null | sed -n 's/.*postfix\/smtp\[\([0-9]*\)\].*/\1/p')
LHOST=$(jq -s "[.[] | select(.type == \"process\" and .place.container == \"${P}dkl\" and .comm == \"gaiconnect-musl\")][0].pid // 0" "$TMP/dk")
check "docker --container-logs: the container's json-file log found and followed; its line (pid $LPID in the container) joined live to its process ($LHOST on the host)" \
	"$TMP/dk" "$TMP/dk.err" -- bash -c "[ -n '$LPID' ] && [ '$LHOST' != 0 ] && [ '$LPID' != '$LHOST' ] &&
	grep -q 'container ${P}dkl (docker [0-9a-f]\{12\}): its log (json-file) followed: $DK/data/containers/[0-9a-f]\{64\}/[0-9a-f]\{64\}-json.log' '$TMP/dk.err' && jq -e -s '
	[.[] | select(.type == \"message\" and .queue_id == \"5E3F0A1B2C\") | .deliveries[]] | length == 1 and
	.[0].pid == $LPID and .[0].traced_pid == $LHOST and .[0].status == \"deferred\"' '$TMP/dk'"
JCID=$("${DOCKER[@]}" inspect -f '{{.Id}}' "${P}dkj")
JPID_C=$(journalctl -q -o cat CONTAINER_ID_FULL="$JCID" | sed -n 's/.*postfix\/smtp\[\([0-9]*\)\].*/\1/p')
JHOST=$(jq -s "[.[] | select(.type == \"process\" and .place.container == \"${P}dkj\" and .comm == \"gaiconnect-musl\")][0].pid // 0" "$TMP/dk")
check "docker --container-logs, journald driver: its entries followed in the journal (dockerd's, by the container's id); its line (pid $JPID_C in the container) joined live to its process ($JHOST on the host)" \
	"$TMP/dk" "$TMP/dk.err" -- bash -c "[ -n '$JPID_C' ] && [ '$JHOST' != 0 ] &&
	grep -q 'container ${P}dkj (docker [0-9a-f]\{12\}): its log (journald) followed in the journal' '$TMP/dk.err' && jq -e -s '
	[.[] | select(.type == \"message\" and .queue_id == \"6F4A1B2C3D\") | .deliveries[]] | length == 1 and
	.[0].pid == $JPID_C and .[0].traced_pid == $JHOST and .[0].status == \"deferred\"' '$TMP/dk'"
PJPID=$(journalctl -q -o cat CONTAINER_NAME="${P}pj" | sed -n 's/.*postfix\/smtp\[\([0-9]*\)\].*/\1/p')
PJHOST=$(jq -s "[.[] | select(.type == \"process\" and .place.container == \"${P}pj\" and .comm == \"gaiconnect-musl\")][0].pid // 0" "$TMP/dk")
check "podman --container-logs, journald driver (conmon's entries): its line (pid $PJPID in the container) joined live to its process ($PJHOST on the host)" \
	"$TMP/dk" "$TMP/dk.err" "$DK/runpj.log" -- bash -c "[ -n '$PJPID' ] && [ '$PJHOST' != 0 ] &&
	grep -q 'container ${P}pj (podman [0-9a-f]\{12\}): its log (journald) followed in the journal' '$TMP/dk.err' && jq -e -s '
	[.[] | select(.type == \"message\" and .queue_id == \"7A5B2C3D4E\") | .deliveries[]] | length == 1 and
	.[0].pid == $PJPID and .[0].traced_pid == $PJHOST and .[0].status == \"deferred\"' '$TMP/dk'"
check "docker --container-logs, journald driver: a burst of 300 lines before it, every one read (journalctl 252 following a match on _COMM let about a quarter of such a burst by)" \
	"$TMP/dk" -- jqs "$TMP/dk" 'map(select(.type=="summary"))[0].maillog.lines >= 302'
# Anyone can write an entry with the container's id in it: one saying the
# message was sent, by logger (not dockerd), changes nothing.
printf 'MESSAGE=%s dk postfix/smtp[%s]: 6F4A1B2C3D: to=<u@lab.test>, relay=192.0.2.2[192.0.2.2]:25, delay=0.4, delays=0/0/0.3/0.1, dsn=2.0.0, status=sent (250 forged)\nCONTAINER_ID_FULL=%s\nCONTAINER_NAME=%s\n' \
	"$(date '+%b %e %H:%M:%S')" "$JPID_C" "$JCID" "${P}dkj" | logger --journald
wait_for 10 sh -c "journalctl -q -o cat CONTAINER_ID_FULL=$JCID | grep -q '250 forged'"
check "docker, IPv6 off in the container (Docker's default): EADDRNOTAVAIL as the client saw it, and the container named: no IPv6 address" \
	"$TMP/dk" "$DK/run6.log" -- bash -c "grep -q 'Address not available' '$DK/run6.log' && jq -e -s '
	[.[] | select(.type == \"process\" and .place.container == \"${P}dk6\")] | length == 1 and
	.[0].place.runtime == \"docker\" and .[0].place.ns_pid == 1 and .[0].network.ipv6 == \"no_address\" and
	.[0].ipv6.results == {\"no_source_address\": 1}' '$TMP/dk'"
check "docker, no IPv4 route in the container: ENETUNREACH as the client saw it, and the container named: no IPv4 route" \
	"$TMP/dk" "$DK/run4.log" -- bash -c "grep -q 'Network unreachable' '$DK/run4.log' && jq -e -s '
	[.[] | select(.type == \"process\" and .place.container == \"${P}dk4\")] | length == 1 and
	.[0].network.ipv4 == \"no_route\" and .[0].ipv4.results == {\"net_unreachable\": 1}' '$TMP/dk'"
"$FT" report "$TMP/dk.ftr" >"$TMP/dk.txt" 2>"$TMP/dk.txt.err"
check "the recording names both containers though they were gone within milliseconds, and says what each network lacked" \
	"$TMP/dk.txt" -- bash -c "tr -s ' \n' '  ' <'$TMP/dk.txt' |
	grep -q 'runs in container ${P}dk6 (docker [0-9a-f]\{12\}), pid 1 in its PID namespace NETWORK: container ${P}dk6 has no IPv6 address' &&
	tr -s ' \n' '  ' <'$TMP/dk.txt' | grep -q 'NETWORK: container ${P}dk4 has no IPv4 route'"
"$FT" report -j --container-logs "$TMP/dk.ftr" >"$TMP/dk_cl" 2>"$TMP/dk_cl.err"
check "report --container-logs: the log of the container still there is read and joined; the removed ones are said to be gone, not silent" \
	"$TMP/dk_cl" "$TMP/dk_cl.err" -- bash -c "grep -q 'container ${P}dkl (docker [0-9a-f]\{12\}): its log (json-file) read:' '$TMP/dk_cl.err' &&
	grep -q 'container ${P}dk6 (docker [0-9a-f]\{12\}): its runtime.s record of it was not found (removed?): its log is not read' '$TMP/dk_cl.err' && jq -e -s '
	[.[] | select(.type == \"message\" and .queue_id == \"5E3F0A1B2C\") | .deliveries[]] | length == 1 and .[0].traced_pid == $LHOST' '$TMP/dk_cl'"
check "report --container-logs, journald driver: the container's entries read from the journal and joined; the entry forged by logger with its id ignored and counted" \
	"$TMP/dk_cl" "$TMP/dk_cl.err" -- bash -c "grep -q 'container ${P}dkj (docker [0-9a-f]\{12\}): its log (journald) read from the journal' '$TMP/dk_cl.err' && jq -e -s '
	([.[] | select(.type == \"message\" and .queue_id == \"6F4A1B2C3D\") | .deliveries[]] | length == 1 and
	 .[0].traced_pid == $JHOST and .[0].status == \"deferred\") and
	([.[] | select(.type == \"summary\")][0].maillog.foreign_entries == 1)' '$TMP/dk_cl'"
"$FT" report -j --container-logs --container "${P}dkl" "$TMP/dk.ftr" >"$TMP/dk_one" 2>"$TMP/dk_one.err"
check "report --container-logs --container ${P}dkl: that container's log only (the others' lines are about no process shown)" \
	"$TMP/dk_one" "$TMP/dk_one.err" -- bash -c "grep -q 'container ${P}dkl (docker' '$TMP/dk_one.err' &&
	! grep -q 'container ${P}dkj\|container ${P}pj' '$TMP/dk_one.err' && jq -e -s '
	[.[] | select(.type == \"message\")] | length == 1 and .[0].queue_id == \"5E3F0A1B2C\" and
	.[0].deliveries[0].traced_pid == $LHOST' '$TMP/dk_one'"
"${DOCKER[@]}" rm -f "${P}dkl" "${P}dkj" >/dev/null 2>&1
"${PODMAN[@]}" rm -f -t 0 "${P}pj" >/dev/null 2>&1
"${DOCKER[@]}" rmi -f "${P}img:1" >/dev/null 2>&1
kill "$DOCKERD" 2>/dev/null && wait "$DOCKERD" 2>/dev/null

summary
