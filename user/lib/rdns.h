// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * rdns.h - an address's reverse DNS as a receiving mail server checks it:
 * the PTR record, and whether its name resolves back to the address
 * (forward-confirmed reverse DNS, FCrDNS). Asked from where the MTA runs:
 * its network namespace and its resolv.conf (a relay in a container or a
 * namespace sees its own DNS).
 */
#ifndef FT_RDNS_H
#define FT_RDNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define RDNS_MAX_NS 3

/* Sockets opened in the MTA's network namespace, and its nameservers. */
struct rdns_ctx {
	int fd4, fd6; /* UDP, -1 when that family has none */
	struct sockaddr_storage ns[RDNS_MAX_NS];
	unsigned n_ns;
	char where[200]; /* "the nameservers of /proc/812/root/etc/resolv.conf, from pid 812's ..." */
};

struct rdns {
	int ptr_state;	    /* 1 found, 0 none (NXDOMAIN, no PTR), -1 the lookup failed */
	char ptr[256];	    /* the PTR's name */
	char ptr_err[64];   /* why there is none, or why the lookup failed */
	int fcrdns;	    /* the name resolves back to the address: 1, 0, -1 unknown */
	char fwd_err[64];
};

/*
 * Open ctx where pid runs (0: here): its network namespace (entering it
 * needs CAP_SYS_ADMIN, so call this before privileges are dropped; the
 * sockets keep it) and the nameservers of its /etc/resolv.conf. Returns 0,
 * or -1 with err (ctx then has no nameserver: every lookup fails, said so).
 */
int rdns_open(struct rdns_ctx *ctx, pid_t pid, char *err, size_t errlen);
void rdns_close(struct rdns_ctx *ctx);

/* Look addr (16 bytes if v6, else 4) up: 2 s a question, two tries. */
void rdns_lookup(const struct rdns_ctx *ctx, bool v6, const uint8_t *addr, struct rdns *out);

#endif
