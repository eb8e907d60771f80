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

/*
 * A lookup record as the full structure: a packed one (FT_LF_PACKED, as the
 * kernel writes them since 0.4.1) is spread out with its unused room zeroed
 * and the flag cleared; a full one is copied. Returns 0, or -1 when the
 * lengths do not add up (ft_decode_check has said why).
 */
int ft_lookup_unpack(const void *data, size_t len, struct ft_lookup *out);

/*
 * A record as the correlator takes it: a packed lookup is spread out into
 * *scratch, which is returned, with *len set to its size, and so is a
 * process record of record ABI 3 (zero place fields); every other record
 * (and a packed one whose lengths do not add up) is returned as it is. Call
 * it before ft_decode_check, which then checks the full form in place.
 */
const void *ft_decode_full(const void *data, size_t *len, struct ft_lookup *scratch);

#endif
