/*
 * connstorm - a loopback TCP connect storm: N connects to 127.0.0.1 (or ::1
 * with -6) PORT, each closed at once with an RST (SO_LINGER 0, so no
 * TIME_WAIT piles up). Refused connects when nothing listens on PORT.
 * Prints "OPS_PER_SEC <n>" on stdout.
 *
 *   connstorm listen PORT   the other end: accepts on [::]:PORT (IPv4 too)
 *                           with a deep backlog, so the storm measures
 *                           connect, not listen-queue overflows
 */
#include <arpa/inet.h>
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

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "listen"))
		return listen_forever(atoi(argv[2]));
	int v6 = argc > 1 && !strcmp(argv[1], "-6");
	struct sockaddr_storage ss = { 0 };
	struct linger lg = { 1, 0 };
	struct timespec a, b;
	socklen_t len;
	long n;

	if (argc - v6 != 3) {
		fprintf(stderr, "usage: connstorm [-6] N PORT\n");
		return 2;
	}
	n = atol(argv[1 + v6]);
	if (v6) {
		struct sockaddr_in6 *s = (void *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(atoi(argv[2 + v6]));
		s->sin6_addr = in6addr_loopback;
		len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (void *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(atoi(argv[2 + v6]));
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
		connect(fd, (struct sockaddr *)&ss, len);
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("OPS_PER_SEC %.0f\n", n / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
	return 0;
}
