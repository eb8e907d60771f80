// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dnsstorm - N DNS questions (A, for NAME) sent one after another from one
 * UDP socket to SERVER port 53 (dnsmasq in the benchmark's namespace), each
 * waiting for its answer: the DNS workload of `make bench`, which every
 * cgroup skb program famtrace attaches for DNS on the wire sees twice per
 * question (the query leaving, the answer arriving). No C library resolver
 * is involved, so famtrace sees these only on the wire. With "fresh" as a
 * fourth argument, each question goes from a socket of its own (socket,
 * connect, send, receive, close: what glibc's res_send does per call), so
 * per-socket state is made and freed once per question. With "flood", the
 * questions go out as fast as the socket takes them, no answer awaited
 * (answers are read and thrown away when they come): what an unprivileged
 * local user can do to famtrace (tests/wire.sh, issue 35).
 * Prints "OPS_PER_SEC <n>" on stdout.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in ns = { .sin_family = AF_INET, .sin_port = htons(53) };
	unsigned char q[300], r[1500];
	struct timespec a, b;
	size_t len = 12;
	long n;
	int fd, fresh = argc == 5 && !strcmp(argv[4], "fresh");
	int flood = argc == 5 && !strcmp(argv[4], "flood");

	if ((argc != 4 && !fresh && !flood) || inet_pton(AF_INET, argv[2], &ns.sin_addr) != 1) {
		fprintf(stderr, "usage: dnsstorm N SERVER NAME [fresh|flood]\n");
		return 2;
	}
	n = atol(argv[1]);
	memset(q, 0, 12);
	q[2] = 0x01, q[5] = 1; /* RD, one question */
	for (const char *p = argv[3]; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		q[len++] = (unsigned char)l;
		memcpy(q + len, p, l);
		len += l;
		p += l + (dot ? 1 : 0);
	}
	q[len++] = 0;
	q[len++] = 0, q[len++] = 1, q[len++] = 0, q[len++] = 1; /* A IN */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ns, sizeof(ns))) {
		perror("dnsstorm");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		struct pollfd pf = { fd, POLLIN, 0 };

		q[0] = (unsigned char)(i >> 8), q[1] = (unsigned char)i;
		if (flood) {
			while (recv(fd, r, sizeof(r), MSG_DONTWAIT) > 0)
				;
			if (send(fd, q, len, 0) < 0)
				poll(&pf, 1, 1); /* the socket's buffer is full, or a refusal */
			continue;
		}
		if (fresh && i) {
			close(fd);
			fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (fd < 0 || connect(fd, (struct sockaddr *)&ns, sizeof(ns))) {
				perror("dnsstorm");
				return 1;
			}
			pf.fd = fd;
		}
		if (send(fd, q, len, 0) < 0 || poll(&pf, 1, 2000) != 1 || recv(fd, r, sizeof(r), 0) < 12) {
			fprintf(stderr, "dnsstorm: question %ld went unanswered\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	close(fd);
	printf("OPS_PER_SEC %.0f\n", n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
	return 0;
}
