// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * prober.h - the resolver probes for a C library that appears after
 * famtrace started (a container whose image has a glibc of its own, a
 * program linked with another library): a traced process's libraries are
 * read when it execs (or is first seen), and a new one is probed then.
 *
 * famtrace gives up its privileges and confines itself after start-up, and
 * a confined process may read no other process's maps or root. So the
 * probing is a child's, forked before that: it keeps the privileges the
 * attach needs, is not confined, reads nothing but pids from a pipe, and
 * holds the probes it attached until famtrace exits.
 */
#ifndef FT_PROBER_H
#define FT_PROBER_H

#include <stdint.h>
#include <sys/types.h>

#include "kernel/loader.h"

#define PROBER_LATER_MAX 16   /* C libraries probed after start-up */
#define PROBER_RATE 100	      /* pids looked at a second, at most */

struct prober;

/* Fork the prober (before privileges are dropped). NULL when it cannot
 * start (said on stderr): a later C library is then not probed. */
struct prober *prober_start(struct loader *l);

/* Process pid exec'd, or was first seen: look at its C libraries. Never
 * blocks; a pid over the rate, or when the pipe is full, is not looked at
 * (counted, and said once). */
void prober_look(struct prober *p, pid_t pid, uint64_t now_ns);

/* Ends the prober's pipe (it exits and lets its probes go in the
 * background) and says what was skipped. */
void prober_stop(struct prober *p);

#endif
