#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/debian13.sh - the resolver and Postfix end-to-end tests again, inside
# a Debian 13 root with its own toolchain, glibc and Postfix
# (scripts/test-debian13).
. "$(dirname "$0")/lib.sh"
need_root debootstrap
if [ -z "${NO_DEBIAN13:-}" ]; then
	relay "debian13: scripts/test-debian13" scripts/test-debian13
else
	not_ok "Debian 13 tests were skipped (NO_DEBIAN13 is set)"
fi

summary
