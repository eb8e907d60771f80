// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dnsrace - a client with a DNS resolver of its own: it builds its A and
 * AAAA queries itself, sends both at once from one UDP socket and takes the
 * first answer that holds an address, then connects to that address only
 * and never falls back (a "first-answer" client); it stays 500 ms longer,
 * its resolver socket open, as a session would, and ignores the late answer.
 * With -w it waits for both answers and tries IPv6, then IPv4, falling back
 * (a client that behaves). With -f it acts on the first answer whatever it
 * holds: an empty one ends it with no attempt at all (exit 1).
 *
 *   dnsrace [-w|-f] [-t MS] SERVER PORT NAME
 *
 * SERVER is an IPv4 nameserver address (port 53). Reports to stderr.
 * Exit 0 when a connect succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "connect_wait.h"

/* A query for name and type into q; its length. */
static size_t build_query(unsigned char *q, unsigned id, const char *name, int type)
{
	size_t n = 12;
	const char *p = name;

	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8), q[1] = (unsigned char)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* one question */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		q[n++] = (unsigned char)l;
		memcpy(q + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	q[n++] = 0;
	q[n++] = 0, q[n++] = (unsigned char)type;
	q[n++] = 0, q[n++] = 1;
	return n;
}

/* The first address record of an answer into out (text); 0 or -1. */
static int first_addr(const unsigned char *r, size_t n, char *out, size_t outlen)
{
	size_t off = 12;
	unsigned an = r[6] << 8 | r[7];

	while (off < n && r[off])
		off += r[off] + 1;
	off += 5;
	for (unsigned i = 0; i < an && off + 12 <= n; i++) {
		unsigned type, rdlen;

		off += (r[off] & 0xc0) == 0xc0 ? 2 : 0; /* only compressed owners here */
		type = r[off] << 8 | r[off + 1];
		rdlen = r[off + 8] << 8 | r[off + 9];
		off += 10;
		if (off + rdlen > n)
			return -1;
		if ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16)) {
			inet_ntop(type == 1 ? AF_INET : AF_INET6, r + off, out, outlen);
			return 0;
		}
		off += rdlen;
	}
	return -1;
}

/* Connect to a textual address; 0 or an errno. */
static int try_connect(const char *addr, int port, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (to_sockaddr(addr, port, &ss, &len))
		return EINVAL;
	return connect_wait((struct sockaddr *)&ss, len, ms);
}

int main(int argc, char **argv)
{
	unsigned char q[2][300], r[1024];
	char addr[2][64] = { "", "" }; /* [0] A, [1] AAAA */
	struct sockaddr_storage ns;
	socklen_t nslen;
	int opt, wait_both = 0, first_any = 0, ms = 1000, fd, port, got = 0, rc = -1;
	size_t ql[2];

	while ((opt = getopt(argc, argv, "wft:")) != -1) {
		if (opt == 'w')
			wait_both = 1;
		else if (opt == 'f')
			first_any = 1;
		else if (opt == 't')
			ms = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 3 || to_sockaddr(argv[optind], 53, &ns, &nslen)) {
		fprintf(stderr, "usage: dnsrace [-w|-f] [-t MS] SERVER PORT NAME\n");
		return 2;
	}
	port = atoi(argv[optind + 1]);
	fd = socket(ns.ss_family, SOCK_DGRAM, 0);
	ql[0] = build_query(q[0], 0x1111, argv[optind + 2], 1);
	ql[1] = build_query(q[1], 0x2222, argv[optind + 2], 28);
	sendto(fd, q[0], ql[0], 0, (struct sockaddr *)&ns, nslen);
	sendto(fd, q[1], ql[1], 0, (struct sockaddr *)&ns, nslen);
	while (got < 2) {
		struct pollfd pf = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pf, 1, 3000) != 1)
			break;
		n = recv(fd, r, sizeof(r), 0);
		if (n < 12)
			continue;
		int k = (r[0] << 8 | r[1]) == 0x2222;

		if (first_addr(r, (size_t)n, addr[k], sizeof(addr[k]))) {
			if (!first_any)
				continue;
			/* The first answer is empty: give up, the socket still
			 * open while the other answer arrives. */
			fprintf(stderr, "%s answered first, empty: giving up\n", k ? "AAAA" : "A");
			usleep(500 * 1000);
			return 1;
		}
		got++;
		fprintf(stderr, "%s answered\n", k ? "AAAA" : "A");
		if (!wait_both) {
			rc = try_connect(addr[k], port, ms);
			fprintf(stderr, "%s %s: %s\n", argv[optind + 2], addr[k], rc ? strerror(rc) : "connected");
			/* A session's length with the resolver socket still
			 * open: the late answer arrives, and is ignored. */
			usleep(500 * 1000);
			return rc ? 1 : 0;
		}
	}
	for (int k = 1; k >= 0; k--) {
		if (!addr[k][0])
			continue;
		rc = try_connect(addr[k], port, ms);
		fprintf(stderr, "%s %s: %s\n", argv[optind + 2], addr[k], rc ? strerror(rc) : "connected");
		if (!rc)
			break;
	}
	return rc ? 1 : 0;
}
