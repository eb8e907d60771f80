#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/width.sh - famtrace's text fits 100 columns unless told otherwise
# ($COLUMNS, --wide), and folded it says what the unfolded text says, word
# for word: reports of recordings, live tracing, and check's verdict, whose
# status line stays whole.
. "$(dirname "$0")/lib.sh"
need_root

# Numbers (times, pids, latencies) differ between two live runs.
words_nonum() { tr -s ' \n' '\n\n' <"$1" | sed -E 's/[0-9][0-9.:]*/N/g'; }

R=tests/fuzz/corpus/recording
n=0 wider=0 bad=
for f in "$R"/*; do
	for o in "" -v -T; do
		env -u COLUMNS "$FT" report $o "$f" >"$TMP/d" 2>&1
		"$FT" report --wide $o "$f" >"$TMP/w" 2>&1
		n=$((n + 1))
		{ fits 100 "$TMP/d" && same_words "$TMP/d" "$TMP/w"; } || bad="$bad $(basename "$f")$o"
		fits 100 "$TMP/w" || wider=$((wider + 1))
	done
done
check "report: $n reports of the corpus's recordings fit 100 columns and say what --wide says ($wider of them wider unfolded)${bad:+; not:$bad}" \
	-- test -z "$bad" -a "$wider" -gt 0

bad=
for f in "$R"/*; do
	COLUMNS=80 "$FT" report -v "$f" >"$TMP/d80" 2>&1
	"$FT" report -v --wide "$f" >"$TMP/w80" 2>&1
	{ fits 80 "$TMP/d80" && same_words "$TMP/d80" "$TMP/w80"; } || bad="$bad $(basename "$f")"
done
check "report: COLUMNS=80 folds to 80 columns, the same words${bad:+; not:$bad}" -- test -z "$bad"

# Live: a lookup of localhost (its row is over 100 columns unfolded) and a
# refused connect.
env -u COLUMNS "$FT" run -v -- "$B/resolver" 9 localhost >"$TMP/live" 2>"$TMP/live.err"
"$FT" run -v --wide -- "$B/resolver" 9 localhost >"$TMP/livew" 2>"$TMP/livew.err"
check "live tracing: the table and the report fit 100 columns, folded under their text column; --wide says the same unfolded" \
	"$TMP/live" "$TMP/livew" -- bash -c "
	$(declare -f fits words_nonum)
	fits 100 '$TMP/live' && ! fits 100 '$TMP/livew' &&
	cmp <(words_nonum '$TMP/live') <(words_nonum '$TMP/livew') &&
	grep -q '^TIME(s)   PID     COMM            FAM  DESTINATION  ' '$TMP/live' &&
	grep -A1 ' resolver  *DNS  getaddrinfo localhost' '$TMP/live' | tail -1 | grep -q '^ \{39\}[^ ]' &&
	grep -A1 '^connect errnos: ' '$TMP/live' | tail -1 | grep -q '^ \{16\}[^ ]'"

# check: the first line is the status line a monitoring plugin framework
# shows, whole at any width; the detail below folds.
COLUMNS=40 "$FT" check --expect ipv6 -- "$B/connector" -1 2601 127.0.0.1 >"$TMP/ck" 2>"$TMP/ck.err"; rc=$?
"$FT" check --wide --expect ipv6 -- "$B/connector" -1 2601 127.0.0.1 >"$TMP/ckw" 2>"$TMP/ckw.err"
check "check: COLUMNS=40 keeps the status line whole (exit $rc, WARNING) and folds the detail to 40 columns" \
	"$TMP/ck" "$TMP/ckw" -- bash -c "
	$(declare -f fits words_nonum)
	test $rc = 1 && head -1 '$TMP/ck' | grep -q '^FAMTRACE WARNING - VIOLATION' &&
	test \$(head -1 '$TMP/ck' | wc -c) -gt 41 &&
	cmp <(head -1 '$TMP/ck' | sed -E 's/[0-9]+/N/g') <(head -1 '$TMP/ckw' | sed -E 's/[0-9]+/N/g') &&
	tail -n +2 '$TMP/ck' >'$TMP/ck.rest' && fits 40 '$TMP/ck.rest' &&
	cmp <(words_nonum '$TMP/ck') <(words_nonum '$TMP/ckw')"

summary
