// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * resolver - a test client that resolves names the ways mail software does
 * and then connects like a client with or without fallback.
 *
 *   resolver [-1] [-4] [-n] [-t MS] [-P MS] [-S SVC] PORT NAME...   getaddrinfo(AF_UNSPEC),
 *                                                 then connect to the results in order
 *       -1 only the first address; -4 skip non-IPv4 results (an IPv4-only client);
 *       -n non-blocking connect abandoned after -t MS (default 1000);
 *       -P pause MS after a failed attempt before the next address (OpenSMTPD
 *          waits 2 s)
 *       -S getaddrinfo's service is SVC ("-": none), the connects still go to
 *          PORT (a client that sets the port itself)
 *   resolver -g inet|inet6 NAME                  gethostbyname2
 *   resolver -m DOMAIN                           res_nsearch MX (as an MTA)
 *   resolver -q NAME TYPE [-s SERVER]            res_nmkquery + res_nsend (as Postfix
 *                                                 3.x), TYPE A|AAAA|MX or a list (A,AAAA:
 *                                                 one after the other, as Postfix asks);
 *                                                 -s: this DNS server, 1 s timeout, 1 try
 *   resolver -D NAME DOMAIN TYPE                 res_querydomain (as Sendmail)
 *   resolver -W FIFO ...                         wait for a line on FIFO first (a process
 *                                                 famtrace can find by pid before it resolves)
 *   resolver -L N NAME                           getaddrinfo(AF_UNSPEC, SOCK_STREAM) N
 *                                                 times, one line of results each, no
 *                                                 connect (the RFC 6724 order only)
 *
 * Reports to stderr (stdout may be famtrace's JSON). Exit 0 on success.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool first_only, v4_only, nonblock;
static int timeout_ms = 1000, pause_ms;
static const char *service; /* -S: getaddrinfo's service, if not PORT */

static int try_connect(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	int e = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		e = 0;
	} else if (errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (poll(&p, 1, timeout_ms) == 0) {
			e = ETIMEDOUT;
		} else {
			socklen_t l = sizeof(e);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l);
		}
	} else {
		e = errno;
	}
	close(fd);
	return e;
}

static int resolve_and_connect(const char *port, const char *name)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
	const char *svc = !service ? port : strcmp(service, "-") ? service : NULL;
	int rc = getaddrinfo(name, svc, &hints, &res);

	if (rc) {
		fprintf(stderr, "%s: %s\n", name, gai_strerror(rc));
		return 1;
	}
	rc = 1;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)ai->ai_addr)->sin6_port = htons(atoi(port));
		else if (ai->ai_family == AF_INET)
			((struct sockaddr_in *)ai->ai_addr)->sin_port = htons(atoi(port));
	}
	for (ai = res; ai; ai = ai->ai_next) {
		char a[INET6_ADDRSTRLEN];
		void *p = ai->ai_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
						    : (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		int e;

		if (v4_only && ai->ai_family != AF_INET)
			continue;
		e = try_connect(ai);
		inet_ntop(ai->ai_family, p, a, sizeof(a));
		fprintf(stderr, "%s %s: %s\n", name, a, e ? strerror(e) : "connected");
		if (!e) {
			rc = 0;
			break;
		}
		if (first_only)
			break;
		if (pause_ms && ai->ai_next)
			poll(NULL, 0, pause_ms);
	}
	freeaddrinfo(res);
	return rc;
}

static int by_gethostbyname2(const char *fam, const char *name)
{
	int af = !strcmp(fam, "inet6") ? AF_INET6 : AF_INET;
	struct hostent *h = gethostbyname2(name, af);

	if (!h) {
		fprintf(stderr, "%s: not found\n", name);
		return 1;
	}
	for (char **a = h->h_addr_list; *a; a++) {
		char s[INET6_ADDRSTRLEN];

		fprintf(stderr, "%s: %s\n", name, inet_ntop(af, *a, s, sizeof(s)));
	}
	return 0;
}

static int qtype_of(const char *t)
{
	return !strcmp(t, "AAAA") ? ns_t_aaaa : !strcmp(t, "MX") ? ns_t_mx : ns_t_a;
}

static int by_querydomain(const char *name, const char *domain, const char *type)
{
	unsigned char ans[4096];
	int n;

	res_init();
	n = res_querydomain(name, domain, ns_c_in, qtype_of(type), ans, sizeof(ans));
	fprintf(stderr, "%s . %s %s: %d bytes\n", name, domain, type, n);
	return n > 0 ? 0 : 1;
}

static int by_res(bool send, const char *name, const char *type, const char *server)
{
	struct __res_state st;
	unsigned char q[512], ans[4096];
	int n;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st)) {
		fprintf(stderr, "res_ninit failed\n");
		return 1;
	}
	if (server) {
		st.nscount = 1;
		st.nsaddr_list[0].sin_family = AF_INET;
		st.nsaddr_list[0].sin_port = htons(53);
		inet_pton(AF_INET, server, &st.nsaddr_list[0].sin_addr);
		st.retrans = 1;
		st.retry = 1;
	}
	if (!send) {
		n = res_nsearch(&st, name, ns_c_in, qtype_of(type), ans, sizeof(ans));
	} else {
		int ql = res_nmkquery(&st, ns_o_query, name, ns_c_in, qtype_of(type), NULL, 0, NULL, q,
				      sizeof(q));

		if (ql < 0) {
			fprintf(stderr, "res_nmkquery failed\n");
			return 1;
		}
		n = res_nsend(&st, q, ql, ans, sizeof(ans));
	}
	fprintf(stderr, "%s %s: %d bytes\n", name, type, n);
	res_nclose(&st);
	return n > 0 ? 0 : 1;
}

/* getaddrinfo n times; each result list on one line of stderr. */
static int lookup_only(int n, const char *name)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;

	for (int k = 0; k < n; k++) {
		int rc = getaddrinfo(name, "25", &hints, &res);

		if (rc) {
			fprintf(stderr, "getaddrinfo %s: %s\n", name, gai_strerror(rc));
			return 1;
		}
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
			char a[INET6_ADDRSTRLEN];
			const void *p = ai->ai_family == AF_INET6
						? (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
						: (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;

			inet_ntop(ai->ai_family, p, a, sizeof(a));
			fprintf(stderr, "%s%s", a, ai->ai_next ? " " : "\n");
		}
		freeaddrinfo(res);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *gfam = NULL, *mx = NULL, *server = NULL;
	bool query = false, domain = false;
	int c, rc = 0, lookups = 0;

	while ((c = getopt(argc, argv, "14nt:P:g:m:qs:S:DL:W:")) != -1) {
		switch (c) {
		case '1': first_only = true; break;
		case '4': v4_only = true; break;
		case 'n': nonblock = true; break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'P': pause_ms = atoi(optarg); break;
		case 'g': gfam = optarg; break;
		case 'm': mx = optarg; break;
		case 'q': query = true; break;
		case 's': server = optarg; break;
		case 'S': service = optarg; break;
		case 'D': domain = true; break;
		case 'L': lookups = atoi(optarg); break;
		case 'W': {
			char line[8];
			FILE *f = fopen(optarg, "r");

			if (!f || !fgets(line, sizeof(line), f))
				return 2;
			fclose(f);
			break;
		}
		default: return 2;
		}
	}
	if (lookups > 0 && argc - optind == 1)
		return lookup_only(lookups, argv[optind]);
	if (mx)
		return by_res(false, mx, "MX", server);
	if (domain && argc - optind == 3)
		return by_querydomain(argv[optind], argv[optind + 1], argv[optind + 2]);
	if (query && argc - optind == 2) {
		char *types = argv[optind + 1], *save = NULL;

		for (char *t = strtok_r(types, ",", &save); t; t = strtok_r(NULL, ",", &save))
			rc |= by_res(true, argv[optind], t, server);
		return rc;
	}
	if (gfam && argc - optind == 1)
		return by_gethostbyname2(gfam, argv[optind]);
	if (argc - optind < 2) {
		fprintf(stderr, "usage: see the comment at the top of resolver.c\n");
		return 2;
	}
	for (int i = optind + 1; i < argc; i++)
		rc |= resolve_and_connect(argv[optind], argv[i]);
	return rc;
}
