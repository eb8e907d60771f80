#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/kernels.sh - the kernel tests that matter for portability, inside
# Debian's stock kernels booted under qemu (scripts/test-kernels).
. "$(dirname "$0")/lib.sh"
# Debian 12's 6.1 and 6.12 kernels, amd64 and arm64, run the guest tests;
# Debian 11's 5.10, below the floor, must be refused with exit 4
# (scripts/test-kernels).
# The binary the Debian package holds, when tests/package.sh has just built
# it (after ./famtrace was built): the guests run what a relay would install.
pkg=build/package/x/usr/sbin/famtrace
[ -x "$pkg" ] && [ build/package/x.stamp -nt famtrace ] && export FAMTRACE_BIN=$pkg
pkg=build/package/x-arm64/usr/sbin/famtrace
[ -x "$pkg" ] && [ build/package/x-arm64.stamp -nt build/aarch64/famtrace ] && export FAMTRACE_BIN_ARM64=$pkg
if [ -z "${NO_QEMU:-}" ]; then
	relay "qemu: scripts/test-kernels" scripts/test-kernels
else
	not_ok "qemu kernel tests were skipped (NO_QEMU is set)"
fi

summary
