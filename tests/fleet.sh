#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/fleet.sh - famtrace wired into monitoring, end to end, with the real
# programs: two relays' famtrace writing --metrics into node_exporter's
# textfile collector, a Prometheus server scraping both and evaluating
# alerts/famtrace.rules.yml, and Alertmanager receiving what fires. One
# relay meets the seeds' incident (a client that takes the first answer and
# never falls back), the other delivers. Prometheus, Alertmanager and
# node_exporter are Debian's, unpacked privately (scripts/private-deb),
# started here on loopback ports and stopped by pid: never installed, never
# enabled.
. "$(dirname "$0")/lib.sh"
need_root
net_up
dns_up

bin_of() { # TOOL PACKAGE...: the tool's path, from a private unpack
	local d
	d=$(private_tool "$@") || return 1
	echo "$d/$1"
}
PROM=$(bin_of prometheus prometheus) &&
	PROMTOOL=$(bin_of promtool prometheus prometheus-promtool) &&
	AM=$(bin_of prometheus-alertmanager prometheus-alertmanager) &&
	AMTOOL=$(bin_of amtool prometheus-alertmanager) &&
	NODE=$(bin_of prometheus-node-exporter prometheus-node-exporter) ||
	bail "Prometheus, Alertmanager and node_exporter unpacked from Debian's packages"
ok "Prometheus, Alertmanager and node_exporter unpacked from Debian's packages (not installed)"

# Loopback ports of our own: a base no listener holds.
base=$((20000 + $$ % 20000))
while ss -ltn | grep -Eq ":($base|$((base + 1))|$((base + 2))|$((base + 3)))\b"; do base=$((base + 7)); done
P_A=$base P_B=$((base + 1)) P_AM=$((base + 2)) P_PROM=$((base + 3))

# Two relays: famtrace's metrics every second, each into its own textfile
# directory. Relay A traces the first-answer client, relay B a client that
# delivers.
mkdir -p "$TMP/relayA" "$TMP/relayB"
"$FT" -c dnsrace --metrics "$TMP/relayA/famtrace.prom" --metrics-interval 1 >"$TMP/ftA.out" 2>"$TMP/ftA.err" &
BG_PIDS+=($!)
FT_A=$!
"$FT" -c connector --metrics "$TMP/relayB/famtrace.prom" --metrics-interval 1 >"$TMP/ftB.out" 2>"$TMP/ftB.err" &
FT_B=$!
BG_PIDS+=($FT_B)
wait_for 30 grep -q "Ctrl-C to stop" "$TMP/ftA.err" && wait_for 30 grep -q "Ctrl-C to stop" "$TMP/ftB.err" ||
	bail "two famtraces with --metrics started" "$TMP/ftA.err" "$TMP/ftB.err"

for r in A B; do
	[ $r = A ] && port=$P_A || port=$P_B
	"$NODE" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$TMP/relay$r" --web.listen-address="127.0.0.1:$port" \
		>"$TMP/node$r.log" 2>&1 &
	BG_PIDS+=($!)
done

cat >"$TMP/am.yml" <<EOF
route:
  receiver: fleet
  group_wait: 1s
receivers:
  - name: fleet
EOF
# Debian's Alertmanager reads its default template from
# /usr/share/prometheus/alertmanager: in a mount namespace of its own, the
# package's /usr lies over the host's (read-only, as scripts/lab-postfix
# does for Postfix), so nothing is installed. unshare and sh exec it: the pid
# is Alertmanager's.
AM_ROOT=${AM%/usr/bin/*}
unshare -m --propagation private -- sh -c 'mount -t overlay famtrace-fleet -o "ro,lowerdir=$0/usr:/usr" /usr &&
	exec "$@"' "$AM_ROOT" "$AM" --config.file="$TMP/am.yml" --storage.path="$TMP/am" \
	--web.listen-address="127.0.0.1:$P_AM" --cluster.listen-address= >"$TMP/am.log" 2>&1 &
BG_PIDS+=($!)

cat >"$TMP/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $PWD/alerts/famtrace.rules.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$P_AM']
scrape_configs:
  - job_name: relays
    static_configs:
      - targets: ['127.0.0.1:$P_A', '127.0.0.1:$P_B']
EOF
"$PROM" --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom" \
	--web.listen-address="127.0.0.1:$P_PROM" >"$TMP/prom.log" 2>&1 &
BG_PIDS+=($!)

q() { "$PROMTOOL" query instant "http://127.0.0.1:$P_PROM" "$1" 2>/dev/null; }
# Both relays scraped, their no_fallback count there from the start, at 0.
seen_zero() { [ "$(q 'famtrace_destination_outcomes_total{class="no_fallback"} == 0' | grep -c '=> 0')" = 2 ]; }
wait_for 60 seen_zero ||
	bail "Prometheus scrapes both relays' famtrace metrics through node_exporter" "$TMP/prom.log" "$TMP/nodeA.log" "$TMP/am.log"
ok "Prometheus scrapes both relays' famtrace metrics through node_exporter (no_fallback at 0 on both)"
sleep 2 # a few samples at 0

# The incident on relay A; a delivery on relay B.
ip netns exec "$CLI" "$B/dnsrace" 192.0.2.3 2525 late4.bad.test >/dev/null 2>&1
$C 2525 192.0.2.2 >/dev/null 2>&1

alerts_json() { "$AMTOOL" alert query --alertmanager.url="http://127.0.0.1:$P_AM" -o json 2>/dev/null; }
fired() { alerts_json | jq -e --arg i "127.0.0.1:$P_A" \
	'map(select(.labels.alertname == "FamtraceMailCannotFallBack" and .labels.instance == $i)) | length == 1' >/dev/null; }
b_counted() { q "famtrace_destination_outcomes_total{class=\"connected_first\",instance=\"127.0.0.1:$P_B\"}" | grep -q '=> 1'; }
wait_for 90 fired
wait_for 30 b_counted
alerts_json >"$TMP/alerts.json"
# (jq -e on empty input is true: an Alertmanager that never answered must
# not read as "no alert".)
test -s "$TMP/alerts.json" || echo null >"$TMP/alerts.json"
q 'famtrace_destination_outcomes_total' >"$TMP/outcomes.txt"
check "relay A's NO FALLBACK: FamtraceMailCannotFallBack reaches Alertmanager for relay A (class no_fallback, critical)" \
	"$TMP/alerts.json" "$TMP/outcomes.txt" "$TMP/am.log" -- jq -e --arg i "127.0.0.1:$P_A" '
	map(select(.labels.alertname == "FamtraceMailCannotFallBack" and .labels.instance == $i)) |
	length == 1 and .[0].labels.class == "no_fallback" and .[0].labels.severity == "critical" and
	(.[0].annotations.runbook | test("famtrace check"))' "$TMP/alerts.json"
check "relay B, which delivered, stays silent: no alert for it at Alertmanager (and its delivery was counted)" \
	"$TMP/alerts.json" "$TMP/outcomes.txt" -- bash -c "
	jq -e --arg i '127.0.0.1:$P_B' 'type == \"array\" and (map(select(.labels.instance == \$i)) | length == 0)' '$TMP/alerts.json' >/dev/null &&
	grep -q 'class=\"connected_first\".*instance=\"127.0.0.1:$P_B\".*=> 1' '$TMP/outcomes.txt'"

# Why the alerts read famtrace_destination_outcomes_total: the per-process
# series is born with its first count, and increase() over it says nothing.
q 'famtrace_destinations_total{comm="dnsrace",class="no_fallback"}' >"$TMP/born.txt"
q 'increase(famtrace_destinations_total{comm="dnsrace",class="no_fallback"}[15m]) > 0' >"$TMP/born_increase.txt"
check "the per-process series is born at 1, and increase() over it is empty: an alert on it would have stayed silent" \
	"$TMP/born.txt" "$TMP/born_increase.txt" -- bash -c "grep -q '=> 1' '$TMP/born.txt' && ! grep -q '=>' '$TMP/born_increase.txt'"

kill -TERM "$FT_A" "$FT_B"
wait "$FT_A" "$FT_B"
summary
