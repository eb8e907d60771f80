// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * messages.c - join the MTA's delivery lines to famtrace's destination
 * groups (see messages.h). Log times (Postfix's) have a second's resolution
 * and come after the delivery they report, so a line matches the newest group
 * of its process or that process's children, toward its recipient's domain or
 * its relay, that began before the line's second ended.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog/messages.h"

bool msg_filter_active(const struct msg_filter *f)
{
	return f->qid || f->domain || f->recipient;
}

static bool recipient_match(const struct mlog_message *msg, const struct msg_filter *f)
{
	for (unsigned i = 0; i < msg->n_d; i++) {
		if (f->recipient && !strcasecmp(msg->d[i].to, f->recipient))
			return true;
		if (f->domain && !strcasecmp(mlog_domain(msg->d[i].to), f->domain))
			return true;
	}
	return false;
}

bool msg_selected(const struct mlog *m, const struct mlog_message *msg, const struct msg_filter *f)
{
	if (!msg_filter_active(f))
		return true;
	if (f->qid && (!strcmp(msg->qid, f->qid) || !strcmp(msg->notice_of, f->qid) ||
		       !strcmp(msg->notice_qid, f->qid)))
		return true;
	if ((f->domain || f->recipient) && recipient_match(msg, f))
		return true;
	/* The notice about a selected message goes with it. */
	if (msg->notice_of[0]) {
		const struct mlog_message *orig = mlog_find(m, msg->notice_of);

		if (orig && orig != msg && !orig->notice_of[0] && msg_selected(m, orig, f))
			return true;
	}
	return false;
}

static bool addr_is(const struct attempt *a, const char *text)
{
	uint8_t b[16] = { 0 };

	if (a->fam == FAM_V6)
		return inet_pton(AF_INET6, text, b) == 1 && !memcmp(b, a->daddr, 16);
	return inet_pton(AF_INET, text, b) == 1 && !memcmp(b, a->daddr, 4);
}

static bool group_is_for(const struct group *g, const struct mlog_delivery *d)
{
	const char *dom = mlog_domain(d->to);

	if (dom[0] && ((g->mx_domain[0] && !strcasecmp(g->mx_domain, dom)) ||
		       (g->key[0] && !strcasecmp(g->key, dom)) || (g->name[0] && !strcasecmp(g->name, dom))))
		return true;
	if (d->relay_host[0] && ((g->name[0] && !strcasecmp(g->name, d->relay_host)) ||
				 (g->key[0] && !strcasecmp(g->key, d->relay_host))))
		return true;
	for (unsigned i = 0; d->relay_addr[0] && i < g->n; i++)
		if (addr_is(&g->at[i], d->relay_addr))
			return true;
	return false;
}

#define MLOG_CLOCK_SLACK_NS 20000000LL /* two coarse-clock ticks at HZ=100 */

/* Which PID namespace p's pids belong to: 0 for the host's, else its own
 * namespace's inode (its cgroup's id when that was not readable). */
static uint64_t pidns_key(const struct proc *p)
{
	if (!proc_in_own_pidns(p))
		return 0;
	return p->pidns ? p->pidns : (p->cgroup_id | (1ULL << 63));
}

/* Does p run in the container with this id (a line of its own log)? */
static bool in_container(const struct correlator *c, const struct proc *p, const char *id)
{
	const struct cg_info *g = correlator_cgroup(c, p);

	return g && g->place.kind == CG_CONTAINER && !strcmp(g->place.id, id);
}

const struct group *msg_delivery_group(struct correlator *c, const struct mlog_delivery *d,
				       int64_t boot_to_real_ns, const struct proc **pp)
{
	bool ambiguous;

	return msg_delivery_group_ns(c, d, boot_to_real_ns, pp, &ambiguous);
}

const struct group *msg_delivery_group_ns(struct correlator *c, const struct mlog_delivery *d,
					  int64_t boot_to_real_ns, const struct proc **pp, bool *ambiguous)
{
	/* The line's second, in boottime: the group began before it ended.
	 * A log's second can end late: Postfix stamps its lines with time(),
	 * which reads the kernel's coarse clock, a tick (up to 10 ms) behind
	 * the clock famtrace maps its events with; a delivery retried just
	 * after a second began was once logged in the second before. So the
	 * second is taken to end MLOG_CLOCK_SLACK_NS later. */
	int64_t until = d->wall_ns - boot_to_real_ns + 1000000000LL + MLOG_CLOCK_SLACK_NS;
	const struct group *best = NULL;
	struct proc **procs;
	size_t n = correlator_procs(c, &procs);
	/* The message reached the queue delay seconds before the line: a
	 * group that began earlier cannot be this delivery, and so cannot
	 * make another namespace's match doubtful (an unknown delay: any). */
	int64_t arrived = d->delay > 0 ? until - 1000000000LL - (int64_t)((d->delay + 2) * 1e9) : INT64_MIN;
	const struct proc *rival = NULL; /* of a plausible group already seen */

	*pp = NULL;
	*ambiguous = false;
	/* The process that logged it, or its children (Exim's transport runs
	 * in a subprocess of the delivery process that logs); any process when
	 * the log has no pids (Exim without log_selector +pid). Folded
	 * summaries have no pid. A log's pids are those of the PID namespace
	 * the MTA ran in: a container's Postfix logs its smtp as 183, which the
	 * host knows as 24188; each process is matched by its own namespace's
	 * pid. A line of a container's own log (d->scope) is matched to that
	 * container's processes only. When processes of two namespaces both
	 * fit a line of another log, which one logged it cannot be told: none
	 * is chosen (--container says which). */
	for (size_t i = n; i-- > 0;) {
		const struct proc *p = procs[i];
		uint32_t lpid = proc_log_pid(p), lppid = p->ns_tgid ? p->ns_ppid : p->ppid;

		if (p->folded || (int64_t)p->first_ns > until || (d->pid && lpid != d->pid && lppid != d->pid) ||
		    (d->scope && !in_container(c, p, d->scope)))
			continue;
		for (int list = 0; list < 2; list++)
			for (const struct group *g = list ? p->open : p->done; g; g = g->next) {
				if (g->service || (int64_t)g->first_start_ns > until || !group_is_for(g, d))
					continue;
				if (!best || g->first_start_ns > best->first_start_ns) {
					best = g;
					*pp = p;
				}
				if ((int64_t)g->first_start_ns >= arrived) {
					if (rival && pidns_key(rival) != pidns_key(p))
						*ambiguous = true;
					rival = p;
				}
			}
	}
	if (*ambiguous) {
		*pp = NULL;
		return NULL;
	}
	return best;
}

const struct attempt *msg_attempt_to(const struct group *g, const char *addr)
{
	const struct attempt *found = NULL;

	for (unsigned i = 0; g && addr[0] && i < g->n; i++)
		if (addr_is(&g->at[i], addr) && (!found || g->at[i].start_ns > found->start_ns))
			found = &g->at[i];
	return found;
}

/* The family of an address as the log writes it, -1 if it is none. */
static int addr_family(const char *text)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, text, b) == 1)
		return FAM_V4;
	if (inet_pton(AF_INET6, text, b) == 1)
		return FAM_V6;
	return -1;
}

void msg_delivery_smtp(const struct mlog_message *msg, const struct mlog_delivery *d,
		       const struct group *g, int64_t boot_to_real_ns, struct msg_smtp *out)
{
	memset(out, 0, sizeof(*out));
	out->final_fam = out->refused_fam = -1;
	if (d->status != MS_SENT && (!strcmp(d->agent, "exim")
					     ? smtp_reply_exim(d->text, d->relay_host, d->relay_addr, &out->final)
					     : smtp_reply_postfix(d->text, &out->final))) {
		out->has_final = true;
		out->final_fam = addr_family(out->final.addr);
	}
	/* Sessions given up by the same process since the group began. */
	if (g) {
		int64_t since = (int64_t)g->first_start_ns + boot_to_real_ns - 1000000000LL;

		for (unsigned i = 0; i < msg->n_replies; i++) {
			const struct mlog_reply *r = &msg->replies[i];
			unsigned k = out->n_failed;

			/* Exim logs a session's failure from its transport's
			 * subprocess: another pid than the delivery line's. */
			if ((d->pid && r->pid != d->pid && strcmp(d->agent, "exim")) || r->wall_ns < since ||
			    r->wall_ns > d->wall_ns)
				continue;
			while (k > 0 && out->failed[k - 1]->wall_ns > r->wall_ns) {
				out->failed[k] = out->failed[k - 1];
				k--;
			}
			out->failed[k] = r;
			out->n_failed++;
		}
		for (unsigned k = 0; k < out->n_failed; k++)
			out->failed_fam[k] = addr_family(out->failed[k]->r.addr);
	}
	out->status_fam = -1;
	if (g && d->status != MS_SENT && d->status != MS_NONE) {
		/* The first "[address]" of the text: the error the MTA names. */
		const char *lb = strchr(d->text, '[');
		const char *rb = lb ? strchr(lb, ']') : NULL;
		char a[64];
		int fam = -1;

		if (lb && rb && rb - lb - 1 > 0 && rb - lb - 1 < (long)sizeof(a)) {
			snprintf(a, sizeof(a), "%.*s", (int)(rb - lb - 1), lb + 1);
			fam = addr_family(!strncasecmp(a, "ipv6:", 5) ? a + 5 : a);
		}
		for (unsigned i = 0; fam >= 0 && i < g->n; i++)
			if ((int)g->at[i].fam != fam && g->at[i].res != RES_CONNECTED) {
				out->other_failed++;
				out->other_res = g->at[i].res;
			}
		if (out->other_failed && g->winner < 0)
			out->status_fam = fam;
	}
	/* A 5xx only: a 4xx (greylisting's 450 4.7.1) is a deferral the MTA
	 * retries, not mail refused; its status line says so already. */
	if (g && out->has_final && out->final_fam >= 0 && out->final.code >= 500 &&
	    (d->status == MS_BOUNCED || d->status == MS_DEFERRED || d->status == MS_EXPIRED)) {
		struct offered un[GROUP_MAX_OFFERED];
		enum wire_fam other = out->final_fam == FAM_V6 ? FAM_V4 : FAM_V6;

		out->untried_other = group_untried(g, other, un, GROUP_MAX_OFFERED);
		/* Only a refusal of the sending host: "user unknown" over IPv6
		 * is the same over IPv4. */
		if (out->untried_other && !(g->fam_mask & (1u << other)) && smtp_reply_judges_source(&out->final))
			out->refused_fam = out->final_fam;
	}
}

bool msg_family_problem(const struct group *g)
{
	if (!g)
		return false;
	switch (g->cls) {
	case GC_FALLBACK:
	case GC_NO_FALLBACK:
	case GC_FAMILY_UNREACHABLE:
	case GC_NO_USABLE_ADDRESS:
	case GC_FIRST_ANSWER_EMPTY:
		return true;
	default:
		for (unsigned i = 0; i < g->n; i++)
			if (g->at[i].res != RES_CONNECTED && g->at[i].res != RES_REFUSED)
				return true; /* unreachable, timed out, abandoned: the path, not the peer */
		return false;
	}
}

void messages_settle(struct mlog *m, struct correlator *c, int64_t boot_to_real_ns,
		     int64_t settle_before,
		     void (*fn)(void *ctx, const struct mlog_delivery *d, const struct group *g,
				const struct msg_smtp *sm),
		     void *ctx)
{
	for (size_t i = 0; i < m->n; i++)
		for (unsigned k = 0; k < m->msgs[i]->n_d; k++) {
			struct mlog_delivery *d = &m->msgs[i]->d[k];
			const struct proc *p;
			const struct group *g;
			struct msg_smtp sm;

			if (d->settled || d->wall_ns >= settle_before)
				continue;
			d->settled = true;
			g = msg_delivery_group(c, d, boot_to_real_ns, &p);
			msg_delivery_smtp(m->msgs[i], d, g, boot_to_real_ns, &sm);
			/* A later message over the same connection rode it: its
			 * cost was the first delivery's (counted there). */
			if (g) {
				struct group *mg = (struct group *)g;

				if (!mg->settled_msg)
					mg->settled_msg = m->msgs[i]->seq + 1;
				sm.reused = mg->settled_msg != m->msgs[i]->seq + 1;
			}
			fn(ctx, d, g, &sm);
		}
}

/* Open addressing on the group id; cap a power of two, at least twice the
 * delivery lines. */
static struct msg_claim *claim_slot(const struct msg_claims *cl, uint64_t gid)
{
	size_t i = (size_t)(gid * 0x9e3779b97f4a7c15ULL) & (cl->cap - 1);

	while (cl->slot[i].gid && cl->slot[i].gid != gid)
		i = (i + 1) & (cl->cap - 1);
	return &cl->slot[i];
}

void msg_claims_build(struct msg_claims *cl, const struct mlog *m, struct correlator *c, int64_t boot_to_real_ns)
{
	size_t lines = 0;

	cl->slot = NULL;
	cl->cap = 0;
	for (size_t i = 0; i < m->n; i++)
		lines += m->msgs[i]->n_d;
	if (!lines)
		return;
	for (cl->cap = 16; cl->cap < 2 * lines; cl->cap *= 2)
		;
	cl->slot = calloc(cl->cap, sizeof(*cl->slot));
	if (!cl->slot) {
		cl->cap = 0;
		return; /* without memory, no delivery is said to ride another's */
	}
	for (size_t i = 0; i < m->n; i++)
		for (unsigned k = 0; k < m->msgs[i]->n_d; k++) {
			const struct mlog_delivery *d = &m->msgs[i]->d[k];
			const struct proc *p;
			bool ambiguous;
			const struct group *g = msg_delivery_group_ns(c, d, boot_to_real_ns, &p, &ambiguous);
			struct msg_claim *s;

			if (!g || !g->id)
				continue;
			s = claim_slot(cl, g->id);
			if (!s->gid || d->wall_ns < s->wall_ns)
				*s = (struct msg_claim){ g->id, d->wall_ns, m->msgs[i] };
		}
}

const struct mlog_message *msg_claims_first(const struct msg_claims *cl, const struct group *g)
{
	const struct msg_claim *s;

	if (!cl->cap || !g || !g->id)
		return NULL;
	s = claim_slot(cl, g->id);
	return s->gid ? s->msg : NULL;
}

void msg_claims_free(struct msg_claims *cl)
{
	free(cl->slot);
	cl->slot = NULL;
	cl->cap = 0;
}
