#!/bin/bash
# tests/debian13.sh - the resolver and Postfix end-to-end tests again, inside
# a Debian 13 root with its own toolchain, glibc and Postfix
# (scripts/test-debian13).
. "$(dirname "$0")/lib.sh"
need_root debootstrap
if [ -z "${NO_DEBIAN13:-}" ]; then
	n_before=$((PASS + FAIL))
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) FAIL=$((FAIL + 1)); echo "$line" ;;
		"#"*) echo "$line" ;;
		esac
	done < <(scripts/test-debian13 2>&1)
	[ $((PASS + FAIL)) -gt "$n_before" ] || not_ok "debian13: scripts/test-debian13 reported nothing"
else
	not_ok "Debian 13 tests were skipped (NO_DEBIAN13 is set)"
fi

summary
