// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * tfo - a test client that opens its connections the way Exim does by
 * default: TCP Fast Open, sendto(fd, NULL, 0, MSG_FASTOPEN, addr), not
 * connect(). Tries the addresses in order until one connects (a client
 * with fallback).
 *
 *   tfo [-d DATA] PORT ADDR...   -d: send DATA in the SYN when a cookie is
 *                                known (else after the handshake)
 *
 * Prints one line per attempt to stderr; exits 0 if one connected, 1 if none.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"

int main(int argc, char **argv)
{
	const char *data = NULL;
	int port, first = 2;

	if (argc > 2 && !strcmp(argv[1], "-d")) {
		data = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: tfo [-d DATA] PORT ADDR...\n");
		return 2;
	}
	port = atoi(argv[1]);
	for (int i = first; i < argc; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		int fd, e = 0;

		if (to_sockaddr(argv[i], port, &ss, &len)) {
			fprintf(stderr, "%s: not an address\n", argv[i]);
			return 2;
		}
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		if (sendto(fd, data, data ? strlen(data) : 0, MSG_FASTOPEN, (struct sockaddr *)&ss, len) < 0)
			e = errno;
		fprintf(stderr, "tfo %s: %s\n", argv[i], e ? strerror(e) : "connected");
		close(fd);
		if (!e)
			return 0;
	}
	return 1;
}
