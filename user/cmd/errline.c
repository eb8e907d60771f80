// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * errline.c - stderr through a cookie stream (fopencookie) that writes
 * everything to fd 2 at once, as before, and remembers the last error line
 * (errline.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/errline.h"

static char cur[512], last[512];
static size_t cur_len;

static void line_done(void)
{
	static const char pfx[] = "famtrace: ";
	char *tail;

	cur[cur_len] = 0;
	if (!strncmp(cur, pfx, sizeof(pfx) - 1) && strncmp(cur + sizeof(pfx) - 1, "warning", 7) &&
	    strncmp(cur + sizeof(pfx) - 1, "note", 4)) {
		snprintf(last, sizeof(last), "%s", cur + sizeof(pfx) - 1);
		if ((tail = strstr(last, " (see famtrace")))
			*tail = 0;
	}
	cur_len = 0;
}

static ssize_t err_write(void *c, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(STDERR_FILENO, buf + done, len - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			line_done();
		else if (cur_len + 1 < sizeof(cur))
			cur[cur_len++] = buf[i];
	}
	return (ssize_t)len; /* as stderr: a failed write is not retried */
}

void errline_keep(void)
{
	cookie_io_functions_t io = { .write = err_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (!f)
		return;
	setvbuf(f, NULL, _IONBF, 0); /* unbuffered, as stderr is */
	stderr = f;
}

const char *errline_last(void)
{
	return last;
}
