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

#include "correlate.h"
#include "decode.h"

static int passed, failed, cur_failed;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			cur_failed = 1;                                              \
		}                                                                    \
	} while (0)

#define MS 1000000ULL
#define SEC 1000000000ULL

/* Records the sink saw. */
struct seen {
	int attempts, probes, groups, exits;
	struct group last_group;
	enum group_class classes[16];
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

	if (s->groups < 16)
		s->classes[s->groups] = g->cls;
	s->groups++;
	s->last_group = *g;
}

static void s_exit(void *ctx, const struct proc *p)
{
	((struct seen *)ctx)->exits++;
}

static struct correlator *new_corr(struct seen *s)
{
	struct correlator_cfg cfg = { .group_gap_ns = 2 * SEC };
	struct sink sink = { s, s_attempt, s_probe, s_group, s_exit };

	memset(s, 0, sizeof(*s));
	return correlator_new(&cfg, &sink);
}

struct who {
	uint32_t tgid, tid, ppid;
	uint64_t start_ns;
	const char *comm;
};

static const struct who smtp = { 1000, 1000, 900, 5 * SEC, "smtp" };

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
	a.task.tgid = w->tgid;
	a.task.tid = w->tid;
	a.task.ppid = w->ppid;
	a.task.start_ns = w->start_ns;
	a.task.why = FT_WHY_COMM;
	strncpy(a.task.comm, w->comm, FT_COMM_LEN - 1);
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
	p.task.tgid = w->tgid;
	p.task.tid = w->tid;
	p.task.ppid = w->ppid;
	p.task.start_ns = w->start_ns;
	strncpy(p.task.comm, w->comm, FT_COMM_LEN - 1);
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

#define RUN(t)                                                    \
	do {                                                      \
		cur_failed = 0;                                   \
		t();                                              \
		printf("%s - %s\n", cur_failed ? "not ok" : "ok", #t + 5); \
		if (cur_failed)                                   \
			failed++;                                 \
		else                                              \
			passed++;                                 \
	} while (0)

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
	RUN(test_many_attempts_keep_the_winner);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
