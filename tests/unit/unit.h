// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * unit.h - the few macros the unit test programs share: CHECK a condition
 * (the failing expression and line are printed), RUN a test function as one
 * "ok - name" / "not ok - name" line, and the closing "N passed, N failed".
 */
#ifndef FT_UNIT_H
#define FT_UNIT_H

#include <stdio.h>

static int passed, failed, cur_failed;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			cur_failed = 1;                                              \
		}                                                                    \
	} while (0)

#define RUN(t)                                                                       \
	do {                                                                         \
		cur_failed = 0;                                                      \
		t();                                                                 \
		printf("%s - %s\n", cur_failed ? "not ok" : "ok", &(#t)[5]);         \
		if (cur_failed)                                                      \
			failed++;                                                    \
		else                                                                 \
			passed++;                                                    \
	} while (0)

/* The closing line and the exit status. */
#define UNIT_DONE()                                                                  \
	do {                                                                         \
		printf("%d passed, %d failed\n", passed, failed);                    \
		return failed ? 1 : 0;                                               \
	} while (0)

#endif
