// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * listener - accepts TCP connections on ADDR PORT until killed, closing each.
 * Prints "ready" once listening, so a test can wait for it.
 *
 *   listener ADDR PORT [tfo|hold]   tfo: accept TCP Fast Open (data in the SYN)
 *                                   hold: read each connection to its end, answering
 *                                   every segment with a line (an SMTP server's way)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1;

	int hold = argc == 4 && !strcmp(argv[3], "hold");

	if (argc != 3 && !(argc == 4 && (!strcmp(argv[3], "tfo") || hold))) {
		fprintf(stderr, "usage: listener ADDR PORT [tfo|hold]\n");
		return 2;
	}
	if (strchr(argv[1], ':')) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(atoi(argv[2]));
		inet_pton(AF_INET6, argv[1], &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(atoi(argv[2]));
		inet_pton(AF_INET, argv[1], &s4->sin_addr);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (argc == 4 && !hold) {
		int qlen = 16;

		if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen))) {
			perror("listener: TCP_FASTOPEN");
			return 1;
		}
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		perror("listener");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		char buf[512];

		while (hold && c >= 0 && read(c, buf, sizeof(buf)) > 0)
			if (write(c, "250 ok\r\n", 8) < 0)
				break;
		if (c >= 0)
			close(c);
	}
}
