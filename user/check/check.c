// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * check.c - verdicts for `famtrace check`. Reads the correlator's facts
 * about the traced instance and compares them with the configured address
 * families and preference. Rules:
 *   families without IPv6: no AAAA asked (res_* AAAA, gethostbyname2 AF_INET6,
 *       getaddrinfo AF_INET6 or AF_UNSPEC) and no IPv6 attempt; the same the
 *       other way round without IPv4;
 *   prefer F: the first attempt toward a destination that offered both
 *       families uses F.
 * Costs (time lost to fallbacks, abandoned attempts) are reported, never
 * judged. What is expected comes from check_expect.c. Must never: trace,
 * or read anything but the correlator (and Exim's domain-list matching,
 * to apply dns_ipv4_lookup as Exim does).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/check.h"
#include "check/delivery.h"
#include "check/identity.h"
#include "lib/exitcodes.h"
#include "lib/wrapout.h"
#include "mta/mta_exim.h"
#include "report/report.h"

/* Did p ask for family f's addresses of host before t? */
static bool asked_before(const struct proc *p, const char *host, int f, uint64_t t)
{
	if (!host)
		return true; /* nothing to judge the order by */
	for (const struct lookup *l = p->lookups; l; l = l->next)
		if (l->end_ns <= t && (lookup_asks(l) & (1u << f)) &&
		    !strcasecmp(l->name[0] ? l->name : l->dns.qname, host))
			return true;
	return false;
}

/* Did any lookup of host offer an address of family f? (Unknown host:
 * yes, nothing to excuse the order by.) */
static bool host_offers(const struct proc *p, const char *host, int f)
{
	if (!host)
		return true;
	for (const struct lookup *l = p->lookups; l; l = l->next)
		if (!strcasecmp(l->name[0] ? l->name : l->dns.qname, host))
			for (unsigned i = 0; i < l->n_addrs; i++)
				if ((int)l->addrs[i].fam == f)
					return true;
	return false;
}

#define MAX_EVIDENCE 20

struct tally {
	uint64_t asked[FAM_N], tried[FAM_N], first[FAM_N], dual_dests, pref_ok, pref_bad;
	uint64_t fallbacks, fallback_cost_ns, abandoned, lookups, pref_filtered;
	struct lookup_wait wait[LW_N]; /* time in lookups, by the families asked */
	char evidence[MAX_EVIDENCE][448];
	unsigned n_evidence, more_evidence;
	char note[600]; /* what explains an apparent violation, "" none */
	bool families_bad; /* a process asked or tried a family it may not use */
	bool svc_seen[CHECK_MAX_SERVICES]; /* master.cf overrides a process was judged by */
};

static void evidence(struct tally *t, const char *fmt, const struct proc *p, const char *what)
{
	if (t->n_evidence == MAX_EVIDENCE) {
		t->more_evidence++;
		return;
	}
	snprintf(t->evidence[t->n_evidence++], sizeof(t->evidence[0]), fmt, fmt_safe(p->comm), p->tgid,
		 what);
}

#define MAX_ADDR_WARNINGS ADDR_NOTE_KINDS

struct addr_warnings {
	char text[MAX_ADDR_WARNINGS][480];
	unsigned n, more;
};

/* What the addresses behind the destinations deserve a word about (a
 * transition or internal address offered for a mail host, mail leaving from
 * a temporary or transition source): warnings beside the verdict, each kind
 * said once, naming a few of its addresses ("192.0.2.2, 192.0.2.25 and 18
 * more are documentation ..."), not a line per address. */
static void address_warnings(struct correlator *c, struct addr_warnings *w)
{
	struct addr_note_set set = { .n = 0 };
	struct proc **procs;
	size_t n = correlator_procs(c, &procs);

	for (size_t i = 0; i < n; i++)
		for (const struct group *g = procs[i]->done; g; g = g->next) {
			struct addr_note notes[GROUP_MAX_OFFERED];
			unsigned k = g->service ? 0 : group_address_notes(procs[i], g, notes, GROUP_MAX_OFFERED);

			for (unsigned j = 0; j < k; j++)
				addr_note_set_add(&set, &notes[j]);
		}
	for (unsigned k = 0; k < set.n; k++)
		addr_note_set_text(w->text[w->n++], sizeof(w->text[0]), &set, k);
	w->more = set.more;
}

/* What one process asked and tried, against what is expected; its
 * lookups first. */
static void tally_lookups(struct tally *t, const struct check_expect *e, const struct proc *p,
			  const uint64_t asked_by[FAM_N])
{
	char buf[400], q[200];
	unsigned shown = t->n_evidence;

	for (const struct lookup *l = p->lookups; l; l = l->next) {
		unsigned a = lookup_asks(l);

		if (l->inherited)
			continue; /* the parent's; judged there */

		for (int f = 0; f < FAM_N && !e->asks_every_family; f++)
			if ((a & (1u << f)) && !(e->families & (1u << f))) {
				snprintf(buf, sizeof(buf), "asked for %s addresses: %s",
					 fam_name(f), fmt_lookup_question(q, sizeof(q), l));
				evidence(t, "%s[%u] %s", p, buf);
			}
		/* Exim's dns_ipv4_lookup: these names are never asked AAAA. */
		if ((a & (1u << FAM_V6)) && (e->families & (1u << FAM_V6)) && e->ipv4_lookup[0] &&
		    exim_domain_match(e->ipv4_lookup, l->name)) {
			snprintf(buf, sizeof(buf), "asked for IPv6 addresses: %s, which dns_ipv4_lookup "
				 "covers", fmt_lookup_question(q, sizeof(q), l));
			evidence(t, "%s[%u] %s", p, buf);
		}
	}
	if (t->n_evidence == shown && p->trimmed) {
		/* Details of exited processes are trimmed; the counters remain. */
		for (int f = 0; f < FAM_N; f++)
			if (!(e->families & (1u << f)) && ((asked_by[f] && !e->asks_every_family) || p->fam[f].tried)) {
				snprintf(buf, sizeof(buf), "asked for %s addresses %" PRIu64 " time(s), "
					 "tried %s %" PRIu64 " time(s) (details no longer kept)",
					 fam_name(f), asked_by[f], fam_name(f), p->fam[f].tried);
				evidence(t, "%s[%u] %s", p, buf);
			}
	}
}

/* ... and the destinations it tried, in the families and order it did. */
static void tally_groups(struct tally *t, const struct check_expect *e, const struct proc *p)
{
	char buf[400];

	for (const struct group *g = p->done; g; g = g->next) {
		const struct attempt *a0 = group_first(g);
		unsigned offered = 0;

		if (g->service)
			continue; /* not a delivery: no family rule applies */

		for (unsigned k = 0; k < g->n; k++)
			if (!(e->families & (1u << g->at[k].fam))) {
				char dst[220], a[64];
				const char *host = attempt_host(p, &g->at[k]);

				/* As Postfix logs it: host[addr]:port; else [v6]:port. */
				if (host)
					snprintf(dst, sizeof(dst), "%s[%s]:%u", fmt_safe(host),
						 fmt_addr(a, sizeof(a), g->at[k].fam, g->at[k].daddr),
						 g->at[k].dport);
				else
					fmt_endpoint(dst, sizeof(dst), g->at[k].fam, g->at[k].daddr,
						     g->at[k].dport);
				snprintf(buf, sizeof(buf), "tried %s: %s, %s", fam_name(g->at[k].fam), dst,
					 result_name(g->at[k].res));
				evidence(t, "%s[%u] %s", p, buf);
			}
		if (!a0)
			continue;
		for (unsigned k = 0; k < g->n_offered; k++)
			offered |= 1u << g->offered[k].fam;
		/* A client that asks the other family only after its
		 * first family failed (Sendmail: AAAA, try, then A) never
		 * has a destination "offered both": the order of its
		 * questions is the evidence. First tried the other family
		 * without having asked for the preferred one: a violation. */
		if (e->prefer >= 0 && (int)a0->fam != e->prefer && !(offered & (1u << e->prefer)) &&
		    (e->families & (1u << e->prefer)) &&
		    !asked_before(p, attempt_host(p, a0), e->prefer, a0->start_ns)) {
			snprintf(buf, sizeof(buf), "first tried %s for %s without asking for its %s "
				 "addresses first", fam_name(a0->fam),
				 g->key[0] ? fmt_safe(g->key) : "a destination", fam_name(e->prefer));
			evidence(t, "%s[%u] %s", p, buf);
			continue;
		}
		if (offered != (1u << FAM_V4 | 1u << FAM_V6) || e->prefer < 0)
			continue;
		if ((int)a0->fam != e->prefer && e->reply_filter[0]) {
			/* Postfix drops the DNS records its reply filter
			 * matches before it builds the address list: what
			 * DNS returned (and famtrace saw) it never had. */
			if (!t->note[0])
				snprintf(t->note, sizeof(t->note), "%s addresses DNS returned for %s were "
					 "never tried: smtp_dns_reply_filter = %s drops the records it "
					 "matches before Postfix orders addresses",
					 fam_name(e->prefer), g->key[0] ? fmt_safe(g->key) : "a destination",
					 e->reply_filter);
			t->pref_filtered++;
		} else if ((int)a0->fam != e->prefer && !host_offers(p, attempt_host(p, a0), e->prefer)) {
			/* The most preferred MX host offered only this family:
			 * MX preference comes before the address preference
			 * (mixed.lab.test: MX 10 IPv6-only, MX 20 IPv4-only). */
			t->pref_filtered++;
		} else if ((int)a0->fam != e->prefer) {
			snprintf(buf, sizeof(buf), "first tried %s for %s, which has both families",
				 fam_name(a0->fam), g->key[0] ? fmt_safe(g->key) : "a destination");
			evidence(t, "%s[%u] %s", p, buf);
		}
	}
}

/* One process, by its own master.cf overrides where it has them. */
static void tally_proc(struct tally *t, const struct check_expect *e, const struct proc *p)
{
	uint64_t asked_by[FAM_N] = {
		[FAM_V4] = p->asked_a + p->gai_inet + p->gai_unspec,
		[FAM_V6] = p->asked_aaaa + p->gai_inet6 + p->gai_unspec,
	};
	const struct check_service *s = p->folded ? NULL : check_service_of(e, p->tgid);
	struct check_expect *own = s ? malloc(sizeof(*own)) : NULL;

	if (own) {
		*own = *e;
		own->families = s->families;
		own->prefer = s->prefer;
		t->svc_seen[s - e->svc] = true;
		e = own;
	}
	for (int f = 0; f < FAM_N; f++)
		if (!(e->families & (1u << f)) && ((asked_by[f] && !e->asks_every_family) || p->fam[f].tried))
			t->families_bad = true;

	for (int f = 0; f < FAM_N; f++) {
		t->tried[f] += p->fam[f].tried;
		t->asked[f] += asked_by[f];
		t->first[f] += p->dual_first[f];
	}
	t->dual_dests += p->dual_first[FAM_V4] + p->dual_first[FAM_V6];
	if (e->prefer >= 0) {
		t->pref_ok += p->dual_first[e->prefer];
		t->pref_bad += p->dual_first[!e->prefer];
	}
	t->abandoned += p->fam[FAM_V4].res[RES_ABANDONED] + p->fam[FAM_V6].res[RES_ABANDONED];
	t->fallbacks += p->groups[GC_FALLBACK];
	t->fallback_cost_ns += p->fallback_cost_sum_ns;
	t->lookups += p->lookups_total;
	lookup_wait_add(t->wait, p->wait);
	{
		unsigned before = t->n_evidence + t->more_evidence;

		tally_lookups(t, e, p, asked_by);
		tally_groups(t, e, p);
		/* Judged by its service's override and still against it: the
		 * override did not take (a parameter this Postfix reads only
		 * from main.cf, or one it ignores in a service's -o). */
		if (s && t->n_evidence + t->more_evidence > before) {
			char buf[300];

			snprintf(buf, sizeof(buf), "is master.cf service %s with %s: the override had no "
				 "effect on what it did (above)", s->name[0] ? fmt_safe(s->name) : "?",
				 fmt_safe(s->overrides));
			evidence(t, "%s[%u] %s", p, buf);
		}
	}
	free(own);
}

/* Everything the verdict rests on, and the verdict. */
struct judged {
	struct tally t;
	struct addr_warnings aw;
	struct delivery dv;
	struct identities idn; /* looked up when a receiver refused after the handshake */
	bool seen;
	int verdict;
	const char *untrusted, *key, *text;
};

/* The MTA's HELO name, when its settings say (Postfix's smtp_helo_name). */
static const char *helo_name(const struct check_expect *e)
{
	for (unsigned i = 0; i < e->n_set; i++)
		if (!strcmp(e->set[i].name, "smtp_helo_name"))
			return e->set[i].value;
	return NULL;
}

/* Gather and judge: conforming is not delivering, so mail that could not
 * leave outranks a violation, which outranks a family that only costs time;
 * a trace that saw nothing, or not everything, proves nothing. */
static void judge(struct correlator *c, const struct check_expect *e, const struct check_log *log,
		  const char *untrusted, struct judged *jd)
{
	static const char *const key[] = { "conforms", "violation", "nothing_observed", "stuck",
					   "degraded" };
	static const char *const text[] = { "CONFORMS", "VIOLATION", "NOTHING OBSERVED", "MAIL STUCK",
					    "DEGRADED" };
	struct tally *t = &jd->t;
	struct proc **procs;
	size_t n = correlator_procs(c, &procs);
	bool ok;

	for (size_t i = 0; i < n; i++)
		tally_proc(t, e, procs[i]);
	ok = t->n_evidence == 0 && t->pref_bad <= t->pref_filtered;
	if (e->client_inet_only && t->tried[FAM_V6] && !t->note[0])
		snprintf(t->note, sizeof(t->note), "ClientPortOptions says Family=inet, and Sendmail still "
			 "tried IPv6: that option only chooses which client options apply; Sendmail tries "
			 "IPv6 whenever it can open an IPv6 socket");
	if (t->families_bad)
		ok = false;
	jd->seen = t->lookups || t->tried[FAM_V4] || t->tried[FAM_V6];
	delivery_judge(c, e, log, &jd->dv);
	address_warnings(c, &jd->aw);
	/* Who the receivers saw, when one refused after the handshake: the
	 * sources' PTR and FCrDNS explain most such refusals. Looked up only
	 * then: check makes no other traffic of its own. */
	if ((jd->dv.refused || jd->dv.sessions_failed) && log && log->rdns)
		identity_check(c, log->rdns, helo_name(e), &jd->idn);
	jd->untrusted = untrusted;
	if (!jd->seen || untrusted)
		jd->verdict = FT_CHECK_UNKNOWN;
	else if (jd->dv.stuck)
		jd->verdict = FT_CHECK_STUCK;
	else if (!ok)
		jd->verdict = FT_CHECK_VIOLATION;
	else if (jd->dv.unusable || jd->dv.costly || jd->dv.sessions_failed)
		jd->verdict = FT_CHECK_DEGRADED;
	else
		jd->verdict = FT_CHECK_CONFORMS;
	jd->key = untrusted && jd->verdict == FT_CHECK_UNKNOWN ? "incomplete_trace" : key[jd->verdict];
	jd->text = untrusted && jd->verdict == FT_CHECK_UNKNOWN ? "NO VERDICT" : text[jd->verdict];
}

/* The verdict as one JSON object. */
static void print_json(FILE *out, const struct check_expect *e, const struct judged *jd)
{
	fprintf(out, "{\"v\":%d,\"type\":\"check\",\"verdict\":\"%s\",\"exit\":%d,"
		     "\"expected_families\":[%s%s%s],\"expected_prefer\":%s,\"source\":",
		FT_JSON_SCHEMA, jd->key, check_exit_code(jd->verdict),
		e->families & 1u << FAM_V4 ? "\"ipv4\"" : "",
		(e->families & 1u << FAM_V4) && (e->families & 1u << FAM_V6) ? "," : "",
		e->families & 1u << FAM_V6 ? "\"ipv6\"" : "",
		e->prefer == FAM_V4 ? "\"ipv4\"" : e->prefer == FAM_V6 ? "\"ipv6\"" : "null");
	json_str(out, e->source);
	fprintf(out, ",\"asked_ipv4\":%" PRIu64 ",\"asked_ipv6\":%" PRIu64 ",\"tried_ipv4\":%" PRIu64
		     ",\"tried_ipv6\":%" PRIu64 ",\"first_ipv4\":%" PRIu64 ",\"first_ipv6\":%" PRIu64
		     ",\"dual_destinations\":%" PRIu64 ",\"fallbacks\":%" PRIu64
		     ",\"fallback_time_lost_ms\":%.3f,\"abandoned\":%" PRIu64,
		jd->t.asked[FAM_V4], jd->t.asked[FAM_V6], jd->t.tried[FAM_V4], jd->t.tried[FAM_V6], jd->t.first[FAM_V4],
		jd->t.first[FAM_V6], jd->t.dual_dests, jd->t.fallbacks, jd->t.fallback_cost_ns / 1e6, jd->t.abandoned);
	{
		enum wire_fam slow = lookup_slow_family(jd->t.wait);

		fprintf(out, ",\"lookup_time_ms\":{");
		for (int k = 0; k < LW_N; k++)
			fprintf(out, "%s\"%s\":%.3f", k ? "," : "", lookup_wait_key(k),
				jd->t.wait[k].sum_ns / 1e6);
		fprintf(out, "},\"slow_lookup_family\":%s",
			slow == FAM_V4 ? "\"ipv4\"" : slow == FAM_V6 ? "\"ipv6\"" : "null");
	}
	fprintf(out, ",\"evidence\":[");
	for (unsigned i = 0; i < jd->t.n_evidence; i++) {
		fputs(i ? "," : "", out);
		json_str(out, jd->t.evidence[i]);
	}
	fprintf(out, "],\"more_evidence\":%u,\"delivery\":{\"stuck\":%u,\"unusable_families\":%u,"
		     "\"costly_fallbacks\":%u,\"limit_decided\":%u,\"tfo_unbounded\":%u,"
		     "\"sessions_failed\":%u,\"refused_over_one_family\":%u,\"findings\":[",
		jd->t.more_evidence, jd->dv.stuck, jd->dv.unusable, jd->dv.costly, jd->dv.limited, jd->dv.tfo_unbounded,
		jd->dv.sessions_failed, jd->dv.refused);
	for (unsigned i = 0; i < jd->dv.n; i++) {
		fputs(i ? "," : "", out);
		json_str(out, jd->dv.finding[i]);
	}
	fprintf(out, "],\"ways_out\":");
	if (jd->dv.ways_out[0])
		json_str(out, jd->dv.ways_out);
	else
		fputs("null", out);
	fprintf(out, "},\"settings\":{");
	for (unsigned i = 0; i < e->n_set; i++) {
		fputs(i ? "," : "", out);
		json_str(out, e->set[i].name);
		fputc(':', out);
		json_str(out, e->set[i].value);
	}
	fprintf(out, "},\"services\":[");
	for (unsigned i = 0, shown = 0; i < e->n_svc; i++) {
		if (!jd->t.svc_seen[i])
			continue;
		fprintf(out, "%s{\"pid\":%u,\"service\":", shown++ ? "," : "", e->svc[i].tgid);
		json_str(out, e->svc[i].name);
		fputs(",\"overrides\":", out);
		json_str(out, e->svc[i].overrides);
		fputc('}', out);
	}
	fprintf(out, "],\"address_warnings\":[");
	for (unsigned i = 0; i < jd->aw.n; i++) {
		fputs(i ? "," : "", out);
		json_str(out, jd->aw.text[i]);
	}
	fprintf(out, "],\"source_identity_asked\":");
	if (jd->idn.n)
		json_str(out, jd->idn.where);
	else
		fputs("null", out);
	fprintf(out, ",\"source_identity\":[");
	for (unsigned i = 0; i < jd->idn.n; i++) {
		const struct identity *id = &jd->idn.id[i];
		char a[64];

		fprintf(out, "%s{\"addr\":\"%s\",\"family\":\"%s\",\"connections\":%u,\"ptr\":", i ? "," : "",
			fmt_addr(a, sizeof(a), id->fam, id->addr), id->fam == FAM_V6 ? "ipv6" : "ipv4", id->attempts);
		if (id->ptr_state == 1)
			json_str(out, id->ptr);
		else
			fputs("null", out);
		fprintf(out, ",\"ptr_result\":\"%s\",\"fcrdns\":%s,\"helo_matches\":%s,\"temporary\":%s}",
			id->ptr_state == 1 ? "found" : id->ptr_state == 0 ? "none" : "lookup_failed",
			id->fcrdns == 1 ? "true" : id->fcrdns == 0 ? "false" : "null",
			id->helo_match == 1 ? "true" : id->helo_match == 0 ? "false" : "null",
			id->temporary ? "true" : "false");
	}
	fprintf(out, "],\"note\":");
	if (jd->t.note[0])
		json_str(out, jd->t.note);
	else
		fputs("null", out);
	fprintf(out, ",\"incomplete\":");
	if (jd->untrusted)
		json_str(out, jd->untrusted);
	else
		fputs("null", out);
	fputs("}\n", out);
}

/* The verdict for a person: the plugin's status line first. */
static void print_text(FILE *status, size_t width, const struct check_expect *e,
		       const struct judged *jd)
{
	FILE *folded = NULL, *out = status;
	char q[200];

	/* The status line a monitoring plugin framework shows: the state by
	 * the plugin convention, the verdict, and the first thing behind it. */
	{
		static const char *const state[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
		const char *why = jd->verdict == FT_CHECK_UNKNOWN ? (jd->untrusted ? jd->untrusted : "nothing observed")
				  : (jd->verdict == FT_CHECK_STUCK || jd->verdict == FT_CHECK_DEGRADED) && jd->dv.n
					  ? jd->dv.finding[0]
				  : jd->verdict == FT_CHECK_VIOLATION && jd->t.n_evidence ? jd->t.evidence[0]
										  : "";

		fprintf(status, "FAMTRACE %s - %s%s%s\n", state[check_exit_code(jd->verdict)], jd->text,
			why[0] ? ": " : "", why);
	}
	/* The status line stays whole (a plugin framework reads the first
	 * line); the detail is folded to the terminal's width. */
	if (width && (folded = wrapout_open(status, width, NULL, NULL)))
		out = folded;
	fprintf(out, "\n=== famtrace check ===\n");
	fprintf(out, "configured: %s", e->source);
	if (e->configured[0])
		fprintf(out, ": %s", e->configured);
	fprintf(out, "\nexpected:   %s%s%s; first attempt to a dual-stack destination: %s\n",
		e->families & 1u << FAM_V4 ? "IPv4" : "",
		(e->families & 1u << FAM_V4) && (e->families & 1u << FAM_V6) ? " and " : "",
		e->families & 1u << FAM_V6 ? "IPv6" : "",
		e->prefer < 0 ? "either family" : fam_name(e->prefer));
	fprintf(out, "observed:   %" PRIu64 " lookups (asked IPv4 %" PRIu64 ", IPv6 %" PRIu64 "); attempts IPv4 %" PRIu64
		     ", IPv6 %" PRIu64 "; first attempts IPv4 %" PRIu64 ", IPv6 %" PRIu64
		     "; %" PRIu64 " destination(s) offered both families\n",
		jd->t.lookups, jd->t.asked[FAM_V4], jd->t.asked[FAM_V6], jd->t.tried[FAM_V4], jd->t.tried[FAM_V6],
		jd->t.first[FAM_V4], jd->t.first[FAM_V6], jd->t.dual_dests);
	fprintf(out, "cost:       %" PRIu64 " fallback(s), %s lost; %" PRIu64 " attempt(s) abandoned",
		jd->t.fallbacks, fmt_dur(q, sizeof(q), jd->t.fallback_cost_ns), jd->t.abandoned);
	if (jd->t.lookups) {
		/* Waiting for lookups is a delivery's cost too. */
		char a4[32], a6[32], ab[32];

		fprintf(out, "; lookups waited IPv4 (A) %s, IPv6 (AAAA) %s, both %s",
			fmt_dur(a4, sizeof(a4), jd->t.wait[LW_V4].sum_ns), fmt_dur(a6, sizeof(a6), jd->t.wait[LW_V6].sum_ns),
			fmt_dur(ab, sizeof(ab), jd->t.wait[LW_BOTH].sum_ns));
		/* Inside the calls for both, what each family's answers took; a
		 * family whose question never left is not jd->seen, not 0 s. */
		if (jd->t.wait[LW_WIRE_V4].n || jd->t.wait[LW_WIRE_V6].n)
			fprintf(out, " (on the wire: A %s, AAAA %s)",
				jd->t.wait[LW_WIRE_V4].n ? fmt_dur(a4, sizeof(a4), jd->t.wait[LW_WIRE_V4].sum_ns)
						     : "not seen",
				jd->t.wait[LW_WIRE_V6].n ? fmt_dur(a6, sizeof(a6), jd->t.wait[LW_WIRE_V6].sum_ns)
						     : "not seen");
	}
	fputc('\n', out);
	{
		enum wire_fam slow = lookup_slow_family(jd->t.wait);

		char st[160];

		if (slow != FAM_N)
			fprintf(out, "lookups:    SLOW %s LOOKUPS: %s (an unanswered query waits for the "
				     "resolver's timeout)\n",
				fam_name(slow), lookup_slow_text(jd->t.wait, slow, st, sizeof(st)));
	}
	if (jd->untrusted)
		fprintf(out, "note:       the trace is incomplete (%s): what it missed could "
			     "change the verdict\n", jd->untrusted);
	else if (jd->t.note[0])
		fprintf(out, "note:       %s\n", jd->t.note);
	else if (!jd->seen)
		fprintf(out, "note:       nothing was looked up or connected while tracing: there is "
			     "nothing to judge (did the command deliver anything, through this instance?)\n");
	for (unsigned i = 0, shown_set = 0; i < e->n_set; i++)
		if (strcmp(e->set[i].name, "queue_directory") && strcmp(e->set[i].name, "inet_protocols") &&
		    strcmp(e->set[i].name, "smtp_address_preference") && strcmp(e->set[i].name, "disable_ipv6") &&
		    strcmp(e->set[i].name, "dns_ipv4_lookup") && strcmp(e->set[i].name, "daemon_directory") &&
		    e->set[i].value[0])
			fprintf(out, "%s%s = %s\n", shown_set++ ? "            " : "settings:   ",
				e->set[i].name, e->set[i].value);
	for (unsigned i = 0, shown = 0; i < e->n_svc; i++)
		if (jd->t.svc_seen[i])
			fprintf(out, "%spid %u is master.cf service %s: %s (judged by it)\n",
				shown++ ? "            " : "services:   ", e->svc[i].tgid,
				e->svc[i].name[0] ? fmt_safe(e->svc[i].name) : "?", fmt_safe(e->svc[i].overrides));
	if (jd->dv.n) {
		fprintf(out, "delivery:\n");
		for (unsigned i = 0; i < jd->dv.n; i++)
			fprintf(out, "  - %s\n", jd->dv.finding[i]);
		if (jd->dv.more)
			fprintf(out, "  (+%u more)\n", jd->dv.more);
	}
	if (jd->dv.ways_out[0])
		fprintf(out, "ways out:   %s\n", jd->dv.ways_out);
	for (unsigned i = 0; i < jd->aw.n; i++)
		fprintf(out, "%s%s\n", i ? "            " : "addresses:  ", jd->aw.text[i]);
	if (jd->aw.more)
		fprintf(out, "            (+%u more)\n", jd->aw.more);
	if (jd->idn.n)
		fprintf(out, "identity:   asked of %s\n", jd->idn.where);
	for (unsigned i = 0; i < jd->idn.n; i++) {
		char text[700];

		fprintf(out, "            %s\n", identity_text(text, sizeof(text), &jd->idn.id[i], jd->idn.helo));
	}
	if (jd->idn.more)
		fprintf(out, "            (+%u more sources, not looked up)\n", jd->idn.more);
	fprintf(out, "verdict:    %s\n", jd->text);
	for (unsigned i = 0; i < jd->t.n_evidence; i++)
		fprintf(out, "  - %s\n", jd->t.evidence[i]);
	if (jd->t.more_evidence)
		fprintf(out, "  (+%u more)\n", jd->t.more_evidence);
	if (folded)
		fclose(folded);
	fflush(status);
}

int check_verdict(FILE *out, bool json, size_t width, struct correlator *c, const struct check_expect *e,
		  const struct check_log *log, const char *untrusted)
{
	struct judged *jd = calloc(1, sizeof(*jd));
	int verdict;

	if (!jd) {
		check_print_unknown(out, json, "out of memory");
		return FT_CHECK_UNKNOWN;
	}
	judge(c, e, log, untrusted, jd);
	if (json)
		print_json(out, e, jd);
	else
		print_text(out, width, e, jd);
	verdict = jd->verdict;
	free(jd);
	return verdict;
}

int check_exit_code(int verdict)
{
	switch (verdict) {
	case FT_CHECK_CONFORMS: return FT_PLUGIN_OK;
	case FT_CHECK_VIOLATION:
	case FT_CHECK_DEGRADED: return FT_PLUGIN_WARNING;
	case FT_CHECK_STUCK: return FT_PLUGIN_CRITICAL;
	default: return FT_PLUGIN_UNKNOWN;
	}
}

void check_print_unknown(FILE *out, bool json, const char *why)
{
	if (json) {
		fprintf(out, "{\"v\":%d,\"type\":\"check\",\"verdict\":\"could_not_check\",\"exit\":%d,"
			     "\"why\":",
			FT_JSON_SCHEMA, FT_PLUGIN_UNKNOWN);
		json_str(out, why[0] ? why : "see famtrace's message on stderr");
		fputs("}\n", out);
	} else {
		fprintf(out, "FAMTRACE UNKNOWN - could not check%s%s\n", why[0] ? ": " : "", why);
	}
	fflush(out);
}
