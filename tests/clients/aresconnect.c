// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * aresconnect - resolve with c-ares (ares_getaddrinfo, AF_UNSPEC), the
 * resolver of Node.js and many C programs, then connect to each address in
 * the order c-ares returned until one connects. c-ares builds and sends its
 * own DNS messages: famtrace's C library probes never see its lookups, only
 * the wire does.
 *
 *   aresconnect [-1] [-t MS] PORT NAME
 *       -1 only the first address (a client without fallback)
 *       -t MS give up on a connect after MS (default 1000)
 *
 * Reports to stderr. Exit 0 when a connect succeeded.
 */
#define _GNU_SOURCE
/* The select() loop below is c-ares 1.18's (Debian 12); newer releases mark
 * ares_fds/ares_process deprecated in favour of event threads, and still
 * ship them. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <ares.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connect_wait.h"

struct result {
	int done, status;
	struct ares_addrinfo *ai;
};

static void on_result(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct result *r = arg;

	r->done = 1;
	r->status = status;
	r->ai = ai;
}

int main(int argc, char **argv)
{
	struct ares_addrinfo_hints hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct result r = { 0 };
	ares_channel ch;
	int opt, first_only = 0, ms = 1000, rc = -1;

	while ((opt = getopt(argc, argv, "1t:")) != -1) {
		if (opt == '1')
			first_only = 1;
		else if (opt == 't')
			ms = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: aresconnect [-1] [-t MS] PORT NAME\n");
		return 2;
	}
	if (ares_library_init(ARES_LIB_INIT_ALL) || ares_init(&ch)) {
		fprintf(stderr, "aresconnect: cannot start c-ares\n");
		return 1;
	}
	ares_getaddrinfo(ch, argv[optind + 1], argv[optind], &hints, on_result, &r);
	while (!r.done) {
		fd_set rd, wr;
		struct timeval tv, *tvp;
		int nfds;

		FD_ZERO(&rd);
		FD_ZERO(&wr);
		nfds = ares_fds(ch, &rd, &wr);
		if (!nfds)
			break;
		tvp = ares_timeout(ch, NULL, &tv);
		select(nfds, &rd, &wr, NULL, tvp);
		ares_process(ch, &rd, &wr);
	}
	if (r.status != ARES_SUCCESS || !r.ai) {
		fprintf(stderr, "%s: %s\n", argv[optind + 1], ares_strerror(r.status));
		return 1;
	}
	for (struct ares_addrinfo_node *n = r.ai->nodes; n; n = n->ai_next) {
		char host[64];

		getnameinfo(n->ai_addr, n->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
		rc = connect_wait(n->ai_addr, n->ai_addrlen, ms);
		fprintf(stderr, "%s %s: %s\n", argv[optind + 1], host, rc ? strerror(rc) : "connected");
		if (!rc || first_only)
			break;
	}
	ares_freeaddrinfo(r.ai);
	ares_destroy(ch);
	ares_library_cleanup();
	return rc ? 1 : 0;
}
