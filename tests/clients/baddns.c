// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * baddns - a DNS server that answers badly on purpose, for the tests of
 * famtrace's DNS parsing. It echoes the query's header and question (so the
 * C library accepts the reply) and then, by the first label of the name:
 *   junk.*   claims 3 answers and sends bytes that are no records
 *   cut.*    one valid A record cut off in the middle of its data
 *   big.*    60 valid A records: a reply larger than famtrace copies
 *   slow6.*  A answered at once; AAAA never answered (a middlebox that drops
 *            AAAA queries: the client waits for its timeout)
 *   late6.*  A 192.0.2.2 at once, AAAA 2001:db8:1::2 300 ms later
 *   late4.*  AAAA 2001:db8:2::25 (the test network's black hole) at once,
 *            A 192.0.2.2 300 ms later: which family answers first decides
 *            what a first-answer client tries
 *   empty4.* A answered at once, NOERROR and no record; AAAA 2001:db8:1::2
 *            300 ms later (the seeds' "only AAAA is available but A NOERROR
 *            is returned first")
 *   tc.*     over UDP an empty answer with TC set; over TCP the full one
 *            (A 192.0.2.2, AAAA 2001:db8:1::2)
 *   deep.*   three CNAMEs to names of about 200 bytes, then the address (A
 *            192.0.2.2, AAAA 2001:db8:1::2): the address lies past byte 512
 *   stray.*  an answer with a record of the other type beside its own: AAAA
 *            2001:db8:1::2 with A 192.0.2.99, A 192.0.2.2 with AAAA
 *            2001:db8:2::99 (a resolver ignores the stray one)
 * Prints "ready" when listening on ADDR:53 (UDP and TCP). Runs until killed.
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

/* A reply held back (late4/late6). */
static struct later {
	unsigned char r[512];
	size_t len;
	struct sockaddr_in to;
	struct timespec at;
	int used;
} later[16];

static long ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

/* One address record of the question's type, after the question. */
static size_t add_addr(unsigned char *r, size_t len, int aaaa, const char *addr)
{
	unsigned char rr[12 + 16] = { 0xc0, 12, 0, aaaa ? 28 : 1, 0, 1, 0, 0, 0, 60, 0, aaaa ? 16 : 4 };

	inet_pton(aaaa ? AF_INET6 : AF_INET, addr, rr + 12);
	memcpy(r + len, rr, 12 + (aaaa ? 16 : 4));
	r[7] = 1;
	return len + 12 + (aaaa ? 16 : 4);
}

/* The reply to q (n bytes); 0: none. *delay_ms: hold it back that long. */
static size_t answer(const unsigned char *q, size_t n, unsigned char *r, int tcp, int *delay_ms)
{
	size_t qend = 12, len;
	int aaaa;

	*delay_ms = 0;
	if (n < 17)
		return 0;
	while (qend < n && q[qend])
		qend += q[qend] + 1;
	qend += 5; /* root label, QTYPE, QCLASS */
	if (qend > n)
		return 0;
	aaaa = q[qend - 4] == 0 && q[qend - 3] == 28;
	if (!memcmp(q + 13, "slow6", 5) && aaaa)
		return 0; /* AAAA: dropped */
	memcpy(r, q, qend);
	r[2] = 0x81, r[3] = 0x80; /* response, RD, RA, NOERROR */
	r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
	len = qend;
	if (!memcmp(q + 13, "late6", 5) || !memcmp(q + 13, "late4", 5)) {
		int late6 = q[13 + 4] == '6';

		*delay_ms = aaaa == late6 ? 300 : 0;
		return add_addr(r, len, aaaa, aaaa ? (late6 ? "2001:db8:1::2" : "2001:db8:2::25")
						   : "192.0.2.2");
	}
	if (!memcmp(q + 13, "empty4", 6)) {
		if (!aaaa)
			return len; /* NOERROR, no record */
		*delay_ms = 300;
		return add_addr(r, len, 1, "2001:db8:1::2");
	}
	if (!memcmp(q + 13, "tc", 2) && q[12] == 2) {
		if (!tcp) {
			r[2] |= 0x02; /* TC */
			return len;
		}
		return add_addr(r, len, aaaa, aaaa ? "2001:db8:1::2" : "192.0.2.2");
	}
	if (!memcmp(q + 13, "deep", 4)) {
		/* Each CNAME owned by the name before it (a pointer), its target a
		 * new long name written out. */
		size_t owner = 12;

		for (int k = 0; k < 3; k++) {
			size_t rd;

			r[len++] = (unsigned char)(0xc0 | owner >> 8), r[len++] = (unsigned char)owner;
			r[len++] = 0, r[len++] = 5, r[len++] = 0, r[len++] = 1; /* CNAME IN */
			r[len++] = 0, r[len++] = 0, r[len++] = 0, r[len++] = 60;
			rd = len;
			len += 2;
			owner = len;
			for (int l = 0; l < 3; l++) {
				r[len++] = 63;
				memset(r + len, 'a' + k * 3 + l, 63);
				len += 63;
			}
			memcpy(r + len, "\3bad\4test", 9);
			len += 9;
			r[len++] = 0; /* the root label */
			r[rd] = (unsigned char)((len - rd - 2) >> 8), r[rd + 1] = (unsigned char)(len - rd - 2);
		}
		{
			unsigned char rr[12 + 16] = { (unsigned char)(0xc0 | owner >> 8), (unsigned char)owner, 0,
						      aaaa ? 28 : 1, 0, 1, 0, 0, 0, 60, 0, aaaa ? 16 : 4 };

			inet_pton(aaaa ? AF_INET6 : AF_INET, aaaa ? "2001:db8:1::2" : "192.0.2.2", rr + 12);
			memcpy(r + len, rr, 12 + (aaaa ? 16 : 4));
			len += 12 + (aaaa ? 16 : 4);
		}
		r[7] = 4;
		return len;
	}
	if (!memcmp(q + 13, "stray", 5)) {
		len = add_addr(r, len, !aaaa, aaaa ? "192.0.2.99" : "2001:db8:2::99");
		len = add_addr(r, len, aaaa, aaaa ? "2001:db8:1::2" : "192.0.2.2");
		r[7] = 2;
		return len;
	}
	if (!memcmp(q + 13, "junk", 4)) {
		r[7] = 3;
		memset(r + len, 0xc0, 40); /* compression pointers to nowhere */
		len += 40;
	} else {
		int count = !memcmp(q + 13, "big", 3) ? 60 : 1;

		r[7] = count;
		for (int i = 0; i < count; i++) {
			unsigned char rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2,
					       (unsigned char)(10 + i) };

			memcpy(r + len, rr, sizeof(rr));
			len += sizeof(rr);
		}
		if (!memcmp(q + 13, "cut", 3))
			len -= 2;
	}
	return len;
}

/* One query over TCP: length-prefixed, answered, closed. */
static void serve_tcp(int c)
{
	unsigned char q[514], r[2050];
	size_t got = 0;
	int delay;

	while (got < sizeof(q)) {
		ssize_t k = read(c, q + got, sizeof(q) - got);

		if (k <= 0)
			break;
		got += (size_t)k;
		if (got >= 2 && got >= 2u + (q[0] << 8 | q[1]))
			break;
	}
	if (got > 2) {
		size_t len = answer(q + 2, got - 2, r + 2, 1, &delay);

		if (len) {
			r[0] = (unsigned char)(len >> 8);
			r[1] = (unsigned char)len;
			if (write(c, r, len + 2) < 0)
				perror("baddns: write");
		}
	}
	close(c);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (argc != 2 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: baddns ADDR\n");
		return 2;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 16)) {
		perror("baddns: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd pf[2] = { { fd, POLLIN, 0 }, { lfd, POLLIN, 0 } };
		long wait = -1;

		for (int i = 0; i < 16; i++)
			if (later[i].used) {
				long t = ms_until(&later[i].at);

				if (t <= 0) {
					sendto(fd, later[i].r, later[i].len, 0, (struct sockaddr *)&later[i].to,
					       sizeof(later[i].to));
					later[i].used = 0;
				} else if (wait < 0 || t < wait) {
					wait = t;
				}
			}
		if (poll(pf, 2, (int)wait) <= 0)
			continue;
		if (pf[1].revents & POLLIN) {
			int c = accept(lfd, NULL, NULL);

			if (c >= 0)
				serve_tcp(c);
		}
		if (pf[0].revents & POLLIN) {
			unsigned char q[512], r[2048];
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
			int delay;
			size_t len = n > 0 ? answer(q, (size_t)n, r, 0, &delay) : 0;

			if (!len)
				continue;
			if (!delay) {
				sendto(fd, r, len, 0, (struct sockaddr *)&from, fl);
				continue;
			}
			for (int i = 0; i < 16; i++)
				if (!later[i].used && len <= sizeof(later[i].r)) {
					memcpy(later[i].r, r, len);
					later[i].len = len;
					later[i].to = from;
					clock_gettime(CLOCK_MONOTONIC, &later[i].at);
					later[i].at.tv_nsec += delay * 1000000L;
					later[i].at.tv_sec += later[i].at.tv_nsec / 1000000000L;
					later[i].at.tv_nsec %= 1000000000L;
					later[i].used = 1;
					break;
				}
		}
	}
}
