// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * live.h - live tracing (live.c): the loop that feeds the correlator from the
 * kernel's ring buffer, beside replay.c which feeds it from recordings.
 */
#ifndef FT_LIVE_H
#define FT_LIVE_H

#include "cmd/cli.h"

/* Trace as o says (live, run, record or check) until it ends; the exit code. */
int live_main(struct opts *o);

#endif
