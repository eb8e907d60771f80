/*
 * tfo - a test client that opens its connections the way Exim does by
 * default: TCP Fast Open, sendto(fd, NULL, 0, MSG_FASTOPEN, addr), not
 * connect(). Tries the addresses in order until one connects (a client
 * with fallback).
 *
 *   tfo PORT ADDR...
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

int main(int argc, char **argv)
{
	int port;

	if (argc < 3) {
		fprintf(stderr, "usage: tfo PORT ADDR...\n");
		return 2;
	}
	port = atoi(argv[1]);
	for (int i = 2; i < argc; i++) {
		struct sockaddr_storage ss = { 0 };
		socklen_t len;
		int fd, e = 0;

		if (strchr(argv[i], ':')) {
			struct sockaddr_in6 *s6 = (void *)&ss;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			inet_pton(AF_INET6, argv[i], &s6->sin6_addr);
			len = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (void *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
			inet_pton(AF_INET, argv[i], &s4->sin_addr);
			len = sizeof(*s4);
		}
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		if (sendto(fd, NULL, 0, MSG_FASTOPEN, (struct sockaddr *)&ss, len) < 0)
			e = errno;
		fprintf(stderr, "tfo %s: %s\n", argv[i], e ? strerror(e) : "connected");
		close(fd);
		if (!e)
			return 0;
	}
	return 1;
}
