#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# tests/package.sh - the Debian package (scripts/test-package): built with
# dpkg-buildpackage, lintian-clean, installed into a fresh minimal Debian 12
# root and run there.
. "$(dirname "$0")/lib.sh"
need_root dpkg-buildpackage lintian debootstrap
relay "scripts/test-package" scripts/test-package
summary
