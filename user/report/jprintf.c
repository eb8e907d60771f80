// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * jprintf.c - a printf subset for the JSON writer (jprintf.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "report/jprintf.h"
#include "lib/fmt.h"

struct out {
	FILE *f;
};

/* Most pieces are a few bytes (a key, a number): copied with two
 * overlapping fixed-size moves, which the compiler keeps inline, instead of
 * a call into the C library's memcpy per piece. */
static inline void copy_bytes(char *d, const char *s, size_t len)
{
	if (len > 16) {
		memcpy(d, s, len);
	} else if (len >= 8) {
		uint64_t a, b;

		memcpy(&a, s, 8);
		memcpy(&b, s + len - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + len - 8, &b, 8);
	} else if (len >= 4) {
		uint32_t a, b;

		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + len - 4, &b, 4);
	} else {
		for (size_t i = 0; i < len; i++)
			d[i] = s[i];
	}
}

/* Into the stream's own buffer where it has room, as putc_unlocked does
 * (glibc's FILE fields; a line-buffered or unbuffered stream never shows
 * room, so every byte of those goes through fwrite and its flushing);
 * otherwise fwrite. famtrace writes its output from one thread: no stream
 * lock per call. */
static void put(struct out *o, const char *s, size_t len)
{
	FILE *f = o->f;

	if (!len)
		return; /* nothing, and no offset on a stream not yet buffered */
	/* Signed: glibc leaves a line-buffered stream's end behind its
	 * write pointer. */
	if (f->_IO_write_end - f->_IO_write_ptr >= (ptrdiff_t)len) {
		copy_bytes(f->_IO_write_ptr, s, len);
		f->_IO_write_ptr += len;
	} else {
		fwrite_unlocked(s, 1, len, f);
	}
}

/* A conversion jprintf does itself: the 0 flag (numbers only), a width,
 * h/hh/l/ll/z, and one of s c d i u x. Returns the length of the spec after
 * '%', 0 if not. */
static size_t spec_len(const char *p)
{
	const char *s = p;
	bool zero = *s == '0';

	if (*s == '%')
		return 1;
	while (*s == '0')
		s++;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == 'h' || *s == 'l')
		s += s[1] == s[0] ? 2 : 1;
	else if (*s == 'z')
		s++;
	if (!*s || !strchr(zero ? "diux" : "scdiux", *s))
		return 0;
	return (size_t)(s - p + 1);
}

/* digits (and sign) of v, right-aligned in width, padded with pad */
static void put_num(struct out *o, uint64_t v, bool neg, unsigned base, unsigned width, char pad)
{
	char tmp[24], *e = tmp + sizeof(tmp), *d = e;
	size_t len;

	if (base == 10) {
		/* Two digits per division: times in ns have 14 to 19. */
		static const char pairs[] = "00010203040506070809101112131415161718192021222324"
					    "25262728293031323334353637383940414243444546474849"
					    "50515253545556575859606162636465666768697071727374"
					    "75767778798081828384858687888990919293949596979899";

		while (v >= 100) {
			unsigned r = (unsigned)(v % 100);

			v /= 100;
			d -= 2;
			memcpy(d, pairs + 2 * r, 2);
		}
		if (v >= 10) {
			d -= 2;
			memcpy(d, pairs + 2 * v, 2);
		} else {
			*--d = (char)('0' + v);
		}
	} else {
		do {
			*--d = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
	}
	len = (size_t)(e - d) + neg;
	if (neg && pad == '0')
		put(o, "-", 1);
	for (; width > len; width--)
		put(o, &pad, 1);
	if (neg && pad != '0')
		put(o, "-", 1);
	put(o, d, (size_t)(e - d));
}

/* One conversion, parsed. */
struct spec {
	char conv;	/* s c d i u x, or % for a literal '%' */
	uint8_t lng;	/* 0 int, 1 l, 2 ll, 3 z, 4 h, 5 hh */
	char pad;	/* ' ' or '0' */
	unsigned width;
};

/* The spec after a '%' at p (known to spec_len); returns what follows it. */
static const char *parse_spec(const char *p, struct spec *sp)
{
	sp->width = 0;
	sp->lng = 0;
	sp->pad = ' ';
	if (*p == '%') {
		sp->conv = '%';
		return p + 1;
	}
	if (*p == '0')
		sp->pad = '0';
	while (*p == '0')
		p++;
	while (*p >= '0' && *p <= '9')
		sp->width = sp->width * 10 + (unsigned)(*p++ - '0');
	if (*p == 'h') {
		sp->lng = p[1] == 'h' ? 5 : 4;
		p += sp->lng - 3;
	} else if (*p == 'l') {
		sp->lng = p[1] == 'l' ? 2 : 1;
		p += sp->lng;
	} else if (*p == 'z') {
		sp->lng = 3;
		p++;
	}
	sp->conv = *p++;
	return p;
}

static void emit(struct out *o, const struct spec *sp, va_list *ap)
{
	unsigned width = sp->width;
	unsigned lng = sp->lng;
	char conv = sp->conv;

	if (conv == '%') {
		put(o, "%", 1);
	} else if (conv == 's') {
		const char *s = va_arg(*ap, const char *);
		size_t len;

		if (!s)
			s = "(null)";
		len = strlen(s);
		for (; width > len; width--)
			put(o, " ", 1);
		put(o, s, len);
	} else if (conv == 'c') {
		char c = (char)va_arg(*ap, int);

		for (; width > 1; width--)
			put(o, " ", 1);
		put(o, &c, 1);
	} else if (conv == 'd' || conv == 'i') {
		int64_t v = lng == 2 ? va_arg(*ap, long long) :
			    lng == 1 ? va_arg(*ap, long) :
			    lng == 3 ? (int64_t)va_arg(*ap, size_t) : va_arg(*ap, int);
		uint64_t u;

		if (lng == 4)
			v = (short)v;
		else if (lng == 5)
			v = (signed char)v;
		u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

		put_num(o, u, v < 0, 10, width, sp->pad);
	} else {
		uint64_t v = lng == 2 ? va_arg(*ap, unsigned long long) :
			     lng == 1 ? va_arg(*ap, unsigned long) :
			     lng == 3 ? va_arg(*ap, size_t) : va_arg(*ap, unsigned);

		if (lng == 4)
			v = (unsigned short)v;
		else if (lng == 5)
			v = (unsigned char)v;

		put_num(o, v, false, conv == 'x' ? 16 : 10, width, sp->pad);
	}
}

/*
 * A format compiled: its literal pieces and conversions in order, so that
 * a call walks them instead of scanning and parsing the text again. The
 * formats are the writer's string literals: each is compiled once and
 * remembered by its address (a slot taken by another format is compiled
 * again, never misread).
 */
#define PROG_SEGS 32
#define PROG_SLOTS 256

struct prog {
	const char *fmt;
	enum { PROG_RUN, PROG_SCAN, PROG_VFPRINTF } how;
	unsigned n;			/* conversions */
	struct {
		uint16_t off, len;	/* the literal text before it */
		struct spec sp;
	} seg[PROG_SEGS];
	uint16_t tail_off, tail_len;	/* the literal text after the last */
};

static const struct prog *compile(const char *fmt)
{
	static struct prog progs[PROG_SLOTS];
	struct prog *pr = &progs[((uintptr_t)fmt >> 3) & (PROG_SLOTS - 1)];
	const char *p = fmt;

	if (pr->fmt == fmt)
		return pr;
	pr->fmt = fmt;
	pr->how = PROG_RUN;
	pr->n = 0;
	for (;;) {
		const char *q = strchrnul(p, '%');

		if ((size_t)(q - fmt) > UINT16_MAX)
			pr->how = PROG_SCAN; /* too long to note: scanned per call */
		if (!*q) {
			pr->tail_off = (uint16_t)(p - fmt);
			pr->tail_len = (uint16_t)(q - p);
			return pr;
		}
		if (!spec_len(q + 1)) {
			pr->how = PROG_VFPRINTF; /* not a conversion jprintf does */
			return pr;
		}
		if (pr->n == PROG_SEGS)
			pr->how = PROG_SCAN;
		if (pr->how == PROG_RUN) {
			pr->seg[pr->n].off = (uint16_t)(p - fmt);
			pr->seg[pr->n].len = (uint16_t)(q - p);
			p = parse_spec(q + 1, &pr->seg[pr->n].sp);
			pr->n++;
		} else {
			p = q + 1 + spec_len(q + 1);
		}
	}
}

/* The interpreter, for a format too long or with too many conversions to
 * compile: the literal text up to each conversion found by strchrnul. */
static void scan(struct out *o, const char *p, va_list *ap)
{
	struct spec sp;

	for (;;) {
		const char *q = strchrnul(p, '%');

		put(o, p, (size_t)(q - p));
		if (!*q)
			return;
		p = parse_spec(q + 1, &sp);
		emit(o, &sp, ap);
	}
}

void jprintf_lit(FILE *f, const char *fmt, ...)
{
	const struct prog *pr = compile(fmt);
	struct out o = { .f = f };
	va_list ap;

	va_start(ap, fmt);
	if (pr->how == PROG_RUN) {
		for (unsigned i = 0; i < pr->n; i++) {
			if (pr->seg[i].len)
				put(&o, fmt + pr->seg[i].off, pr->seg[i].len);
			emit(&o, &pr->seg[i].sp, &ap);
		}
		if (pr->tail_len)
			put(&o, fmt + pr->tail_off, pr->tail_len);
	} else if (pr->how == PROG_SCAN) {
		scan(&o, fmt, &ap);
	} else {
		vfprintf(f, fmt, ap);
	}
	va_end(ap);
}

/* A wall-clock time as JSON: "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
void json_wall_time(FILE *f, int64_t real_ns)
{
	/* Records come in time order, many to a second: the second's text
	 * is made once. */
	static time_t last = -1;
	static char buf[40];
	time_t secs = real_ns / 1000000000LL;

	if (secs != last) {
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
		last = secs;
	}
	jprintf(f, "\"%s.%06dZ\"", buf, (int)(real_ns / 1000 % 1000000));
}

/* A string, or null when there is none. */
void json_str_or_null(FILE *f, const char *s)
{
	if (s && *s)
		json_str(f, s);
	else
		jprintf(f, "null");
}
