// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * identity.h - the identity of the sources deliveries left from, as a
 * receiver judges it (PTR, forward-confirmed reverse DNS, the HELO name).
 * Used by check.c; the lookups are check's only network traffic.
 */
#ifndef FT_IDENTITY_H
#define FT_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/correlate.h"

#define IDENTITY_MAX 4 /* sources looked up; more are counted */

struct identity {
	enum wire_fam fam;
	uint8_t addr[16];
	unsigned attempts;  /* connected deliveries that left from it */
	bool temporary;	    /* an RFC 4941 temporary address (the kernel said) */
	int ptr_state;	    /* 1 found, 0 none (NXDOMAIN, no PTR), -1 the lookup failed */
	char ptr[256];
	char ptr_err[64];
	int fcrdns;	    /* the PTR name resolves back to the address: 1, 0, -1 unknown */
	char fwd_err[64];
	int helo_match;	    /* the PTR name is the HELO name: 1, 0, -1 unknown */
};

struct identities {
	struct identity id[IDENTITY_MAX];
	unsigned n, more;
	char helo[256];	 /* the MTA's HELO name, "" unknown */
	char where[200]; /* whom the lookups asked (rdns_ctx's where) */
};

/* Look up the sources of c's connected deliveries where the MTA runs
 * (where: rdns_open's); helo: the MTA's HELO name, NULL or "" when not
 * known. */
struct rdns_ctx;
void identity_check(struct correlator *c, const struct rdns_ctx *where, const char *helo,
		    struct identities *out);

/* "2001:db8::2 (IPv6, 1 connection): no PTR (NXDOMAIN): receivers ..." */
char *identity_text(char *buf, size_t len, const struct identity *id, const char *helo);

#endif
