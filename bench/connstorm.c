// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * connstorm - a loopback TCP connect storm: N connects to 127.0.0.1 (or ::1
 * with -6) PORT, each closed at once with an RST (SO_LINGER 0, so no
 * TIME_WAIT piles up). Refused connects when nothing listens on PORT.
 * Prints "OPS_PER_SEC <n>" on stdout.
 *
 *   connstorm [-6] [-t | -u] N PORT
 *       -t  open each with TCP Fast Open (sendto MSG_FASTOPEN, no data), as Exim
 *       -u  open each with io_uring (IORING_OP_CONNECT), never the syscall
 *
 *   connstorm listen PORT   the other end: accepts on [::]:PORT (IPv4 too)
 *                           with a deep backlog, so the storm measures
 *                           connect, not listen-queue overflows
 */
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int listen_forever(int port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&s, sizeof(s)) || listen(fd, 65535)) {
		perror("connstorm listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			close(c);
	}
}

/* One connect through io_uring; its result is not looked at (a storm). */
static void uring_connect(struct io_uring *ring, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;

	io_uring_prep_connect(sqe, fd, (const struct sockaddr *)ss, len);
	io_uring_submit(ring);
	if (io_uring_wait_cqe(ring, &cqe) == 0)
		io_uring_cqe_seen(ring, cqe);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "listen"))
		return listen_forever(atoi(argv[2]));
	int v6 = 0, tfo = 0, uring = 0, k = 1;
	struct sockaddr_storage ss = { 0 };
	struct linger lg = { 1, 0 };
	struct io_uring ring;
	struct timespec a, b;
	socklen_t len;
	long n;

	for (; k < argc && argv[k][0] == '-'; k++) {
		v6 |= !strcmp(argv[k], "-6");
		tfo |= !strcmp(argv[k], "-t");
		uring |= !strcmp(argv[k], "-u");
	}
	if (argc - k != 2 || (tfo && uring)) {
		fprintf(stderr, "usage: connstorm [-6] [-t | -u] N PORT\n");
		return 2;
	}
	if (uring && io_uring_queue_init(4, &ring, 0) < 0) {
		fprintf(stderr, "connstorm: io_uring_queue_init failed\n");
		return 1;
	}
	n = atol(argv[k]);
	if (v6) {
		struct sockaddr_in6 *s = (void *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(atoi(argv[k + 1]));
		s->sin6_addr = in6addr_loopback;
		len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (void *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(atoi(argv[k + 1]));
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = socket(ss.ss_family, SOCK_STREAM, 0);

		if (fd < 0) {
			perror("socket");
			return 1;
		}
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (tfo)
			sendto(fd, NULL, 0, MSG_FASTOPEN, (struct sockaddr *)&ss, len);
		else if (uring)
			uring_connect(&ring, fd, &ss, len);
		else
			connect(fd, (struct sockaddr *)&ss, len);
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("OPS_PER_SEC %.0f\n", n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
	return 0;
}
