// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * test_wire.c - DNS messages on the wire (wire.c, race.c), from synthetic
 * FT_EV_DNS records as the cgroup skb programs write them: queries paired
 * with answers, a question asked again, a truncated answer and its TCP
 * retry as one lookup, a message split over TCP segments, exchanges claimed
 * by the C library call that made them, lookups of their own for the rest,
 * and the first-answer race. "ok - name" lines and "N passed, N failed".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "core/correlate.h"
#include "records/decode.h"
#include "records/dnsbudget.h"
#include "unit.h"
#include "dnsname.h"

#define MS 1000000ULL
#define SEC 1000000000ULL
#define T0 (100 * SEC)

struct seen {
	int lookups, groups;
	struct lookup last_lookup;
	struct group last_group;
};

static void s_group(void *ctx, const struct proc *p, const struct group *g)
{
	struct seen *s = ctx;

	s->groups++;
	s->last_group = *g;
}

static void s_lookup(void *ctx, const struct proc *p, const struct lookup *l)
{
	struct seen *s = ctx;

	s->lookups++;
	s->last_lookup = *l;
}

static struct correlator *new_corr(struct seen *s)
{
	struct correlator_cfg cfg = { .group_gap_ns = 2 * SEC };
	struct sink sink = { .ctx = s, .group = s_group, .lookup = s_lookup };

	memset(s, 0, sizeof(*s));
	return correlator_new(&cfg, &sink);
}

static const struct ft_task racer = { .tgid = 3000, .tid = 3000, .ppid = 1, .start_ns = 9 * SEC,
				      .comm = "racer", .why = FT_WHY_PID };

/* A query (addr NULL) or an answer with one address record (addr given;
 * "" for none), into m; its length. */
static size_t msg(uint8_t *m, uint16_t id, const char *name, uint16_t type, const char *addr, bool tc)
{
	size_t n = 12;

	memset(m, 0, 12);
	m[0] = id >> 8, m[1] = id & 0xff;
	m[2] = addr ? 0x81 | (tc ? 0x02 : 0) : 0x01;
	m[3] = addr ? 0x80 : 0;
	m[5] = 1;
	n += put_name(m + n, name);
	m[n++] = 0, m[n++] = (uint8_t)type, m[n++] = 0, m[n++] = 1;
	if (addr && *addr) {
		int v6 = type == 28;

		m[7] = 1;
		m[n++] = 0xc0, m[n++] = 12;
		m[n++] = 0, m[n++] = (uint8_t)type, m[n++] = 0, m[n++] = 1;
		m[n++] = 0, m[n++] = 0, m[n++] = 0, m[n++] = 60;
		m[n++] = 0, m[n++] = v6 ? 16 : 4;
		inet_pton(v6 ? AF_INET6 : AF_INET, addr, m + n);
		n += v6 ? 16 : 4;
	}
	return n;
}

/* The nameserver of the records fed (a query's destination, an answer's source). */
static const char *wire_server = "192.0.2.53";

/* One FT_EV_DNS record carrying bytes (len of total), fed to c. */
static void feed_raw(struct correlator *c, const struct ft_task *t, uint64_t cookie, uint32_t flags,
		     const uint8_t *bytes, size_t len, size_t total, uint64_t ts)
{
	static uint8_t buf[sizeof(struct ft_dns) + FT_DNS_WIRE_MAX];
	struct ft_dns *d = (struct ft_dns *)buf;
	const char *why;

	memset(d, 0, sizeof(*d));
	d->hdr.kind = FT_EV_DNS;
	d->hdr.size = sizeof(*d) + len;
	d->hdr.ts_ns = ts;
	d->task = *t;
	d->cookie = cookie;
	d->family = AF_INET;
	inet_pton(AF_INET, wire_server, d->ns_addr);
	d->ns_port = 53;
	d->local_port = 40000;
	d->msg_len = len;
	d->msg_total = total;
	d->flags = flags;
	if (len)
		memcpy(buf + sizeof(*d), bytes, len);
	if (ft_decode_check(buf, sizeof(*d) + len, &why) != FT_EV_DNS) {
		printf("#   synthetic DNS record rejected: %s\n", why);
		cur_failed = 1;
		return;
	}
	correlate_event(c, buf, sizeof(*d) + len);
}

static void query(struct correlator *c, const struct ft_task *t, uint64_t cookie, uint16_t id,
		  const char *name, uint16_t type, uint32_t flags, uint64_t ts)
{
	uint8_t m[300];
	size_t n = msg(m, id, name, type, NULL, false);

	feed_raw(c, t, cookie, flags, m, n, n, ts);
}

static void answer(struct correlator *c, const struct ft_task *t, uint64_t cookie, uint16_t id,
		   const char *name, uint16_t type, const char *addr, uint32_t flags, uint64_t ts)
{
	uint8_t m[300];
	size_t n = msg(m, id, name, type, addr, false);

	feed_raw(c, t, cookie, flags | FT_DF_RECEIVED, m, n, n, ts);
}

static void feed_attempt(struct correlator *c, const struct ft_task *t, const char *addr,
			 uint64_t start, uint64_t end, int outcome)
{
	struct ft_attempt a;

	memset(&a, 0, sizeof(a));
	a.hdr.kind = FT_EV_ATTEMPT;
	a.hdr.size = sizeof(a);
	a.hdr.ts_ns = end;
	a.task = *t;
	a.start_ns = start;
	a.end_ns = end;
	a.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, addr, a.daddr);
	a.dport = 25;
	a.proto = IPPROTO_TCP;
	a.outcome = outcome;
	correlate_event(c, &a, sizeof(a));
}

/* A bare FT_EV_DNS record for the budget: sender tgid (why 0: not
 * traced), socket cookie, flags, time. */
static struct ft_dns budget_rec(uint32_t tgid, uint8_t why, uint64_t cookie, uint32_t flags, uint64_t ts)
{
	struct ft_dns d;

	memset(&d, 0, sizeof(d));
	d.hdr.kind = FT_EV_DNS;
	d.hdr.size = sizeof(d);
	d.hdr.ts_ns = ts;
	if (!(flags & FT_DF_BY_SOCKET)) {
		d.task.tgid = tgid;
		d.task.why = why;
	}
	d.cookie = cookie;
	d.flags = flags;
	return d;
}

/* Issue 35, finding 2: an untraced flood is kept up to its budget, its
 * answers (found by socket) are charged to it, a traced process beside it
 * keeps everything, and what is not kept is counted. */
static void test_dns_budget_per_source(void)
{
	struct dns_budget *b = dnsb_new();
	uint64_t t0 = 1000000000ULL, kept = 0, traced_kept = 0, tr, ot;
	struct ft_dns d;

	CHECK(b != NULL);
	if (!b)
		return;
	/* 10,000 questions and answers in one second from one untraced process. */
	for (unsigned i = 0; i < 10000; i++) {
		uint64_t ts = t0 + i * 100000ULL;

		d = budget_rec(4242, 0, 77, 0, ts);
		kept += dnsb_admit(b, &d, sizeof(d));
		d = budget_rec(0, 0, 77, FT_DF_RECEIVED | FT_DF_BY_SOCKET, ts + 1);
		kept += dnsb_admit(b, &d, sizeof(d));
		if (i % 100 == 0) {
			d = budget_rec(25, FT_WHY_COMM, 88, 0, ts);
			traced_kept += dnsb_admit(b, &d, sizeof(d));
			d = budget_rec(0, 0, 88, FT_DF_RECEIVED | FT_DF_BY_SOCKET, ts + 1);
			traced_kept += dnsb_admit(b, &d, sizeof(d));
		}
	}
	dnsb_dropped(b, &tr, &ot);
	/* The burst and one second of the rate, no more. */
	CHECK(kept >= DNSB_OTHER_BURST && kept <= DNSB_OTHER_BURST + DNSB_OTHER_RATE + 1);
	CHECK(ot == 20000 - kept && tr == 0 && traced_kept == 200);
	/* Not DNS: always kept. */
	{
		struct ft_hdr h = { .kind = FT_EV_ATTEMPT, .size = sizeof(h) };

		CHECK(dnsb_admit(b, &h, sizeof(h)));
	}
	dnsb_free(b);
}

/* An untraced flood from many sockets does not push a traced process's
 * socket out of the table (its answers would have been charged to the
 * flood's bucket and dropped quietly); an answer whose sender is not known
 * has a bucket of its own and, dropped, counts with the traced (a gap). */
static void test_dns_budget_flood_of_sockets_spares_traced_answers(void)
{
	struct dns_budget *b = dnsb_new();
	uint64_t t0 = 1000000000ULL, traced_kept = 0, unknown_kept = 0, tr, ot;
	struct ft_dns d;

	CHECK(b != NULL);
	if (!b)
		return;
	for (uint64_t k = 1; k <= 64; k++) { /* traced sockets, then a flood over them */
		d = budget_rec(25, FT_WHY_COMM, 0x10000 + k, 0, t0);
		dnsb_admit(b, &d, sizeof(d));
	}
	for (unsigned i = 0; i < 100000; i++) {
		d = budget_rec(4242, 0, 0x900000 + i, 0, t0 + 1 + i);
		dnsb_admit(b, &d, sizeof(d));
		d = budget_rec(0, 0, 0x900000 + i, FT_DF_RECEIVED | FT_DF_BY_SOCKET, t0 + 2 + i);
		dnsb_admit(b, &d, sizeof(d));
	}
	for (uint64_t k = 1; k <= 64; k++) {
		d = budget_rec(0, 0, 0x10000 + k, FT_DF_RECEIVED | FT_DF_BY_SOCKET, t0 + 200000);
		traced_kept += dnsb_admit(b, &d, sizeof(d));
	}
	CHECK(traced_kept == 64);
	dnsb_dropped(b, &tr, &ot);
	CHECK(tr == 0 && ot > 0);
	/* Answers on sockets whose question was never seen: their own budget. */
	for (unsigned i = 0; i < DNSB_TRACED_BURST + 100; i++) {
		d = budget_rec(0, 0, 0x5000000 + i, FT_DF_RECEIVED | FT_DF_BY_SOCKET, t0 + 300000);
		unknown_kept += dnsb_admit(b, &d, sizeof(d));
	}
	dnsb_dropped(b, &tr, &ot);
	CHECK(unknown_kept == DNSB_TRACED_BURST && tr == 100);
	dnsb_free(b);
}

static void test_query_and_answer_make_a_lookup_of_their_own(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	query(c, &racer, 7, 0x1111, "mx.example.test", 1, 0, T0);
	CHECK(s.lookups == 0); /* nothing until the answer */
	answer(c, &racer, 7, 0x1111, "mx.example.test", 1, "192.0.2.25", 0, T0 + 2 * MS);
	CHECK(s.lookups == 1);
	CHECK(s.last_lookup.api == FT_API_WIRE && !strcmp(s.last_lookup.name, "mx.example.test"));
	CHECK(s.last_lookup.qtype == 1 && !s.last_lookup.failed && s.last_lookup.n_addrs == 1);
	CHECK(s.last_lookup.end_ns - s.last_lookup.start_ns == 2 * MS);
	CHECK(s.last_lookup.n_wire == 1 && s.last_lookup.wire[0].rcode == 0 &&
	      s.last_lookup.wire[0].id == 0x1111 && s.last_lookup.wire[0].ns_port == 53);
	correlator_free(c);
}

static void test_answer_must_match_socket_id_and_question(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct wire_stats ws;

	query(c, &racer, 7, 0x1111, "mx.example.test", 1, 0, T0);
	answer(c, &racer, 8, 0x1111, "mx.example.test", 1, "192.0.2.25", 0, T0 + MS);	   /* socket */
	answer(c, &racer, 7, 0x2222, "mx.example.test", 1, "192.0.2.25", 0, T0 + MS);	   /* id */
	answer(c, &racer, 7, 0x1111, "other.example.test", 1, "192.0.2.25", 0, T0 + MS); /* name */
	/* Issue 35, finding 11: right socket, id and question, wrong server
	 * (a spoofed answer to an unconnected socket). */
	wire_server = "198.51.100.9";
	answer(c, &racer, 7, 0x1111, "mx.example.test", 1, "203.0.113.66", 0, T0 + MS);
	wire_server = "192.0.2.53";
	CHECK(s.lookups == 0);
	correlator_wire_stats(c, &ws);
	CHECK(ws.unmatched == 4 && ws.messages == 5);
	/* The server's own answer still settles it. */
	answer(c, &racer, 7, 0x1111, "mx.example.test", 1, "192.0.2.25", 0, T0 + 2 * MS);
	CHECK(s.lookups == 1);
	correlator_free(c);
}

static void test_question_asked_again_is_one_lookup_with_its_tries(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	query(c, &racer, 7, 0x1111, "slow.example.test", 28, 0, T0);
	query(c, &racer, 7, 0x1112, "slow.example.test", 28, 0, T0 + 5 * SEC);
	answer(c, &racer, 7, 0x1112, "slow.example.test", 28, "2001:db8::25", 0, T0 + 5 * SEC + MS);
	CHECK(s.lookups == 1);
	CHECK(s.last_lookup.n_wire == 2);
	CHECK(s.last_lookup.wire[0].asked_again && !s.last_lookup.wire[0].answered_ns);
	CHECK(s.last_lookup.wire[1].answered_ns && !s.last_lookup.wire[1].asked_again);
	/* The lookup's time is the whole wait, from the first try. */
	CHECK(s.last_lookup.end_ns - s.last_lookup.start_ns == 5 * SEC + MS);
	correlator_free(c);
}

static void test_unanswered_query_is_a_failed_lookup_after_the_timeout(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	query(c, &racer, 7, 0x1111, "dropped.example.test", 28, 0, T0);
	correlate_tick(c, T0 + 5 * SEC);
	CHECK(s.lookups == 0);
	correlate_tick(c, T0 + 11 * SEC);
	CHECK(s.lookups == 1 && s.last_lookup.failed && s.last_lookup.qtype == 28);
	CHECK(!strcmp(s.last_lookup.name, "dropped.example.test"));
	CHECK(s.last_lookup.n_wire == 1 && !s.last_lookup.wire[0].answered_ns);
	correlator_free(c);
}

static void test_truncated_answer_and_tcp_retry_are_one_lookup(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	uint8_t m[300], seg[302];
	size_t n;

	query(c, &racer, 7, 0x1111, "big.example.test", 1, 0, T0);
	n = msg(m, 0x1111, "big.example.test", 1, "", true);
	feed_raw(c, &racer, 7, FT_DF_RECEIVED, m, n, n, T0 + MS);
	CHECK(s.lookups == 0); /* waits for the retry over TCP */
	/* Over TCP: a 2-byte length, then the message. */
	n = msg(seg + 2, 0x3333, "big.example.test", 1, NULL, false);
	seg[0] = 0, seg[1] = (uint8_t)n;
	feed_raw(c, &racer, 9, FT_DF_TCP, seg, n + 2, n + 2, T0 + 2 * MS);
	n = msg(seg + 2, 0x3333, "big.example.test", 1, "192.0.2.26", false);
	seg[0] = 0, seg[1] = (uint8_t)n;
	feed_raw(c, &racer, 9, FT_DF_TCP | FT_DF_RECEIVED, seg, n + 2, n + 2, T0 + 3 * MS);
	CHECK(s.lookups == 1 && !s.last_lookup.failed && s.last_lookup.n_addrs == 1);
	CHECK(s.last_lookup.n_wire == 2 && s.last_lookup.wire[0].truncated && !s.last_lookup.wire[0].tcp &&
	      s.last_lookup.wire[1].tcp && !s.last_lookup.wire[1].truncated);
	correlator_free(c);
}

static void test_truncated_answer_without_retry_is_said(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	uint8_t m[300];
	size_t n;

	query(c, &racer, 7, 0x1111, "big.example.test", 1, 0, T0);
	n = msg(m, 0x1111, "big.example.test", 1, "", true);
	feed_raw(c, &racer, 7, FT_DF_RECEIVED, m, n, n, T0 + MS);
	correlate_flush(c);
	CHECK(s.lookups == 1 && s.last_lookup.failed && s.last_lookup.wire[0].truncated);
	correlator_free(c);
}

static void test_tcp_message_split_over_segments(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	uint8_t seg[400];
	size_t n;

	n = msg(seg + 2, 0x4444, "split.example.test", 1, NULL, false);
	seg[0] = 0, seg[1] = (uint8_t)n;
	feed_raw(c, &racer, 9, FT_DF_TCP, seg, n + 2, n + 2, T0);
	/* The answer's first segment holds the length and its first 20
	 * bytes only; the rest comes in a second segment that must not be
	 * read as a new message. */
	n = msg(seg + 2, 0x4444, "split.example.test", 1, "192.0.2.27", false);
	seg[0] = 0, seg[1] = (uint8_t)n;
	feed_raw(c, &racer, 9, FT_DF_TCP | FT_DF_RECEIVED, seg, 22, 22, T0 + MS);
	feed_raw(c, &racer, 9, FT_DF_TCP | FT_DF_RECEIVED, seg + 22, n + 2 - 22, n + 2 - 22, T0 + MS);
	/* The first segment is too short for its question: no match; the
	 * continuation is skipped, not misread. */
	correlate_flush(c);
	CHECK(s.lookups == 1 && s.last_lookup.failed); /* unanswered at the end */
	{
		struct wire_stats ws;

		correlator_wire_stats(c, &ws);
		CHECK(ws.unmatched == 0);
	}
	correlator_free(c);
}

/* A C library call's lookup record arriving after its messages. */
static void feed_gai(struct correlator *c, const struct ft_task *t, const char *name, uint64_t start,
		     uint64_t end)
{
	static struct ft_lookup l;

	memset(&l, 0, sizeof(l));
	l.hdr.kind = FT_EV_LOOKUP;
	l.hdr.size = sizeof(l);
	l.hdr.ts_ns = end;
	l.task = *t;
	l.start_ns = start;
	l.end_ns = end;
	l.api = FT_API_GETADDRINFO;
	l.hint_family = 0;
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.n_addrs = 1;
	l.addrs[0].family = AF_INET;
	inet_pton(AF_INET, "192.0.2.25", l.addrs[0].addr);
	correlate_event(c, &l, sizeof(l));
}

static void test_call_claims_its_threads_exchanges_in_order(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	struct ft_task other = racer;

	other.tid = racer.tid + 1;
	query(c, &racer, 7, 1, "mx.example.test", 1, FT_DF_IN_CALL, T0 + MS);
	query(c, &racer, 7, 2, "mx.example.test", 28, FT_DF_IN_CALL, T0 + MS + 1000);
	answer(c, &racer, 7, 2, "mx.example.test", 28, "2001:db8::25", FT_DF_IN_CALL, T0 + 2 * MS);
	answer(c, &racer, 7, 1, "mx.example.test", 1, "192.0.2.25", FT_DF_IN_CALL, T0 + 3 * MS);
	/* Another thread's exchange in the same window is not this call's. */
	query(c, &other, 8, 3, "mx.example.test", 1, FT_DF_IN_CALL, T0 + MS);
	answer(c, &other, 8, 3, "mx.example.test", 1, "192.0.2.25", FT_DF_IN_CALL, T0 + 2 * MS);
	CHECK(s.lookups == 0); /* held for their calls */
	feed_gai(c, &racer, "mx.example.test", T0, T0 + 4 * MS);
	CHECK(s.lookups == 1 && s.last_lookup.api == FT_API_GETADDRINFO);
	CHECK(s.last_lookup.n_wire == 2 && s.last_lookup.wire[0].qtype == 1 &&
	      s.last_lookup.wire[1].qtype == 28);
	{
		const struct wire_x *f = wire_first_answer(&s.last_lookup);

		CHECK(f && f->qtype == 28); /* AAAA answered first */
	}
	correlator_free(c);
}

static void test_unanswered_query_inside_a_call_is_claimed_unanswered(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	query(c, &racer, 7, 1, "slow6.example.test", 1, FT_DF_IN_CALL, T0 + MS);
	query(c, &racer, 7, 2, "slow6.example.test", 28, FT_DF_IN_CALL, T0 + MS + 1000);
	answer(c, &racer, 7, 1, "slow6.example.test", 1, "192.0.2.25", FT_DF_IN_CALL, T0 + 2 * MS);
	query(c, &racer, 7, 3, "slow6.example.test", 28, FT_DF_IN_CALL, T0 + 5 * SEC);
	feed_gai(c, &racer, "slow6.example.test", T0, T0 + 10 * SEC);
	CHECK(s.lookups == 1 && s.last_lookup.n_wire == 3);
	CHECK(s.last_lookup.wire[1].qtype == 28 && s.last_lookup.wire[1].asked_again);
	CHECK(s.last_lookup.wire[2].qtype == 28 && !s.last_lookup.wire[2].answered_ns &&
	      !s.last_lookup.wire[2].asked_again);
	{
		uint64_t v4, v6;

		CHECK(lookup_wire_wait(&s.last_lookup, FAM_V4, &v4) && v4 == 2 * MS);
		CHECK(lookup_wire_wait(&s.last_lookup, FAM_V6, &v6) && v6 == 10 * SEC);
	}
	correlator_free(c);
}

static void test_unowned_answers_are_counted(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);
	static const struct ft_task none;
	struct wire_stats ws;

	feed_raw(c, &none, 7, FT_DF_RECEIVED | FT_DF_UNOWNED, NULL, 0, 80, T0);
	correlator_wire_stats(c, &ws);
	CHECK(ws.unowned == 1 && s.lookups == 0);
	correlator_free(c);
}

/* The client sends A and AAAA together, AAAA answers first, and it
 * connects over IPv6 before the A answer comes: a first-answer race. */
static void race_run(struct seen *s, uint64_t a_answer, uint64_t attempt_start, int outcome)
{
	struct correlator *c = new_corr(s);

	query(c, &racer, 7, 1, "late4.example.test", 1, 0, T0);
	query(c, &racer, 7, 2, "late4.example.test", 28, 0, T0 + 1000);
	answer(c, &racer, 7, 2, "late4.example.test", 28, "2001:db8::25", 0, T0 + MS);
	answer(c, &racer, 7, 1, "late4.example.test", 1, "192.0.2.25", 0, a_answer);
	feed_attempt(c, &racer, "2001:db8::25", attempt_start, attempt_start + SEC, outcome);
	correlate_flush(c);
	correlator_free(c);
}

static void test_first_answer_race(void)
{
	struct seen s;

	race_run(&s, T0 + 300 * MS, T0 + 2 * MS, FT_OUT_ABANDONED);
	CHECK(s.groups == 1 && s.last_group.race && s.last_group.race_fam == FAM_V6);
	CHECK(s.last_group.race_lead_ns == 299 * MS);
	CHECK(s.last_group.cls == GC_NO_FALLBACK);
	/* Connected: still a race (its family was chance). */
	race_run(&s, T0 + 300 * MS, T0 + 2 * MS, FT_OUT_CONNECTED);
	CHECK(s.groups == 1 && s.last_group.race);
}

static void test_waiting_for_both_answers_is_no_race(void)
{
	struct seen s;

	/* The attempt starts after both answers: the client chose. */
	race_run(&s, T0 + 3 * MS, T0 + 5 * MS, FT_OUT_CONNECTED);
	CHECK(s.groups == 1 && !s.last_group.race);
}

static void test_aaaa_asked_after_the_attempt_is_no_race(void)
{
	struct seen s;
	struct correlator *c = new_corr(&s);

	/* A, then the attempt, then AAAA (a client that asks one family,
	 * tries it, and only then asks the other): no race. */
	query(c, &racer, 7, 1, "seq.example.test", 1, 0, T0);
	answer(c, &racer, 7, 1, "seq.example.test", 1, "192.0.2.25", 0, T0 + MS);
	feed_attempt(c, &racer, "192.0.2.25", T0 + 2 * MS, T0 + 3 * MS, FT_OUT_CONNECTED);
	query(c, &racer, 7, 2, "seq.example.test", 28, 0, T0 + 4 * MS);
	answer(c, &racer, 7, 2, "seq.example.test", 28, "2001:db8::25", 0, T0 + 5 * MS);
	correlate_flush(c);
	CHECK(s.groups == 1 && !s.last_group.race);
	correlator_free(c);
}

int main(void)
{
	RUN(test_query_and_answer_make_a_lookup_of_their_own);
	RUN(test_answer_must_match_socket_id_and_question);
	RUN(test_question_asked_again_is_one_lookup_with_its_tries);
	RUN(test_unanswered_query_is_a_failed_lookup_after_the_timeout);
	RUN(test_truncated_answer_and_tcp_retry_are_one_lookup);
	RUN(test_truncated_answer_without_retry_is_said);
	RUN(test_tcp_message_split_over_segments);
	RUN(test_call_claims_its_threads_exchanges_in_order);
	RUN(test_unanswered_query_inside_a_call_is_claimed_unanswered);
	RUN(test_unowned_answers_are_counted);
	RUN(test_first_answer_race);
	RUN(test_waiting_for_both_answers_is_no_race);
	RUN(test_aaaa_asked_after_the_attempt_is_no_race);
	RUN(test_dns_budget_per_source);
	RUN(test_dns_budget_flood_of_sockets_spares_traced_answers);
	UNIT_DONE();
}
