// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * wrapout.h - a stdio stream that folds lines longer than a width at spaces
 * onto continuation lines, so a report fits a terminal of that width.
 *
 * SYNOPSIS
 *	wrapout_open		a FILE * writing folded lines into another
 *	wrapout_hang		where a folded line's continuations start
 *	text_width		the width text output is folded to
 */
#ifndef FT_WRAPOUT_H
#define FT_WRAPOUT_H

#include <stddef.h>
#include <stdio.h>

/* Where the continuations of a line start, or 0 to let wrapout_hang
 * decide; a caller's tables know their own text column. */
typedef size_t (*wrapout_hang_fn)(const char *line, size_t len, void *arg);

/*
 * A stream whose complete lines go to under, each folded at spaces into
 * lines of at most width columns (a word longer than that stays whole),
 * between fields (two spaces) where that does not leave half a line.
 * Every write of the stream's buffer flushes under, so fflush() on the
 * stream reaches the reader; fclose() writes an unfinished last line
 * (folded, without a newline) and leaves under open. NULL (errno set) when it cannot be made.
 */
FILE *wrapout_open(FILE *under, size_t width, wrapout_hang_fn hang, void *arg);

/*
 * The continuation column of a line by its own shape: after a short label
 * ("NOTE: ", "ways out:   "), after a list mark ("- "), or four columns
 * in from the line's indent. Never past two thirds of the width.
 */
size_t wrapout_hang(const char *line, size_t len, size_t width);

/*
 * The width famtrace's text is folded to: 0 (never) with --wide, else
 * $COLUMNS when it is a number from 40 up, else 100.
 */
size_t text_width(int wide);

#endif
