// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_correlate.c - the correlator's facts (DESIGN.md, "Facts the
 * correlator must get right"), one test each, from synthetic event streams.
 * Output is TAP-like ("ok - name" / "not ok - name") with a final
 * "N passed, N failed" line; exit status 1 if anything failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "core/correlate.h"
#include "records/source.h"
#include "lib/addrclass.h"
#include "records/decode.h"
#include "maillog/messages.h"
#include "unit.h"
#include "dnsname.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

/* Records the sink saw. */
struct seen {
	int attempts, probes, groups, exits, lookups;
	struct group last_group;
	enum group_class classes[16];
	uint64_t ends[16]; /* last_end_ns of each group, in the order they closed */
};

static void s_attempt(void *ctx, const struct proc *p, const struct attempt *a, const struct group *g)
{
	((struct seen *)ctx)->attempts++;
}

static void s_probe(void *ctx, const struct proc *p, const struct attempt *a)
{
	((struct seen *)ctx)->probes++;
}

static void s_group(void *ctx, const struct proc *p, const struct group *g)
{
	struct seen *s = ctx;

	if (s->groups < 16) {
		s->classes[s->groups] = g->cls;
		s->ends[s->groups] = g->last_end_ns;
	}
	s->groups++;
	s->last_group = *g;
}

static void s_exit(void *ctx, const struct proc *p)
{
	((struct seen *)ctx)->exits++;
}

static void s_lookup(void *ctx, const struct proc *p, const struct lookup *l)
{
	((struct seen *)ctx)->lookups++;
}

static struct correlator *new_corr(struct seen *s)
{
	struct correlator_cfg cfg = { .group_gap_ns = 2 * SEC };
	struct sink sink = { .ctx = s, .attempt = s_attempt, .probe = s_probe, .group = s_group,
			     .exit = s_exit, .lookup = s_lookup };

	memset(s, 0, sizeof(*s));
	return correlator_new(&cfg, &sink);
}

struct who {
	uint32_t tgid, tid, ppid;
	uint64_t start_ns;
	const char *comm;
};

static const struct who smtp = { 1000, 1000, 900, 5 * SEC, "smtp" };

/* The task part every record carries. */
static void fill_task(struct ft_task *t, const struct who *w, uint8_t why)
{
	t->tgid = w->tgid;
	t->tid = w->tid;
	t->ppid = w->ppid;
	t->start_ns = w->start_ns;
	t->why = why;
	strncpy(t->comm, w->comm, FT_COMM_LEN - 1);
}

/* Feed a TCP (or UDP, kind PROBE) attempt as the kernel would report it. */
static void feed(struct correlator *c, const struct who *w, int kind, const char *addr,
		 uint16_t port, uint64_t start, uint64_t end, int outcome, int err)
{
	struct ft_attempt a;
	const char *why;

	memset(&a, 0, sizeof(a));
	a.hdr.kind = kind;
	a.hdr.size = sizeof(a);
	a.hdr.ts_ns = end;
	fill_task(&a.task, w, FT_WHY_COMM);
	a.start_ns = start;
	a.end_ns = end;
	if (strchr(addr, ':')) {
		a.family = AF_INET6;
		inet_pton(AF_INET6, addr, a.daddr);
	} else {
		a.family = AF_INET;
		inet_pton(AF_INET, addr, a.daddr);
	}
	a.dport = port;
	a.proto = kind == FT_EV_PROBE ? IPPROTO_UDP : IPPROTO_TCP;
	a.outcome = outcome;
	a.err = err;
	if (ft_decode_check(&a, sizeof(a), &why) != kind) {
		printf("#   synthetic record rejected: %s\n", why);
		cur_failed = 1;
		return;
	}
	correlate_event(c, &a, sizeof(a));
}

static void feed_proc(struct correlator *c, const struct who *w, int what, uint64_t ts, int code)
{
	struct ft_proc p;

	memset(&p, 0, sizeof(p));
	p.hdr.kind = FT_EV_PROC;
	p.hdr.size = sizeof(p);
	p.hdr.ts_ns = ts;
	fill_task(&p.task, w, 0);
	p.what = what;
	p.exit_code = code;
	correlate_event(c, &p, sizeof(p));
}

#define T0 (100 * SEC)

static void test_v4mapped_is_ipv4(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	feed(c, &smtp, FT_EV_ATTEMPT, "::ffff:192.0.2.7", 25, T0, T0 + MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(p && p->fam[FAM_V4].tried == 1 && p->fam[FAM_V6].tried == 0);
	CHECK(s.last_group.at[0].v4mapped);
	CHECK(s.last_group.at[0].fam == FAM_V4);
	CHECK(s.last_group.at[0].daddr[0] == 192 && s.last_group.at[0].daddr[3] == 7);
	correlator_free(c);
}

static void test_immediate_error(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::25", 25, T0, T0 + 20000, FT_OUT_IMMEDIATE, ENETUNREACH);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(p->fam[FAM_V6].res[RES_NET_UNREACH] == 1);
	CHECK(s.last_group.at[0].outcome == FT_OUT_IMMEDIATE);
	CHECK(s.last_group.cls == GC_ALL_FAILED);
	correlator_free(c);
}

static void test_async_outcomes(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0, T0 + MS, FT_OUT_ASYNC, ECONNREFUSED);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.2", 587, T0, T0 + 127 * SEC, FT_OUT_ASYNC, ETIMEDOUT);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.3", 465, T0, T0 + 3 * MS, FT_OUT_ASYNC, EHOSTUNREACH);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(p->fam[FAM_V4].res[RES_REFUSED] == 1);
	CHECK(p->fam[FAM_V4].res[RES_TIMEOUT] == 1);
	CHECK(p->fam[FAM_V4].res[RES_HOST_UNREACH] == 1);
	CHECK(p->fam[FAM_V4].connected == 0 && p->fam[FAM_V4].tried == 3);
	CHECK(s.groups == 3); /* three ports, three destinations */
	correlator_free(c);
}

static void test_abandoned_in_syn_sent(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	/* Postfix's smtp_connect_timeout: closed by the application after 30 s. */
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::25", 25, T0, T0 + 30 * SEC, FT_OUT_ABANDONED, 0);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(p->fam[FAM_V6].res[RES_ABANDONED] == 1);
	CHECK(s.last_group.at[0].res == RES_ABANDONED);
	CHECK(s.last_group.at[0].end_ns - s.last_group.at[0].start_ns == 30 * SEC);
	CHECK(result_of(FT_OUT_ABANDONED, 0) == RES_ABANDONED);
	correlator_free(c);
}

static void test_threads_fold_into_process(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct who t2 = smtp;
	struct proc **all;

	t2.tid = smtp.tid + 1;
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0, T0 + MS, FT_OUT_CONNECTED, 0);
	feed(c, &t2, FT_EV_ATTEMPT, "192.0.2.2", 25, T0 + 10 * SEC, T0 + 10 * SEC + MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(correlator_procs(c, &all) == 1);
	CHECK(all[0]->fam[FAM_V4].tried == 2);
	correlator_free(c);
}

static void test_pid_reuse_is_a_new_process(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct who again = smtp;
	struct proc **all;

	again.start_ns = smtp.start_ns + 3600 * SEC;
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0, T0 + MS, FT_OUT_CONNECTED, 0);
	feed_proc(c, &smtp, FT_PROC_EXIT, T0 + SEC, 0);
	feed(c, &again, FT_EV_ATTEMPT, "2001:db8::1", 25, T0 + 7200 * SEC, T0 + 7200 * SEC + MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(correlator_procs(c, &all) == 2);
	CHECK(all[0]->exited && !all[1]->exited);
	CHECK(all[0]->fam[FAM_V4].tried == 1 && all[0]->fam[FAM_V6].tried == 0);
	CHECK(all[1]->fam[FAM_V6].tried == 1 && all[1]->fam[FAM_V4].tried == 0);
	CHECK(correlator_find(c, smtp.tgid) == all[1]); /* the newest */
	correlator_free(c);
}

static void test_parent_chain(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct who master = { 900, 900, 1, 1 * SEC, "master" };
	struct who child = { 1000, 1000, 900, 5 * SEC, "master" };
	struct proc *p;

	feed_proc(c, &master, FT_PROC_EXEC, T0, 0);
	feed_proc(c, &child, FT_PROC_FORK, T0 + 1, 0);
	child.comm = "smtp";
	feed_proc(c, &child, FT_PROC_EXEC, T0 + 2, 0);
	feed(c, &child, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 3, T0 + MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	p = correlator_find(c, 1000);
	CHECK(p && !strcmp(p->comm, "smtp") && !strcmp(p->first_comm, "master"));
	CHECK(p->ppid == 900);
	CHECK(correlator_find(c, p->ppid) && !strcmp(correlator_find(c, p->ppid)->comm, "master"));
	correlator_free(c);
}

static void test_fallback_and_its_cost(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	/* IPv6 abandoned after 1 s, IPv4 right after: a fallback costing 1 s. */
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::25", 25, T0, T0 + SEC, FT_OUT_ABANDONED, 0);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + SEC + 50000, T0 + SEC + 2 * MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1);
	CHECK(s.last_group.cls == GC_FALLBACK);
	CHECK(s.last_group.from_fam == FAM_V6 && s.last_group.to_fam == FAM_V4);
	CHECK(s.last_group.cost_ns == SEC + 50000);
	p = correlator_find(c, smtp.tgid);
	CHECK(p->groups[GC_FALLBACK] == 1 && p->fallback_fam_from[FAM_V6] == 1);
	CHECK(p->fallback_cost_max_ns == SEC + 50000);
	correlator_free(c);
}

static void test_fallback_to_v4mapped(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	/* Both on AF_INET6 sockets; the second is IPv4 on the wire. */
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::25", 25, T0, T0 + 10000, FT_OUT_IMMEDIATE, ENETUNREACH);
	feed(c, &smtp, FT_EV_ATTEMPT, "::ffff:192.0.2.25", 25, T0 + 20000, T0 + MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.last_group.cls == GC_FALLBACK);
	CHECK(s.last_group.from_fam == FAM_V6 && s.last_group.to_fam == FAM_V4);
	correlator_free(c);
}

static void test_retried_same_family(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0, T0 + MS, FT_OUT_ASYNC, ECONNREFUSED);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.2", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.cls == GC_RETRIED);
	CHECK(s.last_group.cost_ns == 2 * MS);
	correlator_free(c);
}

static void test_all_failed(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::1", 25, T0, T0 + MS, FT_OUT_IMMEDIATE, ENETUNREACH);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_ASYNC, ECONNREFUSED);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.cls == GC_ALL_FAILED);
	CHECK(s.last_group.n == 2 && s.last_group.winner < 0);
	correlator_free(c);
}

static void test_group_gap_separates_deliveries(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	/* Two deliveries a minute apart are two destinations, not a retry. */
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0, T0 + MS, FT_OUT_ASYNC, ECONNREFUSED);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 60 * SEC, T0 + 60 * SEC + MS,
	     FT_OUT_CONNECTED, 0);
	/* A new connect after a success that is over starts a new group too. */
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 61 * SEC, T0 + 61 * SEC + MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 3);
	CHECK(s.classes[0] == GC_ALL_FAILED);
	CHECK(s.classes[1] == GC_CONNECTED_FIRST);
	CHECK(s.classes[2] == GC_CONNECTED_FIRST);
	correlator_free(c);
}

static void test_tick_closes_after_gap(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0, T0 + MS, FT_OUT_CONNECTED, 0);
	correlate_tick(c, T0 + SEC);
	CHECK(s.groups == 0); /* still inside the gap */
	correlate_tick(c, T0 + 3 * SEC);
	CHECK(s.groups == 1);
	correlator_free(c);
}

static void test_race_is_not_a_fallback(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	/* Happy Eyeballs style: both started, IPv4 answered first, IPv6 a bit
	 * later. Nothing failed, so no fallback. */
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 100, T0 + MS, FT_OUT_CONNECTED, 0);
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::1", 25, T0, T0 + 2 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1);
	CHECK(s.last_group.cls == GC_CONNECTED_FIRST);
	CHECK(s.last_group.to_fam == FAM_V4);
	correlator_free(c);
}

static void test_probe_is_not_an_attempt(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	/* getaddrinfo's RFC 6724 source-address probe. */
	feed(c, &smtp, FT_EV_PROBE, "2001:db8::25", 0, T0, T0 + 1000, FT_OUT_PROBE, ENETUNREACH);
	feed(c, &smtp, FT_EV_PROBE, "192.0.2.25", 0, T0, T0 + 1000, FT_OUT_PROBE, 0);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(s.probes == 2 && s.attempts == 0 && s.groups == 0);
	CHECK(p->fam[FAM_V6].probes_failed == 1 && p->fam[FAM_V6].last_probe_err == ENETUNREACH);
	CHECK(p->fam[FAM_V4].probes_ok == 1);
	CHECK(p->fam[FAM_V4].tried == 0 && p->fam[FAM_V6].tried == 0);
	correlator_free(c);
}

static void test_connect_latency_per_family(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0, T0 + 2 * MS, FT_OUT_CONNECTED, 0);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 10 * SEC, T0 + 10 * SEC + 4 * MS,
	     FT_OUT_CONNECTED, 0);
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::1", 25, T0 + 20 * SEC, T0 + 20 * SEC + 9 * MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(p->fam[FAM_V4].lat_n == 2 && p->fam[FAM_V4].lat_sum_ns == 6 * MS);
	CHECK(p->fam[FAM_V4].lat_min_ns == 2 * MS && p->fam[FAM_V4].lat_max_ns == 4 * MS);
	CHECK(p->fam[FAM_V6].lat_n == 1 && p->fam[FAM_V6].lat_max_ns == 9 * MS);
	correlator_free(c);
}

static void test_exit_keeps_late_outcomes(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	/* A socket left in SYN_SENT is closed during exit: its record comes
	 * after the exit record and still belongs to the process. */
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::1", 25, T0, T0 + MS, FT_OUT_IMMEDIATE, ENETUNREACH);
	feed_proc(c, &smtp, FT_PROC_EXIT, T0 + 2 * MS, 1 << 8);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_ABANDONED, 0);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(p->exited && p->exit_code == 1 << 8);
	CHECK(s.exits == 1 && s.groups == 1);
	CHECK(s.last_group.n == 2 && s.last_group.cls == GC_ALL_FAILED);
	correlator_free(c);
}

static void test_decoder_rejects_malformed(void)
{
	struct ft_attempt a;
	const char *why;

	memset(&a, 0, sizeof(a));
	a.hdr.kind = FT_EV_ATTEMPT;
	a.hdr.size = sizeof(a);
	a.family = AF_INET;
	a.outcome = FT_OUT_CONNECTED;
	CHECK(ft_decode_check(&a, sizeof(a), &why) == FT_EV_ATTEMPT);
	CHECK(ft_decode_check(&a, sizeof(a) - 1, &why) == 0);
	a.family = 1;
	CHECK(ft_decode_check(&a, sizeof(a), &why) == 0);
	a.family = AF_INET;
	a.outcome = 99;
	CHECK(ft_decode_check(&a, sizeof(a), &why) == 0);
	a.outcome = FT_OUT_CONNECTED;
	memset(a.task.comm, 'x', sizeof(a.task.comm));
	CHECK(ft_decode_check(&a, sizeof(a), &why) == 0);
	a.task.comm[15] = 0;
	a.hdr.kind = 77;
	CHECK(ft_decode_check(&a, sizeof(a), &why) == 0);
}

/* A lookup packed as the kernel writes it (FT_LF_PACKED: fixed part, name
 * with its NUL, the addresses, the DNS bytes) spreads out to exactly the
 * full record; lengths that do not add up are refused, never read past. */
static void test_packed_lookup_is_the_full_one(void)
{
	static struct ft_lookup full, out;
	static uint8_t packed[sizeof(struct ft_lookup) + 8];
	const char *name = "mx.dual.lab.test", *why;
	size_t nl = strlen(name) + 1, n;
	const void *got;

	memset(&full, 0, sizeof(full));
	full.hdr.kind = FT_EV_LOOKUP;
	full.hdr.size = sizeof(full);
	full.api = FT_API_RES_NSEARCH;
	full.task.tgid = 42;
	memcpy(full.name, name, nl);
	full.n_addrs = 2;
	full.addrs[0].family = AF_INET, full.addrs[1].family = AF_INET6;
	inet_pton(AF_INET, "192.0.2.1", full.addrs[0].addr);
	inet_pton(AF_INET6, "2001:db8::1", full.addrs[1].addr);
	full.dns_len = full.dns_total = 3;
	memcpy(full.dns, "\x01\x02\x03", 3);

	/* Packed, as lookup_pack() in bpf/resolver.bpf.c lays it out. */
	memcpy(packed, &full, FT_LOOKUP_FIXED);
	n = FT_LOOKUP_FIXED;
	memcpy(packed + n, full.name, nl), n += nl;
	memcpy(packed + n, full.addrs, 2 * sizeof(struct ft_addr)), n += 2 * sizeof(struct ft_addr);
	memcpy(packed + n, full.dns, 3), n += 3;
	((struct ft_lookup *)(void *)packed)->flags = FT_LF_PACKED;
	((struct ft_lookup *)(void *)packed)->name_len = nl;
	((struct ft_lookup *)(void *)packed)->hdr.size = n;

	CHECK(ft_decode_check(packed, n, &why) == FT_EV_LOOKUP);
	{
		size_t len = n;

		got = ft_decode_full(packed, &len, &out);
		CHECK(got == &out && len == sizeof(full));
	}
	full.name_len = nl; /* the one field the full form leaves 0 */
	CHECK(memcmp(&out, &full, sizeof(full)) == 0);
	/* A full record goes through as it is. */
	{
		size_t len = sizeof(full);

		CHECK(ft_decode_full(&full, &len, &out) == (const void *)&full && len == sizeof(full));
	}
	/* One byte more or less than its lengths say; a name without its
	 * NUL; more addresses than a record holds. */
	((struct ft_lookup *)(void *)packed)->hdr.size = n + 1;
	CHECK(ft_decode_check(packed, n + 1, &why) == 0);
	((struct ft_lookup *)(void *)packed)->hdr.size = n - 1;
	CHECK(ft_decode_check(packed, n - 1, &why) == 0);
	((struct ft_lookup *)(void *)packed)->hdr.size = n;
	packed[FT_LOOKUP_FIXED + nl - 1] = 'x';
	CHECK(ft_decode_check(packed, n, &why) == 0);
	packed[FT_LOOKUP_FIXED + nl - 1] = 0;
	((struct ft_lookup *)(void *)packed)->n_addrs = FT_LOOKUP_ADDRS + 1;
	CHECK(ft_decode_check(packed, n, &why) == 0);
	/* Without the flag a short lookup is malformed, as before. */
	((struct ft_lookup *)(void *)packed)->n_addrs = 2;
	((struct ft_lookup *)(void *)packed)->flags = 0;
	CHECK(ft_decode_check(packed, n, &why) == 0);
}

static void test_many_attempts_keep_the_winner(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	for (int i = 0; i < 20; i++)
		feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::1", 25, T0 + i * MS, T0 + i * MS + 500,
		     FT_OUT_ASYNC, ECONNREFUSED);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 30 * MS, T0 + 31 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1);
	CHECK(s.last_group.n == GROUP_MAX_ATTEMPTS && s.last_group.n_extra == 5);
	CHECK(s.last_group.winner >= 0 && s.last_group.cls == GC_FALLBACK);
	correlator_free(c);
}


/* A resolver record: api, name, addresses ("2001:db8::1", "192.0.2.1"), or DNS bytes. */
static void feed_lookup(struct correlator *c, const struct who *w, uint8_t why, int api,
			const char *name, const char *const *addrs, int n_addrs, const uint8_t *dns,
			size_t dns_len, size_t dns_total, int ret, uint64_t start, uint64_t end)
{
	static struct ft_lookup l;
	const char *whyc;

	memset(&l, 0, sizeof(l));
	l.hdr.kind = FT_EV_LOOKUP;
	l.hdr.size = sizeof(l);
	l.hdr.ts_ns = end;
	fill_task(&l.task, w, why);
	l.start_ns = start;
	l.end_ns = end;
	l.api = api;
	l.ret = ret;
	l.hint_family = 0;
	strncpy(l.name, name, FT_NAME_LEN - 1);
	for (int i = 0; i < n_addrs; i++) {
		if (strchr(addrs[i], ':')) {
			l.addrs[i].family = AF_INET6;
			inet_pton(AF_INET6, addrs[i], l.addrs[i].addr);
		} else {
			l.addrs[i].family = AF_INET;
			inet_pton(AF_INET, addrs[i], l.addrs[i].addr);
		}
		l.addrs[i].port = 25;
	}
	l.n_addrs = n_addrs;
	if (dns) {
		memcpy(l.dns, dns, dns_len);
		l.dns_len = dns_len;
		l.dns_total = dns_total;
	}
	if (ft_decode_check(&l, sizeof(l), &whyc) != FT_EV_LOOKUP) {
		printf("#   synthetic lookup rejected: %s\n", whyc);
		cur_failed = 1;
		return;
	}
	correlate_event(c, &l, sizeof(l));
}

static const struct who client = { 2000, 2000, 900, 7 * SEC, "client" };

/* The keys beside a process's lookups list the same lookups, newest first. */
static bool keys_mirror_lookups(const struct proc *p)
{
	unsigned i = 0;

	for (const struct lookup *l = p->lookups; l; l = l->next, i++)
		if (i >= p->n_lookups || proc_lkey(p, i)->l != l || proc_lkey(p, i)->id != l->id ||
		    proc_lkey(p, i)->hash != l->dest_hash)
			return false;
	return i == p->n_lookups;
}

static void test_lookup_links_attempt_and_names_group(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *both[] = { "2001:db8::25", "192.0.2.25" };

	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.lookups == 1 && s.groups == 1);
	CHECK(!strcmp(s.last_group.name, "mx1.example.test"));
	CHECK(s.last_group.at[0].lookup_id == 1);
	CHECK(s.last_group.n_offered == 2);
	correlator_free(c);
}

/* A fresh correlator whose client looked up mx1.example.test (IPv6 and
 * IPv4) and connected to the IPv6 address first. */
static struct correlator *connected_v6_first(struct seen *s)
{
	static const char *const both[] = { "2001:db8::25", "192.0.2.25" };
	struct correlator *c = new_corr(s);

	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	return c;
}

/*
 * A session that failed after the handshake (a 421 greeting over IPv6):
 * the MTA goes on to the next address of the same answer, and the two
 * connections are one delivery, a fallback. A connect after a new lookup
 * is a new delivery, and so is one beyond the gap.
 */
static void test_session_failed_is_a_fallback(void)
{
	static const char *const both[] = { "2001:db8::25", "192.0.2.25" };
	struct seen s;
	struct correlator *c = connected_v6_first(&s);

	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 5 * MS, T0 + 6 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.n == 2);
	CHECK(s.last_group.cls == GC_FALLBACK && s.last_group.from_fam == FAM_V6 &&
	      s.last_group.to_fam == FAM_V4 && s.last_group.cost_ns == 3 * MS);
	CHECK(s.last_group.winner >= 0 && s.last_group.at[s.last_group.winner].fam == FAM_V4);
	CHECK(group_session_failed(&s.last_group) && group_session_failed(&s.last_group)->fam == FAM_V6);
	correlator_free(c);

	/* The next delivery looks the name up again: two groups, each first time. */
	c = connected_v6_first(&s);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0 + 10 * MS, T0 + 11 * MS);
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 12 * MS, T0 + 13 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 2 && s.last_group.cls == GC_CONNECTED_FIRST && !group_session_failed(&s.last_group));
	correlator_free(c);

	/* Beyond the gap after the winner: a new group. */
	c = connected_v6_first(&s);
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 10 * SEC, T0 + 10 * SEC + MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 2 && s.last_group.cls == GC_CONNECTED_FIRST);
	correlator_free(c);

	/* After the session failed, the next address failing too: all failed. */
	c = connected_v6_first(&s);
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 5 * MS, T0 + 6 * MS, FT_OUT_IMMEDIATE, ENETUNREACH);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.cls == GC_ALL_FAILED && s.last_group.winner < 0);
	correlator_free(c);
}

/* glibc's RFC 6724 route probe: a UDP connect to daddr that picked saddr
 * (NULL: it failed with ENETUNREACH). */
static void feed_probe(struct correlator *c, const struct who *w, const char *daddr,
		       const char *saddr, uint64_t ts)
{
	struct ft_attempt a;
	const char *why;
	int af = strchr(daddr, ':') ? AF_INET6 : AF_INET;

	memset(&a, 0, sizeof(a));
	a.hdr.kind = FT_EV_PROBE;
	a.hdr.size = sizeof(a);
	a.hdr.ts_ns = ts;
	fill_task(&a.task, w, FT_WHY_PID);
	a.start_ns = a.end_ns = ts;
	a.family = af;
	inet_pton(af, daddr, a.daddr);
	if (saddr) {
		inet_pton(af, saddr, a.saddr);
		a.sport = 40000;
	}
	a.proto = IPPROTO_UDP;
	a.outcome = FT_OUT_PROBE;
	a.err = saddr ? 0 : ENETUNREACH;
	if (ft_decode_check(&a, sizeof(a), &why) != FT_EV_PROBE) {
		printf("#   synthetic probe rejected: %s\n", why);
		cur_failed = 1;
		return;
	}
	correlate_event(c, &a, sizeof(a));
}

/* The route probes made inside a getaddrinfo give its addresses their
 * sources; the rules then explain the order, and over several lookups
 * rule 9 pinning one address first is a verdict. */
static void test_getaddrinfo_order_from_route_probes(void)
{
	const char *list[] = { "2001:db8:1::30", "2001:db8:2::30", "192.0.2.30" };
	struct order_step steps[LOOKUP_MAX_ADDRS];
	const struct order_name *o;
	const struct lookup *l;
	struct seen s;
	struct correlator *c = new_corr(&s);
	unsigned bad, n;
	size_t no;

	for (int k = 0; k < 3; k++) {
		uint64_t t = T0 + k * SEC;

		feed_probe(c, &client, "2001:db8:1::30", "2001:db8:1::10", t + 100);
		feed_probe(c, &client, "2001:db8:2::30", "2001:db8:1::10", t + 200);
		feed_probe(c, &client, "192.0.2.30", k == 2 ? NULL : "192.0.2.10", t + 300);
		feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "rr.example.test", list, 3, NULL,
			    0, 0, 0, t, t + MS);
	}
	/* A probe of another thread, or outside the call, is not its. */
	l = correlator_find(c, client.tgid)->lookups;
	CHECK(l && l->has_src && l->src[0].state == 1 && l->src[1].state == 1 &&
	      l->src[2].state == -1 && l->src[2].err == ENETUNREACH);
	n = lookup_order(l, NULL, steps, &bad);
	CHECK(n == 2 && bad == 0 && steps[0].rule == 9 && steps[1].rule == 1);
	no = correlator_orders(c, &o);
	CHECK(no == 1 && o[0].fam == FAM_V6 && o[0].lookups == 3 && o[0].rule9_first == 3);
	CHECK(o[0].n_addrs == 2 && o[0].addrs[0].first == 3 && o[0].rule9_bits == 122);
	CHECK(order_name_verdict(&o[0]) && !strcmp(order_name_verdict(&o[0]), "rule9_pinned"));
	correlator_free(c);

	/* No shared prefix decides: the list follows the resolver's rotation,
	 * and that is no verdict against rule 9. */
	c = new_corr(&s);
	for (int k = 0; k < 2; k++) {
		const char *rot[2][2] = { { "2001:db8:2::30", "2001:db8:3::30" },
					  { "2001:db8:3::30", "2001:db8:2::30" } };
		uint64_t t = T0 + k * SEC;

		feed_probe(c, &client, rot[k][0], "2001:db8:1::10", t + 100);
		feed_probe(c, &client, rot[k][1], "2001:db8:1::10", t + 200);
		feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "rr.example.test", rot[k], 2,
			    NULL, 0, 0, 0, t, t + MS);
	}
	no = correlator_orders(c, &o);
	CHECK(no == 1 && o[0].rule9_first == 0 && !strcmp(order_name_verdict(&o[0]), "rotating"));
	l = correlator_find(c, client.tgid)->lookups;
	CHECK(lookup_order(l, NULL, steps, &bad) == 1 && steps[0].rule == 10 && !bad);
	correlator_free(c);

	/* Probes not seen (a lookup from before the process was traced). */
	c = new_corr(&s);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "rr.example.test", list, 3, NULL, 0, 0,
		    0, T0, T0 + MS);
	l = correlator_find(c, client.tgid)->lookups;
	CHECK(l->has_src && l->src[0].state == 0);
	CHECK(lookup_order(l, NULL, steps, &bad) == 2 && steps[0].rule == 10 && steps[1].rule == 6);
	correlator_free(c);
}

/* The kernel says what an IPv6 source is once (FT_EV_SRCADDR); attempts
 * from it take that kind, and a temporary one is a note on the destination. */
static void test_source_kind_from_the_kernel(void)
{
	struct ft_srcaddr r;
	struct ft_attempt a;
	struct addr_note notes[4];
	const char *why;
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	memset(&r, 0, sizeof(r));
	r.hdr.kind = FT_EV_SRCADDR;
	r.hdr.size = sizeof(r);
	r.hdr.ts_ns = T0;
	fill_task(&r.task, &smtp, FT_WHY_COMM);
	inet_pton(AF_INET6, "2001:db8:1::a8c3", r.addr);
	r.found = 1;
	r.ifa_flags = 0x01; /* IFA_F_TEMPORARY */
	r.prefix_len = 64;
	r.valid_lft = 604800;
	r.preferred_lft = 86400;
	strcpy(r.ifname, "eth0");
	CHECK(ft_decode_check(&r, sizeof(r), &why) == FT_EV_SRCADDR);
	correlate_event(c, &r, sizeof(r));

	memset(&a, 0, sizeof(a));
	a.hdr.kind = FT_EV_ATTEMPT;
	a.hdr.size = sizeof(a);
	a.hdr.ts_ns = T0 + MS;
	fill_task(&a.task, &smtp, FT_WHY_COMM);
	a.start_ns = T0;
	a.end_ns = T0 + MS;
	a.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:2::25", a.daddr);
	inet_pton(AF_INET6, "2001:db8:1::a8c3", a.saddr);
	a.sport = 40000;
	a.dport = 25;
	a.proto = IPPROTO_TCP;
	a.outcome = FT_OUT_CONNECTED;
	CHECK(ft_decode_check(&a, sizeof(a), &why) == FT_EV_ATTEMPT);
	correlate_event(c, &a, sizeof(a));
	correlate_flush(c);
	CHECK(s.last_group.at[0].has_saddr && s.last_group.at[0].src.known &&
	      !strcmp(src_kind_origin(&s.last_group.at[0].src), "temporary") &&
	      !strcmp(s.last_group.at[0].src.ifname, "eth0"));
	p = correlator_find(c, smtp.tgid);
	CHECK(p->n_srcs == 1 && p->srcs[0].attempts == 1 && (p->srcs[0].kind.flags & 0x01));
	CHECK(group_address_notes(p, p->done, notes, 4) == 1 && notes[0].temporary && notes[0].source);
	/* Mail leaving from a 6to4 source: a transition-source note. */
	inet_pton(AF_INET6, "2002:c000:201::10", a.saddr);
	a.dport = 587; /* another destination */
	a.start_ns = T0 + 10 * SEC;
	a.end_ns = a.hdr.ts_ns = T0 + 10 * SEC + MS;
	correlate_event(c, &a, sizeof(a));
	correlate_flush(c);
	CHECK(group_address_notes(p, p->done, notes, 4) == 1 && notes[0].source && notes[0].transition &&
	      !notes[0].temporary && notes[0].cls == AC_6TO4);
	/* A record cut short, or with an unterminated interface name, is refused. */
	memset(r.ifname, 'x', sizeof(r.ifname));
	CHECK(ft_decode_check(&r, sizeof(r), &why) == 0);
	CHECK(ft_decode_check(&r, sizeof(r) - 8, &why) == 0);
	correlator_free(c);
}

/* Exim turns each address into a sockaddr with getaddrinfo(literal,
 * AI_NUMERICHOST) before connecting: the name comes from the DNS lookup,
 * not from the literal, and the literal asks no family. */
static void test_address_literal_does_not_name_the_attempt(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v6[] = { "2001:db8::25" };

	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", v6, 1, NULL, 0,
		    0, 0, T0, T0 + MS);
	struct proc **procs;

	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "2001:db8::25", v6, 1, NULL, 0,
		    0, 0, T0 + 2 * MS, T0 + 3 * MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 4 * MS, T0 + 5 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1 && !strcmp(s.last_group.name, "mx1.example.test"));
	CHECK(s.last_group.at[0].lookup_id == 1);
	CHECK(correlator_procs(c, &procs) == 1 && procs[0]->gai_literal == 1 &&
	      procs[0]->gai_unspec == 1);
	/* IPv4, a scoped IPv6 literal, and a name made of hex digits only. */
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "192.0.2.25", NULL, 0, NULL, 0, 0, 0,
		    T0 + 6 * MS, T0 + 7 * MS);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "fe80::25%veth0", NULL, 0, NULL, 0,
		    0, 0, T0 + 8 * MS, T0 + 9 * MS);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "cafe.be", NULL, 0, NULL, 0, 0, 0,
		    T0 + 10 * MS, T0 + 11 * MS);
	CHECK(correlator_procs(c, &procs) == 1 && procs[0]->gai_literal == 3);
	correlator_free(c);
}

static void test_no_fallback(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *both[] = { "2001:db8::25", "192.0.2.25" };

	/* Tried the first (IPv6) address only, never the IPv4 one it had. */
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_IMMEDIATE,
	     ENETUNREACH);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.cls == GC_NO_FALLBACK);
	CHECK(s.last_group.from_fam == FAM_V6 && s.last_group.to_fam == FAM_V4);
	correlator_free(c);
}

/*
 * A client that waits longer than the gap before the next address of the
 * same answer (OpenSMTPD: 2 s) still falls back within one destination;
 * the hold ends at 5 s, and a new lookup first is a new delivery.
 */
static void test_pause_before_next_address_is_one_destination(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *both[] = { "2001:db8::25", "192.0.2.25" };

	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + SEC, FT_OUT_ABANDONED, 0);
	correlate_tick(c, T0 + 3500 * MS);
	CHECK(s.groups == 0); /* past the gap, inside the hold: untried IPv4 left */
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 3 * SEC, T0 + 3 * SEC + MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.cls == GC_FALLBACK && s.last_group.n == 2);
	CHECK(s.last_group.cost_ns >= 2 * SEC);
	correlator_free(c);

	/* Past the hold: a destination of its own; the first one's verdict
	 * (no fallback) was due when the hold ended. */
	c = new_corr(&s);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + SEC, FT_OUT_ABANDONED, 0);
	correlate_tick(c, T0 + 6100 * MS);
	CHECK(s.groups == 1 && s.classes[0] == GC_NO_FALLBACK);
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 6200 * MS, T0 + 6201 * MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 2 && s.classes[1] == GC_CONNECTED_FIRST);
	correlator_free(c);

	/* Inside the hold, but after a new lookup of the name: a new delivery. */
	c = new_corr(&s);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + SEC, FT_OUT_ABANDONED, 0);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0 + 3 * SEC, T0 + 3 * SEC + MS);
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 3 * SEC + 2 * MS, T0 + 3 * SEC + 3 * MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 2 && s.classes[0] == GC_NO_FALLBACK && s.classes[1] == GC_CONNECTED_FIRST);
	correlator_free(c);

	/* The same address again after the gap is a new attempt at delivery,
	 * not the next address. */
	c = new_corr(&s);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + SEC, FT_OUT_ABANDONED, 0);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 3500 * MS, T0 + 3501 * MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 2);
	correlator_free(c);
}

static void test_all_failed_without_other_family_is_not_no_fallback(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v6[] = { "2001:db8::25" };

	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "v6.example.test", v6, 1, NULL, 0, 0,
		    0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_IMMEDIATE,
	     ENETUNREACH);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.cls == GC_ALL_FAILED);
	correlator_free(c);
}

static void test_family_unreachable(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v4[] = { "192.0.2.25" };
	const char *v6[] = { "2001:db8::26" };
	struct proc *p;

	/* An IPv4-only process: it connects over IPv4, then gets an
	 * IPv6-only name and does not even try. */
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "v4.example.test", v4, 1, NULL, 0, 0,
		    0, T0, T0 + MS);
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	feed_lookup(c, &client, FT_WHY_PID, FT_API_GETADDRINFO, "v6.example.test", v6, 1, NULL, 0, 0,
		    0, T0 + 4 * MS, T0 + 5 * MS);
	correlate_tick(c, T0 + 10 * SEC);
	CHECK(s.groups == 2);
	CHECK(s.classes[0] == GC_CONNECTED_FIRST);
	CHECK(s.classes[1] == GC_FAMILY_UNREACHABLE);
	CHECK(!strcmp(s.last_group.name, "v6.example.test") && s.last_group.to_fam == FAM_V6);
	p = correlator_find(c, client.tgid);
	CHECK(p->groups[GC_FAMILY_UNREACHABLE] == 1);
	correlator_free(c);
}

static void test_unused_aaaa_of_a_host_reached_over_ipv4_is_fine(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v4[] = { "192.0.2.25" };
	const char *v6[] = { "2001:db8::25" };

	/* An MTA preferring IPv4 asks A and AAAA, connects over IPv4. */
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETHOSTBYNAME2, "mx1.example.test", v4, 1, NULL, 0,
		    0, 0, T0, T0 + MS);
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETHOSTBYNAME2, "mx1.example.test", v6, 1, NULL, 0,
		    0, 0, T0 + MS, T0 + 2 * MS);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 3 * MS, T0 + 4 * MS, FT_OUT_CONNECTED, 0);
	correlate_tick(c, T0 + 10 * SEC);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.classes[0] == GC_CONNECTED_FIRST);
	CHECK(s.last_group.n_offered == 2); /* both families were offered */
	correlator_free(c);
}

static void test_exited_process_is_trimmed_but_keeps_totals(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v4[] = { "192.0.2.25" };
	struct proc *p;
	unsigned n = 0;

	for (int i = 0; i < 10; i++) {
		feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v4, 1, NULL,
			    0, 0, 0, T0 + i * 10 * SEC, T0 + i * 10 * SEC + MS);
		feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + i * 10 * SEC + 2 * MS,
		     T0 + i * 10 * SEC + 3 * MS, FT_OUT_CONNECTED, 0);
	}
	feed_proc(c, &smtp, FT_PROC_EXIT, T0 + 100 * SEC, 0);
	correlate_tick(c, T0 + 200 * SEC);
	p = correlator_find(c, smtp.tgid);
	for (const struct group *g = p->done; g; g = g->next)
		n++;
	CHECK(p->trimmed && !p->lookups && n == PROC_KEEP_EXITED);
	CHECK(p->groups[GC_CONNECTED_FIRST] == 10 && p->fam[FAM_V4].tried == 10);
	CHECK(p->lookups_total == 10);
	correlator_free(c);
}

/* Sendmail asks a client's ident port (113) for a message received by SMTP:
 * a mail program's connection to a non-mail port is not a delivery. */
static void test_mail_program_to_non_mail_port_is_not_a_delivery(void)
{
	static const char *const comms[] = { "smtp" };
	static const uint16_t ports[] = { 25 };
	struct seen s;
	struct correlator_cfg cfg = { .group_gap_ns = 2 * SEC, .mail_comms = comms, .n_mail_comms = 1,
				      .mail_ports = ports, .n_mail_ports = 1 };
	struct sink sink = { .ctx = &s, .attempt = s_attempt, .probe = s_probe, .group = s_group,
			     .exit = s_exit, .lookup = s_lookup };
	struct correlator *c;
	struct proc *p;

	memset(&s, 0, sizeof(s));
	c = correlator_new(&cfg, &sink);
	feed(c, &smtp, FT_EV_ATTEMPT, "127.0.0.1", 113, T0, T0 + MS, FT_OUT_ASYNC, ECONNREFUSED);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(p && p->service_groups == 1 && p->groups[GC_ALL_FAILED] == 0 &&
	      p->groups[GC_CONNECTED_FIRST] == 1);
	for (const struct group *g = p ? p->done : NULL; g; g = g->next)
		CHECK(g->service == (g->dport == 113));
	correlator_free(c);
}

/* check keeps what an exited process looked up and tried: its verdict's
 * evidence names them ("(details no longer kept)" on a 9-second check was
 * the bug). */
static void test_check_keeps_exited_details(void)
{
	struct seen s;
	struct correlator_cfg cfg = { .group_gap_ns = 2 * SEC, .keep_exited_details = true };
	struct sink sink = { .ctx = &s, .attempt = s_attempt, .probe = s_probe, .group = s_group,
			     .exit = s_exit, .lookup = s_lookup };
	struct correlator *c;
	const char *v4[] = { "192.0.2.25" };
	struct proc *p;

	memset(&s, 0, sizeof(s));
	c = correlator_new(&cfg, &sink);
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v4, 1, NULL, 0, 0,
		    0, T0, T0 + MS);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	feed_proc(c, &smtp, FT_PROC_EXIT, T0 + SEC, 0);
	correlate_tick(c, T0 + 9 * SEC);
	p = correlator_find(c, smtp.tgid);
	CHECK(p && !p->trimmed && p->lookups && p->done);
	correlator_free(c);
}

/* A local user can keep thousands of processes alive, each costing about
 * 3 KiB held: beyond max_procs, their records are counted, not correlated,
 * and the trace says it is incomplete. A process folded away frees its place. */
static void test_processes_held_are_bounded(void)
{
	struct seen s;
	struct correlator_cfg cfg = { .group_gap_ns = 2 * SEC, .max_procs = 4 };
	struct sink sink = { .ctx = &s, .attempt = s_attempt, .probe = s_probe, .group = s_group,
			     .exit = s_exit, .lookup = s_lookup };
	struct correlator *c;
	struct source_stats ss = { 0 };
	struct proc **all;
	char gaps[512];

	memset(&s, 0, sizeof(s));
	c = correlator_new(&cfg, &sink);
	for (unsigned i = 0; i < 6; i++) {
		struct who w = { 20000 + i, 20000 + i, 900, T0 + i * MS, "storm" };

		feed(c, &w, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + i * MS, T0 + i * MS + 1,
		     FT_OUT_ASYNC, ECONNREFUSED);
	}
	/* The two beyond: not held, their records counted; the four held go on. */
	CHECK(correlator_procs(c, &all) == 4);
	CHECK(correlator_procs_refused(c) == 2);
	CHECK(s.attempts == 4);
	feed(c, &(struct who){ 20001, 20001, 900, T0 + MS, "storm" }, FT_EV_ATTEMPT, "192.0.2.26", 25,
	     T0 + SEC, T0 + SEC + 1, FT_OUT_ASYNC, ECONNREFUSED);
	CHECK(s.attempts == 5 && correlator_procs_refused(c) == 2);
	ss.procs_full = correlator_procs_refused(c);
	CHECK(!source_complete(&ss));
	CHECK(strstr(source_gaps(gaps, sizeof(gaps), &ss), "2 records of processes beyond the bound of processes held") != NULL);
	correlator_free(c);
}

/* A relay runs thousands of smtp processes a day: memory must not grow with
 * them. Old exited processes fold into one summary per name. */
static void test_exited_processes_fold_into_per_name_summaries(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc **all, *fold = NULL;
	size_t n, most = 0;
	const unsigned N = 3000;

	for (unsigned i = 0; i < N; i++) {
		struct who w = { 10000 + i, 10000 + i, 900, T0 + i * MS, "smtp" };
		uint64_t t = T0 + (uint64_t)i * 10 * MS;

		feed(c, &w, FT_EV_ATTEMPT, i % 2 ? "192.0.2.25" : "2001:db8::25", 25, t, t + MS,
		     i % 2 ? FT_OUT_CONNECTED : FT_OUT_ASYNC, i % 2 ? 0 : ECONNREFUSED);
		feed_proc(c, &w, FT_PROC_EXIT, t + 2 * MS, 0);
		correlate_tick(c, t + 3 * MS);
		n = correlator_procs(c, &all);
		if (n > most)
			most = n;
	}
	correlate_tick(c, T0 + 1000 * SEC);
	n = correlator_procs(c, &all);
	for (size_t i = 0; i < n; i++)
		if (all[i]->folded)
			fold = all[i];
	/* Bounded: the settled ones kept one by one, the recent ones, one summary. */
	CHECK(most < 2 * FOLD_KEEP_EXITED + 300 + 2);
	CHECK(fold && !strcmp(fold->comm, "smtp") && fold->tgid == 0);
	if (fold) {
		uint64_t v4 = fold->fam[FAM_V4].tried, v6 = fold->fam[FAM_V6].tried, procs = fold->folded;

		/* Nothing lost: the summary plus the processes kept add up to N. */
		for (size_t i = 0; i < n; i++)
			if (!all[i]->folded) {
				v4 += all[i]->fam[FAM_V4].tried;
				v6 += all[i]->fam[FAM_V6].tried;
				procs++;
			}
		CHECK(v4 == N / 2 && v6 == N / 2 && procs == N);
		CHECK(fold->groups[GC_CONNECTED_FIRST] + fold->groups[GC_ALL_FAILED] == fold->folded);
		CHECK(fold->done && fold->n_done <= PROC_KEEP_EXITED && fold->done->proc == fold);
	}
	/* The pid of a folded process is no longer known as a process. */
	CHECK(correlator_find(c, 10000) == NULL);
	correlator_free(c);
}

static void test_flush_keeps_everything_for_the_report(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v4[] = { "192.0.2.25" };
	struct proc *p;

	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v4, 1, NULL, 0, 0,
		    0, T0, T0 + MS);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	feed_proc(c, &smtp, FT_PROC_EXIT, T0 + SEC, 0);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(!p->trimmed && p->lookups && p->done);
	correlator_free(c);
}

static void test_earlier_lookups_of_untraced_process_are_adopted(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v4[] = { "192.0.2.25" };
	struct proc **all;

	/* why 0: not known to be a mail process when it looked the name up. */
	feed_lookup(c, &client, 0, FT_API_GETADDRINFO, "mx1.example.test", v4, 1, NULL, 0, 0, 0, T0,
		    T0 + MS);
	CHECK(correlator_procs(c, &all) == 0 && s.lookups == 0);
	feed(c, &client, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(correlator_procs(c, &all) == 1 && s.lookups == 1);
	CHECK(!strcmp(s.last_group.name, "mx1.example.test"));
	correlator_free(c);
}

static void test_untraced_lookups_stay_bounded(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v4[] = { "192.0.2.25" };
	struct proc **all;

	for (uint32_t i = 0; i < 10 * CANDIDATE_LOOKUPS; i++) {
		struct who w = { 10000 + i, 10000 + i, 1, i * SEC, "curl" };

		feed_lookup(c, &w, 0, FT_API_GETADDRINFO, "www.example.test", v4, 1, NULL, 0, 0, 0,
			    T0 + i, T0 + i + 1);
	}
	CHECK(correlator_procs(c, &all) == 0 && s.lookups == 0);
	correlator_free(c); /* valgrind/ASan: nothing leaks */
}

/* DNS responses by hand: header, question, answers, names uncompressed
 * (put_name: dnsname.h). mx_answer_add puts one more MX record for DOMAIN
 * on a message built by mx_answer. */
static size_t mx_answer_add(uint8_t *m, size_t n, const char *domain, uint16_t pref,
			    const char *exchange)
{
	size_t rd;

	m[7]++; /* ANCOUNT */
	n += put_name(m + n, domain);
	m[n++] = 0, m[n++] = 15, m[n++] = 0, m[n++] = 1;     /* MX IN */
	m[n++] = 0, m[n++] = 0, m[n++] = 0x0e, m[n++] = 0x10; /* TTL */
	rd = n;
	n += 2;
	m[n++] = pref >> 8, m[n++] = pref & 0xff;
	n += put_name(m + n, exchange);
	m[rd] = (n - rd - 2) >> 8, m[rd + 1] = (n - rd - 2) & 0xff;
	return n;
}

/* A response to DOMAIN's MX question with one record, PREF EXCHANGE. */
static size_t mx_answer(uint8_t *m, const char *domain, uint16_t pref, const char *exchange)
{
	size_t n = 12;

	memset(m, 0, 12);
	m[0] = 0x12, m[1] = 0x34; /* id */
	m[2] = 0x81, m[3] = 0x80; /* response, RD, RA, NOERROR */
	m[5] = 1;		  /* QDCOUNT */
	n += put_name(m + n, domain);
	m[n++] = 0, m[n++] = 15, m[n++] = 0, m[n++] = 1; /* MX IN */
	return mx_answer_add(m, n, domain, pref, exchange);
}

static void test_mx_answer_parsed_and_joined(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *v4[] = { "192.0.2.25" };
	uint8_t msg[512];
	size_t len = mx_answer(msg, "example.test", 10, "mx1.example.test");
	const struct lookup *l;

	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_RES_NSEARCH, "example.test", NULL, 0, msg, len, len,
		    (int)len, T0, T0 + MS);
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v4, 1, NULL, 0, 0, 0,
		    T0 + 2 * MS, T0 + 3 * MS);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 4 * MS, T0 + 5 * MS, FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	l = proc_lookup(correlator_find(c, smtp.tgid), 1);
	CHECK(l && l->dns.parsed && l->dns.rcode == 0 && l->dns.n_rrs == 1);
	CHECK(l && l->dns.rr[0].type == 15 && l->dns.rr[0].pref == 10);
	CHECK(l && !strcmp(l->dns.rr[0].target, "mx1.example.test"));
	CHECK(l && l->qtype == 15);
	CHECK(!strcmp(s.last_group.mx_domain, "example.test") && s.last_group.mx_pref == 10);
	correlator_free(c);
}

/* An IPv4-only relay and an IPv6-only MX host: MX, then A (nothing), never
 * AAAA, nothing tried. The absence is a verdict: no_usable_address, naming
 * the family asked. */
static void test_mx_set_without_usable_address(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	uint8_t msg[512];
	size_t len = mx_answer(msg, "example.test", 10, "mx1.example.test");

	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_RES_NSEARCH, "example.test", NULL, 0, msg, len, len,
		    (int)len, T0, T0 + MS);
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETHOSTBYNAME, "mx1.example.test", NULL, 0, NULL, 0, 0,
		    -1, T0 + 2 * MS, T0 + 3 * MS);
	correlate_tick(c, T0 + 10 * SEC);
	CHECK(s.groups == 1 && s.last_group.cls == GC_NO_USABLE_ADDRESS);
	CHECK(s.last_group.asked_mask == 1u << FAM_V4 && s.last_group.to_fam == FAM_V6);
	CHECK(!strcmp(s.last_group.key, "example.test") && s.last_group.n == 0);
	correlator_free(c);
}

/* Exim resolves the MX set in one process and connects from a forked
 * delivery child: the child's attempts still get their names, MX origin and
 * offered families, and the lookups are counted once, in the parent. */
static void test_child_attempts_join_the_parents_lookups(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const struct who exim = { 3000, 3000, 1, SEC, "exim4" }, child = { 3001, 3001, 3000, 2 * SEC, "exim4" };
	const char *v4[] = { "192.0.2.25" }, *v6[] = { "2001:db8::25" };
	uint8_t msg[512];
	size_t len = mx_answer(msg, "example.test", 10, "mx1.example.test");

	feed_lookup(c, &exim, FT_WHY_COMM, FT_API_RES_SEARCH, "example.test", NULL, 0, msg, len, len,
		    (int)len, T0, T0 + MS);
	feed_lookup(c, &exim, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v6, 1, NULL, 0, 0, 0,
		    T0 + 2 * MS, T0 + 3 * MS);
	feed_lookup(c, &exim, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v4, 1, NULL, 0, 0, 0,
		    T0 + 4 * MS, T0 + 5 * MS);
	feed(c, &child, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 10 * MS, T0 + 11 * MS,
	     FT_OUT_IMMEDIATE, ENETUNREACH);
	correlate_flush(c);
	CHECK(s.groups == 1);
	CHECK(s.last_group.cls == GC_NO_FALLBACK && s.last_group.to_fam == FAM_V4);
	CHECK(!strcmp(s.last_group.mx_domain, "example.test"));
	CHECK(correlator_find(c, child.tgid)->lookups_total == 0);
	CHECK(correlator_find(c, exim.tgid)->lookups_total == 3);
	CHECK(keys_mirror_lookups(correlator_find(c, child.tgid)));
	correlator_free(c);
}

/* OpenSMTPD resolves in one child of its master (lka) and connects from
 * another (mta): the mta's attempts get the lka's names and offered
 * families. A sibling of another name, or one whose lookup ended beyond the
 * gap before the attempt, lends nothing. */
static void test_sibling_attempts_join_a_siblings_lookups(void)
{
	const char *both[] = { "2001:db8::25", "192.0.2.25" };

	for (int k = 0; k < 3; k++) {
		struct seen s;
		struct correlator *c = new_corr(&s);
		/* 0: sibling smtpd; 1: sibling of another name; 2: too early */
		const struct who lka = { 4001, 4001, 4000, SEC, k == 1 ? "resolver" : "smtpd" };
		const struct who mta = { 4002, 4002, 4000, SEC, "smtpd" };
		uint64_t at = k == 2 ? T0 + 3 * SEC : T0 + 10 * MS;

		feed_lookup(c, &lka, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0, 0,
			    0, T0, T0 + MS);
		feed(c, &mta, FT_EV_ATTEMPT, "2001:db8::25", 25, at, at + MS, FT_OUT_IMMEDIATE, ENETUNREACH);
		correlate_flush(c);
		CHECK(s.groups == 1);
		if (k == 0)
			CHECK(!strcmp(s.last_group.name, "mx1.example.test") &&
			      s.last_group.cls == GC_NO_FALLBACK && s.last_group.to_fam == FAM_V4 &&
			      correlator_find(c, lka.tgid)->lookups_total == 1 &&
			      correlator_find(c, mta.tgid)->lookups_total == 0);
		else
			CHECK(!s.last_group.name[0] && s.last_group.cls == GC_ALL_FAILED);
		correlator_free(c);
	}
}

/* Another domain whose MX is the same host is looked up between a
 * delivery's failed IPv6 attempt and its IPv4 one (OpenSMTPD's lookup agent
 * serves every delivery; Google's MX hosts serve thousands of domains): the
 * IPv4 attempt's newest MX answer names the other domain, and it is still
 * the next address of the first delivery, which offered it untried. */
static void test_next_address_after_another_domains_mx_is_the_same_delivery(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const char *both[] = { "2001:db8::25", "192.0.2.25" };
	uint8_t a[512], b[512];
	size_t la = mx_answer(a, "a.example.test", 10, "mx1.example.test");
	size_t lb = mx_answer(b, "b.example.test", 10, "mx1.example.test");

	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_RES_NSEARCH, "a.example.test", NULL, 0, a, la, la, (int)la,
		    T0, T0 + MS);
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", both, 2, NULL, 0, 0, 0,
		    T0 + 2 * MS, T0 + 3 * MS);
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 4 * MS, T0 + 5 * MS, FT_OUT_IMMEDIATE,
	     ENETUNREACH);
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_RES_NSEARCH, "b.example.test", NULL, 0, b, lb, lb, (int)lb,
		    T0 + SEC, T0 + SEC + MS);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 2 * SEC + 10 * MS, T0 + 2 * SEC + 11 * MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 1 && s.last_group.cls == GC_FALLBACK && s.last_group.n == 2 &&
	      !strcmp(s.last_group.mx_domain, "a.example.test"));
	correlator_free(c);
}

static void test_bad_dns_answers_are_facts_not_crashes(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	uint8_t msg[512], junk[64];
	size_t len = mx_answer(msg, "example.test", 10, "mx1.example.test");
	const struct lookup *l;
	struct proc *p;

	/* Truncated: only part of the message was copied. */
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_RES_NQUERY, "example.test", NULL, 0, msg, len - 5,
		    len + 900, 900 + (int)len, T0, T0 + MS);
	/* Garbage with a plausible header claiming 3 answers. */
	memcpy(junk, msg, 12);
	junk[7] = 3;
	memset(junk + 12, 0xc0, sizeof(junk) - 12); /* compression pointers to nowhere */
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_RES_NSEND, "", NULL, 0, junk, sizeof(junk),
		    sizeof(junk), sizeof(junk), T0 + 2 * MS, T0 + 3 * MS);
	/* A record cut in its data. */
	msg[7] = 1;
	feed_lookup(c, &smtp, FT_WHY_COMM, FT_API_RES_NQUERY, "example.test", NULL, 0, msg, len - 3,
		    len - 3, (int)len - 3, T0 + 4 * MS, T0 + 5 * MS);
	correlate_flush(c);
	p = correlator_find(c, smtp.tgid);
	CHECK(s.lookups == 3);
	for (uint64_t id = 1; id <= 3; id++) {
		l = proc_lookup(p, id);
		CHECK(l && !l->dns.parsed && l->dns.error);
	}
	correlator_free(c);
}

/* A delivery line joins the newest group of its process that began before
 * the line's second ended: Postfix stamps lines with time(), the kernel's
 * coarse clock, a tick behind, so a retry that began 2 ms into a second can
 * be logged in the second before and is still that retry's; a group that
 * began 30 ms into the next second is not. */
static void test_log_line_joins_group_begun_just_after_its_second(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct mlog_delivery d;
	const struct proc *p;
	const struct group *g;
	const int64_t wall0 = 1700000000LL * (int64_t)SEC; /* wall time of T0, a whole second */
	const int64_t b2r = wall0 - (int64_t)T0;

	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 300 * MS, T0 + 301 * MS, FT_OUT_ASYNC,
	     ECONNREFUSED);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 3 * SEC + 2 * MS, T0 + 3 * SEC + 3 * MS,
	     FT_OUT_ASYNC, ECONNREFUSED);
	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 6 * SEC + 30 * MS, T0 + 6 * SEC + 31 * MS,
	     FT_OUT_ASYNC, ECONNREFUSED);
	correlate_tick(c, T0 + 20 * SEC);
	CHECK(s.groups == 3);
	memset(&d, 0, sizeof(d));
	d.pid = smtp.tgid;
	snprintf(d.to, sizeof(d.to), "u@example.test");
	snprintf(d.relay_addr, sizeof(d.relay_addr), "192.0.2.1");

	d.wall_ns = wall0; /* logged in the first group's second */
	g = msg_delivery_group(c, &d, b2r, &p);
	CHECK(g && g->first_start_ns == T0 + 300 * MS && p && p->tgid == smtp.tgid);
	d.wall_ns = wall0 + 2 * (int64_t)SEC; /* the second before the retry began, 2 ms into the next */
	g = msg_delivery_group(c, &d, b2r, &p);
	CHECK(g && g->first_start_ns == T0 + 3 * SEC + 2 * MS);
	d.wall_ns = wall0 + 5 * (int64_t)SEC; /* a group 30 ms into the next second is not its */
	g = msg_delivery_group(c, &d, b2r, &p);
	CHECK(g && g->first_start_ns == T0 + 3 * SEC + 2 * MS);
	correlator_free(c);
}

/* An IPv6 attempt still in SYN_SENT when the trace ends (user space reports
 * it as FT_OUT_PENDING) while IPv4 connected meanwhile: a fallback that cost
 * the time from the IPv6 start, not "connected first time". */
static void test_in_progress_at_the_end_is_a_failed_attempt(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc *p;

	feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 300 * MS, T0 + 301 * MS,
	     FT_OUT_CONNECTED, 0);
	feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::25", 25, T0, T0 + 5 * SEC, FT_OUT_PENDING, 0);
	correlate_flush(c);
	CHECK(s.groups == 1);
	CHECK(s.last_group.cls == GC_FALLBACK);
	CHECK(s.last_group.from_fam == FAM_V6 && s.last_group.cost_ns == 300 * MS);
	p = correlator_find(c, smtp.tgid);
	CHECK(p && p->fam[FAM_V6].res[RES_IN_PROGRESS] == 1);
	CHECK(!strcmp(result_key(RES_IN_PROGRESS), "in_progress"));
	correlator_free(c);
}

/* Port 25 silent in one family at two hosts while the family works on
 * another port: blocked. One host, a refusal, or no sign that the family
 * works otherwise: not said. */
static void test_port25_silent_in_one_family_is_an_egress_block(void)
{
	for (int v = 0; v < 4; v++) {
		struct seen s;
		struct correlator *c = new_corr(&s);
		struct egress_block b4, b6;

		feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.10", 25, T0, T0 + 2 * SEC, FT_OUT_ABANDONED, 0);
		if (v != 1)
			feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.20", 25, T0 + 2 * SEC, T0 + 4 * SEC,
			     FT_OUT_ABANDONED, 0);
		if (v == 2)
			feed(c, &smtp, FT_EV_ATTEMPT, "192.0.2.30", 25, T0 + 4 * SEC, T0 + 4 * SEC + MS,
			     FT_OUT_ASYNC, ECONNREFUSED);
		if (v != 3)
			feed(c, &smtp, FT_EV_ATTEMPT, "198.51.100.5", 587, T0 + 5 * SEC, T0 + 5 * SEC + MS,
			     FT_OUT_CONNECTED, 0);
		feed(c, &smtp, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 6 * SEC, T0 + 6 * SEC + MS,
		     FT_OUT_IMMEDIATE, ENETUNREACH);
		correlate_flush(c);
		correlator_egress(c, FAM_V4, &b4);
		correlator_egress(c, FAM_V6, &b6);
		CHECK(!b6.blocked);
		if (v == 0)
			CHECK(b4.blocked && b4.attempts == 2 && b4.hosts == 2 &&
			      strstr(b4.works, "IPv4 connected to port 587 of 198.51.100.5"));
		else
			CHECK(!b4.blocked);
		correlator_free(c);
	}
}

/* Thousands of live processes, each with many destinations: the details kept
 * stay under the budget, what is freed is counted, the totals stay whole. */
static void test_live_processes_details_stay_under_budget(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct proc **procs;
	size_t n, groups = 0;
	uint64_t tried = 0;

	for (uint32_t k = 0; k < 300; k++) {
		struct who w = { 20000 + k, 20000 + k, 1, SEC + k, "hostile" };

		for (uint16_t port = 0; port < 64; port++)
			feed(c, &w, FT_EV_ATTEMPT, "192.0.2.9", 1000 + port, T0 + port * 10 * SEC,
			     T0 + port * 10 * SEC + MS, FT_OUT_IMMEDIATE, ECONNREFUSED);
		correlate_tick(c, T0 + 640 * SEC);
	}
	n = correlator_procs(c, &procs);
	for (size_t i = 0; i < n; i++) {
		struct proc *p = procs[i];

		for (const struct group *g = p->done; g; g = g->next)
			groups++;
		for (const struct group *g = p->open; g; g = g->next)
			groups++;
		tried += p->fam[FAM_V4].tried;
	}
	CHECK(groups <= DETAIL_GROUPS_BUDGET);
	CHECK(correlator_dropped_groups(c) > 0);
	CHECK(correlator_dropped_groups(c) + groups == 300 * 64);
	CHECK(tried == 300 * 64);
	correlator_free(c);
}

/* One busy process: finished destinations beyond what it keeps are counted
 * as dropped, never silently (kept + dropped = all of them). */
static void test_busy_process_drops_are_counted(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct who w = { 31000, 31000, 1, SEC, "smtp" };
	const struct proc *p;
	size_t kept = 0;

	for (uint16_t k = 0; k < 200; k++) {
		feed(c, &w, FT_EV_ATTEMPT, "192.0.2.9", 2000 + k, T0 + k * 10 * SEC,
		     T0 + k * 10 * SEC + MS, FT_OUT_IMMEDIATE, ECONNREFUSED);
		correlate_tick(c, T0 + k * 10 * SEC + 5 * SEC);
	}
	p = correlator_find(c, w.tgid);
	CHECK(p != NULL);
	if (!p) {
		correlator_free(c);
		return;
	}
	for (const struct group *g = p->done; g; g = g->next)
		kept++;
	CHECK(kept >= PROC_MAX_DONE_GROUPS && kept <= PROC_MAX_DONE_GROUPS + PROC_DONE_SLACK);
	CHECK(p->groups_dropped > 0 && kept + p->groups_dropped == 200);
	CHECK(correlator_dropped_groups(c) == p->groups_dropped);
	CHECK(p->groups[GC_ALL_FAILED] == 200);
	correlator_free(c);
}

/* A relay's smtp process delivering for long: its lookups are cut back many
 * times, their keys follow, and the late deliveries still join theirs (the
 * host's A and AAAA answers both offered to the group). */
static void test_busy_process_lookups_keep_their_keys(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const struct who w = { 32000, 32000, 1, SEC, "smtp" };
	const char *v4[] = { "192.0.2.25" }, *v6[] = { "2001:db8::25" };
	const struct proc *p;
	bool mirrored = true;

	for (unsigned k = 0; k < 100; k++) {
		uint64_t t = T0 + k * 3 * SEC;
		char host[64];

		snprintf(host, sizeof(host), "mx%u.example.test", k % 7);
		feed_lookup(c, &w, FT_WHY_COMM, FT_API_GETHOSTBYNAME2, host, v4, 1, NULL, 0, 0, 0, t,
			    t + MS);
		feed_lookup(c, &w, FT_WHY_COMM, FT_API_GETHOSTBYNAME2, host, v6, 1, NULL, 0, 0, 0,
			    t + 2 * MS, t + 3 * MS);
		feed(c, &w, FT_EV_ATTEMPT, "192.0.2.25", 25, t + 4 * MS, t + 5 * MS, FT_OUT_CONNECTED, 0);
		correlate_tick(c, t + 2900 * MS);
		p = correlator_find(c, w.tgid);
		mirrored &= p && keys_mirror_lookups(p);
	}
	correlate_flush(c);
	p = correlator_find(c, w.tgid);
	CHECK(mirrored);
	CHECK(p && p->lookups_dropped > 0 && p->n_lookups <= PROC_MAX_LOOKUPS + PROC_LOOKUPS_SLACK);
	CHECK(p && p->lookups_dropped + p->n_lookups == 200 && correlator_dropped_lookups(c) == p->lookups_dropped);
	CHECK(s.groups == 100 && !strcmp(s.last_group.name, "mx1.example.test"));
	CHECK(s.last_group.n_offered == 2);
	correlator_free(c);
}

/* A host that stopped offering IPv6: the delivery is offered what the
 * process's newest answer said, not an address an older answer had (a
 * removed AAAA must not read as IPv6 offered and never tried). */
static void test_older_answer_of_a_host_is_not_offered_again(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const struct who w = { 33000, 33000, 1, SEC, "smtp" };
	const char *both[] = { "2001:db8::25", "192.0.2.25" }, *v4[] = { "192.0.2.25" };

	feed_lookup(c, &w, FT_WHY_COMM, FT_API_GETADDRINFO, "mx.example.test", both, 2, NULL, 0, 0, 0, T0,
		    T0 + MS);
	feed(c, &w, FT_EV_ATTEMPT, "2001:db8::25", 25, T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED, 0);
	correlate_tick(c, T0 + 5 * SEC);
	CHECK(s.groups == 1 && s.last_group.n_offered == 2);
	feed_lookup(c, &w, FT_WHY_COMM, FT_API_GETADDRINFO, "mx.example.test", v4, 1, NULL, 0, 0, 0,
		    T0 + 10 * SEC, T0 + 10 * SEC + MS);
	feed(c, &w, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 10 * SEC + 2 * MS, T0 + 10 * SEC + 3 * MS,
	     FT_OUT_CONNECTED, 0);
	correlate_flush(c);
	CHECK(s.groups == 2 && s.last_group.n_offered == 1 && s.last_group.offered[0].fam == FAM_V4);
	CHECK(s.last_group.cls == GC_CONNECTED_FIRST);
	correlator_free(c);
}

/* Two deliveries to one MX set from one process: the first looks up both
 * hosts and reaches the second; the next looks up only the first host, is
 * refused and stops. Its fates are its own: the second host was never
 * looked up in it, whatever the earlier delivery asked. */
static void test_mx_fates_are_this_deliverys(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const struct who w = { 34000, 34000, 1, SEC, "smtp" };
	const char *v4a[] = { "192.0.2.25" }, *both[] = { "2001:db8::26", "192.0.2.26" };
	const uint64_t t2 = T0 + 20 * SEC;
	struct mx_fate f[4];
	uint8_t msg[512];
	size_t len = mx_answer(msg, "example.test", 10, "mx1.example.test");
	unsigned n;

	len = mx_answer_add(msg, len, "example.test", 20, "mx2.example.test");
	feed_lookup(c, &w, FT_WHY_COMM, FT_API_RES_NSEARCH, "example.test", NULL, 0, msg, len, len,
		    (int)len, T0, T0 + MS);
	feed_lookup(c, &w, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v4a, 1, NULL, 0, 0, 0,
		    T0 + 2 * MS, T0 + 3 * MS);
	feed_lookup(c, &w, FT_WHY_COMM, FT_API_GETADDRINFO, "mx2.example.test", both, 2, NULL, 0, 0, 0,
		    T0 + 4 * MS, T0 + 5 * MS);
	feed(c, &w, FT_EV_ATTEMPT, "192.0.2.25", 25, T0 + 6 * MS, T0 + 7 * MS, FT_OUT_ASYNC, ECONNREFUSED);
	feed(c, &w, FT_EV_ATTEMPT, "2001:db8::26", 25, T0 + 8 * MS, T0 + 9 * MS, FT_OUT_CONNECTED, 0);
	correlate_tick(c, T0 + 10 * SEC);
	CHECK(s.groups == 1);

	feed_lookup(c, &w, FT_WHY_COMM, FT_API_RES_NSEARCH, "example.test", NULL, 0, msg, len, len,
		    (int)len, t2, t2 + MS);
	feed_lookup(c, &w, FT_WHY_COMM, FT_API_GETADDRINFO, "mx1.example.test", v4a, 1, NULL, 0, 0, 0,
		    t2 + 2 * MS, t2 + 3 * MS);
	feed(c, &w, FT_EV_ATTEMPT, "192.0.2.25", 25, t2 + 6 * MS, t2 + 7 * MS, FT_OUT_ASYNC, ECONNREFUSED);
	correlate_flush(c);
	CHECK(s.groups == 2 && !strcmp(s.last_group.mx_domain, "example.test"));
	n = group_mx_fates(correlator_find(c, w.tgid), &s.last_group, f, 4);
	CHECK(n == 2);
	CHECK(n == 2 && f[0].tried && f[0].res == RES_REFUSED);
	CHECK(n == 2 && !f[1].tried && !f[1].looked && f[1].fams == 0 &&
	      f[1].why_not && !strcmp(f[1].why_not, "never looked up"));
	correlator_free(c);
}

/* Groups that close in one tick come out in time order, across processes
 * (live lines must not run backwards). */
static void test_groups_close_in_time_order(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	const struct who a = { 2001, 2001, 1, SEC, "smtp" }, b = { 2002, 2002, 1, 2 * SEC, "smtp" };

	feed(c, &a, FT_EV_ATTEMPT, "192.0.2.1", 25, T0 + 30 * MS, T0 + 31 * MS, FT_OUT_IMMEDIATE, ENETUNREACH);
	feed(c, &a, FT_EV_ATTEMPT, "192.0.2.1", 26, T0 + 10 * MS, T0 + 11 * MS, FT_OUT_IMMEDIATE, ENETUNREACH);
	feed(c, &b, FT_EV_ATTEMPT, "192.0.2.2", 25, T0 + 20 * MS, T0 + 21 * MS, FT_OUT_IMMEDIATE, ENETUNREACH);
	correlate_tick(c, T0 + 10 * SEC);
	CHECK(s.groups == 3);
	CHECK(s.ends[0] == T0 + 11 * MS && s.ends[1] == T0 + 21 * MS && s.ends[2] == T0 + 31 * MS);
	correlator_free(c);
}

int main(void)
{
	RUN(test_v4mapped_is_ipv4);
	RUN(test_immediate_error);
	RUN(test_async_outcomes);
	RUN(test_abandoned_in_syn_sent);
	RUN(test_threads_fold_into_process);
	RUN(test_pid_reuse_is_a_new_process);
	RUN(test_parent_chain);
	RUN(test_fallback_and_its_cost);
	RUN(test_session_failed_is_a_fallback);
	RUN(test_fallback_to_v4mapped);
	RUN(test_retried_same_family);
	RUN(test_all_failed);
	RUN(test_group_gap_separates_deliveries);
	RUN(test_tick_closes_after_gap);
	RUN(test_race_is_not_a_fallback);
	RUN(test_probe_is_not_an_attempt);
	RUN(test_connect_latency_per_family);
	RUN(test_exit_keeps_late_outcomes);
	RUN(test_decoder_rejects_malformed);
	RUN(test_packed_lookup_is_the_full_one);
	RUN(test_many_attempts_keep_the_winner);
	RUN(test_lookup_links_attempt_and_names_group);
	RUN(test_getaddrinfo_order_from_route_probes);
	RUN(test_source_kind_from_the_kernel);
	RUN(test_address_literal_does_not_name_the_attempt);
	RUN(test_no_fallback);
	RUN(test_pause_before_next_address_is_one_destination);
	RUN(test_all_failed_without_other_family_is_not_no_fallback);
	RUN(test_family_unreachable);
	RUN(test_unused_aaaa_of_a_host_reached_over_ipv4_is_fine);
	RUN(test_exited_process_is_trimmed_but_keeps_totals);
	RUN(test_check_keeps_exited_details);
	RUN(test_mail_program_to_non_mail_port_is_not_a_delivery);
	RUN(test_exited_processes_fold_into_per_name_summaries);
	RUN(test_flush_keeps_everything_for_the_report);
	RUN(test_earlier_lookups_of_untraced_process_are_adopted);
	RUN(test_untraced_lookups_stay_bounded);
	RUN(test_mx_answer_parsed_and_joined);
	RUN(test_mx_set_without_usable_address);
	RUN(test_mx_fates_are_this_deliverys);
	RUN(test_bad_dns_answers_are_facts_not_crashes);
	RUN(test_in_progress_at_the_end_is_a_failed_attempt);
	RUN(test_port25_silent_in_one_family_is_an_egress_block);
	RUN(test_log_line_joins_group_begun_just_after_its_second);
	RUN(test_live_processes_details_stay_under_budget);
	RUN(test_busy_process_drops_are_counted);
	RUN(test_busy_process_lookups_keep_their_keys);
	RUN(test_older_answer_of_a_host_is_not_offered_again);
	RUN(test_groups_close_in_time_order);
	RUN(test_processes_held_are_bounded);
	RUN(test_child_attempts_join_the_parents_lookups);
	RUN(test_sibling_attempts_join_a_siblings_lookups);
	RUN(test_next_address_after_another_domains_mx_is_the_same_delivery);
	UNIT_DONE();
}
