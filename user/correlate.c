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
#include <string.h>
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
	uint64_t next_group_id;
	uint64_t events;
	uint64_t first_ns, last_ns;
	struct source_stats stats;
};

enum result result_of(enum ft_outcome o, int err)
{
	if (o == FT_OUT_CONNECTED)
		return RES_CONNECTED;
	if (o == FT_OUT_ABANDONED)
		return RES_ABANDONED;
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
};

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
	return c;
}

static void free_groups(struct group *g)
{
	while (g) {
		struct group *n = g->next;

		free(g);
		g = n;
	}
}

void correlator_free(struct correlator *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_all; i++) {
		free_groups(c->all[i]->open);
		free_groups(c->all[i]->done);
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

/* The process a record speaks of, created on first sight. */
static struct proc *proc_get(struct correlator *c, const struct ft_task *t, uint64_t ts)
{
	unsigned b = bucket_of(t->tgid);
	struct proc *p;

	for (p = c->buckets[b]; p; p = p->hnext)
		if (p->tgid == t->tgid && p->start_ns == t->start_ns)
			break;
	if (!p) {
		if (c->n_all == c->cap_all) {
			size_t cap = c->cap_all ? c->cap_all * 2 : 64;
			struct proc **all = realloc(c->all, cap * sizeof(*all));

			if (!all)
				return NULL;
			c->all = all;
			c->cap_all = cap;
		}
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
		p->seq = c->n_all;
		for (int f = 0; f < FAM_N; f++)
			p->fam[f].lat_min_ns = UINT64_MAX;
		p->hnext = c->buckets[b];
		c->buckets[b] = p;
		c->all[c->n_all++] = p;
	}
	if (ts > p->last_ns)
		p->last_ns = ts;
	return p;
}

/*
 * Classify a group from its attempts ordered by start time. Works on open
 * groups too, so a reporter can say "fallback" the moment the winner arrives.
 */
static void classify(struct group *g)
{
	const struct attempt *w, *first = NULL, *other = NULL, *failed = NULL;

	g->fam_mask = 0;
	for (unsigned i = 0; i < g->n; i++) {
		g->fam_mask |= 1u << g->at[i].fam;
		if (!first || g->at[i].start_ns < first->start_ns)
			first = &g->at[i];
	}
	g->cost_ns = 0;
	if (g->winner < 0) {
		g->cls = GC_ALL_FAILED;
		g->from_fam = g->to_fam = first ? first->fam : FAM_V4;
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
		struct group **pp = &p->done;

		for (unsigned i = 0; i < PROC_MAX_DONE_GROUPS; i++)
			pp = &(*pp)->next;
		free_groups(*pp);
		*pp = NULL;
		p->n_done = PROC_MAX_DONE_GROUPS;
	}
}

static bool joins(const struct correlator *c, const struct group *g, const struct attempt *a)
{
	if (g->winner >= 0)
		return a->start_ns <= g->at[g->winner].end_ns; /* raced the winner */
	return a->start_ns <= g->last_end_ns + c->cfg.group_gap_ns;
}

static struct group *group_for(struct correlator *c, struct proc *p, const struct attempt *a)
{
	struct group *g;

	for (g = p->open; g; g = g->next)
		if (g->dport == a->dport)
			break;
	if (g && !joins(c, g, a)) {
		finalize(c, p, g);
		g = NULL;
	}
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g)
			return NULL;
		g->id = c->next_group_id++;
		g->proc = p;
		g->dport = a->dport;
		g->winner = -1;
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

static void on_attempt(struct correlator *c, const struct ft_attempt *r)
{
	const struct attempt *stored;
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
	g = group_for(c, p, &a);
	if (!g)
		return;
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
		if (c->sink.exit)
			c->sink.exit(c->sink.ctx, p);
		break;
	}
}

void correlate_tick(struct correlator *c, uint64_t now_ns)
{
	for (size_t i = 0; i < c->n_all; i++) {
		struct proc *p = c->all[i];
		struct group *g = p->open, *next;

		for (; g; g = next) {
			next = g->next;
			if (now_ns > g->last_end_ns + c->cfg.group_gap_ns)
				finalize(c, p, g);
		}
	}
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
	}
}

void correlate_flush(struct correlator *c)
{
	correlate_tick(c, UINT64_MAX - c->cfg.group_gap_ns - 1);
	for (size_t i = 0; i < c->n_all; i++)
		while (c->all[i]->open)
			finalize(c, c->all[i], c->all[i]->open);
}

size_t correlator_procs(struct correlator *c, struct proc ***out)
{
	*out = c->all;
	return c->n_all;
}

struct source_stats *correlator_stats(struct correlator *c)
{
	return &c->stats;
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
