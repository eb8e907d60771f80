/*
 * correlate.c - turns famtrace records into attempts, groups and per-process
 * facts (see correlate.h and DESIGN.md's "Facts the correlator must get right").
 *
 * Processes are keyed by (tgid, start time) so a reused pid is a new process;
 * threads fold into their tgid. Attempts toward the same port join one group
 * while each starts within the group gap of the previous outcome; a group is
 * closed when a later, non-overlapping attempt arrives after a success, or
 * when the gap passes with nothing new. Records arrive when outcomes are
 * known, so a group is ordered by attempt start time when it is classified.
 *
 * Must never: do I/O, read a clock, or depend on libbpf.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/socket.h>

#include "correlate.h"

#define PROC_BUCKETS 4096

struct correlator {
	struct correlator_cfg cfg;
	struct sink sink;
	struct proc *buckets[PROC_BUCKETS];
	struct proc **all; /* in order of first appearance */
	size_t n_all, cap_all;
	uint64_t next_group_id, next_lookup_id;
	/* Lookups of processes not traced (yet): a ring, oldest overwritten. */
	struct lookup *cand[CANDIDATE_LOOKUPS];
	uint32_t cand_tgid[CANDIDATE_LOOKUPS];
	uint64_t cand_start[CANDIDATE_LOOKUPS];
	unsigned cand_next;
	uint64_t events;
	uint64_t first_ns, last_ns;
	size_t n_trimmed;			/* settled exited processes in all[] */
	uint64_t dropped_groups, dropped_lookups; /* by the memory bound */
	struct proc *folds[FOLD_MAX_NAMES + 1]; /* per-name summaries; last: "other" */
	unsigned n_folds;
};

enum result result_of(enum ft_outcome o, int err)
{
	if (o == FT_OUT_CONNECTED)
		return RES_CONNECTED;
	if (o == FT_OUT_ABANDONED)
		return RES_ABANDONED;
	if (o == FT_OUT_PENDING)
		return RES_IN_PROGRESS;
	switch (err) {
	case ECONNREFUSED:
		return RES_REFUSED;
	case ENETUNREACH:
		return RES_NET_UNREACH;
	case EHOSTUNREACH:
		return RES_HOST_UNREACH;
	case ETIMEDOUT:
		return RES_TIMEOUT;
	case EADDRNOTAVAIL:
		return RES_NO_ADDR;
	case EAFNOSUPPORT:
		return RES_NO_FAMILY;
	case EACCES:
	case EPERM:
		return RES_DENIED;
	default:
		return RES_OTHER;
	}
}

static const char *const result_names[RES_N][2] = {
	[RES_CONNECTED] = { "connected", "connected" },
	[RES_REFUSED] = { "refused", "refused" },
	[RES_NET_UNREACH] = { "net unreachable", "net_unreachable" },
	[RES_HOST_UNREACH] = { "host unreachable", "host_unreachable" },
	[RES_TIMEOUT] = { "timed out", "timeout" },
	[RES_ABANDONED] = { "abandoned", "abandoned" },
	[RES_NO_ADDR] = { "no source address", "no_source_address" },
	[RES_NO_FAMILY] = { "family not supported", "family_not_supported" },
	[RES_DENIED] = { "denied by policy", "denied" },
	[RES_OTHER] = { "failed", "other_error" },
	[RES_IN_PROGRESS] = { "still connecting", "in_progress" },
};

const char *result_name(enum result r)
{
	return r < RES_N ? result_names[r][0] : "?";
}

const char *result_key(enum result r)
{
	return r < RES_N ? result_names[r][1] : "unknown";
}

static const char *const class_names[GC_N][2] = {
	[GC_CONNECTED_FIRST] = { "connected first time", "connected_first" },
	[GC_FALLBACK] = { "fallback", "fallback" },
	[GC_RETRIED] = { "retried in the same family", "retried_same_family" },
	[GC_ALL_FAILED] = { "all attempts failed", "all_failed" },
	[GC_NO_FALLBACK] = { "NO FALLBACK", "no_fallback" },
	[GC_FAMILY_UNREACHABLE] = { "family unreachable", "family_unreachable" },
};

const char *api_name(enum ft_api a)
{
	static const char *const names[FT_API_MAX + 1] = {
		"?", "getaddrinfo", "gethostbyname", "gethostbyname2", "gethostbyname_r",
		"gethostbyname2_r", "res_query", "res_search", "res_nquery", "res_nsearch",
		"res_send", "res_nsend",
	};

	return a <= FT_API_MAX ? names[a] : "?";
}

const char *group_class_name(enum group_class g)
{
	return g < GC_N ? class_names[g][0] : "?";
}

const char *group_class_key(enum group_class g)
{
	return g < GC_N ? class_names[g][1] : "unknown";
}

struct correlator *correlator_new(const struct correlator_cfg *cfg, const struct sink *sink)
{
	struct correlator *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (!c->cfg.group_gap_ns)
		c->cfg.group_gap_ns = DEFAULT_GROUP_GAP_NS;
	if (sink)
		c->sink = *sink;
	c->next_group_id = 1;
	c->next_lookup_id = 1;
	return c;
}

static void bound_details(struct correlator *c);

/* Details in memory, over every correlator of this process: what the
 * memory bound (bound_details) keeps under its budget. */
static size_t groups_in_memory, lookups_in_memory;

static void free_groups(struct group *g)
{
	while (g) {
		struct group *n = g->next;

		groups_in_memory--;
		free(g);
		g = n;
	}
}

static void free_lookups(struct lookup *l)
{
	while (l) {
		struct lookup *n = l->next;

		lookups_in_memory--;
		free(l);
		l = n;
	}
}

void correlator_free(struct correlator *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < CANDIDATE_LOOKUPS; i++)
		free(c->cand[i]);
	for (size_t i = 0; i < c->n_all; i++) {
		free_groups(c->all[i]->open);
		free_groups(c->all[i]->done);
		free_lookups(c->all[i]->lookups);
		free(c->all[i]);
	}
	free(c->all);
	free(c);
}

static unsigned bucket_of(uint32_t tgid)
{
	return (tgid * 2654435761u) % PROC_BUCKETS;
}

struct proc *correlator_find(struct correlator *c, uint32_t tgid)
{
	struct proc *best = NULL;

	for (struct proc *p = c->buckets[bucket_of(tgid)]; p; p = p->hnext)
		if (p->tgid == tgid && (!best || p->start_ns > best->start_ns))
			best = p;
	return best;
}

static struct proc *proc_lookup_exact(struct correlator *c, uint32_t tgid, uint64_t start_ns)
{
	for (struct proc *p = c->buckets[bucket_of(tgid)]; p; p = p->hnext)
		if (p->tgid == tgid && p->start_ns == start_ns)
			return p;
	return NULL;
}

static void attach_lookup(struct correlator *c, struct proc *p, struct lookup *l);

/* A process became traced: its recent lookups become its own, oldest first. */
static void adopt_candidates(struct correlator *c, struct proc *p)
{
	for (unsigned k = 0; k < CANDIDATE_LOOKUPS; k++) {
		unsigned i = (c->cand_next + k) % CANDIDATE_LOOKUPS;

		if (c->cand[i] && c->cand_tgid[i] == p->tgid && c->cand_start[i] == p->start_ns) {
			struct lookup *l = c->cand[i];

			c->cand[i] = NULL;
			attach_lookup(c, p, l);
		}
	}
}

static bool append_proc(struct correlator *c, struct proc *p)
{
	if (c->n_all == c->cap_all) {
		size_t cap = c->cap_all ? c->cap_all * 2 : 64;
		struct proc **all = realloc(c->all, cap * sizeof(*all));

		if (!all)
			return false;
		c->all = all;
		c->cap_all = cap;
	}
	p->seq = c->n_all;
	c->all[c->n_all++] = p;
	return true;
}

/* The process a record speaks of, created on first sight. */
static struct proc *proc_get(struct correlator *c, const struct ft_task *t, uint64_t ts)
{
	unsigned b = bucket_of(t->tgid);
	struct proc *p = proc_lookup_exact(c, t->tgid, t->start_ns);
	bool created = false;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->tgid = t->tgid;
		p->start_ns = t->start_ns;
		p->ppid = t->ppid;
		p->uid = t->uid;
		p->why = t->why;
		memcpy(p->comm, t->comm, FT_COMM_LEN);
		memcpy(p->first_comm, t->comm, FT_COMM_LEN);
		p->comm[FT_COMM_LEN - 1] = p->first_comm[FT_COMM_LEN - 1] = 0;
		p->first_ns = ts;
		for (int f = 0; f < FAM_N; f++)
			p->fam[f].lat_min_ns = UINT64_MAX;
		if (!append_proc(c, p)) {
			free(p);
			return NULL;
		}
		p->hnext = c->buckets[b];
		c->buckets[b] = p;
		created = true;
	}
	if (ts > p->last_ns)
		p->last_ns = ts;
	if (created)
		adopt_candidates(c, p);
	return p;
}

/*
 * Classify a group from its attempts ordered by start time. Works on open
 * groups too, so a reporter can say "fallback" the moment the winner arrives.
 */
static void classify(struct group *g)
{
	const struct attempt *w, *first = NULL, *other = NULL, *failed = NULL;

	if (g->n == 0)
		return; /* family_unreachable: made from a lookup, class preset */
	g->fam_mask = 0;
	for (unsigned i = 0; i < g->n; i++) {
		g->fam_mask |= 1u << g->at[i].fam;
		if (!first || g->at[i].start_ns < first->start_ns)
			first = &g->at[i];
	}
	g->cost_ns = 0;
	if (g->winner < 0) {
		unsigned untried = 0;

		for (unsigned i = 0; i < g->n_offered; i++)
			untried |= (1u << g->offered[i].fam) & ~g->fam_mask;
		g->cls = untried ? GC_NO_FALLBACK : GC_ALL_FAILED;
		g->from_fam = g->to_fam = first ? first->fam : FAM_V4;
		if (untried)
			g->to_fam = (untried & (1u << FAM_V6)) ? FAM_V6 : FAM_V4;
		return;
	}
	w = &g->at[g->winner];
	g->to_fam = w->fam;
	g->from_fam = w->fam;
	/* Earliest attempt that started before the winner and failed; one that
	 * started earlier but connected later only lost a race. */
	for (unsigned i = 0; i < g->n; i++) {
		const struct attempt *a = &g->at[i];

		if ((int)i == g->winner || a->start_ns > w->start_ns || a->res == RES_CONNECTED)
			continue;
		if (!failed || a->start_ns < failed->start_ns)
			failed = a;
		if (a->fam != w->fam && (!other || a->start_ns < other->start_ns))
			other = a;
	}
	if (!failed) {
		g->cls = GC_CONNECTED_FIRST;
		return;
	}
	g->cost_ns = w->start_ns - first->start_ns;
	if (other) {
		g->cls = GC_FALLBACK;
		g->from_fam = other->fam;
	} else {
		g->cls = GC_RETRIED;
	}
}

/* Keep the first `keep` groups of a list, free the rest. */
static void cut_groups(struct group **head, unsigned keep)
{
	for (unsigned i = 0; i < keep && *head; i++)
		head = &(*head)->next;
	free_groups(*head);
	*head = NULL;
}

const struct attempt *group_first(const struct group *g)
{
	const struct attempt *f = NULL;

	for (unsigned i = 0; i < g->n; i++)
		if (!f || g->at[i].start_ns < f->start_ns)
			f = &g->at[i];
	return f;
}

unsigned group_order(const struct group *g, int order[GROUP_MAX_ATTEMPTS])
{
	for (unsigned i = 0; i < g->n; i++) {
		unsigned j = i;

		while (j > 0 && g->at[order[j - 1]].start_ns > g->at[i].start_ns) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (int)i;
	}
	return g->n;
}

static void unlink_open(struct proc *p, struct group *g)
{
	for (struct group **pp = &p->open; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			g->next = NULL;
			return;
		}
}

static void finalize(struct correlator *c, struct proc *p, struct group *g)
{
	classify(g);
	g->final = true;
	unlink_open(p, g);
	p->groups[g->cls]++;
	if (g->n) {
		unsigned offered = 0;

		for (unsigned i = 0; i < g->n_offered; i++)
			offered |= 1u << g->offered[i].fam;
		if (offered == (1u << FAM_V4 | 1u << FAM_V6))
			p->dual_first[group_first(g)->fam]++;
	}
	if (g->cls == GC_FALLBACK) {
		p->fallback_cost_sum_ns += g->cost_ns;
		if (g->cost_ns > p->fallback_cost_max_ns)
			p->fallback_cost_max_ns = g->cost_ns;
		p->fallback_fam_from[g->from_fam]++;
	}
	if (c->sink.group)
		c->sink.group(c->sink.ctx, p, g);

	/* Keep the newest finished groups for the report, bounded. */
	g->next = p->done;
	p->done = g;
	if (++p->n_done > PROC_MAX_DONE_GROUPS) {
		cut_groups(&p->done, PROC_MAX_DONE_GROUPS);
		p->n_done = PROC_MAX_DONE_GROUPS;
	}
}

static bool joins(const struct correlator *c, const struct group *g, const struct attempt *a)
{
	if (g->winner >= 0)
		return a->start_ns <= g->at[g->winner].end_ns; /* raced the winner */
	return a->start_ns <= g->last_end_ns + c->cfg.group_gap_ns;
}

static struct group *group_for(struct correlator *c, struct proc *p, const struct attempt *a,
				const char *name)
{
	struct group *g;

	/* Same port, and the same destination (MX domain or host) when both are known. */
	for (g = p->open; g; g = g->next)
		if (g->dport == a->dport && (!g->key[0] || !name[0] || !strcmp(g->key, name)))
			break;
	if (g && !joins(c, g, a)) {
		finalize(c, p, g);
		g = NULL;
	}
	if (!g) {
		unsigned n_open = 0;
		struct group *oldest = NULL;

		/* Bounded: a process connecting to thousands of ports at once
		 * closes its oldest destination early rather than grow. */
		for (struct group *o = p->open; o; o = o->next, n_open++)
			oldest = o;
		if (n_open >= PROC_MAX_OPEN_GROUPS)
			finalize(c, p, oldest);
		if (groups_in_memory >= DETAIL_GROUPS_BUDGET)
			bound_details(c);
		g = calloc(1, sizeof(*g));
		if (!g)
			return NULL;
		groups_in_memory++;
		g->id = c->next_group_id++;
		g->proc = p;
		g->dport = a->dport;
		g->winner = -1;
		g->mx_pref = -1;
		g->first_start_ns = a->start_ns;
		g->next = p->open;
		p->open = g;
	}
	return g;
}

/* Returns the stored copy of the attempt, or NULL if it was not kept. */
static const struct attempt *add_to_group(struct group *g, const struct attempt *a)
{
	unsigned i = g->n;

	if (i == GROUP_MAX_ATTEMPTS) {
		g->n_extra++;
		if (a->res != RES_CONNECTED || g->winner >= 0)
			return NULL;
		i = GROUP_MAX_ATTEMPTS - 1; /* keep the winner, lose one failure */
	} else {
		g->n++;
	}
	g->at[i] = *a;
	if (a->start_ns < g->first_start_ns)
		g->first_start_ns = a->start_ns;
	if (a->end_ns > g->last_end_ns)
		g->last_end_ns = a->end_ns;
	if (a->res == RES_CONNECTED && g->winner < 0)
		g->winner = (int)i;
	classify(g);
	return &g->at[i];
}

static void attempt_from(struct attempt *a, const struct ft_attempt *r)
{
	int mapped;

	memset(a, 0, sizeof(*a));
	a->start_ns = r->start_ns;
	a->end_ns = r->end_ns >= r->start_ns ? r->end_ns : r->start_ns;
	a->fam = wire_family(r->family, r->daddr, a->daddr, &mapped);
	a->v4mapped = mapped;
	if (r->outcome == FT_OUT_CONNECTED || (r->outcome == FT_OUT_PROBE && !r->err))
		wire_family(r->family, r->saddr, a->saddr, NULL);
	a->nonblock = r->flags & FT_F_NONBLOCK;
	a->dport = r->dport;
	a->sport = r->sport;
	a->tid = r->task.tid;
	a->outcome = r->outcome;
	a->err = r->err;
	a->res = result_of(r->outcome, r->err);
}


/* ------------------------------------------------------------ lookups */

const struct lookup *proc_lookup(const struct proc *p, uint64_t id)
{
	for (const struct lookup *l = p->lookups; l; l = l->next)
		if (l->id == id)
			return l;
	return NULL;
}

/* The name an attempt's destination is known by, from its lookup. */
static const char *lookup_dest(const struct lookup *l)
{
	return l->name[0] ? l->name : l->dns.qname;
}

const char *attempt_host(const struct proc *p, const struct attempt *a)
{
	const struct lookup *l = a->lookup_id ? proc_lookup(p, a->lookup_id) : NULL;

	return l && lookup_dest(l)[0] ? lookup_dest(l) : NULL;
}

/* The MX lookup whose answer named host (most recent first), or NULL. */
static const struct lookup *mx_lookup_of(const struct proc *p, const char *host, int *pref)
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

static void add_offered(struct offered *list, unsigned *n, enum wire_fam fam, const uint8_t *addr,
			uint16_t port)
{
	size_t len = fam == FAM_V6 ? 16 : 4;

	for (unsigned i = 0; i < *n; i++)
		if (list[i].fam == fam && !memcmp(list[i].addr, addr, len))
			return;
	if (*n == LOOKUP_MAX_ADDRS)
		return;
	memset(&list[*n], 0, sizeof(list[*n]));
	list[*n].fam = fam;
	list[*n].port = port;
	memcpy(list[*n].addr, addr, len);
	(*n)++;
}

static struct lookup *lookup_from(struct correlator *c, const struct ft_lookup *r)
{
	struct lookup *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->id = c->next_lookup_id++;
	l->api = r->api;
	l->start_ns = r->start_ns;
	l->end_ns = r->end_ns >= r->start_ns ? r->end_ns : r->start_ns;
	memcpy(l->name, r->name, FT_NAME_LEN);
	l->name[FT_NAME_LEN - 1] = 0;
	l->ret = r->ret;
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
	return l;
}

/* Count a lookup into its process and keep it, bounded, for joining. */
static void attach_lookup(struct correlator *c, struct proc *p, struct lookup *l)
{
	uint64_t lat = l->end_ns - l->start_ns;

	p->lookups_total++;
	p->lookups_failed += l->failed;
	p->lookup_lat_sum_ns += lat;
	if (lat > p->lookup_lat_max_ns)
		p->lookup_lat_max_ns = lat;
	p->lookups_by_api[l->api <= FT_API_MAX ? l->api : 0]++;
	if (l->api == FT_API_GETADDRINFO) {
		if (l->hint_family == 2)
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

	if (lookups_in_memory >= DETAIL_LOOKUPS_BUDGET)
		bound_details(c);
	lookups_in_memory++;
	l->next = p->lookups;
	p->lookups = l;
	if (++p->n_lookups > PROC_MAX_LOOKUPS) {
		struct lookup **pp = &p->lookups;

		for (unsigned i = 0; i < PROC_MAX_LOOKUPS; i++)
			pp = &(*pp)->next;
		free_lookups(*pp);
		*pp = NULL;
		p->n_lookups = PROC_MAX_LOOKUPS;
	}
	if (c->sink.lookup)
		c->sink.lookup(c->sink.ctx, p, l);
}

static void on_lookup(struct correlator *c, const struct ft_lookup *r)
{
	struct proc *p = proc_lookup_exact(c, r->task.tgid, r->task.start_ns);
	struct lookup *l;
	unsigned i;

	/* An address-literal check (AI_NUMERICHOST) that fails asked no one. */
	if (r->api == FT_API_GETADDRINFO && r->hint_family >= 0 && (r->hint_flags & 0x4) && r->ret)
		return;
	l = lookup_from(c, r);
	if (!l)
		return;
	if (p || r->task.why) {
		p = proc_get(c, &r->task, r->hdr.ts_ns);
		if (p)
			attach_lookup(c, p, l);
		else
			free(l);
		return;
	}
	/* Not a traced process (yet): remember it for a while. */
	i = c->cand_next;
	free(c->cand[i]);
	c->cand[i] = l;
	c->cand_tgid[i] = r->task.tgid;
	c->cand_start[i] = r->task.start_ns;
	c->cand_next = (i + 1) % CANDIDATE_LOOKUPS;
}

/* The most recent lookup, finished before the attempt, that returned its address. */
static struct lookup *link_lookup(struct proc *p, struct attempt *a)
{
	size_t len = a->fam == FAM_V6 ? 16 : 4;

	for (struct lookup *l = p->lookups; l; l = l->next) {
		if (l->end_ns > a->start_ns)
			continue;
		for (unsigned i = 0; i < l->n_addrs; i++)
			if (l->addrs[i].fam == a->fam && !memcmp(l->addrs[i].addr, a->daddr, len)) {
				a->lookup_id = l->id;
				l->used++;
				return l;
			}
	}
	return NULL;
}

/* Give a group what its lookup knows: name, addresses offered, MX origin. */
static void join_lookup(struct proc *p, struct group *g, const struct lookup *l)
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
	/* Everything recent lookups returned for this host: an MTA asks A and
	 * AAAA separately, and both say what the destination offered. */
	for (const struct lookup *m = p->lookups; m; m = m->next)
		if (m == l || (!strcasecmp(lookup_dest(m), name) && m->end_ns <= l->end_ns + 1000000000ULL &&
			       m->end_ns + 60000000000ULL >= l->end_ns))
			for (unsigned i = 0; i < m->n_addrs; i++)
				add_offered(g->offered, &g->n_offered, m->addrs[i].fam, m->addrs[i].addr,
					    m->addrs[i].port);
	if (!g->mx_domain[0]) {
		const struct lookup *m = mx_lookup_of(p, name, &g->mx_pref);

		if (m) {
			snprintf(g->mx_domain, sizeof(g->mx_domain), "%s", m->dns.qname);
			/* The MX lookup leads the group's lookups. */
			if (g->n_lookup_ids < 4) {
				memmove(g->lookup_ids + 1, g->lookup_ids, g->n_lookup_ids * sizeof(g->lookup_ids[0]));
				g->lookup_ids[0] = m->id;
				g->n_lookup_ids++;
			}
		}
	}
	if (!g->key[0])
		snprintf(g->key, sizeof(g->key), "%s", g->mx_domain[0] ? g->mx_domain : name);
}

/*
 * A lookup nobody connected to, whose addresses are all of a family this
 * process never tries while it does try the other: the destination is
 * unreachable from the process's families (an IPv6-only MX host seen from
 * an IPv4-only relay). Reported as a group without attempts.
 */
static void check_unused_lookup(struct correlator *c, struct proc *p, struct lookup *l)
{
	unsigned tried = 0, offered = 0;
	const struct lookup *mx;
	struct group *g;

	l->checked = true;
	if (l->used || l->failed || !l->n_addrs)
		return;
	/* Reached another way: the same host through another lookup (an MTA
	 * asks A and AAAA separately), or its MX domain through another host. */
	for (const struct lookup *m = p->lookups; m; m = m->next)
		if (m->used && !strcasecmp(lookup_dest(m), lookup_dest(l)))
			return;
	mx = mx_lookup_of(p, lookup_dest(l), NULL);
	for (const struct group *d = p->done; mx && d; d = d->next)
		if (d->winner >= 0 && !strcasecmp(d->key, mx->dns.qname))
			return;
	for (const struct group *d = p->open; mx && d; d = d->next)
		if (d->winner >= 0 && !strcasecmp(d->key, mx->dns.qname))
			return;
	for (int f = 0; f < FAM_N; f++)
		if (p->fam[f].tried)
			tried |= 1u << f;
	for (unsigned i = 0; i < l->n_addrs; i++)
		offered |= 1u << l->addrs[i].fam;
	if (!tried || (offered & tried))
		return;
	/* No bound_details() here: the caller walks p->lookups. The next
	 * group made through group_for() brings memory back under budget. */
	g = calloc(1, sizeof(*g));
	if (!g)
		return;
	groups_in_memory++;
	g->id = c->next_group_id++;
	g->proc = p;
	g->winner = -1;
	g->mx_pref = -1;
	g->cls = GC_FAMILY_UNREACHABLE;
	g->from_fam = g->to_fam = (offered & (1u << FAM_V6)) ? FAM_V6 : FAM_V4;
	g->dport = l->addrs[0].port;
	g->first_start_ns = l->start_ns;
	g->last_end_ns = l->end_ns;
	join_lookup(p, g, l);
	finalize(c, p, g);
}

static void on_attempt(struct correlator *c, const struct ft_attempt *r)
{
	const struct attempt *stored;
	const char *key = "";
	struct lookup *l;
	struct attempt a;
	struct fam_stats *fs;
	struct group *g;
	struct proc *p;

	p = proc_get(c, &r->task, r->hdr.ts_ns);
	if (!p)
		return;
	memcpy(p->comm, r->task.comm, FT_COMM_LEN);
	p->comm[FT_COMM_LEN - 1] = 0;
	attempt_from(&a, r);
	fs = &p->fam[a.fam];

	if (r->hdr.kind == FT_EV_PROBE) {
		if (a.err) {
			fs->probes_failed++;
			fs->last_probe_err = a.err;
		} else {
			fs->probes_ok++;
		}
		if (c->sink.probe)
			c->sink.probe(c->sink.ctx, p, &a);
		return;
	}

	fs->tried++;
	fs->res[a.res]++;
	if (a.res == RES_CONNECTED) {
		uint64_t lat = a.end_ns - a.start_ns;

		fs->connected++;
		fs->lat_n++;
		fs->lat_sum_ns += lat;
		if (lat < fs->lat_min_ns)
			fs->lat_min_ns = lat;
		if (lat > fs->lat_max_ns)
			fs->lat_max_ns = lat;
	}
	l = link_lookup(p, &a);
	if (l) {
		const struct lookup *m = mx_lookup_of(p, lookup_dest(l), NULL);

		key = m ? m->dns.qname : lookup_dest(l);
	}
	g = group_for(c, p, &a, key);
	if (!g)
		return;
	if (l)
		join_lookup(p, g, l);
	stored = add_to_group(g, &a);
	if (c->sink.attempt)
		c->sink.attempt(c->sink.ctx, p, stored ? stored : &a, g);
}

static void on_proc(struct correlator *c, const struct ft_proc *r)
{
	struct proc *p = proc_get(c, &r->task, r->hdr.ts_ns);

	if (!p)
		return;
	switch (r->what) {
	case FT_PROC_FORK:
		break;
	case FT_PROC_EXEC:
		memcpy(p->comm, r->task.comm, FT_COMM_LEN);
		p->comm[FT_COMM_LEN - 1] = 0;
		break;
	case FT_PROC_EXIT:
		/* Groups stay open: sockets closed during exit report their
		 * outcome after this record; the gap or flush closes them. */
		p->exited = true;
		p->exit_code = r->exit_code;
		p->exit_ns = r->hdr.ts_ns;
		if (c->sink.exit)
			c->sink.exit(c->sink.ctx, p);
		break;
	}
}

/*
 * A process that has exited and settled keeps its counters (the report's
 * totals) but not its lookups or more than a few finished groups: memory
 * stays bounded on a relay that runs thousands of smtp processes a day.
 */
static void trim_exited(struct proc *p)
{
	free_lookups(p->lookups);
	p->lookups = NULL;
	p->n_lookups = 0;
	cut_groups(&p->done, PROC_KEEP_EXITED);
	if (p->n_done > PROC_KEEP_EXITED)
		p->n_done = PROC_KEEP_EXITED;
	p->trimmed = true;
}

/* The summary that exited processes named comm fold into. */
static struct proc *fold_for(struct correlator *c, const char *comm)
{
	struct proc *f;
	unsigned slot;

	for (unsigned i = 0; i < c->n_folds; i++)
		if (!strcmp(c->folds[i]->comm, comm))
			return c->folds[i];
	if (c->n_folds == FOLD_MAX_NAMES) {
		slot = FOLD_MAX_NAMES;
		comm = "other";
		if (c->folds[slot])
			return c->folds[slot];
	} else {
		slot = c->n_folds;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	snprintf(f->comm, sizeof(f->comm), "%s", comm);
	memcpy(f->first_comm, f->comm, sizeof(f->comm));
	f->exited = f->trimmed = true;
	for (int k = 0; k < FAM_N; k++)
		f->fam[k].lat_min_ns = UINT64_MAX;
	if (!append_proc(c, f)) {
		free(f);
		return NULL;
	}
	c->folds[slot] = f;
	if (slot < FOLD_MAX_NAMES)
		c->n_folds++;
	return f;
}

static void add_fam(struct fam_stats *d, const struct fam_stats *s)
{
	d->tried += s->tried;
	d->connected += s->connected;
	for (int r = 0; r < RES_N; r++)
		d->res[r] += s->res[r];
	d->lat_n += s->lat_n;
	d->lat_sum_ns += s->lat_sum_ns;
	if (s->lat_n && s->lat_min_ns < d->lat_min_ns)
		d->lat_min_ns = s->lat_min_ns;
	if (s->lat_max_ns > d->lat_max_ns)
		d->lat_max_ns = s->lat_max_ns;
	d->probes_ok += s->probes_ok;
	d->probes_failed += s->probes_failed;
	if (s->last_probe_err)
		d->last_probe_err = s->last_probe_err;
}

/* Add an exited process's counters to a summary; its recent groups become
 * the summary's examples. */
static void fold_into(struct proc *d, struct proc *s)
{
	struct group **tail = &s->done;

	for (int f = 0; f < FAM_N; f++) {
		add_fam(&d->fam[f], &s->fam[f]);
		d->dual_first[f] += s->dual_first[f];
		d->fallback_fam_from[f] += s->fallback_fam_from[f];
	}
	for (int g = 0; g < GC_N; g++)
		d->groups[g] += s->groups[g];
	d->fallback_cost_sum_ns += s->fallback_cost_sum_ns;
	if (s->fallback_cost_max_ns > d->fallback_cost_max_ns)
		d->fallback_cost_max_ns = s->fallback_cost_max_ns;
	d->lookups_total += s->lookups_total;
	d->lookups_failed += s->lookups_failed;
	d->lookup_lat_sum_ns += s->lookup_lat_sum_ns;
	if (s->lookup_lat_max_ns > d->lookup_lat_max_ns)
		d->lookup_lat_max_ns = s->lookup_lat_max_ns;
	for (int a = 0; a <= FT_API_MAX; a++)
		d->lookups_by_api[a] += s->lookups_by_api[a];
	d->asked_a += s->asked_a;
	d->asked_aaaa += s->asked_aaaa;
	d->asked_mx += s->asked_mx;
	d->asked_other += s->asked_other;
	d->gai_unspec += s->gai_unspec;
	d->gai_inet += s->gai_inet;
	d->gai_inet6 += s->gai_inet6;
	if (!d->first_ns || (s->first_ns && s->first_ns < d->first_ns))
		d->first_ns = s->first_ns;
	if (s->last_ns > d->last_ns)
		d->last_ns = s->last_ns;
	if (s->exit_ns > d->exit_ns)
		d->exit_ns = s->exit_ns;
	d->folded++;
	/* Newest first: the folded process's groups, then the older examples. */
	for (struct group *g = s->done; g; g = g->next) {
		g->proc = d;
		tail = &g->next;
	}
	*tail = d->done;
	d->done = s->done;
	s->done = NULL;
	cut_groups(&d->done, PROC_KEEP_EXITED);
	d->n_done = 0;
	for (struct group *g = d->done; g; g = g->next)
		d->n_done++;
}

static void unhash(struct correlator *c, struct proc *p)
{
	struct proc **pp = &c->buckets[bucket_of(p->tgid)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			return;
		}
}

/*
 * Keep at most FOLD_KEEP_EXITED settled exited processes one by one; fold
 * the oldest beyond that into their name's summary and free them. Runs when
 * twice as many have gathered, so all[] is compacted once per batch.
 */
static void fold_exited(struct correlator *c)
{
	size_t to_fold, w = 0, n;

	if (c->n_trimmed < 2 * FOLD_KEEP_EXITED)
		return;
	to_fold = c->n_trimmed - FOLD_KEEP_EXITED;
	n = c->n_all; /* summaries created meanwhile are appended after n */
	for (size_t i = 0; i < n && to_fold; i++) {
		struct proc *p = c->all[i], *f;

		if (!p->trimmed || p->folded || p->open)
			continue;
		f = fold_for(c, p->comm);
		if (!f)
			break;
		fold_into(f, p);
		unhash(c, p);
		free_groups(p->done);
		free(p);
		c->all[i] = NULL;
		c->n_trimmed--;
		to_fold--;
	}
	for (size_t i = 0; i < c->n_all; i++)
		if (c->all[i]) {
			c->all[i]->seq = w;
			c->all[w++] = c->all[i];
		}
	c->n_all = w;
}

static void tick(struct correlator *c, uint64_t now_ns, bool trim);

/* Keep the first keep lookups of p (newest first), free the rest. */
static void cut_lookups(struct correlator *c, struct proc *p, unsigned keep)
{
	struct lookup **pp = &p->lookups;

	for (unsigned i = 0; i < keep && *pp; i++)
		pp = &(*pp)->next;
	for (struct lookup *l = *pp; l; l = l->next) {
		p->lookups_dropped++;
		c->dropped_lookups++;
	}
	free_lookups(*pp);
	*pp = NULL;
	if (p->n_lookups > keep)
		p->n_lookups = keep;
}

/*
 * The memory bound over all processes, live ones included: a local user can
 * start thousands of processes that each connect and look up as often as
 * they like. When the details kept pass the budget, every process keeps
 * only its share (half the budget split evenly; the newest first), and what
 * is freed is counted. Counters (the report's totals) are never cut.
 */
static void bound_details(struct correlator *c)
{
	size_t with_groups = 0, with_lookups = 0;

	if (groups_in_memory >= DETAIL_GROUPS_BUDGET) {
		unsigned keep;

		for (size_t i = 0; i < c->n_all; i++)
			with_groups += c->all[i]->n_done > 0 || c->all[i]->open;
		keep = (unsigned)(DETAIL_GROUPS_BUDGET / 2 / (with_groups ? with_groups : 1));
		for (size_t i = 0; i < c->n_all; i++) {
			struct proc *p = c->all[i];
			unsigned n_open = 0, n = 0, keep_done;

			for (struct group *g = p->open; g; g = g->next)
				n_open++;
			/* Destinations still collecting close early, oldest first
			 * (they are counted and reported as usual). */
			while (n_open > (keep ? keep : 1)) {
				struct group *oldest = p->open;

				while (oldest->next)
					oldest = oldest->next;
				finalize(c, p, oldest);
				n_open--;
			}
			keep_done = keep > n_open ? keep - n_open : 0;
			if (p->n_done <= keep_done)
				continue;
			for (struct group *g = p->done; g; g = g->next)
				if (++n > keep_done) {
					p->groups_dropped++;
					c->dropped_groups++;
				}
			cut_groups(&p->done, keep_done);
			p->n_done = keep_done;
		}
	}
	if (lookups_in_memory >= DETAIL_LOOKUPS_BUDGET) {
		unsigned keep;

		for (size_t i = 0; i < c->n_all; i++)
			with_lookups += c->all[i]->n_lookups > 0;
		keep = (unsigned)(DETAIL_LOOKUPS_BUDGET / 2 / (with_lookups ? with_lookups : 1));
		for (size_t i = 0; i < c->n_all; i++)
			if (c->all[i]->n_lookups > keep)
				cut_lookups(c, c->all[i], keep);
	}
}

static void tick(struct correlator *c, uint64_t now_ns, bool trim);

void correlate_tick(struct correlator *c, uint64_t now_ns)
{
	tick(c, now_ns, true);
}

/* Trimming only while tracing goes on: the final report wants it all. */
static void tick(struct correlator *c, uint64_t now_ns, bool trim)
{
	for (size_t i = 0; i < c->n_all; i++) {
		struct proc *p = c->all[i];
		struct group *g = p->open, *next;

		for (; g; g = next) {
			next = g->next;
			if (now_ns > g->last_end_ns + c->cfg.group_gap_ns)
				finalize(c, p, g);
		}
		for (struct lookup *l = p->lookups; l; l = l->next)
			if (!l->checked && now_ns > l->end_ns + c->cfg.group_gap_ns)
				check_unused_lookup(c, p, l);
		if (trim && p->exited && !p->trimmed && !p->open &&
		    now_ns > p->exit_ns + c->cfg.group_gap_ns) {
			trim_exited(p);
			c->n_trimmed++;
		}
	}
	if (trim)
		fold_exited(c);
}

void correlate_event(struct correlator *c, const void *rec, size_t len)
{
	const struct ft_hdr *h = rec;

	if (len < sizeof(*h))
		return;
	c->events++;
	if (!c->first_ns || h->ts_ns < c->first_ns)
		c->first_ns = h->ts_ns;
	if (h->ts_ns > c->last_ns)
		c->last_ns = h->ts_ns;
	switch (h->kind) {
	case FT_EV_ATTEMPT:
	case FT_EV_PROBE:
		if (len == sizeof(struct ft_attempt))
			on_attempt(c, rec);
		break;
	case FT_EV_PROC:
		if (len == sizeof(struct ft_proc))
			on_proc(c, rec);
		break;
	case FT_EV_LOOKUP:
		if (len == sizeof(struct ft_lookup))
			on_lookup(c, rec);
		break;
	}
}

void correlate_flush(struct correlator *c)
{
	tick(c, UINT64_MAX - c->cfg.group_gap_ns - 1, false);
	for (size_t i = 0; i < c->n_all; i++)
		while (c->all[i]->open)
			finalize(c, c->all[i], c->all[i]->open);
}

size_t correlator_procs(struct correlator *c, struct proc ***out)
{
	*out = c->all;
	return c->n_all;
}

uint64_t correlator_events(const struct correlator *c)
{
	return c->events;
}

uint64_t correlator_first_ns(const struct correlator *c)
{
	return c->first_ns;
}

uint64_t correlator_last_ns(const struct correlator *c)
{
	return c->last_ns;
}

uint64_t correlator_dropped_groups(const struct correlator *c)
{
	return c->dropped_groups;
}

uint64_t correlator_dropped_lookups(const struct correlator *c)
{
	return c->dropped_lookups;
}
