// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * runcmd.h - run a helper program (postconf, exim -bP) and read what it
 * prints, line by line. Never through a shell.
 */
#ifndef FT_RUNCMD_H
#define FT_RUNCMD_H

/*
 * Run argv[0] (searched in PATH) with argv, its stderr discarded, and call
 * line(ctx, text) for each line of its stdout (newline removed; at most 1399
 * bytes; line NULL: read and dropped). Returns its exit status, 127 when it could not be run, or -1.
 */
int run_lines(char *const argv[], void (*line)(void *ctx, char *text), void *ctx);

#endif
