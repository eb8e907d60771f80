// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * rdns.c - the reverse DNS of an address as a receiving mail server checks
 * it (rdns.h): its PTR, and whether that name resolves back to it. Asked
 * over UDP sockets opened in the MTA's network namespace, of the
 * nameservers its resolv.conf names (the DNS only, never /etc/hosts, which
 * no receiver reads); the query is built and the answer read with the C
 * library's resolver routines. A lookup that fails is said as failed, never
 * as "no PTR".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/rdns.h"

/* "nameserver ADDR" lines of a resolv.conf, at most RDNS_MAX_NS. */
static void read_nameservers(struct rdns_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[256];

	if (!f)
		return;
	while (ctx->n_ns < RDNS_MAX_NS && fgets(line, sizeof(line), f)) {
		char a[64];
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ctx->ns[ctx->n_ns];
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ctx->ns[ctx->n_ns];

		if (sscanf(line, " nameserver %63s", a) != 1)
			continue;
		a[strcspn(a, "%")] = 0; /* a link-local's zone: not supported */
		memset(&ctx->ns[ctx->n_ns], 0, sizeof(ctx->ns[0]));
		if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons(53);
			ctx->n_ns++;
		} else if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(53);
			ctx->n_ns++;
		}
	}
	fclose(f);
}

int rdns_open(struct rdns_ctx *ctx, pid_t pid, char *err, size_t errlen)
{
	char path[64];
	int self = -1, target = -1;
	struct stat a, b;

	memset(ctx, 0, sizeof(*ctx));
	ctx->fd4 = ctx->fd6 = -1;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	/* Enter pid's network namespace when it is not this one. */
	if (pid > 0 && stat(path, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 &&
	    (a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		target = open(path, O_RDONLY | O_CLOEXEC);
		if (self < 0 || target < 0 || setns(target, CLONE_NEWNET)) {
			snprintf(err, errlen, "cannot enter pid %d's network namespace: %s", (int)pid,
				 strerror(errno));
			if (self >= 0)
				close(self);
			if (target >= 0)
				close(target);
			return -1;
		}
	}
	ctx->fd4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ctx->fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET)) {
			snprintf(err, errlen, "cannot return to famtrace's network namespace: %s", strerror(errno));
			close(self);
			close(target);
			return -1;
		}
		close(self);
		close(target);
	}
	if (pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/root/etc/resolv.conf", (int)pid);
		read_nameservers(ctx, path);
		snprintf(ctx->where, sizeof(ctx->where), "the nameservers of %s, from pid %d's network namespace",
			 path, (int)pid);
	} else {
		read_nameservers(ctx, "/etc/resolv.conf");
		snprintf(ctx->where, sizeof(ctx->where), "the nameservers of famtrace's own /etc/resolv.conf "
			 "(no MTA daemon to ask from)");
	}
	if (!ctx->n_ns) {
		snprintf(err, errlen, "no nameserver in %s", ctx->where);
		return -1;
	}
	return 0;
}

void rdns_close(struct rdns_ctx *ctx)
{
	if (ctx->fd4 >= 0)
		close(ctx->fd4);
	if (ctx->fd6 >= 0)
		close(ctx->fd6);
	ctx->fd4 = ctx->fd6 = -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Ask name/type of ctx's nameservers, 2 s each, twice. Returns the
 * answer's length in buf (its id and question matched), or -1 with err.
 */
static int query(const struct rdns_ctx *ctx, const char *name, int type, uint8_t *buf, int len, char *err,
		 size_t errlen)
{
	uint8_t q[512];
	int qlen = res_mkquery(ns_o_query, name, ns_c_in, type, NULL, 0, NULL, q, sizeof(q));

	if (qlen < 12) {
		snprintf(err, errlen, "cannot ask for %s", name);
		return -1;
	}
	for (int round = 0; round < 2; round++)
		for (unsigned i = 0; i < ctx->n_ns; i++) {
			int fd = ctx->ns[i].ss_family == AF_INET6 ? ctx->fd6 : ctx->fd4;
			socklen_t sl = ctx->ns[i].ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
									: sizeof(struct sockaddr_in);
			uint64_t until = now_ms() + 2000;

			if (fd < 0 || sendto(fd, q, (size_t)qlen, 0, (const struct sockaddr *)&ctx->ns[i], sl) != qlen)
				continue;
			for (uint64_t t; (t = now_ms()) < until;) {
				struct pollfd p = { .fd = fd, .events = POLLIN };
				int n;

				if (poll(&p, 1, (int)(until - t)) <= 0)
					break;
				n = (int)recv(fd, buf, (size_t)len, 0);
				/* The answer to this question: same id, a response. */
				if (n >= 12 && buf[0] == q[0] && buf[1] == q[1] && (buf[2] & 0x80))
					return n;
			}
		}
	snprintf(err, errlen, "no answer from the MTA's nameservers");
	return -1;
}

/* Ask and parse: 1 with records in msg, 0 when the name or record does
 * not exist, -1 when the lookup failed. */
static int ask(const struct rdns_ctx *ctx, const char *name, int type, uint8_t *buf, int len, ns_msg *msg,
	       char *err, size_t errlen)
{
	int n = query(ctx, name, type, buf, len, err, errlen);

	if (n < 0)
		return -1;
	if (ns_initparse(buf, n, msg) < 0) {
		snprintf(err, errlen, "an answer that does not parse");
		return -1;
	}
	switch (ns_msg_getflag(*msg, ns_f_rcode)) {
	case ns_r_noerror:
		if (ns_msg_count(*msg, ns_s_an))
			return 1;
		snprintf(err, errlen, "no %s record", type == ns_t_ptr ? "PTR" : type == ns_t_a ? "A" : "AAAA");
		return 0;
	case ns_r_nxdomain:
		snprintf(err, errlen, "NXDOMAIN");
		return 0;
	default:
		snprintf(err, errlen, "rcode %d", ns_msg_getflag(*msg, ns_f_rcode));
		return -1;
	}
}

/* "1.100.51.198.in-addr.arpa", "1.0.0...8.b.d.0.1.0.0.2.ip6.arpa" */
static void reverse_name(char *buf, size_t len, bool v6, const uint8_t *a)
{
	size_t off = 0;

	if (!v6) {
		snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
		return;
	}
	for (int i = 15; i >= 0 && off + 4 < len; i--)
		off += (size_t)snprintf(buf + off, len - off, "%x.%x.", a[i] & 0xf, a[i] >> 4);
	snprintf(buf + off, len - off, "ip6.arpa");
}

void rdns_lookup(const struct rdns_ctx *ctx, bool v6, const uint8_t *addr, struct rdns *out)
{
	int type = v6 ? ns_t_aaaa : ns_t_a;
	size_t alen = v6 ? 16 : 4;
	uint8_t buf[4096];
	char q[80];
	ns_msg msg;
	ns_rr rr;

	memset(out, 0, sizeof(*out));
	out->fcrdns = -1;
	reverse_name(q, sizeof(q), v6, addr);
	out->ptr_state = ask(ctx, q, ns_t_ptr, buf, sizeof(buf), &msg, out->ptr_err, sizeof(out->ptr_err));
	if (out->ptr_state <= 0)
		return;
	out->ptr_state = 0;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an) && out->ptr_state == 0; i++)
		if (ns_parserr(&msg, ns_s_an, i, &rr) == 0 && ns_rr_type(rr) == ns_t_ptr &&
		    ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr), out->ptr,
				       sizeof(out->ptr)) >= 0)
			out->ptr_state = 1;
	if (out->ptr_state == 0) {
		snprintf(out->ptr_err, sizeof(out->ptr_err), "no PTR record");
		return;
	}
	/* Forward: does the name hold the address? */
	switch (ask(ctx, out->ptr, type, buf, sizeof(buf), &msg, out->fwd_err, sizeof(out->fwd_err))) {
	case -1:
		return;
	case 0:
		out->fcrdns = 0;
		return;
	}
	out->fcrdns = 0;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++)
		if (ns_parserr(&msg, ns_s_an, i, &rr) == 0 && (int)ns_rr_type(rr) == type &&
		    ns_rr_rdlen(rr) == alen && !memcmp(ns_rr_rdata(rr), addr, alen))
			out->fcrdns = 1;
	if (!out->fcrdns)
		snprintf(out->fwd_err, sizeof(out->fwd_err), "its %s records hold other addresses",
			 v6 ? "AAAA" : "A");
}
