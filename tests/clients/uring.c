// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * uring - a test client that connects through io_uring (IORING_OP_CONNECT),
 * which never enters the connect syscall. Tries the addresses in order until
 * one connects.
 *
 *   uring PORT ADDR...
 *
 * Prints one line per attempt to stderr; exits 0 if one connected, 1 if none.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"

int main(int argc, char **argv)
{
	struct io_uring ring;
	int port;

	if (argc < 3) {
		fprintf(stderr, "usage: uring PORT ADDR...\n");
		return 2;
	}
	if (io_uring_queue_init(4, &ring, 0) < 0) {
		fprintf(stderr, "uring: io_uring_queue_init failed\n");
		return 2;
	}
	port = atoi(argv[1]);
	for (int i = 2; i < argc; i++) {
		struct sockaddr_storage ss;
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		socklen_t len;
		int fd, res;

		if (to_sockaddr(argv[i], port, &ss, &len)) {
			fprintf(stderr, "%s: not an address\n", argv[i]);
			return 2;
		}
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_connect(sqe, fd, (struct sockaddr *)&ss, len);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &cqe) < 0)
			return 1;
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		fprintf(stderr, "uring %s: %s\n", argv[i], res < 0 ? strerror(-res) : "connected");
		close(fd);
		if (res == 0)
			return 0;
	}
	return 1;
}
