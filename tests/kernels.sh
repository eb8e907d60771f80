#!/bin/bash
# tests/kernels.sh - the kernel tests that matter for portability, inside
# Debian's stock kernels booted under qemu (scripts/test-kernels).
. "$(dirname "$0")/lib.sh"
# ------------------------------------- Debian 12's stock kernel, under qemu
# The kernel tests that matter for portability, in a guest booted from the
# newest linux-image-6.1.0-*-cloud-amd64-unsigned (scripts/test-kernels).
if [ -z "${NO_QEMU:-}" ]; then
	n_before=$((PASS + FAIL))
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) FAIL=$((FAIL + 1)); echo "$line" ;;
		"#"*) echo "$line" ;;
		esac
	done < <(scripts/test-kernels 2>&1)
	[ $((PASS + FAIL)) -gt "$n_before" ] || not_ok "qemu: scripts/test-kernels reported nothing"
else
	not_ok "qemu kernel tests were skipped (NO_QEMU is set)"
fi

summary
