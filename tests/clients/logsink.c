// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * logsink - a private syslog for programs that log only there (Sendmail):
 * binds a Unix datagram socket at PATH (e.g. /dev/log inside a private mount
 * namespace) and appends each message it receives, one line each, to FILE.
 * Prints "ready" once bound; exits on SIGTERM.
 *
 *   logsink PATH FILE
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char msg[8192];
	FILE *out;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: logsink PATH FILE\n");
		return 2;
	}
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	out = fopen(argv[2], "a");
	if (fd < 0 || !out || bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		perror("logsink");
		return 1;
	}
	chmod(argv[1], 0666);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);

		if (n <= 0)
			continue;
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == 0))
			n--;
		msg[n] = 0;
		fprintf(out, "%s\n", msg);
		fflush(out);
	}
}
