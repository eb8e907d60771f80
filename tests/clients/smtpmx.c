// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * smtpmx - an SMTP receiver that answers by the client's address family, for
 * the lab's policy MX hosts: what a large mail provider does to a relay whose
 * IPv6 source it does not trust. Listens on [::]:PORT (both families) for
 * each PORT:MODE until killed, one process per connection, and logs every
 * session on stdout ("PORT family ADDR: <reply>"), the MX's own log.
 *
 *   smtpmx PORT:MODE [PORT:MODE]...
 *     greet6    IPv6 clients are greeted with 421 and the connection closed
 *               (postal#1247); IPv4 clients get a full session
 *     policy6   IPv6 clients get Gmail's five-line 550-5.7.1 IPv6 PTR and
 *               authentication text for RCPT TO; IPv4 clients are accepted
 *     accept    every client is accepted
 *
 * Mail is read and discarded. No PIPELINING, no STARTTLS: the replies stay
 * in the order the client reads them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum mode { M_ACCEPT, M_GREET6, M_POLICY6 };

#define MAX_PORTS 8

static const char gmail_ipv6[] =
	"550-5.7.1 [%s] Our system has detected that this message does\r\n"
	"550-5.7.1 not meet IPv6 sending guidelines regarding PTR records and\r\n"
	"550-5.7.1 authentication. Please review\r\n"
	"550-5.7.1  https://support.google.com/mail/?p=IPv6AuthError for more information\r\n"
	"550 5.7.1 . lab0000000000000.1 - gsmtp\r\n";

static int reply(int fd, const char *fmt, const char *arg)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), fmt, arg);

	return write(fd, buf, (size_t)n) == n ? 0 : -1;
}

/* One line into line (CRLF stripped); 0 at EOF or error. */
static int read_line(int fd, char *line, size_t cap)
{
	size_t n = 0;
	char ch;

	for (;;) {
		ssize_t r = read(fd, &ch, 1);

		if (r <= 0)
			return 0;
		if (ch == '\n')
			break;
		if (ch != '\r' && n + 1 < cap)
			line[n++] = ch;
	}
	line[n] = 0;
	return 1;
}

static void session(int fd, int port, enum mode mode, const struct sockaddr_in6 *peer)
{
	char addr[INET6_ADDRSTRLEN], line[1024];
	int v4 = IN6_IS_ADDR_V4MAPPED(&peer->sin6_addr);
	const char *fam = v4 ? "ipv4" : "ipv6";

	if (v4)
		inet_ntop(AF_INET, &peer->sin6_addr.s6_addr[12], addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, &peer->sin6_addr, addr, sizeof(addr));
	alarm(60);
	if (mode == M_GREET6 && !v4) {
		reply(fd, "421 4.7.0 Try again later, closing connection.\r\n", NULL);
		printf("%d %s %s: greeting 421\n", port, fam, addr);
		return;
	}
	reply(fd, "220 %s ESMTP smtpmx\r\n", "mx.lab.test");
	while (read_line(fd, line, sizeof(line))) {
		if (!strncasecmp(line, "EHLO", 4) || !strncasecmp(line, "HELO", 4)) {
			reply(fd, "250-mx.lab.test\r\n250 8BITMIME\r\n", NULL);
		} else if (!strncasecmp(line, "MAIL", 4) || !strncasecmp(line, "RSET", 4) ||
			   !strncasecmp(line, "NOOP", 4)) {
			reply(fd, "250 2.0.0 Ok\r\n", NULL);
		} else if (!strncasecmp(line, "RCPT", 4)) {
			if (mode == M_POLICY6 && !v4) {
				reply(fd, gmail_ipv6, addr);
				printf("%d %s %s: rcpt 550 5.7.1\n", port, fam, addr);
			} else {
				reply(fd, "250 2.1.5 Ok\r\n", NULL);
			}
		} else if (!strncasecmp(line, "DATA", 4)) {
			reply(fd, "354 End data with <CR><LF>.<CR><LF>\r\n", NULL);
			while (read_line(fd, line, sizeof(line)) && strcmp(line, "."))
				;
			reply(fd, "250 2.0.0 Ok: queued\r\n", NULL);
			printf("%d %s %s: data 250\n", port, fam, addr);
		} else if (!strncasecmp(line, "QUIT", 4)) {
			reply(fd, "221 2.0.0 Bye\r\n", NULL);
			break;
		} else {
			reply(fd, "502 5.5.2 Error: command not recognized\r\n", NULL);
		}
	}
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_PORTS];
	enum mode modes[MAX_PORTS];
	int ports[MAX_PORTS], n = argc - 1;

	if (n < 1 || n > MAX_PORTS) {
		fprintf(stderr, "usage: smtpmx PORT:MODE... (MODE: accept, greet6, policy6)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < n; i++) {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
		const char *m = strchr(argv[i + 1], ':');
		int one = 1, zero = 0, fd;

		ports[i] = atoi(argv[i + 1]);
		if (!m || ports[i] <= 0 || ports[i] > 65535) {
			fprintf(stderr, "smtpmx: %s: not PORT:MODE\n", argv[i + 1]);
			return 2;
		}
		m++;
		modes[i] = !strcmp(m, "greet6") ? M_GREET6 : !strcmp(m, "policy6") ? M_POLICY6 : M_ACCEPT;
		if (modes[i] == M_ACCEPT && strcmp(m, "accept")) {
			fprintf(stderr, "smtpmx: %s: unknown mode\n", m);
			return 2;
		}
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		sa.sin6_port = htons((uint16_t)ports[i]);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
		    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
			fprintf(stderr, "smtpmx: port %d: %s\n", ports[i], strerror(errno));
			return 1;
		}
		pfd[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	printf("ready\n");
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct sockaddr_in6 peer;
			socklen_t len = sizeof(peer);
			int c;

			if (!(pfd[i].revents & POLLIN))
				continue;
			c = accept(pfd[i].fd, (struct sockaddr *)&peer, &len);
			if (c < 0)
				continue;
			if (fork() == 0) {
				for (int k = 0; k < n; k++)
					close(pfd[k].fd);
				session(c, ports[i], modes[i], &peer);
				close(c);
				_exit(0);
			}
			close(c);
		}
	}
}
