#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/cli.sh - the command line: bad input ends in one line starting with
# "famtrace:" and exit 2, missing processes, check's exit codes, --help.
. "$(dirname "$0")/lib.sh"
need_root zsh

# one_line FILE: exactly one line, and it starts with "famtrace:".
one_line() { test "$(wc -l <"$1")" = 1 && grep -q '^famtrace: ' "$1"; }

"$FT" --bogus >/dev/null 2>"$TMP/e1"; rc=$?
check "unknown option: exit 2 and one famtrace: line naming it" "$TMP/e1" -- bash -c "test $rc = 2 &&
	$(declare -f one_line); one_line '$TMP/e1' && grep -q -- \"unknown option '--bogus'\" '$TMP/e1'"
"$FT" -i >/dev/null 2>"$TMP/e1b"; rc=$?
check "option without its value: exit 2, one line (not getopt's own message)" "$TMP/e1b" -- bash -c "
	test $rc = 2 && $(declare -f one_line); one_line '$TMP/e1b' && grep -q 'needs a value' '$TMP/e1b'"
for bad in , 25, ,25 25,,587 x; do
	"$FT" --port "$bad" -d 1 >/dev/null 2>"$TMP/e2b"; rc=$?
	[ $rc = 2 ] && grep -q "not a port number" "$TMP/e2b" || break
done
check "--port with an empty or bad element (',', '25,', ',25', '25,,587', 'x'): exit 2, never 'no mail ports'" \
	"$TMP/e2b" -- bash -c "test $rc = 2 && grep -q 'not a port number' '$TMP/e2b'"
"$FT" --port 70000 >/dev/null 2>"$TMP/e2"; rc=$?
check "bad port: exit 2, names the bad value" "$TMP/e2" -- bash -c "test $rc = 2 && grep -q 70000 '$TMP/e2'"
nopid=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
"$FT" -p $nopid >/dev/null 2>"$TMP/e3"; rc=$?
check "unknown pid: exit 6" "$TMP/e3" -- bash -c "test $rc = 6 && grep -q 'no process' '$TMP/e3'"
"$FT" check --expect ipv4 -p $nopid -d 1 >/dev/null 2>"$TMP/e3b"; rc=$?
check "check -p with a missing pid: exit 3 (UNKNOWN: check's 'could not check'), not 6" "$TMP/e3b" -- bash -c "
	test $rc = 3 && grep -q 'no process' '$TMP/e3b'"
"$FT" check --expect ipv4 -- true >"$TMP/e3c" 2>&1; rc=$?
check "check that observed nothing: NOTHING OBSERVED, exit 3 (UNKNOWN) (never CONFORMS)" "$TMP/e3c" -- bash -c "
	test $rc = 3 && grep -q 'verdict:    NOTHING OBSERVED' '$TMP/e3c' && ! grep -q CONFORMS '$TMP/e3c'"
"$FT" check -j --expect ipv4 -- "$B/connector" -1 2601 127.0.0.1 >"$TMP/e3d" 2>"$TMP/e3d.err"; rc=$?
check "check traces the command it runs: an IPv4 attempt under --expect ipv4 conforms (exit 0)" "$TMP/e3d" -- bash -c "
	test $rc = 0 && jq -e -s 'map(select(.type==\"check\"))[0] | .verdict == \"conforms\" and .tried_ipv4 == 1' '$TMP/e3d'"
"$FT" check -j --expect ipv6 -- "$B/connector" -1 2601 127.0.0.1 >"$TMP/e3e" 2>"$TMP/e3e.err"; rc=$?
check "check --expect ipv6 of a command that tries IPv4: violation (exit 1)" "$TMP/e3e" -- bash -c "
	test $rc = 1 && jq -e -s 'map(select(.type==\"check\"))[0].verdict == \"violation\"' '$TMP/e3e'"
"$FT" run >/dev/null 2>"$TMP/e4"; rc=$?
check "run without a command: exit 2" "$TMP/e4" -- test $rc = 2
# The message view's options: each refused with one line when it cannot apply.
: >"$TMP/ml"
"$FT" report --queue-id 4F2A1C2A0B x.ftr >/dev/null 2>"$TMP/m1"; r1=$?
"$FT" --domain example.org -d 1 >/dev/null 2>"$TMP/m2"; r2=$?
"$FT" report --maillog "$TMP/ml" --queue-id 'bad id!' x.ftr >/dev/null 2>"$TMP/m3"; r3=$?
"$FT" record -o "$TMP/x.ftr" --maillog "$TMP/ml" >/dev/null 2>"$TMP/m4"; r4=$?
"$FT" --maillog "$TMP/nonexistent.log" -d 1 >/dev/null 2>"$TMP/m5"; r5=$?
"$FT" report --maillog "$TMP/ml" --recipient nobody x.ftr >/dev/null 2>"$TMP/m6"; r6=$?
check "--queue-id/--domain/--recipient without --maillog, a bad queue ID or address, --maillog with record or a missing file: exit 2, one line each" \
	"$TMP/m1" "$TMP/m2" "$TMP/m3" "$TMP/m4" "$TMP/m5" "$TMP/m6" -- bash -c "
	for r in $r1 $r2 $r3 $r4 $r5 $r6; do test \$r = 2 || exit 1; done
	for f in m1 m2 m3 m4 m5 m6; do test \$(wc -l <'$TMP'/\$f) = 1 || exit 1; done
	grep -q 'give it with --maillog' '$TMP/m1' && grep -q 'give it with --maillog' '$TMP/m2' &&
	grep -q 'not a queue ID' '$TMP/m3' && grep -q 'record does not take --maillog (live tracing, run, report and check do)' '$TMP/m4' &&
	grep -q 'nonexistent.log' '$TMP/m5' && grep -q 'not an address' '$TMP/m6'"
# Exim's message IDs (6-6-2, and 6-11-4 since Exim 4.97) are queue IDs too.
for id in 1xYqFa-0001Ze-1S 1xYqFa-0000000001Z-1S2B; do
	"$FT" report --maillog "$TMP/ml" --queue-id "$id" x.ftr >/dev/null 2>"$TMP/mexim"
	grep -q 'not a queue ID' "$TMP/mexim" && echo "$id refused" >>"$TMP/mexim.all"
done
check "--queue-id takes Exim message IDs (dashes; 16 and 23 characters)" "$TMP/mexim.all" -- \
	test ! -s "$TMP/mexim.all"

"$FT" --version >"$TMP/version"; rc=$?
abi=$(awk '/^#define FT_ABI_VERSION/ {print $3}' bpf/famtrace.h)
check "--version: the VERSION file's version, one line" "$TMP/version" -- bash -c "
	test $rc = 0 && grep -q '^famtrace $(cat VERSION) (.*record ABI $abi, JSON schema 1)$' '$TMP/version'"

# make install / uninstall into a staging root.
make -s install DESTDIR="$TMP/root" PREFIX=/usr >"$TMP/install.log" 2>&1; rc=$?
check "make install DESTDIR PREFIX=/usr: binary, unit pointing at it, rules; the installed binary runs" \
	"$TMP/install.log" -- bash -c "test $rc = 0 && test -x '$TMP/root/usr/sbin/famtrace' &&
	grep -q '^ExecStart=/usr/sbin/famtrace record' '$TMP/root/usr/lib/systemd/system/famtrace.service' &&
	test -s '$TMP/root/usr/share/famtrace/famtrace.rules.yml' &&
	grep -q '^\.TH FAMTRACE 8 .*\"famtrace $(cat VERSION)\"' '$TMP/root/usr/share/man/man8/famtrace.8' &&
	test -s '$TMP/root/usr/share/bash-completion/completions/famtrace' &&
	test -s '$TMP/root/usr/share/zsh/vendor-completions/_famtrace' &&
	test -s '$TMP/root/usr/share/doc/famtrace/README.md' && test -s '$TMP/root/usr/share/doc/famtrace/docs/json.md' &&
	'$TMP/root/usr/sbin/famtrace' --version | grep -q '^famtrace $(cat VERSION)'"
make -s uninstall DESTDIR="$TMP/root" PREFIX=/usr >>"$TMP/install.log" 2>&1; rc=$?
check "make uninstall removes what install put there" "$TMP/install.log" -- bash -c "test $rc = 0 &&
	! test -e '$TMP/root/usr/sbin/famtrace' && ! test -e '$TMP/root/usr/lib/systemd/system/famtrace.service' &&
	! test -e '$TMP/root/usr/share/famtrace' && ! test -e '$TMP/root/usr/share/doc/famtrace'"

# A binary to copy to a relay without libbpf: make famtrace-static. Proven
# where the shared libbpf and libelf are gone (a file over each, in a mount
# namespace of its own): the dynamic famtrace cannot start there, the static
# one loads its programs and traces a connect.
make -s famtrace-static >"$TMP/static.log" 2>&1; rc=$?
libs=$(ldd ./famtrace | awk '/libbpf|libelf/ { print $3 }' | xargs -r readlink -f | tr '\n' ' ')
unshare -m --propagation private bash -c '
	for l in $1; do mount --bind /dev/null "$l" || exit 9; done
	./famtrace --version >"$2/dyn.out" 2>&1; echo "dynamic $?"
	./famtrace-static run -j -- "$3" -1 2601 127.0.0.1 >"$2/static.out" 2>"$2/static.err"; echo "static $?"
	' _ "$libs" "$TMP" "$B/connector" >"$TMP/static.rc" 2>&1
check "make famtrace-static: no shared libbpf, libelf or zlib needed; with them gone the dynamic binary fails, the static one traces (got: $(tr '\n' ' ' <"$TMP/static.rc"))" \
	"$TMP/static.log" "$TMP/static.rc" "$TMP/static.err" "$TMP/dyn.out" -- bash -c "test $rc = 0 &&
	! ldd famtrace-static >/dev/null 2>&1 && test -n '$libs' &&
	grep -qx 'static 1' '$TMP/static.rc' && ! grep -qx 'dynamic 0' '$TMP/static.rc' &&
	grep -q 'libbpf' '$TMP/dyn.out' &&
	jq -e -s 'map(select(.type==\"attempt\" and .dport==2601 and .result==\"refused\")) | length == 1' '$TMP/static.out'"

# The live lines come in time order, verdicts included (a group is stamped
# when it was decided, not when its first attempt began); with -T the day
# and the zone are said (a day line first and at each new day, and the
# trace's start in the report).
CORPUS=tests/fuzz/corpus/recording
"$FT" report "$CORPUS/wire-dns" 2>/dev/null | sed '/^===/q' | awk '/^[0-9]/ { print $1 }' >"$TMP/order.t"
TZ=XST-3 "$FT" report -T "$CORPUS/wire-dns" >"$TMP/dayzone.txt" 2>/dev/null
check "report lines in time order, verdicts too ($(wc -l <"$TMP/order.t") lines); -T says the day and the zone; why a process was traced reads as a reason" \
	"$TMP/order.t" "$TMP/dayzone.txt" -- bash -c "test \$(wc -l <'$TMP/order.t') -ge 8 &&
	sort -n -c '$TMP/order.t' && grep -q 'NO FALLBACK' '$TMP/dayzone.txt' &&
	grep -Eq '^--- 2026-12-03 Thursday \(XST, UTC\+0300\) ---$' '$TMP/dayzone.txt' &&
	grep -q '^times: local time of day; the trace started 2026-12-03 05:36:37 XST (UTC+0300)$' '$TMP/dayzone.txt' &&
	grep -q 'uid 0  traced: named by pid (-p, or the command run)  exited 1' '$TMP/dayzone.txt' &&
	! grep -q 'traced as' '$TMP/dayzone.txt'"

# famtrace(8) names every metric family famtrace writes.
grep -o 'head(f, "famtrace_[a-z_]*' user/report/metrics.c | sed 's/head(f, "//' | sort -u >"$TMP/metric.families"
: >"$TMP/metric.missing"
while read -r fam; do grep -q "$fam" man/famtrace.8 || echo "$fam" >>"$TMP/metric.missing"; done <"$TMP/metric.families"
check "famtrace(8) names all $(wc -l <"$TMP/metric.families") metric families of metrics.c" "$TMP/metric.missing" -- \
	bash -c "test -s '$TMP/metric.families' && ! test -s '$TMP/metric.missing'"

# famtrace(8): clean for mandoc, and every option --help lists is documented.
mandoc -T lint man/famtrace.8 >"$TMP/mandoc.log" 2>&1; rc=$?
"$FT" --help | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | sort -u >"$TMP/help.opts"
: >"$TMP/man.missing"
while read -r opt; do
	grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" man/famtrace.8 || echo "$opt" >>"$TMP/man.missing"
done <"$TMP/help.opts"
check "famtrace(8): mandoc -T lint clean; all $(wc -l <"$TMP/help.opts") options of --help documented" \
	"$TMP/mandoc.log" "$TMP/man.missing" -- bash -c "test $rc = 0 && test -s '$TMP/help.opts' &&
	! test -s '$TMP/man.missing'"

# bash completion: subcommands, each subcommand's own options (from famtrace
# help SUB), the values of --expect, and the command after --.
complete_words() { bash -c '. completion/famtrace.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _famtrace; echo "${COMPREPLY[*]}"' _ "$@"; }
got_sub=$(complete_words "$FT" ch)
got_opt=$(complete_words "$FT" check --exp)
got_val=$(complete_words "$FT" check --expect "")
got_rot=$(complete_words "$FT" record --ro)/$(complete_words "$FT" report --ro)/$(complete_words "$FT" --pos)
got_cmd=$(complete_words "$FT" run -j -- bas)
got_help=$(complete_words "$FT" help re)
check "bash completion: 'ch' -> check, check '--exp' -> --expect, --expect -> ipv4 ipv6 all (got: $got_sub / $got_opt / $got_val)" -- \
	bash -c "test '$got_sub' = check && test '$got_opt' = --expect && test '$got_val' = 'ipv4 ipv6 all'"
check "bash completion knows each subcommand's options: --ro is --rotate for record, nothing for report; live has no --postfix (got: $got_rot)" -- \
	test "$got_rot" = "--rotate//"
check "bash completion after --: the command (run -- bas offers bash: $got_cmd); help offers subcommands ($got_help)" -- \
	bash -c "echo ' $got_cmd ' | grep -q ' bash ' && test '$got_help' = 'record report'"

# zsh completion does the same (zsh itself, with compadd, _files and
# _normal standing in for the completion system's).
zcomp_all() {
	zsh -f -c '
	compadd() { [[ $1 == -- ]] && shift; print -r -- "$@" }
	_files() { print -r -- "FILES $*" }
	_normal() { print -r -- "NORMAL $CURRENT $words" }
	source completion/_famtrace
	words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}
	_famtrace' _ "$@" 2>&1
}
zcomp() { zcomp_all "$@" | tr ' ' '\n' | grep -- "^${*: -1}" | tr '\n' ' '; }
zgot="$(zcomp "$FT" check --exp)/$(zcomp "$FT" record --ro)/$(zcomp "$FT" report --ro)/$(zcomp "$FT" check --expect '')"
zcmd=$(zcomp_all "$FT" run -j -- bas)
check "zsh completion: check --exp, record --ro, report --ro (nothing), --expect values; after -- the command's own (got: $zgot / $zcmd)" -- \
	bash -c "test '$zgot' = '--expect /--rotate //ipv4 ipv6 all ' && test '$zcmd' = 'NORMAL 1 bas'"

# Each subcommand takes exactly the options its help lists: every other
# option is refused in one line naming the option and the subcommand.
# Values that parse; then something later fails quickly (no tracing starts).
: >"$TMP/ml"
optval() {
	case $1 in
	--pid) echo 999999999 ;; --comm) echo x ;; --port | --dns-port) echo 25 ;;
	--interval | --duration | --metrics-interval | --max-lost | --group-gap) echo 1 ;;
	--output) echo "$TMP/opt.ftr" ;; --rotate) echo 1M ;; --keep) echo 1 ;; --metrics) echo "$TMP/opt.prom" ;;
	--since) echo +0 ;; --until) echo +1 ;; --maillog | --gai-conf | --libc) echo "$TMP/ml" ;;
	--journal-dir | --postfix) echo "$TMP" ;; --queue-id) echo ABCDEF12 ;; --domain) echo example.org ;;
	--recipient) echo a@example.org ;; --expect | --prefer) echo ipv4 ;; --buffer-size) echo 64 ;;
	--map-entries) echo 1024 ;; --container) echo mta1 ;; --unit) echo postfix ;;
	esac
}
"$FT" --help | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' | grep -vx -e --help -e --version >"$TMP/all.opts"
: >"$TMP/takes.bad"
for sub in live run record report check; do
	"$FT" help $sub | sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p' >"$TMP/sub.opts"
	case $sub in
	live) pre=(); post=(-p 999999999) ;; record) pre=(record); post=(-p 999999999) ;;
	run) pre=(run); post=() ;; report) pre=(report); post=("$TMP/none.ftr") ;; check) pre=(check); post=() ;;
	esac
	what=$sub; [ $sub = live ] && what="live tracing"
	while read -r opt; do
		val=$(optval "$opt")
		timeout 10 "$FT" "${pre[@]}" "$opt" ${val:+"$val"} "${post[@]}" >/dev/null 2>"$TMP/takes.err" </dev/null; rc=$?
		if grep -qx -- "$opt" "$TMP/sub.opts"; then
			grep -q "does not take" "$TMP/takes.err" && echo "$sub refuses $opt: $(cat "$TMP/takes.err")" >>"$TMP/takes.bad"
		else
			# bad usage: exit 2; for check, UNKNOWN (3) by the plugin convention
			{ [ $rc = 2 ] || { [ $sub = check ] && [ $rc = 3 ]; }; } &&
				grep -q "^famtrace: $what does not take $opt (" "$TMP/takes.err" ||
				echo "$sub takes $opt though its help does not list it (rc $rc: $(head -1 "$TMP/takes.err"))" >>"$TMP/takes.bad"
		fi
	done <"$TMP/all.opts"
done
check "each subcommand takes exactly the $(wc -l <"$TMP/all.opts") options famtrace help SUB lists; others refused naming both (exit 2)" \
	"$TMP/takes.bad" -- bash -c "test \$(wc -l <'$TMP/all.opts') -gt 30 && ! test -s '$TMP/takes.bad'"

"$FT" report --rotate 1M x.ftr >/dev/null 2>"$TMP/wrongsub"; rc=$?
"$FT" report --bogus x.ftr >/dev/null 2>"$TMP/unknownsub"
check "a wrong option names itself, the subcommand, those that take it, and that subcommand's help" \
	"$TMP/wrongsub" "$TMP/unknownsub" -- bash -c "test $rc = 2 && $(declare -f one_line); one_line '$TMP/wrongsub' &&
	grep -qx 'famtrace: report does not take --rotate (live tracing, run, record and check do) (see famtrace help report)' '$TMP/wrongsub' &&
	grep -qx \"famtrace: report: unknown option '--bogus' (see famtrace help report)\" '$TMP/unknownsub'"

# check that cannot check carries the reason in its one result.
"$FT" check -j --all -d 1 >"$TMP/cu.json" 2>/dev/null; rc=$?
"$FT" check --expect ipv4 -p $nopid -d 1 >"$TMP/cu.txt" 2>/dev/null; rc2=$?
check "check could not check: the reason in its JSON object and its status line (exit 3)" "$TMP/cu.json" "$TMP/cu.txt" -- \
	bash -c "test $rc = 3 && test $rc2 = 3 &&
	jq -e '.verdict == \"could_not_check\" and (.why | test(\"check does not take --all\"))' '$TMP/cu.json' >/dev/null &&
	grep -qx 'FAMTRACE UNKNOWN - could not check: no process with pid $nopid' '$TMP/cu.txt'"

# report - reads a recording from standard input; a filter that keeps
# nothing says so.
CORPUS=tests/fuzz/corpus/recording
"$FT" report -j "$CORPUS/wire-dns" >"$TMP/file.rep" 2>/dev/null
"$FT" report -j - <"$CORPUS/wire-dns" >"$TMP/stdin.rep" 2>/dev/null; rc=$?
cat "$CORPUS/wire-dns" | "$FT" report -j - >"$TMP/pipe.rep" 2>/dev/null; rc2=$?
"$FT" report -c nosuch "$CORPUS/wire-dns" >/dev/null 2>"$TMP/nomatch"; rc3=$?
check "report - reads standard input (a pipe too) as the file; a filter matching nothing says so" \
	"$TMP/stdin.rep" "$TMP/nomatch" -- bash -c "test $rc = 0 && test $rc2 = 0 && test $rc3 = 0 &&
	cmp -s '$TMP/file.rep' '$TMP/stdin.rep' && cmp -s '$TMP/file.rep' '$TMP/pipe.rep' &&
	jq -e -s 'map(select(.type==\"attempt\")) | length > 0' '$TMP/pipe.rep' >/dev/null &&
	grep -q 'no event matched -c nosuch (the recordings hold [0-9]* events)' '$TMP/nomatch'"

for sub in run record report check; do
	"$FT" "$sub" --help >"$TMP/help.$sub"; rc=$?
	[ $rc = 0 ] && grep -q "^Usage: famtrace $sub" "$TMP/help.$sub" || break
done
check "famtrace SUBCOMMAND --help: each of run, record, report, check says its own usage (exit 0)" \
	"$TMP/help.$sub" -- bash -c "test $rc = 0 && grep -q '^Usage: famtrace check' '$TMP/help.check' &&
	grep -q '2 CRITICAL (mail stuck), 3 UNKNOWN' '$TMP/help.check'"

# famtrace help [SUBCOMMAND]: the same texts as --help.
"$FT" help check >"$TMP/help2.check"; rh1=$?
"$FT" check --help >"$TMP/help1.check"
"$FT" help >"$TMP/help2"; rh2=$?
"$FT" --help >"$TMP/help1"
"$FT" help bogus >/dev/null 2>"$TMP/help.bogus"; rh3=$?
check "famtrace help [SUBCOMMAND]: the --help texts (exit 0); an unknown subcommand is named (exit 2)" \
	"$TMP/help.bogus" -- bash -c "test $rh1 = 0 && test $rh2 = 0 && test $rh3 = 2 &&
	cmp -s '$TMP/help1.check' '$TMP/help2.check' && cmp -s '$TMP/help1' '$TMP/help2' &&
	grep -q \"unknown command 'bogus'\" '$TMP/help.bogus'"

"$FT" --help >"$TMP/help"; rc=$?
check "--help exits 0 with examples" "$TMP/help" -- bash -c "test $rc = 0 && grep -q Examples '$TMP/help'"

summary
