// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fmt.c - text forms of addresses, errnos and durations, shared by the
 * reporters. Pure functions of their arguments: no global state, no I/O
 * except json_str, which writes to the stream it is given.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/fmt.h"

#define FT_SAFE_MAX 1024 /* 4 x the longest name kept (FT_NAME_LEN) */

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

enum wire_fam wire_family(uint16_t sock_family, const uint8_t addr[16], uint8_t out[16], int *mapped)
{
	int m = 0;
	enum wire_fam f;

	memset(out, 0, 16);
	if (sock_family == AF_INET6 && memcmp(addr, v4mapped_prefix, 12) == 0) {
		memcpy(out, addr + 12, 4);
		f = FAM_V4;
		m = 1;
	} else if (sock_family == AF_INET6) {
		memcpy(out, addr, 16);
		f = FAM_V6;
	} else {
		memcpy(out, addr, 4);
		f = FAM_V4;
	}
	if (mapped)
		*mapped = m;
	return f;
}

const char *fam_name(enum wire_fam f)
{
	return f == FAM_V6 ? "IPv6" : "IPv4";
}

/*
 * Addresses are written here rather than by inet_ntop, whose IPv4 and
 * IPv6 forms go through sprintf per number (a sixth of famtrace's CPU in a
 * JSON replay). The text is inet_ntop's, character for character (the
 * unit test compares them): decimal octets; IPv6 in lowercase hex without
 * leading zeros, the longest run of two or more zero groups (the first of
 * equals) as "::", and the last 32 bits as IPv4 after 96 zero bits (the
 * next 16 not zero) or after ::ffff: (glibc's rule).
 */
static char *put_octet(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		*p++ = (char)('0' + v / 10);
		v %= 10;
	} else if (v >= 10) {
		*p++ = (char)('0' + v / 10);
		v %= 10;
	}
	*p++ = (char)('0' + v);
	return p;
}

static char *put_v4(char *p, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_octet(p, a[i]);
	}
	return p;
}

static char *put_v6(char *p, const uint8_t *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && !w[i]) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_v4(p, a + 12);
		for (int shift = w[i] >= 0x1000 ? 12 : w[i] >= 0x100 ? 8 : w[i] >= 0x10 ? 4 : 0;
		     shift >= 0; shift -= 4)
			*p++ = hex[(w[i] >> shift) & 15];
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

char *fmt_addr(char *buf, size_t len, enum wire_fam f, const uint8_t *addr)
{
	char tmp[INET6_ADDRSTRLEN];
	size_t n = (size_t)((f == FAM_V6 ? put_v6(tmp, addr) : put_v4(tmp, addr)) - tmp);

	if (n >= len) {
		snprintf(buf, len, "?"); /* as when inet_ntop has no room */
		return buf;
	}
	memcpy(buf, tmp, n);
	buf[n] = 0;
	return buf;
}

char *fmt_endpoint(char *buf, size_t len, enum wire_fam f, const uint8_t *addr, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	fmt_addr(a, sizeof(a), f, addr);
	if (!port)
		snprintf(buf, len, "%s", a);
	else if (f == FAM_V6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

const char *errno_name(int err)
{
	static __thread char unknown[16];
	const char *n = err > 0 ? strerrorname_np(err) : NULL;

	if (n)
		return n;
	if (err == ERR_UNSEEN)
		return "errno not seen";
	snprintf(unknown, sizeof(unknown), "E%d", err);
	return unknown;
}

char *fmt_dur(char *buf, size_t len, uint64_t ns)
{
	double ms = ns / 1e6;

	if (ms < 1000.0)
		snprintf(buf, len, "%.2f ms", ms);
	else if (ms < 120000.0)
		snprintf(buf, len, "%.2f s", ms / 1000.0);
	else
		snprintf(buf, len, "%llu min %llu s", (unsigned long long)(ns / 60000000000ULL),
			 (unsigned long long)(ns / 1000000000ULL % 60));
	return buf;
}

/* famtrace writes its output from one thread: no stream lock per call. */
void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putc_unlocked('"', f);
	while (*p) {
		/* The plain run in one write, then the one byte that needs
		 * escaping. */
		const unsigned char *q = p;

		while (*q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\')
			q++;
		if (q > p)
			fwrite_unlocked(p, 1, (size_t)(q - p), f);
		if (!*q)
			break;
		if (*q == '"' || *q == '\\')
			fprintf(f, "\\%c", *q);
		else
			fprintf(f, "\\u%04x", *q); /* comm is bytes, not UTF-8 */
		p = q + 1;
	}
	putc_unlocked('"', f);
}

const char *fmt_safe(const char *s)
{
	static __thread char ring[16][FT_SAFE_MAX];
	static __thread unsigned next;
	char *out = ring[next++ % 16];
	size_t n = 0;

	for (; *s && n + 5 < FT_SAFE_MAX; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '\\': n += (size_t)snprintf(out + n, 3, "\\\\"); break;
		case 0x1b: n += (size_t)snprintf(out + n, 3, "\\e"); break;
		case '\n': n += (size_t)snprintf(out + n, 3, "\\n"); break;
		case '\r': n += (size_t)snprintf(out + n, 3, "\\r"); break;
		case '\t': n += (size_t)snprintf(out + n, 3, "\\t"); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				n += (size_t)snprintf(out + n, 5, "\\x%02x", c);
			else
				out[n++] = (char)c;
		}
	}
	out[n] = 0;
	return out;
}
