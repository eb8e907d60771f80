// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* decode.h - checking raw ring-buffer records before anyone trusts them. */
#ifndef FT_DECODE_H
#define FT_DECODE_H

#include <stddef.h>
#include <linux/types.h>
#include "famtrace.h"

/*
 * Validate one raw record: its size matches its kind, enums are in range,
 * strings are terminated. Returns the kind (enum ft_event_kind) or 0 when the
 * record is malformed, with a reason in *why.
 */
int ft_decode_check(const void *data, size_t len, const char **why);

#endif
