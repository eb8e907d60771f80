// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * gaiconnect - getaddrinfo(AF_UNSPEC) and a connect to each result in order
 * until one connects, written to build with any C library: the tests build
 * it statically with musl (musl-gcc -static), a process with no glibc and no
 * shared library for famtrace's resolver probes, whose lookups famtrace can
 * only see on the wire. Also built with glibc, as every test client is.
 *
 *   gaiconnect [-1] [-t MS] [-w MS] PORT NAME
 *       -1 only the first address (a client without fallback)
 *       -t MS give up on a connect after MS (default 1000)
 *       -w MS wait MS before the lookup (a C library famtrace has not probed
 *             gets its probes meanwhile)
 *
 * Built dynamically with musl too (gaiconnect-musldyn): a C library that
 * famtrace finds only when the process appears.
 *
 * Reports to stderr. Exit 0 when a connect succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connect_wait.h"

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
	int opt, first_only = 0, ms = 1000, wait_ms = 0, rc;

	while ((opt = getopt(argc, argv, "1t:w:")) != -1) {
		if (opt == '1')
			first_only = 1;
		else if (opt == 't')
			ms = atoi(optarg);
		else if (opt == 'w')
			wait_ms = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: gaiconnect [-1] [-t MS] [-w MS] PORT NAME\n");
		return 2;
	}
	if (wait_ms > 0)
		usleep((useconds_t)wait_ms * 1000);
	rc = getaddrinfo(argv[optind + 1], argv[optind], &hints, &res);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[optind + 1], gai_strerror(rc));
		return 1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		char host[64];

		getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
		rc = connect_wait(ai->ai_addr, ai->ai_addrlen, ms);
		fprintf(stderr, "%s %s: %s\n", argv[optind + 1], host, rc ? strerror(rc) : "connected");
		if (!rc || first_only)
			break;
	}
	freeaddrinfo(res);
	return rc ? 1 : 0;
}
