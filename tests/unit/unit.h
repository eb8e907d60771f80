// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * unit.h - the few macros the unit test programs share: CHECK a condition
 * (the failing expression and line are printed), RUN a test function as one
 * "ok - name" / "not ok - name" line, the closing "N passed, N failed", and
 * a temporary directory for tests that write files.
 */
#ifndef FT_UNIT_H
#define FT_UNIT_H

#include <stdio.h>
#include <stdlib.h>

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

/* A temporary directory for the tests' files, and a name in it. */
static char unit_dir[64];

static inline int unit_tmp_make(void)
{
	snprintf(unit_dir, sizeof(unit_dir), "/tmp/famtrace-unit.XXXXXX");
	if (!mkdtemp(unit_dir)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

static inline const char *path_in(const char *name)
{
	static char buf[4][128];
	static unsigned k;
	char *b = buf[k++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", unit_dir, name);
	return b;
}

static inline void unit_tmp_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", unit_dir);
	if (system(cmd))
		printf("# could not remove %s\n", unit_dir);
}

#endif
