// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * wrapout.c - a stdio stream (glibc's fopencookie) that folds each line
 * longer than a width at spaces, continuing it under a hanging indent, so
 * the text report fits a terminal; `--wide` output does not pass here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "lib/wrapout.h"

struct wrapout {
	FILE *under;
	size_t width;
	wrapout_hang_fn hang;
	void *arg;
	char *line; /* the line being written, up to its newline */
	size_t len, cap;
};

/* Columns, not bytes: a UTF-8 continuation byte takes none. */
static size_t cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static size_t leading_spaces(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	return i;
}

size_t wrapout_hang(const char *s, size_t n, size_t width)
{
	size_t lead = leading_spaces(s, n), h = lead + 4;

	if (lead + 1 < n && s[lead] == '-' && s[lead + 1] == ' ') {
		h = lead + 2;
	} else {
		/* A label: a word or few ending in ": " early in the line, and
		 * the spaces that align what follows it. */
		for (size_t i = lead; i + 1 < n && i < lead + 24; i++)
			if (s[i] == ':' && s[i + 1] == ' ') {
				h = i + 1;
				while (h < n && s[h] == ' ')
					h++;
				break;
			}
	}
	if (h > width * 2 / 3)
		h = lead + 4 <= width / 2 ? lead + 4 : width / 2;
	return h;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* A line (without its newline) out, folded; nl: and its newline. */
static void emit(struct wrapout *w, const char *s, size_t n, bool nl)
{
	size_t hang, pos = 0;
	bool first = true;

	if (!w->width || cols(s, n) <= w->width) {
		fwrite(s, 1, n, w->under);
		if (nl)
			fputc('\n', w->under);
		return;
	}
	hang = w->hang ? w->hang(s, n, w->arg) : 0;
	if (!hang || hang > w->width * 2 / 3)
		hang = wrapout_hang(s, n, w->width);
	while (pos < n) {
		const char *seg = s + pos;
		size_t rest = n - pos, avail = first ? w->width : w->width - hang;
		size_t floor = first ? hang : 1, cut = 0, end;

		if (cols(seg, rest) <= avail) {
			cut = rest;
		} else {
			/* The last space that keeps the piece within the width,
			 * past the indent, preferring two (between fields) in
			 * the line's second half; else the first space after (a
			 * word longer than the width stays whole); else all. */
			size_t two = 0, c = cols(seg, floor < rest ? floor : rest);

			for (size_t i = floor; i < rest && c <= avail; i++) {
				/* c: the columns of seg before i */
				if (seg[i] == ' ') {
					cut = i;
					if (i + 1 < rest && seg[i + 1] == ' ' && c >= avail / 2)
						two = i;
				}
				c += ((unsigned char)seg[i] & 0xc0) != 0x80;
			}
			if (two)
				cut = two;
			if (!cut) {
				const char *sp = memchr(seg + floor, ' ', rest > floor ? rest - floor : 0);

				cut = sp ? (size_t)(sp - seg) : rest;
			}
		}
		end = cut;
		while (end > 0 && seg[end - 1] == ' ')
			end--;
		if (!first)
			pad(w->under, hang);
		fwrite(seg, 1, end, w->under);
		pos += cut;
		while (pos < n && s[pos] == ' ')
			pos++;
		if (nl || pos < n)
			fputc('\n', w->under);
		first = false;
	}
}

/* Room for n more bytes of the line; false when there is none. */
static bool room(struct wrapout *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 512;
	char *p;

	if (w->len + n <= w->cap)
		return true;
	while (cap < w->len + n)
		cap *= 2;
	p = realloc(w->line, cap);
	if (!p)
		return false;
	w->line = p;
	w->cap = cap;
	return true;
}

static ssize_t wo_write(void *cookie, const char *buf, size_t size)
{
	struct wrapout *w = cookie;
	size_t i = 0;

	while (i < size) {
		const char *nl = memchr(buf + i, '\n', size - i);
		size_t take = nl ? (size_t)(nl - (buf + i)) : size - i;

		if (room(w, take)) {
			memcpy(w->line + w->len, buf + i, take);
			w->len += take;
			if (nl) {
				emit(w, w->line, w->len, true);
				w->len = 0;
			}
		} else {
			/* No memory to hold the line: it goes out unfolded. */
			fwrite(w->line, 1, w->len, w->under);
			fwrite(buf + i, 1, take + (nl != NULL), w->under);
			w->len = 0;
		}
		i += take + (nl != NULL);
	}
	fflush(w->under);
	return (ssize_t)size;
}

static int wo_close(void *cookie)
{
	struct wrapout *w = cookie;

	if (w->len)
		emit(w, w->line, w->len, false);
	fflush(w->under);
	free(w->line);
	free(w);
	return 0;
}

FILE *wrapout_open(FILE *under, size_t width, wrapout_hang_fn hang, void *arg)
{
	struct wrapout *w = calloc(1, sizeof(*w));
	FILE *f;

	if (!w)
		return NULL;
	*w = (struct wrapout){ .under = under, .width = width, .hang = hang, .arg = arg };
	f = fopencookie(w, "w", (cookie_io_functions_t){ .write = wo_write, .close = wo_close });
	if (!f) {
		int e = errno;

		free(w);
		errno = e;
	}
	return f;
}

size_t text_width(int wide)
{
	const char *c = getenv("COLUMNS");
	char *end;
	unsigned long v;

	if (wide)
		return 0;
	if (c && *c) {
		errno = 0;
		v = strtoul(c, &end, 10);
		if (!errno && !*end && v >= 40)
			return v > 100000 ? 100000 : (size_t)v;
	}
	return 100;
}
