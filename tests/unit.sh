#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/unit.sh - the unit tests (plain and under ASan+UBSan), one program
# per folder of user/: core/ (test_correlate.c, test_wire.c for DNS on the
# wire, test_addresses.c for what famtrace says about addresses), records/,
# report/, lib/, check/ and maillog/ (test_<folder>.c); then libFuzzer on
# the recording reader, the DNS parser and the MTA-log parser. No root
# needed.
# The unit runner's exit status and its count are both checked.
. "$(dirname "$0")/lib.sh"

# unit_lines BINARY LABEL: pass its ok/not ok lines on; check its exit status
# and that it ran at least one test.
unit_lines() {
	local bin=$1 label=$2 n=0 rc
	"$bin" >"$TMP/$label.log" 2>&1
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "$label: ${line#ok - }"; n=$((n + 1)) ;;
		"not ok - "*) not_ok "$label: ${line#not ok - }"; n=$((n + 1)) ;;
		"#"*) echo "$line" ;;
		esac
	done <"$TMP/$label.log"
	check "$label: runner exit status $rc matches its summary ($(tail -1 "$TMP/$label.log")), $n tests ran" \
		"$TMP/$label.log" -- bash -c "
		last=\$(tail -1 '$TMP/$label.log')
		case \"\$last\" in *' 0 failed') test $rc = 0;; *) test $rc != 0;; esac && test $n -gt 0"
}
for u in unit unit_wire unit_addresses unit_records unit_report unit_lib unit_check unit_maillog; do
	if [ -x "$B/$u" ]; then
		unit_lines "$B/$u" "$u"
	else
		not_ok "$u tests built (run make tools)"
	fi
	# Again under AddressSanitizer and UndefinedBehaviorSanitizer (clang).
	if [ -x "build/san/$u" ]; then
		"build/san/$u" >"$TMP/san.log" 2>&1
		rc=$?
		# The same tests as the plain build ran: a stale sanitizer
		# binary would otherwise pass on yesterday's tests.
		check "$u tests under ASan+UBSan: $(tail -1 "$TMP/san.log") (plain: $(tail -1 "$TMP/$u.log"))" \
			"$TMP/san.log" -- bash -c "test $rc = 0 && grep -q ' 0 failed$' '$TMP/san.log' &&
			test \"\$(tail -1 '$TMP/san.log')\" = \"\$(tail -1 '$TMP/$u.log')\""
	else
		not_ok "sanitizer build of the $u tests (make sanitize)"
	fi
done
# The Prometheus rules for fleets: valid, and each alert fires on the series
# that should raise it and stays silent on a healthy relay. promtool comes
# from Debian's package unpacked privately (prometheus on 12, promtool on
# 13; no server installed).
if prom=$(private_tool promtool prometheus promtool); then
	PATH=$prom:$PATH
	(cd alerts && promtool check rules famtrace.rules.yml && promtool test rules famtrace.rules.test.yml) \
		>"$TMP/rules.log" 2>&1
	rc=$?
	check "alerts/famtrace.rules.yml: promtool check rules and its unit tests (fire and stay silent)" \
		"$TMP/rules.log" -- bash -c "test $rc = 0 && ! grep -q FAILED '$TMP/rules.log'"
else
	not_ok "promtool from Debian's prometheus or promtool package (scripts/private-deb)"
fi

# libFuzzer on the recording reader (through correlator and reporters), the
# DNS parser and the MTA-log parser, with the seed corpus and every earlier crash input.
tests/fuzz/run "${FUZZ_SECONDS:-20}" >"$TMP/fuzz.log" 2>&1
check "fuzzing: $(tr '\n' ';' <"$TMP/fuzz.log")" "$TMP/fuzz.log" -- bash -c "
	test \$(grep -c 'no crash' '$TMP/fuzz.log') = 3"

summary
