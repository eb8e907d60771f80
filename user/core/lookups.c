// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * lookups.c - resolver calls as the correlator keeps them: their result
 * lists and DNS answers, the lookups of processes not traced yet (adopted
 * when they become traced), and the join of attempts to the lookups that
 * returned their address (names, MX origin, offered families, family
 * unreachable).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "core/correlate_int.h"

/* Lookups in memory, kept by processes (the candidates are bounded apart). */
static size_t lookups_in_memory;

size_t lookups_held(void)
{
	return lookups_in_memory;
}

void lookups_free(struct lookup *l)
{
	while (l) {
		struct lookup *n = l->next;

		lookups_in_memory--;
		free(l);
		l = n;
	}
}

/* Keep the first keep lookups of p (newest first), free the rest. The
 * keys name them: no walk down the list to the cut, node by node. */
void lookups_cut(struct correlator *c, struct proc *p, unsigned keep)
{
	if (p->n_lookups <= keep)
		return;
	if (keep)
		proc_lkey(p, keep - 1)->l->next = NULL;
	else
		p->lookups = NULL;
	for (unsigned i = keep; i < p->n_lookups; i++) {
		free(proc_lkey(p, i)->l);
		lookups_in_memory--;
	}
	p->lookups_dropped += p->n_lookups - keep;
	c->dropped_lookups += p->n_lookups - keep;
	p->n_lookups = keep;
}

/* l has just become the head of p's list: its key is the newest. */
static void lkey_push(struct proc *p, struct lookup *l)
{
	p->lkey_top = (p->lkey_top + 1) % PROC_LOOKUP_KEYS;
	p->lkeys[p->lkey_top] = (struct lookup_key){ .l = l, .id = l->id, .hash = l->dest_hash };
}

/* A process became traced: its recent lookups become its own, oldest first. */
void lookups_adopt(struct correlator *c, struct proc *p)
{
	for (unsigned k = 0; k < CANDIDATE_LOOKUPS; k++) {
		unsigned i = (c->cand_next + k) % CANDIDATE_LOOKUPS;

		if (c->cand[i] && c->cand_tgid[i] == p->tgid && c->cand_start[i] == p->start_ns) {
			struct lookup *l = c->cand[i];

			c->cand[i] = NULL;
			lookup_attach(c, p, l);
		}
	}
}

/* src's lookups of the same delivery as attempt a: ended within the gap
 * before it, into from; whether one of them returned its address. */
static bool lookups_before(const struct correlator *c, const struct proc *src, const struct attempt *a,
			   const struct lookup **from, unsigned *n)
{
	size_t len = a->fam == FAM_V6 ? 16 : 4;
	unsigned hit = 0;

	*n = 0;
	for (const struct lookup *l = src->lookups; l && *n < PROC_MAX_LOOKUPS; l = l->next) {
		if (l->end_ns > a->start_ns || l->end_ns + c->cfg.group_gap_ns < a->start_ns)
			continue;
		from[(*n)++] = l;
		for (unsigned i = 0; i < l->n_addrs; i++)
			hit |= l->addrs[i].fam == a->fam && !memcmp(l->addrs[i].addr, a->daddr, len);
	}
	return hit;
}

unsigned lookups_inherit(struct correlator *c, struct proc *p, const struct attempt *a)
{
	const struct lookup *from[PROC_MAX_LOOKUPS];
	struct proc *parent, *src = NULL;
	unsigned n = 0, room;

	if (!p->ppid || p->ppid == p->tgid)
		return 0;
	/* The parent's (Exim resolves in the delivery process and connects
	 * from its transport's child). */
	parent = correlator_find(c, p->ppid);
	if (parent && parent != p && lookups_before(c, parent, a, from, &n))
		src = parent;
	/* Else a sibling's of the same name: an MTA that resolves in one
	 * process and connects from another, both its master's children
	 * (OpenSMTPD's lka and mta). The newest sibling that returned the
	 * address within the gap. */
	for (size_t i = c->n_all; !src && i-- > 0;) {
		struct proc *s = c->all[i];

		if (s != p && !s->folded && s->ppid == p->ppid && s->tgid != p->tgid &&
		    !strncmp(s->comm, p->comm, FT_COMM_LEN) && lookups_before(c, s, a, from, &n))
			src = s;
	}
	if (!src)
		return 0;
	/* Within the process's own bound: the newest that fit. */
	room = p->n_lookups < PROC_MAX_LOOKUPS ? PROC_MAX_LOOKUPS - p->n_lookups : 0;
	if (n > room)
		n = room;
	/* Oldest first, so the child's list stays newest first. */
	for (unsigned k = n; k-- > 0;) {
		struct lookup *copy = malloc(sizeof(*copy));

		if (!copy)
			break;
		*copy = *from[k];
		copy->inherited = true;
		copy->used = 0;
		copy->checked = true; /* the parent's own copy is judged there */
		lookups_in_memory++;
		copy->next = p->lookups;
		p->lookups = copy;
		lkey_push(p, copy);
		p->n_lookups++;
		p->wire_lookups += copy->api == FT_API_WIRE;
	}
	return n;
}

/* The MX lookup whose answer named host (most recent first), or NULL. */
const struct lookup *lookup_mx_of(const struct proc *p, const char *host, int *pref)
{
	for (const struct lookup *m = p->lookups; m; m = m->next) {
		if (!m->dns.parsed)
			continue;
		for (unsigned i = 0; i < m->dns.n_rrs; i++)
			if (m->dns.rr[i].type == 15 && !strcasecmp(m->dns.rr[i].target, host)) {
				if (pref)
					*pref = m->dns.rr[i].pref;
				return m;
			}
	}
	return NULL;
}

/* Add an address to a list of at most max, once; *extra counts what did
 * not fit (NULL: not counted). */
static void add_offered_max(struct offered *list, unsigned *n, unsigned max, unsigned *extra,
			    enum wire_fam fam, const uint8_t *addr, uint16_t port)
{
	size_t len = fam == FAM_V6 ? 16 : 4;

	for (unsigned i = 0; i < *n; i++)
		if (list[i].fam == fam && !memcmp(list[i].addr, addr, len))
			return;
	if (*n == max) {
		if (extra)
			(*extra)++;
		return;
	}
	memset(&list[*n], 0, sizeof(list[*n]));
	list[*n].fam = fam;
	list[*n].port = port;
	memcpy(list[*n].addr, addr, len);
	(*n)++;
}

static void add_offered(struct offered *list, unsigned *n, enum wire_fam fam, const uint8_t *addr,
			uint16_t port)
{
	add_offered_max(list, n, LOOKUP_MAX_ADDRS, NULL, fam, addr, port);
}

/* What the lookups of one host returned (an MTA asks A and AAAA
 * separately, and both say what the host offers), into a group: for each
 * family, the newest answer by then. An older answer to a question asked
 * again since is what the host offered before, not now (a record removed in
 * between must not read as an address never tried). Lookups that ended
 * after near_ns (within a second: events of other threads) are offered as
 * they are. */
static void offer_host(const struct proc *p, struct group *g, const char *host, uint64_t near_ns)
{
	const unsigned both = 1u << FAM_V4 | 1u << FAM_V6;
	uint32_t h = lookup_name_hash(host);
	unsigned covered = 0;

	for (unsigned k = 0; k < p->n_lookups && covered != both; k++) {
		const struct lookup_key *key = proc_lkey(p, k);
		const struct lookup *m = key->l;

		if ((key->hash && key->hash != h) || m->end_ns > near_ns + 1000000000ULL ||
		    m->end_ns + 60000000000ULL < near_ns || strcasecmp(lookup_dest(m), host))
			continue;
		if (m->end_ns <= near_ns) {
			unsigned asks = lookup_asks(m);

			if (asks && !(asks & ~covered))
				continue;
			covered |= asks;
		}
		for (unsigned i = 0; i < m->n_addrs; i++)
			add_offered_max(g->offered, &g->n_offered, GROUP_MAX_OFFERED, &g->n_offered_extra,
					m->addrs[i].fam, m->addrs[i].addr, m->addrs[i].port);
	}
}

/* An address written out ("192.0.2.1", "2001:db8::1%eth0"), not a name.
 * Most names hold a letter no address has: no parse for them (every
 * lookup of every traced process comes here). */
static bool name_is_literal(const char *name)
{
	char a[INET6_ADDRSTRLEN + 1];
	uint8_t buf[16];
	size_t k = strcspn(name, "%");

	if (!k || k >= sizeof(a) || strspn(name, "0123456789abcdefABCDEF:.") < k)
		return false;
	memcpy(a, name, k);
	a[k] = 0;
	return inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1;
}

struct lookup *lookup_from(struct correlator *c, const struct ft_lookup *r)
{
	struct lookup *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->id = c->next_lookup_id++;
	l->api = r->api;
	l->start_ns = r->start_ns;
	l->end_ns = r->end_ns >= r->start_ns ? r->end_ns : r->start_ns;
	{
		size_t n = strnlen(r->name, FT_NAME_LEN - 1);

		memcpy(l->name, r->name, n); /* calloc: the rest is zero */
		/* "mx.example.org." is "mx.example.org" (Sendmail asks the fully
		 * qualified form of the MX answer's exchange): one name in
		 * joins, filters and output. */
		if (n > 1 && l->name[n - 1] == '.')
			l->name[--n] = 0;
		l->literal = name_is_literal(l->name);
	}
	l->ret = r->ret;
	l->tid = r->task.tid;
	l->hint_family = r->hint_family;
	l->hint_flags = r->hint_flags;
	l->hint_socktype = r->hint_socktype;
	l->qtype = r->qtype;
	l->qclass = r->qclass;
	l->more_addrs = r->flags & FT_LF_MORE_ADDRS;
	for (unsigned i = 0; i < r->n_addrs && i < FT_LOOKUP_ADDRS; i++) {
		uint8_t out[16];
		enum wire_fam f;

		if (r->addrs[i].family != 2 && r->addrs[i].family != 10)
			continue;
		f = wire_family(r->addrs[i].family, r->addrs[i].addr, out, NULL);
		add_offered(l->addrs, &l->n_addrs, f, out, r->addrs[i].port);
	}
	if (r->api >= FT_API_RES_QUERY) {
		l->has_dns = true;
		l->dns_total = r->dns_total;
		if (r->flags & FT_LF_DNS_UNSIZED) {
			char q[FT_NAME_LEN];

			/* res_search appends search domains; the reply may be for
			 * the name with a trailing dot removed. */
			snprintf(q, sizeof(q), "%s", l->name);
			if (q[0] && q[strlen(q) - 1] == '.')
				q[strlen(q) - 1] = 0;
			dns_header(r->dns, r->dns_len, q, &l->dns);
		} else if (r->dns_len || r->ret > 0) {
			dns_parse(r->dns, r->dns_len, r->dns_total, &l->dns);
		} else {
			l->dns.error = "no message";
		}
		if (l->dns.parsed && (r->flags & FT_LF_DNS_QUERY))
			l->dns.n_rrs = 0; /* a query has no answers to offer */
		if (!l->qtype && l->dns.qname[0]) {
			l->qtype = l->dns.qtype;
			l->qclass = l->dns.qclass;
		}
		for (unsigned i = 0; l->dns.parsed && i < l->dns.n_rrs; i++) {
			const struct dns_rr *rr = &l->dns.rr[i];

			if (rr->type == 1)
				add_offered(l->addrs, &l->n_addrs, FAM_V4, rr->addr, 0);
			else if (rr->type == 28)
				add_offered(l->addrs, &l->n_addrs, FAM_V6, rr->addr, 0);
		}
	}
	switch (r->api) {
	case FT_API_GETADDRINFO:
		l->failed = r->ret != 0;
		break;
	case FT_API_GETHOSTBYNAME:
	case FT_API_GETHOSTBYNAME2:
	case FT_API_GETHOSTBYNAME_R:
	case FT_API_GETHOSTBYNAME2_R:
		l->failed = r->ret != 0 || !r->n_addrs;
		break;
	default:
		l->failed = r->ret < 0 || ((l->dns.parsed || l->dns.header_only) && l->dns.rcode != 0);
		break;
	}
	l->dest_hash = lookup_name_hash(lookup_dest(l));
	return l;
}

void lookup_full_answer(struct lookup *l, const uint8_t *msg, uint32_t len, uint32_t total)
{
	struct dns_msg d;

	/* Only where l's copy was cut and this one is whole. */
	if (!l->has_dns || l->dns_total <= FT_DNS_MAX || len < total || len <= FT_DNS_MAX)
		return;
	dns_parse(msg, len, total, &d);
	if (!d.parsed || !d.is_response || d.qtype != l->qtype ||
	    strcasecmp(d.qname, l->dns.qname[0] ? l->dns.qname : lookup_dest(l)))
		return;
	l->dns = d;
	for (unsigned i = 0; i < d.n_rrs; i++) {
		if (d.rr[i].type == 1)
			add_offered(l->addrs, &l->n_addrs, FAM_V4, d.rr[i].addr, 0);
		else if (d.rr[i].type == 28)
			add_offered(l->addrs, &l->n_addrs, FAM_V6, d.rr[i].addr, 0);
	}
}

bool lookup_wire_wait(const struct lookup *l, enum wire_fam f, uint64_t *ns)
{
	uint16_t qt = f == FAM_V4 ? 1 : 28;
	const struct wire_x *first = NULL;
	bool asked = false;

	/* The first answer: the resolver had the family's addresses then
	 * (glibc asks both again when one is late; the repeat is no wait). */
	for (unsigned i = 0; i < l->n_wire; i++)
		if (l->wire[i].qtype == qt) {
			asked = true;
			if (!first && l->wire[i].answered_ns)
				first = &l->wire[i];
		}
	if (!asked)
		return false;
	*ns = first ? first->answered_ns : l->end_ns;
	*ns = *ns > l->start_ns ? *ns - l->start_ns : 0;
	return true;
}

/* A call that asked both families: each family's wait on the wire. */
static void wire_wait_split(struct proc *p, const struct lookup *l)
{
	for (int f = FAM_V4; f < FAM_N; f++) {
		struct lookup_wait *w = &p->wait[f == FAM_V4 ? LW_WIRE_V4 : LW_WIRE_V6];
		uint64_t t;

		if (!lookup_wire_wait(l, (enum wire_fam)f, &t))
			continue;
		w->n++;
		w->sum_ns += t;
		if (t > w->max_ns)
			w->max_ns = t;
	}
}

/* Count a lookup into its process and keep it, bounded, for joining. */
void lookup_attach(struct correlator *c, struct proc *p, struct lookup *l)
{
	uint64_t lat = l->end_ns - l->start_ns;

	p->lookups_total++;
	p->lookups_failed += l->failed;
	p->lookup_lat_sum_ns += lat;
	if (lat > p->lookup_lat_max_ns)
		p->lookup_lat_max_ns = lat;
	{
		unsigned asks = lookup_asks(l);
		struct lookup_wait *w = &p->wait[asks == 1u << FAM_V4   ? LW_V4
						 : asks == 1u << FAM_V6 ? LW_V6
						 : asks			? LW_BOTH
									: LW_OTHER];

		w->n++;
		w->sum_ns += lat;
		if (lat > w->max_ns)
			w->max_ns = lat;
		if (asks == (1u << FAM_V4 | 1u << FAM_V6))
			wire_wait_split(p, l);
	}
	p->lookups_by_api[l->api <= FT_API_MAX ? l->api : 0]++;
	if (l->api == FT_API_GETADDRINFO) {
		if (l->literal)
			p->gai_literal++;
		else if (l->hint_family == 2)
			p->gai_inet++;
		else if (l->hint_family == 10)
			p->gai_inet6++;
		else
			p->gai_unspec++;
	} else if (l->api <= FT_API_GETHOSTBYNAME2_R) {
		if (l->hint_family == 10)
			p->asked_aaaa++;
		else
			p->asked_a++;
	} else if (l->qtype == 1) {
		p->asked_a++;
	} else if (l->qtype == 28) {
		p->asked_aaaa++;
	} else if (l->qtype == 15) {
		p->asked_mx++;
	} else {
		p->asked_other++;
	}

	order_attach(c, p, l);
	lookups_in_memory++;
	if (!l->checked && p->check_due_ns > l->end_ns + c->cfg.group_gap_ns)
		p->check_due_ns = l->end_ns + c->cfg.group_gap_ns;
	l->next = p->lookups;
	p->lookups = l;
	lkey_push(p, l);
	p->wire_lookups += l->api == FT_API_WIRE;
	/* Cut back to PROC_MAX_LOOKUPS in steps of PROC_LOOKUPS_SLACK: one walk
	 * of the list per that many lookups, not one per lookup (a relay's
	 * smtp process makes four per message). */
	if (++p->n_lookups > PROC_MAX_LOOKUPS + PROC_LOOKUPS_SLACK)
		lookups_cut(c, p, PROC_MAX_LOOKUPS); /* counts what it frees */
	if (c->sink.lookup)
		c->sink.lookup(c->sink.ctx, p, l);
}

/* A new lookup goes to its process, or, for a process not traced (yet), to
 * the candidates' ring. */
void lookup_route(struct correlator *c, const struct ft_task *t, uint64_t ts, struct lookup *l)
{
	struct proc *p = procs_exact(c, t->tgid, t->start_ns);
	unsigned i;

	if (p || t->why) {
		bool created;

		p = procs_get(c, t, ts, &created);
		if (p && created)
			lookups_adopt(c, p);
		if (p)
			lookup_attach(c, p, l);
		else
			free(l);
		return;
	}
	/* Not a traced process (yet): remember it for a while. */
	i = c->cand_next;
	free(c->cand[i]);
	c->cand[i] = l;
	c->cand_tgid[i] = t->tgid;
	c->cand_start[i] = t->start_ns;
	c->cand_next = (i + 1) % CANDIDATE_LOOKUPS;
}

/*
 * The most recent lookup, finished before the attempt, that returned its
 * address. A name beats an address literal: Exim turns each address it got
 * from DNS into a sockaddr with getaddrinfo("2001:db8::30", AI_NUMERICHOST)
 * just before connecting, and that says nothing of where the address came
 * from. With names_only, a literal is not taken at all.
 */
struct lookup *lookup_link(struct proc *p, struct attempt *a, bool names_only)
{
	size_t len = a->fam == FAM_V6 ? 16 : 4;
	struct lookup *lit = NULL;

	for (struct lookup *l = p->lookups; l; l = l->next) {
		if (l->end_ns > a->start_ns || (l->literal && lit))
			continue;
		for (unsigned i = 0; i < l->n_addrs; i++)
			if (l->addrs[i].fam == a->fam && !memcmp(l->addrs[i].addr, a->daddr, len)) {
				if (l->literal) {
					lit = l;
					break;
				}
				a->lookup_id = l->id;
				l->used++;
				return l;
			}
	}
	if (lit && !names_only) {
		a->lookup_id = lit->id;
		lit->used++;
	}
	return names_only ? NULL : lit;
}

/* Give a group what its lookup knows: name, addresses offered, MX origin. */
void lookup_join(struct proc *p, struct group *g, const struct lookup *l)
{
	const char *name = lookup_dest(l);
	bool have = false;

	for (unsigned i = 0; i < g->n_lookup_ids; i++)
		have |= g->lookup_ids[i] == l->id;
	if (have)
		return;
	if (g->n_lookup_ids < 4)
		g->lookup_ids[g->n_lookup_ids++] = l->id;
	if (!g->name[0])
		snprintf(g->name, sizeof(g->name), "%s", name);
	offer_host(p, g, name, l->end_ns);
	if (!g->mx_domain[0]) {
		const struct lookup *m = lookup_mx_of(p, name, &g->mx_pref);

		if (m) {
			snprintf(g->mx_domain, sizeof(g->mx_domain), "%s", m->dns.qname);
			/* The MX lookup leads the group's lookups. */
			if (g->n_lookup_ids < 4) {
				memmove(g->lookup_ids + 1, g->lookup_ids, g->n_lookup_ids * sizeof(g->lookup_ids[0]));
				g->lookup_ids[0] = m->id;
				g->n_lookup_ids++;
			}
			/* The destination is the MX set: every host of it offers its
			 * addresses, tried or not (an MTA's address limit may have cut
			 * some hosts off; they are still what the domain offered).
			 * The host just offered is not walked for again: the same
			 * name at the same moment adds nothing (a domain with one
			 * MX host would pay the walk twice). */
			for (unsigned i = 0; i < m->dns.n_rrs; i++)
				if (m->dns.rr[i].type == 15 && strcasecmp(m->dns.rr[i].target, name))
					offer_host(p, g, m->dns.rr[i].target, l->end_ns);
		}
	}
	if (!g->key[0])
		snprintf(g->key, sizeof(g->key), "%s", g->mx_domain[0] ? g->mx_domain : name);
}

/* Has p a destination group (open or finished) keyed key? */
static bool has_group(const struct proc *p, const char *key)
{
	for (const struct group *d = p->done; d; d = d->next)
		if (!strcasecmp(d->key, key))
			return true;
	for (const struct group *d = p->open; d; d = d->next)
		if (!strcasecmp(d->key, key))
			return true;
	return false;
}

/* A group without attempts, made from lookup l (a verdict from what was
 * looked up, not from what was tried); NULL when out of memory. No
 * fold_bound_details() here: the caller walks p->lookups. The next group
 * made through group_for() brings memory back under budget. */
static struct group *lookup_group(struct correlator *c, struct proc *p, enum group_class cls,
				  const struct lookup *l)
{
	struct group *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	groups_note_alloc();
	g->id = c->next_group_id++;
	g->proc = p;
	g->winner = -1;
	g->mx_pref = -1;
	g->cls = cls;
	g->first_start_ns = l->start_ns;
	g->last_end_ns = l->end_ns;
	return g;
}

/*
 * An MX answer none of whose hosts gave an address in any family the
 * process asked for, and nothing tried toward the domain: the mail cannot
 * leave (an IPv4-only relay asks A of an IPv6-only MX host: NODATA, never
 * AAAA, and bounces). Reported as a group without attempts, naming what was
 * asked; never when a host was not looked up at all (not yet, or not this
 * process's job).
 */
static void mx_check_unusable(struct correlator *c, struct proc *p, struct lookup *m)
{
	unsigned asked = 0, got = 0, hosts = 0, looked = 0;
	struct group *g;

	if (has_group(p, m->dns.qname))
		return;
	for (unsigned i = 0; i < m->dns.n_rrs; i++) {
		bool seen = false;

		if (m->dns.rr[i].type != 15)
			continue;
		hosts++;
		for (const struct lookup *l = p->lookups; l; l = l->next) {
			if (l->start_ns < m->start_ns || strcasecmp(lookup_dest(l), m->dns.rr[i].target) ||
			    !lookup_asks(l))
				continue;
			seen = true;
			asked |= lookup_asks(l);
			for (unsigned k = 0; k < l->n_addrs; k++)
				got |= 1u << l->addrs[k].fam;
		}
		looked += seen;
	}
	if (!hosts || looked < hosts || got || !asked)
		return;
	g = lookup_group(c, p, GC_NO_USABLE_ADDRESS, m);
	if (!g)
		return;
	g->asked_mask = asked;
	g->from_fam = g->to_fam = (asked & (1u << FAM_V4)) ? FAM_V6 : FAM_V4; /* the one never asked, if any */
	g->dport = 25; /* an MX set: SMTP */
	snprintf(g->key, sizeof(g->key), "%s", m->dns.qname);
	snprintf(g->mx_domain, sizeof(g->mx_domain), "%s", m->dns.qname);
	g->lookup_ids[g->n_lookup_ids++] = m->id;
	for (const struct lookup *l = p->lookups; l && g->n_lookup_ids < 4; l = l->next)
		for (unsigned i = 0; i < m->dns.n_rrs; i++)
			if (m->dns.rr[i].type == 15 && l->start_ns >= m->start_ns && lookup_asks(l) &&
			    !strcasecmp(lookup_dest(l), m->dns.rr[i].target)) {
				g->lookup_ids[g->n_lookup_ids++] = l->id;
				break;
			}
	group_finalize(c, p, g);
}

/*
 * A domain without MX records (NODATA) is its own mail host (RFC 5321's
 * implicit MX): when its address lookups after the MX question gave no
 * address in any family asked, and nothing was tried toward it, the mail
 * cannot leave either — a bounce notice to an IPv6-only sender domain from
 * an IPv4-only relay. The same group as for an MX set, keyed by the domain.
 */
static void implicit_mx_check_unusable(struct correlator *c, struct proc *p, struct lookup *m)
{
	unsigned asked = 0, got = 0;
	const char *dom = m->dns.qname[0] ? m->dns.qname : lookup_dest(m);
	struct group *g;

	if (!dom[0] || has_group(p, dom))
		return;
	for (const struct lookup *l = p->lookups; l; l = l->next) {
		if (l->start_ns < m->start_ns || l == m || strcasecmp(lookup_dest(l), dom) || !lookup_asks(l))
			continue;
		asked |= lookup_asks(l);
		for (unsigned k = 0; k < l->n_addrs; k++)
			got |= 1u << l->addrs[k].fam;
	}
	if (got || !asked)
		return;
	g = lookup_group(c, p, GC_NO_USABLE_ADDRESS, m);
	if (!g)
		return;
	g->asked_mask = asked;
	g->from_fam = g->to_fam = (asked & (1u << FAM_V4)) ? FAM_V6 : FAM_V4;
	g->dport = 25;
	snprintf(g->key, sizeof(g->key), "%s", dom);
	snprintf(g->name, sizeof(g->name), "%s", dom);
	g->lookup_ids[g->n_lookup_ids++] = m->id;
	for (const struct lookup *l = p->lookups; l && g->n_lookup_ids < 4; l = l->next)
		if (l->start_ns >= m->start_ns && l != m && lookup_asks(l) && !strcasecmp(lookup_dest(l), dom))
			g->lookup_ids[g->n_lookup_ids++] = l->id;
	group_finalize(c, p, g);
}

/*
 * The seeds' first-answer client in its other form: A and AAAA asked at once
 * on the wire (within 1 ms of each other: on a fast network the second may
 * leave after the first answer came, as race.c says), the answer that came
 * first held no address (NOERROR with no record: "only AAAA is available but
 * A NOERROR is returned first"), l's held addresses, and the process tried
 * none of them: it acted on the empty answer and gave up. True when so
 * reported (a group without attempts).
 */
static bool first_answer_empty(struct correlator *c, struct proc *p, struct lookup *l)
{
	uint16_t other_q = l->qtype == 28 ? 1 : 28;
	const struct lookup *m = NULL;
	uint64_t m_ans = 0, l_ans;
	struct group *g;

	if (l->api != FT_API_WIRE || !l->n_wire || !(l->qtype == 1 || l->qtype == 28))
		return false;
	l_ans = l->wire[l->n_wire - 1].answered_ns;
	for (const struct lookup *k = p->lookups; k && !m; k = k->next) {
		uint64_t a = k->n_wire ? k->wire[k->n_wire - 1].answered_ns : 0;

		if (k->api == FT_API_WIRE && k->qtype == other_q && !k->n_addrs && a && a < l_ans &&
		    k->wire[k->n_wire - 1].rcode == 0 &&
		    (l->start_ns > k->start_ns ? l->start_ns - k->start_ns : k->start_ns - l->start_ns) < 1000000 &&
		    !strcasecmp(lookup_dest(k), lookup_dest(l))) {
			m = k;
			m_ans = a;
		}
	}
	if (!m || has_group(p, lookup_dest(l)))
		return false;
	g = lookup_group(c, p, GC_FIRST_ANSWER_EMPTY, l);
	if (!g)
		return true;
	g->race = true;
	g->race_fam = m->qtype == 28 ? FAM_V6 : FAM_V4; /* answered first, empty */
	g->race_lead_ns = l_ans - m_ans;
	g->from_fam = g->race_fam;
	g->to_fam = l->qtype == 28 ? FAM_V6 : FAM_V4; /* held addresses, never tried */
	lookup_join(p, g, l);
	if (g->n_lookup_ids < 4)
		g->lookup_ids[g->n_lookup_ids++] = m->id;
	g->first_start_ns = m->start_ns < l->start_ns ? m->start_ns : l->start_ns;
	p->races++;
	group_finalize(c, p, g);
	return true;
}

/*
 * A lookup nobody connected to, whose addresses are all of a family this
 * process never tries while it does try the other: the destination is
 * unreachable from the process's families (an IPv6-only MX host seen from
 * an IPv4-only relay). Reported as a group without attempts.
 */
void lookup_check_unused(struct correlator *c, struct proc *p, struct lookup *l)
{
	unsigned tried = 0, offered = 0;
	const struct lookup *mx;
	struct group *g;

	l->checked = true;
	if (!l->inherited && l->dns.parsed && l->qtype == 15 && l->dns.n_rrs)
		mx_check_unusable(c, p, l);
	else if (!l->inherited && l->qtype == 15 && (l->dns.parsed || l->dns.header_only) &&
		 !l->dns.rcode && !l->dns.n_rrs)
		implicit_mx_check_unusable(c, p, l);
	/* An address literal is no destination: Postfix's master resolves its
	 * own inet_interfaces (::1 on an IPv4-only relay), and that must not
	 * read as an IPv6 destination the relay cannot reach. */
	if (l->used || l->failed || !l->n_addrs || l->literal)
		return;
	if (first_answer_empty(c, p, l))
		return;
	/* Reached another way: the same host through another lookup (an MTA
	 * asks A and AAAA separately), or its MX domain through another host. */
	for (const struct lookup *m = p->lookups; m; m = m->next)
		if (m->used && !strcasecmp(lookup_dest(m), lookup_dest(l)))
			return;
	/* Or a host of an MX set this process tried: that destination's group
	 * lists what its hosts offered and says what was never tried. */
	mx = lookup_mx_of(p, lookup_dest(l), NULL);
	if (mx && has_group(p, mx->dns.qname))
		return;
	for (int f = 0; f < FAM_N; f++)
		if (p->fam[f].tried)
			tried |= 1u << f;
	for (unsigned i = 0; i < l->n_addrs; i++)
		offered |= 1u << l->addrs[i].fam;
	if (!tried || (offered & tried))
		return;
	g = lookup_group(c, p, GC_FAMILY_UNREACHABLE, l);
	if (!g)
		return;
	g->from_fam = g->to_fam = (offered & (1u << FAM_V6)) ? FAM_V6 : FAM_V4;
	g->dport = l->addrs[0].port;
	lookup_join(p, g, l);
	group_finalize(c, p, g);
}

const char *lookup_wait_key(int k)
{
	static const char *const keys[LW_N] = { "ipv4", "ipv6", "both", "other", "ipv4_wire", "ipv6_wire" };

	return k >= 0 && k < LW_N ? keys[k] : "other";
}

static uint64_t fam_n(const struct lookup_wait w[LW_N], enum wire_fam f)
{
	return f == FAM_V4 ? w[LW_V4].n + w[LW_WIRE_V4].n : w[LW_V6].n + w[LW_WIRE_V6].n;
}

uint64_t lookup_fam_max(const struct lookup_wait w[LW_N], enum wire_fam f)
{
	const struct lookup_wait *a = &w[f == FAM_V4 ? LW_V4 : LW_V6];
	const struct lookup_wait *b = &w[f == FAM_V4 ? LW_WIRE_V4 : LW_WIRE_V6];

	return a->max_ns > b->max_ns ? a->max_ns : b->max_ns;
}

enum wire_fam lookup_slow_family(const struct lookup_wait w[LW_N])
{
	for (int f = FAM_V4; f < FAM_N; f++) {
		enum wire_fam me = (enum wire_fam)f, other = f == FAM_V4 ? FAM_V6 : FAM_V4;

		if (fam_n(w, me) && fam_n(w, other) && lookup_fam_max(w, me) >= LOOKUP_SLOW_NS &&
		    lookup_fam_max(w, me) >= 10 * lookup_fam_max(w, other))
			return me;
	}
	return FAM_N;
}

void lookup_wait_add(struct lookup_wait dst[LW_N], const struct lookup_wait src[LW_N])
{
	for (int k = 0; k < LW_N; k++) {
		dst[k].n += src[k].n;
		dst[k].sum_ns += src[k].sum_ns;
		if (src[k].max_ns > dst[k].max_ns)
			dst[k].max_ns = src[k].max_ns;
	}
}

const char *lookup_slow_text(const struct lookup_wait w[LW_N], enum wire_fam slow, char *buf, size_t len)
{
	char a[32], b[32];

	snprintf(buf, len, "the slowest %s lookup took %s against %s for %s", slow == FAM_V4 ? "A" : "AAAA",
		 fmt_dur(a, sizeof(a), lookup_fam_max(w, slow)),
		 fmt_dur(b, sizeof(b), lookup_fam_max(w, slow == FAM_V4 ? FAM_V6 : FAM_V4)),
		 fam_name(slow == FAM_V4 ? FAM_V6 : FAM_V4));
	return buf;
}
