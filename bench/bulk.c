// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * bulk - non-DNS bytes through loopback, the workload that must pay nearly
 * nothing for famtrace's DNS wire programs (which see every packet):
 *   bulk listen PORT          accept TCP connections and read them to the end;
 *                             also drain UDP datagrams sent to PORT
 *   bulk tcp MB PORT          send MB MiB over one TCP connection in 1,448-byte
 *                             writes with TCP_NODELAY (one packet per write,
 *                             a NIC's MSS, not loopback's 64 KiB)
 *   bulk udp N PORT           send N 512-byte datagrams
 * The senders print "OPS_PER_SEC <n>": writes (TCP) or datagrams (UDP) per
 * second. 127.0.0.1 only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

static int listen_loop(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int l = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
	int rcvbuf = 8 << 20;
	static char buf[1 << 16];

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(u, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 16) ||
	    bind(u, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("bulk: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd pf[2] = { { l, POLLIN, 0 }, { u, POLLIN, 0 } };

		if (poll(pf, 2, -1) < 0)
			continue;
		if (pf[1].revents & POLLIN)
			while (recv(u, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		if (pf[0].revents & POLLIN) {
			int c = accept(l, NULL, NULL);

			if (c < 0)
				continue;
			while (read(c, buf, sizeof(buf)) > 0)
				;
			close(c);
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static char buf[1448];
	struct timespec t0;
	long n;
	int fd, one = 1;

	if (argc == 3 && !strcmp(argv[1], "listen"))
		return listen_loop(atoi(argv[2]));
	if (argc != 4 || (strcmp(argv[1], "tcp") && strcmp(argv[1], "udp"))) {
		fprintf(stderr, "usage: bulk listen PORT | bulk tcp MB PORT | bulk udp N PORT\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[3]));
	memset(buf, 'x', sizeof(buf));
	if (!strcmp(argv[1], "tcp")) {
		n = atol(argv[2]) * 1048576L / (long)sizeof(buf);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("bulk: connect");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
				perror("bulk: write");
				return 1;
			}
	} else {
		n = atol(argv[2]);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("bulk: connect");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			send(fd, buf, 512, 0); /* a full receive buffer drops, as UDP does */
	}
	printf("OPS_PER_SEC %.0f\n", n / since(&t0));
	close(fd);
	return 0;
}
