// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dnsname.h - building DNS messages in the unit tests: a name in wire form
 * ("mx.example.test" -> 2 mx 7 example 4 test 0), uncompressed.
 */
#ifndef FT_UNIT_DNSNAME_H
#define FT_UNIT_DNSNAME_H

#include <stdint.h>
#include <string.h>

/* Write name at p; returns the bytes written. */
static inline size_t put_name(uint8_t *p, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);

		p[n++] = (uint8_t)len;
		memcpy(p + n, name, len);
		n += len;
		name += len + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}

#endif
