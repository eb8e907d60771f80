// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * wire.c - DNS messages on the wire (FT_EV_DNS records) made into exchanges:
 * a query and its answer, a query never answered, a question asked again,
 * a truncated answer and the TCP retry after it.
 *
 * An exchange made while its thread was inside a traced C library call is
 * held until that call's lookup record arrives (at the call's return) and
 * claims it: the lookup then shows the messages it took, in order. Any other
 * exchange becomes a lookup of its own (api FT_API_WIRE), so that a process
 * whose resolver famtrace has no probe in (musl, c-ares, Go, libasr, a DNS
 * library of its own) still gets names, MX origins and verdicts for its
 * attempts.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/correlate_int.h"

#define WIRE_TIMEOUT_NS 10000000000ULL /* a query unanswered this long is settled */
#define WIRE_HOLD_NS 120000000000ULL   /* an in-call exchange waits this long for its call */
#define WIRE_MAX_PENDING 4096	       /* queries in flight and exchanges held, together */
#define WIRE_TCP_STREAMS 64

/* A question sent and not settled, or settled and waiting for its call. */
struct pend {
	struct pend *next;
	struct ft_task task; /* the sender */
	uint64_t cookie;
	bool in_call;
	bool tc_wait;	     /* answered truncated: waits for the retry over TCP */
	uint64_t first_sent_ns;
	struct wire_x x;
	unsigned n_prior; /* earlier tries of the same question (FT_API_WIRE) */
	struct wire_x prior[LOOKUP_MAX_WIRE - 1];
	uint16_t qlen;
	uint8_t query[FT_DNS_MAX];
	uint32_t alen, atotal; /* tc_wait: the truncated answer */
	uint8_t *answer;
};

struct tcp_stream {
	uint64_t cookie;
	uint32_t dir; /* FT_DF_RECEIVED or 0 */
	uint32_t remaining; /* bytes of a message still to come in later segments */
};

struct wire_state {
	struct pend *inflight; /* newest first */
	struct pend *held;     /* newest first */
	unsigned n_pending;
	struct tcp_stream tcp[WIRE_TCP_STREAMS];
	unsigned tcp_next;
	struct dns_msg msg;   /* scratch */
	struct ft_lookup rec; /* scratch */
	uint64_t msgs, unowned, unmatched, dropped, unclaimed;
};

static struct wire_state *state(struct correlator *c)
{
	if (!c->wire)
		c->wire = calloc(1, sizeof(*c->wire));
	return c->wire;
}

void wire_free(struct correlator *c)
{
	struct wire_state *ws = c->wire;

	if (!ws)
		return;
	for (int k = 0; k < 2; k++)
		for (struct pend *p = k ? ws->held : ws->inflight, *n; p; p = n) {
			n = p->next;
			free(p->answer);
			free(p);
		}
	free(ws);
	c->wire = NULL;
}

static void pend_free(struct wire_state *ws, struct pend *p)
{
	ws->n_pending--;
	free(p->answer);
	free(p);
}

/* Turn an exchange made outside any traced call into a lookup. */
static void make_lookup(struct correlator *c, struct wire_state *ws, struct pend *p,
			const uint8_t *ans, uint32_t alen, uint32_t atotal, uint64_t end_ns)
{
	struct ft_lookup *r = &ws->rec;
	struct lookup *l;

	memset(r, 0, sizeof(*r));
	r->hdr.kind = FT_EV_LOOKUP;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = end_ns;
	r->task = p->task;
	r->start_ns = p->first_sent_ns;
	r->end_ns = end_ns;
	r->api = FT_API_RES_SEND; /* parsed as res_send's answer is */
	r->hint_family = -1;
	snprintf(r->name, sizeof(r->name), "%s", p->x.qname);
	r->qtype = p->x.qtype;
	r->qclass = 1;
	if (ans) {
		r->dns_len = alen < FT_DNS_MAX ? alen : FT_DNS_MAX;
		memcpy(r->dns, ans, r->dns_len);
		r->dns_total = atotal;
		r->ret = (int)atotal;
	} else {
		/* No answer: the query says what was asked. */
		r->flags = FT_LF_DNS_QUERY;
		r->dns_len = p->qlen;
		memcpy(r->dns, p->query, p->qlen);
		r->dns_total = p->qlen;
		r->ret = -1;
	}
	l = lookup_from(c, r);
	if (!l)
		return;
	if (ans)
		lookup_full_answer(l, ans, alen, atotal); /* past the record's FT_DNS_MAX */
	l->api = FT_API_WIRE;
	if (p->x.truncated || !p->x.answered_ns)
		l->failed = true; /* no usable answer: cut short, or none */
	for (unsigned i = 0; i < p->n_prior; i++)
		l->wire[l->n_wire++] = p->prior[i];
	l->wire[l->n_wire++] = p->x;
	lookup_route(c, &p->task, end_ns, l);
}

/* A question is settled (answered, or given up on): held for its call, or
 * a lookup now. Frees p unless it stays held or waits for a TCP retry. */
static void settle(struct correlator *c, struct wire_state *ws, struct pend *p, const uint8_t *ans,
		   uint32_t alen, uint32_t atotal, uint64_t now_ns)
{
	if (p->in_call) {
		/* An answer longer than the resolver probe's copy is kept for
		 * the call's lookup to read whole (wire_claim). */
		if (ans && alen > FT_DNS_MAX && alen == atotal && !p->answer) {
			p->answer = malloc(alen);
			if (p->answer) {
				memcpy(p->answer, ans, alen);
				p->alen = p->atotal = alen;
			}
		}
		p->next = ws->held;
		ws->held = p;
		return;
	}
	if (ans && p->x.truncated && !p->tc_wait) {
		/* The client asks again over TCP; the two are one lookup. */
		p->answer = malloc(alen);
		if (p->answer) {
			memcpy(p->answer, ans, alen);
			p->alen = alen;
			p->atotal = atotal;
			p->tc_wait = true;
			p->next = ws->inflight;
			ws->inflight = p;
			return;
		}
	}
	make_lookup(c, ws, p, ans, alen, atotal, p->x.answered_ns ? p->x.answered_ns : now_ns);
	pend_free(ws, p);
}

static bool same_ask(const struct pend *p, const char *qname, uint16_t qtype)
{
	return p->x.qtype == qtype && !strcasecmp(p->x.qname, qname);
}

static bool same_question(const struct pend *p, const struct ft_dns *d, const char *qname,
			  uint16_t qtype)
{
	return p->task.tgid == d->task.tgid && p->task.start_ns == d->task.start_ns &&
	       same_ask(p, qname, qtype);
}

static void on_query(struct correlator *c, struct wire_state *ws, const struct ft_dns *d,
		     const uint8_t *m, uint32_t n)
{
	const struct dns_msg *q = &ws->msg;
	struct pend *p, **pp, *old = NULL;

	/* The same question again (a retry, or the TCP retry of a truncated
	 * answer): the earlier try is settled. */
	for (pp = &ws->inflight; *pp; pp = &(*pp)->next)
		if (same_question(*pp, d, q->qname, q->qtype)) {
			old = *pp;
			*pp = old->next;
			break;
		}
	if (ws->n_pending >= WIRE_MAX_PENDING) {
		ws->dropped++;
		if (old)
			pend_free(ws, old);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		if (old)
			pend_free(ws, old);
		return;
	}
	ws->n_pending++;
	p->task = d->task;
	p->cookie = d->cookie;
	p->in_call = d->flags & FT_DF_IN_CALL;
	p->first_sent_ns = p->x.sent_ns = d->hdr.ts_ns;
	memcpy(p->x.ns_addr, d->ns_addr, 16);
	p->x.ns_fam = d->family == 10 ? FAM_V6 : FAM_V4;
	p->x.ns_port = d->ns_port;
	p->x.tcp = d->flags & FT_DF_TCP;
	p->x.id = (uint16_t)(m[0] << 8 | m[1]);
	p->x.qtype = q->qtype;
	p->x.rcode = -1;
	snprintf(p->x.qname, sizeof(p->x.qname), "%s", q->qname);
	p->qlen = n < FT_DNS_MAX ? n : FT_DNS_MAX;
	memcpy(p->query, m, p->qlen);
	if (old) {
		if (!old->tc_wait)
			old->x.asked_again = true;
		if (old->in_call || !p->in_call) {
			if (old->in_call) {
				/* Both stay listed under the call. */
				old->next = ws->held;
				ws->held = old;
			} else {
				/* One lookup, its tries in order. */
				p->first_sent_ns = old->first_sent_ns;
				p->n_prior = old->n_prior < LOOKUP_MAX_WIRE - 2 ? old->n_prior
										: LOOKUP_MAX_WIRE - 2;
				memcpy(p->prior, old->prior, p->n_prior * sizeof(p->prior[0]));
				p->prior[p->n_prior++] = old->x;
				pend_free(ws, old);
			}
		} else {
			pend_free(ws, old);
		}
	}
	p->next = ws->inflight;
	ws->inflight = p;
}

static void on_answer(struct correlator *c, struct wire_state *ws, const struct ft_dns *d,
		      const uint8_t *m, uint32_t n, uint32_t total)
{
	const struct dns_msg *a = &ws->msg;
	uint16_t id = (uint16_t)(m[0] << 8 | m[1]);
	struct pend *p, **pp;

	bool by_socket = d->flags & FT_DF_BY_SOCKET, socket_seen = false;

	/* An answer sent by socket (no task) is its socket's query's: the
	 * cookie names one socket for the kernel's uptime. */
	for (pp = &ws->inflight; *pp; pp = &(*pp)->next) {
		p = *pp;
		if (p->cookie != d->cookie)
			continue;
		socket_seen = true;
		/* By id and question, and from the server it was sent to:
		 * an unconnected socket (musl's) takes datagrams from anyone,
		 * and a spoofed or on-path answer must not settle a question. */
		if (p->x.id == id && !p->tc_wait &&
		    (by_socket ? same_ask(p, a->qname, a->qtype)
			       : same_question(p, d, a->qname, a->qtype)) &&
		    p->x.ns_port == d->ns_port && !memcmp(p->x.ns_addr, d->ns_addr, 16))
			break;
	}
	if (!*pp) {
		/* With no question of its socket in flight, the socket's
		 * questions were not seen (asked before the trace, or dropped)
		 * or were given up on: that is what "unowned" says. */
		if (by_socket && !socket_seen)
			ws->unowned++;
		else
			ws->unmatched++;
		return;
	}
	p = *pp;
	*pp = p->next;
	p->x.answered_ns = d->hdr.ts_ns;
	p->x.hflags = (uint16_t)(m[2] << 8 | m[3]);
	p->x.rcode = p->x.hflags & 0xf;
	p->x.truncated = p->x.hflags & 0x0200;
	p->x.size = total;
	p->x.n_answers = (uint16_t)(m[6] << 8 | m[7]);
	p->x.n_addrs = (uint16_t)dns_count_addrs(m, n);
	settle(c, ws, p, m, n, total, d->hdr.ts_ns);
}

static void on_message(struct correlator *c, struct wire_state *ws, const struct ft_dns *d,
		       const uint8_t *m, uint32_t n, uint32_t total)
{
	bool response;

	if (n < 12)
		return;
	response = m[2] & 0x80;
	/* A query arriving, an answer leaving: a server's socket, not a client's. */
	if (response != !!(d->flags & FT_DF_RECEIVED))
		return;
	/* The question is all a query holds, and all an answer needs to find
	 * its query; an answer that becomes a lookup of its own is parsed
	 * whole there (lookup_from), once. */
	if (!dns_question(m, n, &ws->msg))
		return;
	if (response)
		on_answer(c, ws, d, m, n, total);
	else
		on_query(c, ws, d, m, n);
}

/* TCP: a segment holds length-prefixed messages, or the rest of one. */
static void on_tcp(struct correlator *c, struct wire_state *ws, const struct ft_dns *d,
		   const uint8_t *seg, uint32_t n, uint32_t total)
{
	struct tcp_stream *s = NULL;
	uint32_t off = 0;

	for (unsigned i = 0; i < WIRE_TCP_STREAMS; i++)
		if (ws->tcp[i].cookie == d->cookie && ws->tcp[i].dir == (d->flags & FT_DF_RECEIVED))
			s = &ws->tcp[i];
	if (s && s->remaining) {
		if (s->remaining >= total) {
			s->remaining -= total;
			return;
		}
		off = s->remaining;
		s->remaining = 0;
	}
	while (off + 2 <= n) {
		uint32_t len = (uint32_t)seg[off] << 8 | seg[off + 1];

		off += 2;
		on_message(c, ws, d, seg + off, n - off < len ? n - off : len, len);
		if (off + len > total) {
			if (!s) {
				s = &ws->tcp[ws->tcp_next++ % WIRE_TCP_STREAMS];
				s->cookie = d->cookie;
				s->dir = d->flags & FT_DF_RECEIVED;
			}
			s->remaining = off + len - total;
			return;
		}
		off += len;
	}
}

void wire_event(struct correlator *c, const struct ft_dns *d, size_t len)
{
	struct wire_state *ws = state(c);
	const uint8_t *m = (const uint8_t *)(d + 1);

	if (!ws || len < sizeof(*d))
		return;
	ws->msgs++;
	if (d->flags & FT_DF_UNOWNED) {
		ws->unowned++;
		return;
	}
	if (d->flags & FT_DF_TCP)
		on_tcp(c, ws, d, m, d->msg_len, d->msg_total);
	else
		on_message(c, ws, d, m, d->msg_len, d->msg_total);
}

static int by_sent(const void *a, const void *b)
{
	const struct wire_x *x = a, *y = b;

	return x->sent_ns < y->sent_ns ? -1 : x->sent_ns > y->sent_ns;
}

void wire_claim(struct correlator *c, struct lookup *l, uint32_t tgid, uint64_t pstart)
{
	struct wire_state *ws = c->wire;

	if (!ws)
		return;
	for (int k = 0; k < 2; k++)
		for (struct pend **pp = k ? &ws->inflight : &ws->held; *pp;) {
			struct pend *p = *pp;

			if (!p->in_call || p->task.tgid != tgid || p->task.start_ns != pstart ||
			    p->task.tid != l->tid || p->x.sent_ns < l->start_ns ||
			    p->x.sent_ns > l->end_ns) {
				pp = &p->next;
				continue;
			}
			*pp = p->next;
			if (l->n_wire < LOOKUP_MAX_WIRE)
				l->wire[l->n_wire++] = p->x;
			else
				l->wire_extra++;
			if (p->answer && !p->tc_wait)
				lookup_full_answer(l, p->answer, p->alen, p->atotal);
			pend_free(ws, p);
		}
	qsort(l->wire, l->n_wire, sizeof(l->wire[0]), by_sent);
}

void wire_tick(struct correlator *c, uint64_t now_ns)
{
	struct wire_state *ws = c->wire;
	struct pend *due = NULL;

	if (!ws)
		return;
	for (struct pend **pp = &ws->inflight; *pp;) {
		struct pend *p = *pp;

		if (now_ns < p->x.sent_ns + WIRE_TIMEOUT_NS) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		p->next = due;
		due = p;
	}
	while (due) {
		struct pend *p = due;

		due = p->next;
		if (p->tc_wait) {
			/* No TCP retry came: the truncated answer is what it got. */
			uint8_t *a = p->answer;

			p->answer = NULL;
			make_lookup(c, ws, p, a, p->alen, p->atotal, p->x.answered_ns);
			free(a);
			pend_free(ws, p);
		} else {
			/* Given up on: the process waited until the timeout, or
			 * until it exited, whichever came first. */
			uint64_t end = p->x.sent_ns + WIRE_TIMEOUT_NS;
			struct proc *pr = procs_exact(c, p->task.tgid, p->task.start_ns);

			if (pr && pr->exited && pr->exit_ns > p->x.sent_ns && pr->exit_ns < end)
				end = pr->exit_ns;
			settle(c, ws, p, NULL, 0, 0, end);
		}
	}
	for (struct pend **pp = &ws->held; *pp;) {
		struct pend *p = *pp;

		if (now_ns < p->x.sent_ns + WIRE_HOLD_NS) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		ws->unclaimed++;
		pend_free(ws, p);
	}
}

/* The question of an exchange that answered first, when two or more were
 * in flight together (A and AAAA sent in parallel); NULL otherwise. */
const struct wire_x *wire_first_answer(const struct lookup *l)
{
	const struct wire_x *first = NULL;
	bool overlap = false;

	for (unsigned i = 0; i < l->n_wire; i++) {
		const struct wire_x *x = &l->wire[i];

		if (!x->answered_ns)
			continue;
		if (!first || x->answered_ns < first->answered_ns)
			first = x;
	}
	for (unsigned i = 0; first && i < l->n_wire; i++)
		overlap |= &l->wire[i] != first && l->wire[i].qtype != first->qtype &&
			   l->wire[i].sent_ns < first->answered_ns;
	return overlap ? first : NULL;
}

void correlator_wire_stats(const struct correlator *c, struct wire_stats *out)
{
	const struct wire_state *ws = c->wire;

	memset(out, 0, sizeof(*out));
	if (!ws)
		return;
	out->messages = ws->msgs;
	out->unowned = ws->unowned;
	out->unmatched = ws->unmatched;
	out->dropped = ws->dropped;
	out->unclaimed = ws->unclaimed;
}
