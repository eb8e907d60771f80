/*
 * baddns - a DNS server that answers badly on purpose, for the tests of
 * famtrace's DNS parsing. It echoes the query's header and question (so the
 * C library accepts the reply) and then, by the first label of the name:
 *   junk.*   claims 3 answers and sends bytes that are no records
 *   cut.*    one valid A record cut off in the middle of its data
 *   big.*    60 valid A records: a reply larger than famtrace copies
 *   slow6.*  A answered at once; AAAA never answered (a middlebox that drops
 *            AAAA queries: the client waits for its timeout)
 * Prints "ready" when listening on ADDR:53 (UDP). Runs until killed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (argc != 2 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: baddns ADDR\n");
		return 2;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("baddns: bind");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		unsigned char q[512], r[2048];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		size_t qend = 12, len;

		if (n < 17)
			continue;
		while (qend < (size_t)n && q[qend])
			qend += q[qend] + 1;
		qend += 5; /* root label, QTYPE, QCLASS */
		if (qend > (size_t)n)
			continue;
		if (!memcmp(q + 13, "slow6", 5) && q[qend - 4] == 0 && q[qend - 3] == 28)
			continue; /* AAAA: dropped */
		memcpy(r, q, qend);
		r[2] = 0x81, r[3] = 0x80; /* response, RD, RA, NOERROR */
		r[6] = r[8] = r[9] = r[10] = r[11] = 0;
		len = qend;
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
		sendto(fd, r, len, 0, (struct sockaddr *)&from, fl);
	}
}
