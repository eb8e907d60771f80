#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/layers.sh - the house rules of user/ (docs/ARCHITECTURE.md), read
# from the #include lines: each folder includes only the folders below it
# that its rule names, nothing includes cmd/, only kernel/ includes libbpf,
# every source file sits in a folder and opens with a comment saying what
# it is for. No root needed; no famtrace run.
. "$(dirname "$0")/lib.sh"

# FOLDER: the folders it may include (itself always). bpf/famtrace.h, the
# kernel's record layout, is named where a folder may read records.
declare -A MAY=(
	[lib]=""
	[kernel]="lib famtrace.h famtrace.skel.h"
	[records]="famtrace.h"
	[core]="lib famtrace.h"
	[mta]="lib"
	[maillog]="core lib"
	[report]="core maillog records lib"
	[check]="mta core maillog report records lib"
	[cmd]="lib kernel records core mta maillog report check famtrace.h"
)

# layer_violations DIR: one line per #include that breaks DIR's folders'
# rules, or per file outside a folder, or without its opening comment.
layer_violations() {
	local root=$1 f folder inc target
	for f in "$root"/*.[ch]; do
		[ -e "$f" ] && echo "$f: not in a layer's folder"
	done
	for f in "$root"/*/*.[ch]; do
		folder=$(basename "$(dirname "$f")")
		if [ -z "${MAY[$folder]+x}" ]; then
			echo "$f: folder $folder has no rule in docs/ARCHITECTURE.md"
			continue
		fi
		sed -n 2p "$f" | grep -q '^/\*' || echo "$f: does not open with a comment saying what it is for"
		while read -r inc; do
			case $inc in
			*/*) target=${inc%%/*} ;;
			*) target=$inc ;;
			esac
			[ "$target" = "$folder" ] && continue
			case " ${MAY[$folder]} " in
			*" $target "*) ;;
			*) echo "$f: includes \"$inc\" ($folder/ may use: ${MAY[$folder]:-nothing else})" ;;
			esac
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
		if [ "$folder" != kernel ] && grep -q '^#include <bpf/' "$f"; then
			echo "$f: includes libbpf (only kernel/ does)"
		fi
	done
}

layer_violations user >"$TMP/layers.out"
n_files=$(ls user/*/*.[ch] | wc -l)
n_inc=$(cat user/*/*.[ch] | grep -c '^#include "')
check "user/: $n_files files in $(ls -d user/*/ | wc -l) layer folders, their $n_inc includes keep docs/ARCHITECTURE.md's rules" \
	"$TMP/layers.out" -- bash -c "test $n_files -gt 80 && ! test -s '$TMP/layers.out'"

# One license, said the same everywhere: LICENSE, every C and shell source's
# SPDX line, debian/copyright, and a GPL-compatible license string in the
# kernel programs (the kernel refuses GPL-only helpers otherwise).
SPDX="GPL-2.0-only OR BSD-2-Clause"
: >"$TMP/spdx.bad"
for f in user/*/*.[ch] bpf/*.[ch] bench/*.[ch] tests/unit/*.[ch] tests/clients/*.[ch] tests/fuzz/*.[ch]; do
	[ "$(head -1 "$f")" = "// SPDX-License-Identifier: $SPDX" ] || echo "$f" >>"$TMP/spdx.bad"
done
for f in scripts/* tests/*.sh tests/run bench/* .ci/run; do
	head -1 "$f" | grep -q '^#!' || continue
	[ "$(sed -n 2p "$f")" = "# SPDX-License-Identifier: $SPDX" ] || echo "$f" >>"$TMP/spdx.bad"
done
n_src=$(ls user/*/*.[ch] bpf/*.[ch] | wc -l)
check "LICENSE, debian/copyright, the SPDX line of every source file ($n_src in user/ and bpf/, and the tests' and scripts') and the BPF license string agree" \
	"$TMP/spdx.bad" -- bash -c "! test -s '$TMP/spdx.bad' && grep -q 'SPDX-License-Identifier: $SPDX' LICENSE &&
	grep -q '^License: GPL-2.0-only or BSD-2-Clause' debian/copyright &&
	test -s LICENSES/GPL-2.0-only.txt && test -s LICENSES/BSD-2-Clause.txt &&
	grep -q 'SEC(\"license\") = \"Dual BSD/GPL\"' bpf/famtrace.bpf.c"

# The rules in docs/ARCHITECTURE.md are these rules.
: >"$TMP/layers.doc"
for folder in "${!MAY[@]}"; do
	grep -q "^- \`$folder/\`" docs/ARCHITECTURE.md || echo "docs/ARCHITECTURE.md has no rule for $folder/" >>"$TMP/layers.doc"
done
check "docs/ARCHITECTURE.md states a rule for each of the ${#MAY[@]} folders" "$TMP/layers.doc" -- \
	test ! -s "$TMP/layers.doc"

# The test can fail: a copy of user/ where the correlator reaches up into
# the reporters, the recording includes libbpf, and a file sits loose.
cp -r user "$TMP/broken"
sed -i '0,/^#include "/s//#include "report\/report.h"\n#include "/' "$TMP/broken/core/procs.c"
sed -i '0,/^#include </s//#include <bpf\/libbpf.h>\n#include </' "$TMP/broken/records/zeroruns.c"
cp user/lib/fmt.c "$TMP/broken/loose.c"
layer_violations "$TMP/broken" >"$TMP/layers.broken"
check "the rules catch a correlator file including report/, libbpf outside kernel/, a file outside the folders" \
	"$TMP/layers.broken" -- bash -c "grep -q 'core/procs.c: includes \"report/report.h\"' '$TMP/layers.broken' &&
	grep -q 'records/zeroruns.c: includes libbpf' '$TMP/layers.broken' &&
	grep -q 'loose.c: not in a layer' '$TMP/layers.broken' && test \$(wc -l <'$TMP/layers.broken') = 3"

summary
