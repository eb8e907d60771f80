// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* fmt.h - turning addresses, errnos, outcomes and durations into text. */
#ifndef FT_FMT_H
#define FT_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Address family as the packets carry it: IPv4-mapped IPv6 is IPv4. */
enum wire_fam { FAM_V4 = 0, FAM_V6 = 1, FAM_N = 2 };

/*
 * Normalise a destination given to connect() (socket family + 16 address
 * bytes) to the family on the wire; out gets 4 bytes for IPv4, 16 for IPv6.
 * Returns the wire family; *mapped says whether it was ::ffff:a.b.c.d.
 */
enum wire_fam wire_family(uint16_t sock_family, const uint8_t addr[16], uint8_t out[16], int *mapped);

const char *fam_name(enum wire_fam f); /* "IPv4" / "IPv6" */

/* "192.0.2.1:25" or "[2001:db8::1]:25"; port 0 omits the port. */
char *fmt_endpoint(char *buf, size_t len, enum wire_fam f, const uint8_t *addr, uint16_t port);
char *fmt_addr(char *buf, size_t len, enum wire_fam f, const uint8_t *addr);

/* "ECONNREFUSED" etc.; "E123" when unknown. */
/* An attempt's err when it failed but no hook saw its errno
 * (FT_F_ERRNO_UNSEEN): never printed as an errno. */
#define ERR_UNSEEN 9999
const char *errno_name(int err);

/* "0.21 ms", "1.20 s", "2 min 5 s". */
char *fmt_dur(char *buf, size_t len, uint64_t ns);

/*
 * s made safe for a terminal, the way ls and ps show names: backslash,
 * control characters and bytes from 0x7f up become \\, \e, \n, \r, \t
 * or \xHH, so a process name or DNS name cannot move the cursor, clear
 * the screen or forge a line. Returns one of a few rotating buffers: valid
 * for the next 15 calls (enough for one output line).
 */
const char *fmt_safe(const char *s);

/* Write s as a JSON string literal, quotes included. */
void json_str(FILE *f, const char *s);

#endif
