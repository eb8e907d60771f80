// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog_fields.c - the "key=value, key=value, ..." list of an MTA's log
 * line (Postfix's and Sendmail's delivery and arrival lines), read by its
 * grammar rather than by searching for "key=": the fields are taken from
 * the start, in order, so a key is only ever a key where the MTA wrote one.
 * Addresses are chosen by whoever sends the mail: a value in <...> or "..."
 * is opaque (an address holding "status=sent", " delay=" or ", " is one
 * value), and the field the MTA always writes last (status=, stat=) takes
 * the rest of the line, its free text included.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maillog/maillog_parse.h"

/* One value from p: up to ", " outside <...> and "..." (a backslash
 * escapes inside quotes), or the end. NULL when a quote or an angle bracket
 * is left open: not the MTA's grammar. */
static const char *value_end(const char *p)
{
	unsigned angle = 0;
	bool quote = false;

	for (; *p; p++) {
		if (quote) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quote = false;
		} else if (*p == '"') {
			quote = true;
		} else if (*p == '<') {
			angle++;
		} else if (*p == '>' && angle) {
			angle--;
		} else if (!angle && p[0] == ',' && p[1] == ' ') {
			break;
		}
	}
	return quote || angle ? NULL : p;
}

bool mlog_fields(const char *s, const char *last_key, struct mlog_fields *out)
{
	size_t lk = strlen(last_key);
	const char *p = s;

	out->n = 0;
	while (*p) {
		const char *k = p, *e;

		while ((*p >= 'a' && *p <= 'z') || *p == '_')
			p++;
		if (p == k || *p != '=' || out->n == MLOG_MAX_FIELDS)
			return false;
		out->f[out->n].key = k;
		out->f[out->n].klen = (size_t)(p - k);
		p++;
		if ((size_t)(p - k - 1) == lk && !strncmp(k, last_key, lk)) {
			e = p + strlen(p); /* the last field: the rest of the line */
		} else if (!(e = value_end(p))) {
			return false;
		}
		out->f[out->n].val = p;
		out->f[out->n].vlen = (size_t)(e - p);
		out->n++;
		if (!*e)
			break;
		p = e + 2; /* ", " */
	}
	return out->n > 0;
}

bool mlog_get(const struct mlog_fields *f, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	out[0] = 0;
	for (unsigned i = 0; i < f->n; i++) {
		const char *v = f->f[i].val;
		size_t n = f->f[i].vlen;

		if (f->f[i].klen != kl || strncmp(f->f[i].key, key, kl))
			continue;
		/* An address: what is inside its outer <...>. */
		if (n >= 2 && v[0] == '<' && v[n - 1] == '>')
			v++, n -= 2;
		snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), v);
		return true;
	}
	return false;
}

bool mlog_seconds(const char *v, double *out)
{
	char *end;
	double d;

	if (!(*v >= '0' && *v <= '9'))
		return false;
	d = strtod(v, &end);
	if (end == v || *end || !isfinite(d) || d < 0 || d > 1e9)
		return false;
	*out = d;
	return true;
}

bool mlog_count(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n;

	if (!(*v >= '0' && *v <= '9'))
		return false;
	n = strtoull(v, &end, 10);
	if (end == v || (*end && *end != ' ') || n > max)
		return false;
	*out = n;
	return true;
}
