// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * jsonflat.c - one flat JSON object on one line (what `journalctl -o json`
 * prints, what docker's json-file log driver writes) read member by member:
 * the caller names the members it wants and gets each value as text. A
 * string as it is (control characters made '?', so a value stays one line;
 * \u escapes as UTF-8); an array of byte values as those bytes (journald's
 * form for a field that is not valid UTF-8); any other array: its first
 * value; an object, a number, true, false or null: "" (skipped). Pure.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonflat.h"

#define MAX_DEPTH 8

struct cur {
	const char *p;
};

static void ws(struct cur *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
		c->p++;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return false;
		*v = *v << 4 | (unsigned)h;
	}
	return true;
}

/* Append one byte to out (size outlen, kept terminated); control
 * characters become '?', so a message stays one line. */
static void put(char *out, size_t outlen, size_t *n, unsigned char ch)
{
	if (!out || *n + 1 >= outlen)
		return;
	out[(*n)++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	out[*n] = 0;
}

static void put_utf8(char *out, size_t outlen, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		put(out, outlen, n, (unsigned char)cp);
	} else if (cp < 0x800) {
		put(out, outlen, n, (unsigned char)(0xc0 | cp >> 6));
		put(out, outlen, n, (unsigned char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		put(out, outlen, n, (unsigned char)(0xe0 | cp >> 12));
		put(out, outlen, n, (unsigned char)(0x80 | (cp >> 6 & 0x3f)));
		put(out, outlen, n, (unsigned char)(0x80 | (cp & 0x3f)));
	} else {
		put(out, outlen, n, (unsigned char)(0xf0 | cp >> 18));
		put(out, outlen, n, (unsigned char)(0x80 | (cp >> 12 & 0x3f)));
		put(out, outlen, n, (unsigned char)(0x80 | (cp >> 6 & 0x3f)));
		put(out, outlen, n, (unsigned char)(0x80 | (cp & 0x3f)));
	}
}

/* A JSON string at c->p (its opening quote) into out (NULL: skip it). */
static bool string(struct cur *c, char *out, size_t outlen)
{
	size_t n = 0;

	if (out && outlen)
		out[0] = 0;
	if (*c->p != '"')
		return false;
	c->p++;
	for (;;) {
		unsigned char ch = (unsigned char)*c->p;

		if (!ch)
			return false;
		c->p++;
		if (ch == '"')
			return true;
		if (ch != '\\') {
			put(out, outlen, &n, ch);
			continue;
		}
		ch = (unsigned char)*c->p++;
		switch (ch) {
		case '"': case '\\': case '/':
			put(out, outlen, &n, ch);
			break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			put(out, outlen, &n, '\n'); /* shown as '?' */
			break;
		case 'u': {
			unsigned cp, lo;

			if (!hex4(c->p, &cp))
				return false;
			c->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && c->p[0] == '\\' && c->p[1] == 'u' &&
			    hex4(c->p + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				c->p += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = '?'; /* a lone surrogate */
			}
			put_utf8(out, outlen, &n, cp);
			break;
		}
		default:
			return false;
		}
	}
}

static bool value(struct cur *c, char *out, size_t outlen, int depth);

/* An object's members at c->p (its '{'), each value where want says (NULL:
 * every one skipped). empty_ok: "{}" is one. */
static bool members(struct cur *c, jflat_want want, void *ctx, int depth, bool empty_ok)
{
	char key[64];

	ws(c);
	if (*c->p++ != '{')
		return false;
	ws(c);
	if (*c->p == '}') {
		c->p++;
		return empty_ok;
	}
	for (;;) {
		char *out = NULL;
		size_t outlen = 0;

		ws(c);
		if (!string(c, want ? key : NULL, sizeof(key)))
			return false;
		ws(c);
		if (*c->p++ != ':')
			return false;
		if (want)
			want(ctx, key, &out, &outlen);
		if (!value(c, out, outlen, depth))
			return false;
		ws(c);
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p != '}')
			return false;
		c->p++;
		return true;
	}
}

static bool number(struct cur *c, long long *v)
{
	char *end;

	*v = strtoll(c->p, &end, 10);
	if (end == c->p)
		return false;
	/* Fractions and exponents are not in journalctl's output; skip them. */
	while (*end == '.' || *end == 'e' || *end == 'E' || *end == '+' || *end == '-' ||
	       isdigit((unsigned char)*end))
		end++;
	c->p = end;
	return true;
}

/*
 * One value into out as text (NULL: skip it). A string as it is; an array of
 * byte values as those bytes; an array of values: its first. Nesting deeper
 * than MAX_DEPTH is refused.
 */
static bool value(struct cur *c, char *out, size_t outlen, int depth)
{
	ws(c);
	if (depth > MAX_DEPTH)
		return false;
	if (*c->p == '"')
		return string(c, out, outlen);
	if (*c->p == '[') {
		size_t n = 0;
		bool bytes = true, first = true;

		if (out && outlen)
			out[0] = 0;
		c->p++;
		ws(c);
		if (*c->p == ']') {
			c->p++;
			return true;
		}
		for (;;) {
			ws(c);
			if (*c->p == '-' || isdigit((unsigned char)*c->p)) {
				long long v;

				if (!number(c, &v))
					return false;
				if (bytes && v >= 0 && v <= 255)
					put(out, outlen, &n, (unsigned char)v);
			} else {
				bytes = false;
				if (!value(c, first ? out : NULL, outlen, depth + 1))
					return false;
			}
			first = false;
			ws(c);
			if (*c->p == ',') {
				c->p++;
				continue;
			}
			if (*c->p != ']')
				return false;
			c->p++;
			return true;
		}
	}
	if (*c->p == '{') { /* not in journalctl's output: skipped */
		if (!members(c, NULL, NULL, depth + 1, true))
			return false;
		if (out && outlen)
			out[0] = 0;
		return true;
	}
	if (!strncmp(c->p, "null", 4) || !strncmp(c->p, "true", 4)) {
		c->p += 4;
	} else if (!strncmp(c->p, "false", 5)) {
		c->p += 5;
	} else {
		long long v;

		if (!number(c, &v))
			return false;
	}
	if (out && outlen)
		out[0] = 0;
	return true;
}

bool jflat_parse(const char *line, jflat_want want, void *ctx)
{
	struct cur c = { line };

	return members(&c, want, ctx, 0, false);
}
