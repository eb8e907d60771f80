// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * dnsbudget.c - the per-source DNS budget (dnsbudget.h): token buckets by
 * process, and a table from a socket's cookie to the process whose
 * questions it sent, so that an answer (which carries only the cookie) is
 * charged to the question's sender. Both tables are fixed in size: a
 * source evicted by a collision starts again with a full bucket, which the
 * shared bucket of the untraced sources bounds. The socket table is two-way
 * and a sender not traced never evicts a traced one; an answer whose sender
 * is not known (evicted all the same, or its question never seen) may be a
 * traced process's, so it has a bucket of its own and, dropped, counts with
 * the traced: the trace says it is incomplete rather than lose it quietly.
 */
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "records/dnsbudget.h"
#include "famtrace.h"

#define SOURCES 4096 /* buckets, by tgid */
#define SOCKETS 8192 /* cookie -> sender */

struct bucket {
	uint32_t tgid;
	bool traced;
	double tokens;
	uint64_t last_ns;
};

struct sock_owner {
	uint64_t cookie;
	uint32_t tgid;
	bool traced;
};

struct dns_budget {
	struct bucket src[SOURCES];
	struct sock_owner socks[SOCKETS];
	struct bucket others; /* every source not traced, together */
	struct bucket traced; /* every traced source, together */
	struct bucket unknown; /* answers whose sender is not known */
	uint64_t dropped_traced, dropped_other;
};

struct dns_budget *dnsb_new(void)
{
	return calloc(1, sizeof(struct dns_budget));
}

void dnsb_free(struct dns_budget *b)
{
	free(b);
}

static uint32_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* The socket's slot, or where a question on it goes (NULL: both ways
 * hold traced senders and this one is not: it is not remembered). */
static struct sock_owner *sock_slot(struct dns_budget *b, uint64_t cookie, bool traced, bool insert)
{
	struct sock_owner *w = &b->socks[(mix(cookie) % (SOCKETS / 2)) * 2];

	if (w[0].cookie == cookie)
		return &w[0];
	if (w[1].cookie == cookie)
		return &w[1];
	if (!insert)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (!w[i].cookie)
			return &w[i];
	for (int i = 0; i < 2; i++)
		if (!w[i].traced)
			return &w[i];
	if (!traced)
		return NULL;
	w[1] = w[0]; /* both traced: the older way gives way */
	return &w[0];
}

/* Take a token from k (refilled at rate per second up to burst). */
static bool take(struct bucket *k, uint64_t now, double rate, double burst)
{
	if (!k->last_ns) {
		k->tokens = burst;
	} else if (now > k->last_ns) {
		k->tokens += (double)(now - k->last_ns) / 1e9 * rate;
		if (k->tokens > burst)
			k->tokens = burst;
	}
	k->last_ns = now;
	if (k->tokens < 1)
		return false;
	k->tokens -= 1;
	return true;
}

bool dnsb_admit(struct dns_budget *b, const void *rec, size_t len)
{
	const struct ft_hdr *h = rec;
	const struct ft_dns *d = rec;
	uint32_t tgid;
	bool traced, ok;
	struct bucket *k;

	if (len < sizeof(*d) || h->kind != FT_EV_DNS)
		return true;
	if (!(d->flags & FT_DF_RECEIVED) || !(d->flags & FT_DF_BY_SOCKET)) {
		/* A question, or an answer that names its sender (TCP, or a
		 * mode that keeps the sender in the socket's storage). */
		tgid = d->task.tgid;
		traced = d->task.why != 0;
		if (!(d->flags & FT_DF_RECEIVED) && d->cookie) {
			struct sock_owner *s = sock_slot(b, d->cookie, traced, true);

			if (s) {
				s->cookie = d->cookie;
				s->tgid = tgid;
				s->traced = traced;
			}
		}
	} else {
		/* An answer found by its socket: the question's sender, or
		 * no one known. */
		const struct sock_owner *s = d->cookie ? sock_slot(b, d->cookie, false, false) : NULL;

		if (!s && !(d->flags & FT_DF_UNOWNED)) {
			ok = take(&b->unknown, h->ts_ns, DNSB_TRACED_RATE, DNSB_TRACED_BURST);
			if (!ok)
				b->dropped_traced++;
			return ok;
		}
		tgid = s ? s->tgid : 0;
		traced = s && s->traced;
	}
	if (d->flags & FT_DF_UNOWNED)
		tgid = 0, traced = false;
	k = &b->src[mix(tgid) % SOURCES];
	if (k->tgid != tgid || k->traced != traced) {
		memset(k, 0, sizeof(*k));
		k->tgid = tgid;
		k->traced = traced;
	}
	if (traced) {
		ok = take(k, h->ts_ns, DNSB_TRACED_RATE, DNSB_TRACED_BURST) &&
		     take(&b->traced, h->ts_ns, DNSB_ALL_TRACED_RATE, DNSB_ALL_TRACED_BURST);
		if (!ok)
			b->dropped_traced++;
		return ok;
	}
	ok = take(k, h->ts_ns, DNSB_OTHER_RATE, DNSB_OTHER_BURST) &&
	     take(&b->others, h->ts_ns, DNSB_OTHERS_RATE, DNSB_OTHERS_BURST);
	if (!ok)
		b->dropped_other++;
	return ok;
}

void dnsb_dropped(const struct dns_budget *b, uint64_t *traced, uint64_t *other)
{
	*traced = b->dropped_traced;
	*other = b->dropped_other;
}
