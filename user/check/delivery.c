// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * delivery.c - whether mail leaves (delivery.h): destinations that got no
 * connection while a family was left untried, families configured but
 * unusable, fallbacks that cost too much, and the MTA limit that decided
 * (Postfix's smtp_mx_address_limit filled by one family with
 * smtp_balance_inet_protocols = no); after the handshake, sessions that
 * failed in one family and, with the MTA's log, mail refused over one family
 * while the other was never tried. Reads the correlator and the log; never
 * traces.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "check/delivery.h"
#include "maillog/messages.h"
#include "report/report.h"

static void add(struct delivery *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct delivery *d, const char *fmt, ...)
{
	va_list ap;

	if (d->n == DELIVERY_MAX_FINDINGS) {
		d->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->finding[d->n++], sizeof(d->finding[0]), fmt, ap);
	va_end(ap);
}

/* "5 net unreachable, 1 refused" for the attempts of one family. */
static char *fmt_results(char *buf, size_t len, const uint64_t res[RES_N])
{
	size_t off = 0;

	buf[0] = 0;
	for (int r = 0; r < RES_N && off < len; r++)
		if (res[r])
			off += (size_t)snprintf(buf + off, len - off, "%s%" PRIu64 " %s", off ? ", " : "",
						res[r], result_name(r));
	return buf;
}

/* A destination that got nothing while the other family was never tried. */
static void judge_group(struct delivery *d, const struct check_expect *e, const struct proc *p,
			const struct group *g)
{
	struct offered un[GROUP_MAX_OFFERED];
	unsigned n_un = group_untried(g, g->to_fam, un, GROUP_MAX_OFFERED);
	unsigned tried = g->n + g->n_extra, fam_tried = 0;
	uint64_t res[RES_N] = { 0 };
	char r[200], limit[300] = "";

	for (unsigned k = 0; k < g->n; k++)
		if (g->at[k].fam == g->from_fam) {
			fam_tried++;
			res[g->at[k].res]++;
		}
	d->stuck++;
	/* The MTA's limit decided when it was filled, all by one family. */
	if (e->addr_limit > 0 && tried == (unsigned)e->addr_limit && fam_tried == g->n) {
		d->limited++;
		snprintf(limit, sizeof(limit), "; %s = %d was filled by %s addresses%s",
			 e->limit_name ? e->limit_name : "the address limit", e->addr_limit, fam_name(g->from_fam),
			 e->balance == 0 ? "; smtp_balance_inet_protocols = no" : "");
	}
	add(d, "%s[%u] %s: %s failed on %u of %u attempt(s) (%s); %s offered (%u address%s) but never "
	       "tried%s: the mail did not leave",
	    fmt_safe(p->comm), p->tgid, g->key[0] ? fmt_safe(g->key) : "a destination",
	    fam_name(g->from_fam), fam_tried, tried, fmt_results(r, sizeof(r), res), fam_name(g->to_fam),
	    n_un, n_un == 1 ? "" : "es", limit);
}

/*
 * Exim's Fast Open attempts are not bounded by connect_timeout: sendto()
 * returns at once and Exim waits for the banner (command_timeout) instead.
 * An abandoned one that outlived connect_timeout says what it really cost.
 */
static void tfo_unbounded(struct delivery *d, const struct check_expect *e, const struct proc *p,
			  const struct group *g)
{
	for (unsigned k = 0; k < g->n; k++) {
		const struct attempt *a = &g->at[k];
		char dst[80], took[32];

		if (!e->connect_timeout_ns || !(a->flags & FT_F_TFO) || a->res != RES_ABANDONED ||
		    a->end_ns - a->start_ns <= e->connect_timeout_ns + 100000000ULL)
			continue;
		d->tfo_unbounded++;
		fmt_endpoint(dst, sizeof(dst), a->fam, a->daddr, a->dport);
		add(d, "%s[%u] %s: the Fast Open attempt to %s waited %s before it was abandoned: "
		       "connect_timeout = %s does not bound a Fast Open connect (Exim waits for the "
		       "banner, command_timeout = %s)",
		    fmt_safe(p->comm), p->tgid, g->key[0] ? fmt_safe(g->key) : "a destination", dst,
		    fmt_dur(took, sizeof(took), a->end_ns - a->start_ns), e->connect_timeout,
		    e->command_timeout[0] ? e->command_timeout : "?");
	}
}

/* An MX set (or a domain without MX) with no address in any family asked:
 * nothing could be tried. */
static void judge_unusable(struct delivery *d, const struct check_expect *e, const struct proc *p,
			   const struct group *g)
{
	char why[400] = "either family";

	if (g->asked_mask != (1u << FAM_V4 | 1u << FAM_V6))
		snprintf(why, sizeof(why), "%s, the only family asked; %s was never asked%s%s%s",
			 fam_name(g->asked_mask & (1u << FAM_V4) ? FAM_V4 : FAM_V6), fam_name(g->to_fam),
			 e->family_setting[0] ? " (" : "", e->family_setting,
			 e->family_setting[0] ? ")" : "");
	d->stuck++;
	d->no_address++;
	if (g->asked_mask != (1u << FAM_V4 | 1u << FAM_V6))
		d->never_asked = (int)g->to_fam;
	add(d, "%s[%u] %s: %s no address in %s: the mail cannot leave", fmt_safe(p->comm), p->tgid,
	    fmt_safe(g->key), g->mx_domain[0] ? "its MX hosts gave" : "no MX records, and the domain itself gave",
	    why);
}

/* The log's reply to a's session, when a delivery line of the log joins g. */
static const struct smtp_reply *log_reply_for(struct correlator *c, const struct check_log *log,
					      const struct group *g, const struct attempt *a)
{
	char addr[64];

	if (!log || !log->mlog)
		return NULL;
	fmt_addr(addr, sizeof(addr), a->fam, a->daddr);
	for (size_t i = 0; i < log->mlog->n; i++) {
		const struct mlog_message *msg = log->mlog->msgs[i];

		for (unsigned k = 0; k < msg->n_d; k++) {
			const struct proc *p;
			struct msg_smtp sm;

			if (msg_delivery_group(c, &msg->d[k], log->boot_to_real_ns, &p) != g)
				continue;
			msg_delivery_smtp(msg, &msg->d[k], g, log->boot_to_real_ns, &sm);
			for (unsigned r = 0; r < sm.n_failed; r++)
				if (!strcmp(sm.failed[r]->r.addr, addr))
					return &sm.failed[r]->r;
		}
	}
	return NULL;
}

/* A session that failed after connecting in one family, the MTA going on
 * to the other: the receiver refuses that family (with the log: its reply). */
static void judge_session(struct delivery *d, struct correlator *c, const struct check_log *log,
			  const struct proc *p, const struct group *g)
{
	const struct attempt *a = group_session_failed(g);
	const struct smtp_reply *r;
	char dst[80], why[400];

	if (!a || g->cls != GC_FALLBACK)
		return;
	fmt_endpoint(dst, sizeof(dst), a->fam, a->daddr, a->dport);
	r = log_reply_for(c, log, g, a);
	if (r && r->stage == SS_GREETING)
		snprintf(why, sizeof(why), "the greeting was %u %s %s", r->code, fmt_safe(r->enhanced),
			 fmt_safe(r->text));
	else if (r)
		snprintf(why, sizeof(why), "%s was answered %u %s %s", smtp_stage_name(r->stage), r->code,
			 fmt_safe(r->enhanced), fmt_safe(r->text));
	else
		snprintf(why, sizeof(why), "%s", log && log->mlog ? "the MTA's log has no reply for it"
								   : "give --maillog or --journal for the reply");
	d->sessions_failed++;
	add(d, "%s[%u] %s: the %s session with %s failed after connecting (%s); %s went on to %s",
	    fmt_safe(p->comm), p->tgid, g->key[0] ? fmt_safe(g->key) : "a destination", fam_name(a->fam), dst,
	    why, fmt_safe(p->comm), fam_name(g->to_fam));
}

/* From the MTA's log: mail refused over one family while the other family
 * was offered and never tried (its ways out go into wo), and a status that
 * names one family's error while the other failed too. */
static void judge_from_log(struct delivery *d, struct correlator *c, const struct check_log *log, char *wo,
			  size_t wo_len)
{
	for (size_t i = 0; log && log->mlog && i < log->mlog->n; i++) {
		const struct mlog_message *msg = log->mlog->msgs[i];

		for (unsigned k = 0; k < msg->n_d; k++) {
			const struct mlog_delivery *dl = &msg->d[k];
			const struct proc *p;
			const struct group *g = msg_delivery_group(c, dl, log->boot_to_real_ns, &p);
			struct msg_smtp sm;

			if (!g)
				continue;
			msg_delivery_smtp(msg, dl, g, log->boot_to_real_ns, &sm);
			if (sm.status_fam >= 0)
				add(d, "%s[%u] %s: the MTA's status for %s names %s's error only; %s failed "
				       "too (%u attempt(s), the last %s)",
				    fmt_safe(p->comm), p->tgid, g->key[0] ? fmt_safe(g->key) : "a destination",
				    fmt_safe(msg->qid), fam_name(sm.status_fam),
				    fam_name(sm.status_fam == FAM_V6 ? FAM_V4 : FAM_V6), sm.other_failed,
				    result_name(sm.other_res));
			if (sm.refused_fam < 0)
				continue;
			d->stuck++;
			d->refused++;
			add(d, "%s[%u] %s: REFUSED OVER %s: %s[%s] answered %s with %u %s (%s); %s was never "
			       "tried (%u address%s offered): %s %s was %s",
			    fmt_safe(p->comm), p->tgid, g->key[0] ? fmt_safe(g->key) : "a destination",
			    fam_name(sm.refused_fam), fmt_safe(sm.final.host), fmt_safe(sm.final.addr),
			    smtp_stage_name(sm.final.stage), sm.final.code, fmt_safe(sm.final.enhanced),
			    smtp_class_name(sm.final.cls), fam_name(sm.refused_fam == FAM_V6 ? FAM_V4 : FAM_V6),
			    sm.untried_other, sm.untried_other == 1 ? "" : "es", fmt_safe(msg->qid),
			    fmt_safe(dl->to), mlog_status_key(dl->status));
			if (!wo[0])
				smtp_ways_out(wo, wo_len, dl->agent, &sm, msg_attempt_to(g, sm.final.addr));
		}
	}
}

void delivery_judge(struct correlator *c, const struct check_expect *e, const struct check_log *log,
		    struct delivery *d)
{
	char refused_wo[600] = "";
	struct proc **procs;
	size_t n = correlator_procs(c, &procs);
	uint64_t tried[FAM_N] = { 0 }, connected[FAM_N] = { 0 }, res[FAM_N][RES_N];
	unsigned fallbacks_in_limit = 0, unusable = 0;
	char r[200];

	memset(d, 0, sizeof(*d));
	d->never_asked = -1;
	memset(res, 0, sizeof(res));
	/* Silence at port 25 in a family that works otherwise: the egress,
	 * not the route; stopping the other family would not help. Said
	 * first: it explains the failures below. */
	for (int f = 0; f < FAM_N; f++) {
		struct egress_block b;

		correlator_egress(c, f, &b);
		if (!b.blocked)
			continue;
		d->blocked |= 1u << f;
		if (b.dropped_here == b.attempts) {
			d->blocked_here |= 1u << f;
			add(d, "%s: outbound port 25 is dropped by this host's firewall: netfilter dropped the "
			       "SYNs of all %" PRIu64 " attempt(s) to %u host(s), while %s",
			    fam_name(f), b.attempts, b.hosts, b.works);
		} else {
			add(d, "%s: outbound port 25 looks blocked: %" PRIu64 " attempt(s) to %u host(s) went "
			       "unanswered and none to port 25 was answered, while %s",
			    fam_name(f), b.attempts, b.hosts, b.works);
		}
	}
	/* Mail refused over one family, the other never tried: what the
	 * operator reads first, when the log says so. */
	judge_from_log(d, c, log, refused_wo, sizeof(refused_wo));
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = procs[i];

		for (int f = 0; f < FAM_N; f++) {
			tried[f] += p->fam[f].tried;
			connected[f] += p->fam[f].connected;
			for (int k = 0; k < RES_N; k++)
				res[f][k] += p->fam[f].res[k];
		}
		{
			/* Lookups of one family that wait out the resolver's timeout
			 * cost every delivery that asks them. */
			enum wire_fam slow = lookup_slow_family(p->wait);

			if (slow != FAM_N) {
				char a[32], b[32];

				d->costly++;
				add(d, "%s[%u]: %s lookups are slow: the slowest took %s against %s for %s "
				       "(an unanswered query waits for the resolver's timeout; each delivery "
				       "that asks pays it)",
				    fmt_safe(p->comm), p->tgid, slow == FAM_V4 ? "A" : "AAAA",
				    fmt_dur(a, sizeof(a), lookup_fam_max(p->wait, slow)),
				    fmt_dur(b, sizeof(b), lookup_fam_max(p->wait, slow == FAM_V4 ? FAM_V6 : FAM_V4)),
				    slow == FAM_V4 ? "AAAA" : "A");
			}
		}
		for (const struct group *g = p->done; g; g = g->next) {
			if (g->service)
				continue; /* ident and the like: not deliveries */
			tfo_unbounded(d, e, p, g);
			judge_session(d, c, log, p, g);
			if (g->cls == GC_NO_FALLBACK)
				judge_group(d, e, p, g);
			if (g->cls == GC_NO_USABLE_ADDRESS)
				judge_unusable(d, e, p, g);
			if (g->cls == GC_FALLBACK && e->max_lost_ns && g->cost_ns > e->max_lost_ns) {
				char a[32], b[32];

				d->costly++;
				add(d, "%s[%u] %s: the fallback from %s lost %s, more than --max-lost %s",
				    fmt_safe(p->comm), p->tgid, g->key[0] ? fmt_safe(g->key) : "a destination",
				    fam_name(g->from_fam), fmt_dur(a, sizeof(a), g->cost_ns),
				    fmt_dur(b, sizeof(b), e->max_lost_ns));
			}
			if (g->cls == GC_FALLBACK && e->balance == 1 && e->addr_limit > 0 &&
			    g->n + g->n_extra <= (unsigned)e->addr_limit)
				fallbacks_in_limit++;
		}
	}
	/* A family configured, tried, and never once connected: unusable from
	 * this host (no route, a black hole), whatever the configuration says. */
	for (int f = 0; f < FAM_N; f++) {
		uint64_t dead = res[f][RES_NET_UNREACH] + res[f][RES_HOST_UNREACH] + res[f][RES_TIMEOUT] +
				res[f][RES_ABANDONED] + res[f][RES_NO_ADDR] + res[f][RES_UNSEEN] +
				res[f][RES_IN_PROGRESS];

		if (!(e->families & (1u << f)) || !tried[f] || connected[f] || dead != tried[f])
			continue;
		d->unusable++;
		unusable |= 1u << f;
		add(d, "%s: %" PRIu64 " of %" PRIu64 " attempt(s) failed (%s): %s is configured%s%s%s but "
		       "unusable from this host",
		    fam_name(f), dead, tried[f], fmt_results(r, sizeof(r), res[f]), fam_name(f),
		    e->family_setting[0] ? " (" : "", e->family_setting, e->family_setting[0] ? ")" : "");
	}
	/* A destination whose every attempt failed, in families that connected
	 * nowhere while traced (unusable, or port 25 blocked): nothing was left
	 * to try, and the mail did not leave because of the relay. */
	for (size_t i = 0; i < n && (unusable | d->blocked); i++)
		for (const struct group *g = procs[i]->done; g; g = g->next) {
			uint64_t gres[RES_N] = { 0 };
			unsigned fams = 0;

			if (g->service || g->cls != GC_ALL_FAILED || !g->n)
				continue;
			for (unsigned k = 0; k < g->n; k++) {
				fams |= 1u << g->at[k].fam;
				gres[g->at[k].res]++;
			}
			if (fams & ~(unusable | d->blocked))
				continue;
			d->stuck++;
			add(d, "%s[%u] %s: all %u attempt(s) failed (%s), in %s, which connected nowhere "
			       "while traced: the mail did not leave",
			    fmt_safe(procs[i]->comm), procs[i]->tgid, g->key[0] ? fmt_safe(g->key) : "a destination",
			    g->n + g->n_extra, fmt_results(r, sizeof(r), gres),
			    fams == (1u << FAM_V4 | 1u << FAM_V6) ? "both families" : fam_name(fams & 1u ? FAM_V4 : FAM_V6));
		}
	if (fallbacks_in_limit && d->unusable)
		add(d, "smtp_balance_inet_protocols = yes kept both families within smtp_mx_address_limit "
		       "= %d: %u destination(s) still reached the other family after the failures",
		    e->addr_limit, fallbacks_in_limit);
	if (d->no_address && d->stuck - d->refused == d->no_address && !d->unusable) {
		/* Nothing failed: a family was never asked, or no host has one. */
		if (d->never_asked >= 0)
			snprintf(d->ways_out, sizeof(d->ways_out),
				 "let the relay use %s too (%s), with a working %s route; or send the "
				 "domain through a relay that has it (a transport_maps / relayhost entry)",
				 fam_name(d->never_asked),
				 e->mta == MTA_POSTFIX ? "inet_protocols = all" :
				 e->mta == MTA_EXIM ? "disable_ipv6 = false, no dns_ipv4_lookup for it" : "both families",
				 fam_name(d->never_asked));
		else
			snprintf(d->ways_out, sizeof(d->ways_out),
				 "nothing on this relay: the domain's MX hosts publish no address");
	} else if (d->blocked) {
		int fb = d->blocked & (1u << FAM_V4) ? FAM_V4 : FAM_V6, other = !fb;
		bool other_bad = (e->families & (1u << other)) && tried[other] && !connected[other];

		bool here = d->blocked_here & (1u << fb), give = other_bad && !(d->blocked & (1u << other));

		snprintf(d->ways_out, sizeof(d->ways_out),
			 "%s%s%s, or send through a relay host that accepts mail on port 587 (submission)%s%s%s",
			 here ? "remove or narrow the rule on this host that drops outbound TCP port 25 over "
			      : "have outbound port 25 over ",
			 fam_name(fb),
			 here ? " (nft list ruleset; iptables -S OUTPUT)"
			      : " opened (the provider's block, or a firewall's rule on this host's network)",
			 give ? "; and give " : "", give ? fam_name(other) : "", give ? " a working route" : "");
	} else if (d->stuck - d->refused || d->unusable) {
		int bad = -1;

		for (int f = 0; f < FAM_N; f++)
			if ((e->families & (1u << f)) && tried[f] && !connected[f])
				bad = f;
		const char *off = bad == FAM_V6 ? e->v6_off : bad == FAM_V4 ? e->v4_off : NULL;

		snprintf(d->ways_out, sizeof(d->ways_out), "give %s a working route, or stop using it%s%s%s%s%s%s",
			 bad >= 0 ? fam_name(bad) : "the failing family", off ? " (" : "",
			 off ? off : "", off ? ")" : "",
			 d->limited && e->balance == 0
				 ? ", or smtp_balance_inet_protocols = yes (both families within the limit)"
				 : "",
			 d->limited ? ", or a higher " : "", d->limited && e->limit_name ? e->limit_name : "");
	}
	if (d->refused) {
		size_t k = strlen(d->ways_out);

		snprintf(d->ways_out + k, sizeof(d->ways_out) - k, "%s%s", k ? "; and for the refusal: " : "",
			 refused_wo);
	}
	else if (d->sessions_failed && !d->ways_out[0])
		snprintf(d->ways_out, sizeof(d->ways_out),
			 "a receiver refused a session in one family after the handshake: its reply (the "
			 "MTA's log) names why; the source's PTR and FCrDNS, SPF and blocklists are what "
			 "receivers judge by family");
}
