// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * gaistorm - N getaddrinfo() calls for NAME (answered from /etc/hosts in
 * the benchmark's namespace, so no network is involved), for port 80: like
 * the other workloads it is no mail process, so famtrace's default mode
 * records its lookups (in case it turns out to be one) but not its route
 * probes. With port 25 its probes would make it a mail process.
 * Prints "OPS_PER_SEC <n>" on stdout.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
	struct timespec a, b;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: gaistorm N NAME\n");
		return 2;
	}
	n = atol(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int rc = getaddrinfo(argv[2], "80", &hints, &res);

		if (rc) {
			fprintf(stderr, "gaistorm: %s: %s\n", argv[2], gai_strerror(rc));
			return 1;
		}
		freeaddrinfo(res);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("OPS_PER_SEC %.0f\n", n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
	return 0;
}
