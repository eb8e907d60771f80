// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * resstorm - N res_nsearch() calls for NAME, asking MX, A and AAAA in turn,
 * as an MTA's smtp client does, of the nameserver in the benchmark
 * namespace's resolv.conf (dnsmasq on 127.0.0.1). Not a mail process, but
 * famtrace's default mode records every process's resolver calls (in case
 * it turns out to be one), so each call costs its return probe a whole
 * lookup record: what the resolver probes cost per call.
 * Prints "OPS_PER_SEC <n>" on stdout.
 */
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	static unsigned char answer[4096];
	static const int types[] = { ns_t_mx, ns_t_a, ns_t_aaaa };
	struct __res_state st;
	struct timespec a, b;
	long n, answered = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: resstorm N NAME\n");
		return 2;
	}
	n = atol(argv[1]);
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st)) {
		fprintf(stderr, "resstorm: res_ninit failed\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (res_nsearch(&st, argv[2], ns_c_in, types[i % 3], answer, sizeof(answer)) > 0)
			answered++;
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (answered < n / 3) {
		fprintf(stderr, "resstorm: only %ld of %ld calls answered\n", answered, n);
		return 1;
	}
	printf("OPS_PER_SEC %.0f\n", n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
	return 0;
}
