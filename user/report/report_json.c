// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report_json.c - famtrace's output for scripts: JSON Lines, one object per
 * line, each with "v" (schema version, FT_JSON_SCHEMA) and "type". The
 * schema is documented in docs/json.md; change it only by bumping the version.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "report/jprintf.h"
#include "report/report.h"
#include "report/report_int.h"
#include "lib/addrclass.h"

/* A boottime as wall-clock time. */
static void json_time(FILE *f, const struct report_opts *o, uint64_t ts_ns)
{
	json_wall_time(f, (int64_t)ts_ns + o->boot_to_real_ns);
}

/* ,"KEY":"documentation" beside an address. */
static void json_class(FILE *f, const char *key, enum wire_fam fam, const uint8_t *addr)
{
	jprintf(f, ",\"%s\":\"%s\"", key, addr_class_key(addr_class_of(fam, addr)));
}

static void json_offered(FILE *f, const struct offered *o, unsigned n)
{
	char a[64];

	putc_unlocked('[', f);
	for (unsigned i = 0; i < n; i++) {
		jprintf(f, "%s{\"family\":\"%s\",\"addr\":\"%s\"", i ? "," : "",
			o[i].fam == FAM_V6 ? "ipv6" : "ipv4", fmt_addr(a, sizeof(a), o[i].fam, o[i].addr));
		json_class(f, "class", o[i].fam, o[i].addr);
		putc_unlocked('}', f);
	}
	putc_unlocked(']', f);
}

/* Milliseconds with three decimals, as "%.3f" of ns / 1e6 prints them,
 * without the floating-point formatter; only an exact half microsecond,
 * which %.3f rounds as the double nearest to it falls, goes through it. */
/* An errno as its name, or null: none, or one no hook saw (the result
 * says "failed_errno_unseen"). */
static void json_errno(FILE *f, int err)
{
	if (err && err != ERR_UNSEEN)
		jprintf(f, "\"%s\"", errno_name(err));
	else
		jprintf(f, "null");
}

static void json_ms(FILE *f, const char *key, uint64_t ns)
{
	uint64_t us = ns / 1000 + (ns % 1000 > 500);

	if (ns % 1000 == 500)
		fprintf(f, ",\"%s\":%.3f", key, ns / 1e6);
	else
		jprintf(f, ",\"%s\":%" PRIu64 ".%03u", key, us / 1000, (unsigned)(us % 1000));
}

static void json_proc_id(FILE *f, const struct proc *p)
{
	jprintf(f, ",\"pid\":%u,\"proc_start_ns\":%" PRIu64 ",\"comm\":", p->tgid, p->start_ns);
	json_str(f, p->comm);
	jprintf(f, ",\"ppid\":%u,\"uid\":%u", p->ppid, p->uid);
}

static void json_fam(FILE *f, const char *key, enum wire_fam fam)
{
	jprintf(f, ",\"%s\":\"%s\"", key, fam == FAM_V6 ? "ipv6" : "ipv4");
}

/* ,"saddr_kind":{...}: what an IPv6 source was when it was used. */
static void json_src_kind(FILE *f, const struct src_kind *k)
{
	if (!k->known)
		return;
	jprintf(f, ",\"saddr_kind\":{\"found\":%s", k->found ? "true" : "false");
	if (k->found) {
		jprintf(f, ",\"origin\":\"%s\",\"temporary\":%s,\"deprecated\":%s,\"prefix_len\":%u",
			src_kind_origin(k), k->flags & 0x01 ? "true" : "false",
			k->flags & 0x20 ? "true" : "false", k->prefix_len);
		jprintf(f, ",\"preferred_lft\":");
		if (k->preferred_lft == 0xffffffffu)
			jprintf(f, "null");
		else
			jprintf(f, "%u", k->preferred_lft);
		jprintf(f, ",\"valid_lft\":");
		if (k->valid_lft == 0xffffffffu)
			jprintf(f, "null");
		else
			jprintf(f, "%u", k->valid_lft);
		jprintf(f, ",\"flags\":%u", k->flags);
	}
	jprintf(f, ",\"iface\":");
	json_str_or_null(f, k->ifname);
	putc_unlocked('}', f);
}

/* The fields of one attempt, without braces. */
static void json_attempt_fields(FILE *f, const struct report_opts *o, const struct attempt *a)
{
	char addr[64];

	jprintf(f, "\"time\":");
	json_time(f, o, a->end_ns);
	jprintf(f, ",\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64, a->start_ns, a->end_ns);
	jprintf(f, ",\"tid\":%u", a->tid);
	json_fam(f, "family", a->fam);
	jprintf(f, ",\"v4mapped\":%s,\"daddr\":\"%s\",\"dport\":%u", a->v4mapped ? "true" : "false",
		fmt_addr(addr, sizeof(addr), a->fam, a->daddr), a->dport);
	json_class(f, "daddr_class", a->fam, a->daddr);
	if (a->has_saddr) {
		jprintf(f, ",\"saddr\":\"%s\"", fmt_addr(addr, sizeof(addr), a->fam, a->saddr));
		if (a->sport)
			jprintf(f, ",\"sport\":%u", a->sport);
		json_class(f, "saddr_class", a->fam, a->saddr);
		json_src_kind(f, &a->src);
	}
	jprintf(f, ",\"nonblock\":%s,\"via\":\"%s\"", a->nonblock ? "true" : "false", attempt_via(a));
	if (attempt_tfo(a))
		jprintf(f, ",\"tfo\":\"%s\"", attempt_tfo(a));
}

static void json_attempt(void *ctx, const struct proc *p, const struct attempt *a,
			 const struct group *g)
{
	struct report_opts *o = ctx;
	FILE *f = o->out;

	if (!report_wants(o, p))
		return;
	jprintf(f, "{\"v\":%d,\"type\":\"attempt\",", FT_JSON_SCHEMA);
	json_attempt_fields(f, o, a);
	json_proc_id(f, p);
	jprintf(f, ",\"result\":\"%s\",\"errno\":", result_key(a->res));
	json_errno(f, a->err);
	json_ms(f, "latency_ms", a->end_ns - a->start_ns);
	jprintf(f, ",\"dropped_here\":%s", a->flags & FT_F_DROPPED_HERE ? "true" : "false");
	jprintf(f, ",\"group\":%" PRIu64 ",\"lookup\":", g->id);
	if (a->lookup_id)
		jprintf(f, "%" PRIu64, a->lookup_id);
	else
		jprintf(f, "null");
	jprintf(f, ",\"name\":");
	json_str_or_null(f, attempt_host(p, a));
	jprintf(f, "}\n");
}

static void json_probe(void *ctx, const struct proc *p, const struct attempt *a)
{
	struct report_opts *o = ctx;
	FILE *f = o->out;

	if (!report_wants(o, p))
		return;
	jprintf(f, "{\"v\":%d,\"type\":\"probe\",", FT_JSON_SCHEMA);
	json_attempt_fields(f, o, a);
	json_proc_id(f, p);
	jprintf(f, ",\"role\":\"%s\"", a->dns ? "dns" : "route_probe");
	jprintf(f, ",\"ok\":%s,\"errno\":", a->err ? "false" : "true");
	json_errno(f, a->err);
	jprintf(f, "}\n");
}

static void json_group(void *ctx, const struct proc *p, const struct group *g)
{
	struct report_opts *o = ctx;
	FILE *f = o->out;
	int order[GROUP_MAX_ATTEMPTS];

	if (!report_wants(o, p))
		return;
	jprintf(f, "{\"v\":%d,\"type\":\"group\",\"group\":%" PRIu64 ",\"time\":", FT_JSON_SCHEMA,
		g->id);
	json_time(f, o, g->first_start_ns);
	json_proc_id(f, p);
	jprintf(f, ",\"dport\":%u,\"delivery\":%s,\"class\":\"%s\",\"destination\":", g->dport,
		g->service ? "false" : "true", group_class_key(g->cls));
	json_str_or_null(f, g->key);
	jprintf(f, ",\"name\":");
	json_str_or_null(f, g->name);
	jprintf(f, ",\"mx_domain\":");
	json_str_or_null(f, g->mx_domain);
	if (g->mx_pref >= 0)
		jprintf(f, ",\"mx_pref\":%d", g->mx_pref);
	else
		jprintf(f, ",\"mx_pref\":null");
	jprintf(f, ",\"offered\":");
	json_offered(f, g->offered, g->n_offered);
	if (g->mx_domain[0]) {
		struct mx_fate mf[DNS_MAX_RRS];
		unsigned nm = group_mx_fates(p, g, mf, DNS_MAX_RRS);

		jprintf(f, ",\"mx_hosts\":[");
		for (unsigned k = 0; k < nm; k++) {
			jprintf(f, "%s{\"pref\":%d,\"host\":", k ? "," : "", mf[k].pref);
			json_str(f, mf[k].host);
			jprintf(f, ",\"looked_up\":%s,\"asked\":[%s%s%s],\"families\":[%s%s%s],\"tried\":%s,"
				   "\"why_not\":",
				mf[k].looked ? "true" : "false", mf[k].asked & 1 ? "\"ipv4\"" : "",
				mf[k].asked == 3 ? "," : "", mf[k].asked & 2 ? "\"ipv6\"" : "",
				mf[k].fams & 1 ? "\"ipv4\"" : "", mf[k].fams == 3 ? "," : "",
				mf[k].fams & 2 ? "\"ipv6\"" : "", mf[k].tried ? "true" : "false");
			json_str_or_null(f, mf[k].why_not);
			jprintf(f, ",\"result\":");
			json_str_or_null(f, mf[k].tried ? result_key(mf[k].res) : NULL);
			putc_unlocked('}', f);
		}
		putc_unlocked(']', f);
	}
	jprintf(f, ",\"lookups\":[");
	for (unsigned i = 0; i < g->n_lookup_ids; i++)
		jprintf(f, "%s%" PRIu64, i ? "," : "", g->lookup_ids[i]);
	jprintf(f, "]");
	json_fam(f, "first_family", g->cls == GC_FAMILY_UNREACHABLE ? g->to_fam : g->from_fam);
	if (g->cls == GC_NO_FALLBACK || g->cls == GC_FIRST_ANSWER_EMPTY)
		json_fam(f, "untried_family", g->to_fam);
	if (g->cls == GC_NO_USABLE_ADDRESS)
		jprintf(f, ",\"asked_families\":[%s%s%s],\"never_asked\":[%s%s%s]",
			g->asked_mask & 1 ? "\"ipv4\"" : "", g->asked_mask == 3 ? "," : "",
			g->asked_mask & 2 ? "\"ipv6\"" : "", g->asked_mask & 1 ? "" : "\"ipv4\"",
			!(g->asked_mask & 1) && !(g->asked_mask & 2) ? "," : "",
			g->asked_mask & 2 ? "" : "\"ipv6\"");
	if (g->cls == GC_NO_FALLBACK || g->cls == GC_FAMILY_UNREACHABLE || g->cls == GC_FIRST_ANSWER_EMPTY) {
		struct offered un[GROUP_MAX_OFFERED];

		jprintf(f, ",\"untried\":");
		json_offered(f, un, group_untried(g, g->to_fam, un, GROUP_MAX_OFFERED));
	}
	if (g->winner >= 0)
		json_fam(f, "connected_family", g->to_fam);
	else
		jprintf(f, ",\"connected_family\":null");
	jprintf(f, ",\"first_answer_race\":");
	if (g->race) {
		jprintf(f, "{\"answered_first\":\"%s\",\"never_tried\":\"%s\"",
			g->race_fam == FAM_V6 ? "ipv6" : "ipv4", g->race_fam == FAM_V6 ? "ipv4" : "ipv6");
		json_ms(f, "lead_ms", g->race_lead_ns);
		putc_unlocked('}', f);
	} else {
		jprintf(f, "null");
	}
	json_ms(f, "time_lost_ms", g->cost_ns);
	{
		const struct attempt *sf = group_session_failed(g);

		jprintf(f, ",\"session_failed_family\":");
		json_str_or_null(f, sf ? (sf->fam == FAM_V6 ? "ipv6" : "ipv4") : NULL);
	}
	json_ms(f, "duration_ms", g->last_end_ns - g->first_start_ns);
	jprintf(f, ",\"attempts_total\":%u,\"attempts\":[", g->n + g->n_extra);
	group_order(g, order);
	for (unsigned k = 0; k < g->n; k++) {
		const struct attempt *a = &g->at[order[k]];
		char addr[64];

		jprintf(f, "%s{", k ? "," : "");
		jprintf(f, "\"family\":\"%s\"", a->fam == FAM_V6 ? "ipv6" : "ipv4");
		jprintf(f, ",\"daddr\":\"%s\"", fmt_addr(addr, sizeof(addr), a->fam, a->daddr));
		json_class(f, "daddr_class", a->fam, a->daddr);
		if (a->has_saddr) {
			jprintf(f, ",\"saddr\":\"%s\"", fmt_addr(addr, sizeof(addr), a->fam, a->saddr));
			json_class(f, "saddr_class", a->fam, a->saddr);
			json_src_kind(f, &a->src);
		}
		jprintf(f, ",\"result\":\"%s\",\"errno\":", result_key(a->res));
		json_errno(f, a->err);
		json_ms(f, "start_offset_ms", a->start_ns - g->first_start_ns);
		json_ms(f, "latency_ms", a->end_ns - a->start_ns);
		jprintf(f, ",\"session_failed\":%s", a->session_failed ? "true" : "false");
		jprintf(f, ",\"dropped_here\":%s", a->flags & FT_F_DROPPED_HERE ? "true" : "false");
		jprintf(f, ",\"via\":\"%s\"}", attempt_via(a));
	}
	jprintf(f, "]");
	{
		struct addr_note notes[GROUP_MAX_OFFERED];
		unsigned n = group_address_notes(p, g, notes, GROUP_MAX_OFFERED);
		char addr[64], text[400];

		jprintf(f, ",\"address_notes\":[");
		for (unsigned i = 0; i < n; i++) {
			jprintf(f, "%s{\"addr\":\"%s\"", i ? "," : "",
				fmt_addr(addr, sizeof(addr), notes[i].fam, notes[i].addr));
			json_class(f, "class", notes[i].fam, notes[i].addr);
			jprintf(f, ",\"kind\":\"%s\",\"note\":",
				notes[i].temporary ? "temporary_source"
				: notes[i].source ? "transition_source"
				: notes[i].transition ? "transition_address" : "internal_address");
			json_str(f, addr_note_text(text, sizeof(text), &notes[i]));
			putc_unlocked('}', f);
		}
		putc_unlocked(']', f);
	}
	jprintf(f, "}\n");
}

/* getaddrinfo with 2+ addresses: each address's source (from the route
 * probes) and the RFC 6724 rule behind each adjacent pair. */
static void json_order(FILE *f, const struct report_opts *o, const struct lookup *l)
{
	struct order_step steps[LOOKUP_MAX_ADDRS];
	unsigned bad, n = lookup_order(l, o->policy, steps, &bad);
	char a[64];

	if (!n)
		return;
	jprintf(f, ",\"sources\":[");
	for (unsigned i = 0; i < l->n_addrs; i++) {
		const struct lookup_src *s = &l->src[i];

		jprintf(f, "%s{\"addr\":\"%s\",\"source\":", i ? "," : "",
			fmt_addr(a, sizeof(a), l->addrs[i].fam, l->addrs[i].addr));
		if (s->state > 0) {
			jprintf(f, "\"%s\"", fmt_addr(a, sizeof(a), l->addrs[i].fam, s->addr));
			json_class(f, "source_class", l->addrs[i].fam, s->addr);
		} else {
			jprintf(f, "null");
		}
		jprintf(f, ",\"probe\":\"%s\"", s->state > 0 ? "ok" : s->state < 0 ? "failed" : "not_seen");
		if (s->state > 0 && s->deprecated >= 0)
			jprintf(f, ",\"source_deprecated\":%s", s->deprecated ? "true" : "false");
		if (s->state < 0)
		{
			jprintf(f, ",\"probe_errno\":");
			json_errno(f, s->err);
		}
		putc_unlocked('}', f);
	}
	jprintf(f, "],\"order\":[");
	for (unsigned i = 0; i < n; i++) {
		jprintf(f, "%s{\"rule\":", i ? "," : "");
		if (steps[i].rule)
			jprintf(f, "%d", steps[i].rule);
		else
			jprintf(f, "null");
		jprintf(f, ",\"why\":");
		json_str(f, steps[i].why);
		putc_unlocked('}', f);
	}
	jprintf(f, "],\"order_explained\":%s,\"policy\":", bad ? "false" : "true");
	json_str(f, o->policy ? o->policy->source : "built-in");
}

/* A lookup's DNS messages on the wire, in the order they were sent. */
static void json_wire(FILE *f, const struct lookup *l)
{
	const struct wire_x *first = wire_first_answer(l);
	char a[64];

	jprintf(f, ",\"wire\":[");
	for (unsigned i = 0; i < l->n_wire; i++) {
		const struct wire_x *x = &l->wire[i];

		jprintf(f, "%s{\"qname\":", i ? "," : "");
		json_str(f, x->qname);
		jprintf(f, ",\"qtype\":\"%s\",\"nameserver\":\"%s\",\"port\":%u,\"family\":\"%s\","
			   "\"transport\":\"%s\",\"id\":%u",
			dns_type_name(x->qtype), fmt_addr(a, sizeof(a), x->ns_fam, x->ns_addr), x->ns_port,
			x->ns_fam == FAM_V6 ? "ipv6" : "ipv4", x->tcp ? "tcp" : "udp", x->id);
		json_ms(f, "sent_ms", x->sent_ns - (x->sent_ns < l->start_ns ? x->sent_ns : l->start_ns));
		jprintf(f, ",\"answered\":%s,\"asked_again\":%s", x->answered_ns ? "true" : "false",
			x->asked_again ? "true" : "false");
		if (x->answered_ns) {
			json_ms(f, "latency_ms", x->answered_ns - x->sent_ns);
			jprintf(f, ",\"rcode\":\"%s\",\"tc\":%s,\"rd\":%s,\"ra\":%s,\"aa\":%s,"
				   "\"answers\":%u,\"addrs\":%u,\"bytes\":%u",
				dns_rcode_name(x->rcode), x->hflags & 0x0200 ? "true" : "false",
				x->hflags & 0x0100 ? "true" : "false", x->hflags & 0x0080 ? "true" : "false",
				x->hflags & 0x0400 ? "true" : "false", x->n_answers, x->n_addrs, x->size);
		}
		putc_unlocked('}', f);
	}
	jprintf(f, "],\"wire_more\":%u,\"first_answer\":", l->wire_extra);
	if (first)
		jprintf(f, "\"%s\"", dns_type_name(first->qtype));
	else
		jprintf(f, "null");
}

static void json_lookup(void *ctx, const struct proc *p, const struct lookup *l)
{
	struct report_opts *o = ctx;
	FILE *f = o->out;

	if (!report_wants(o, p))
		return;
	jprintf(f, "{\"v\":%d,\"type\":\"lookup\",\"lookup\":%" PRIu64 ",\"time\":", FT_JSON_SCHEMA,
		l->id);
	json_time(f, o, l->end_ns);
	jprintf(f, ",\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64, l->start_ns, l->end_ns);
	json_proc_id(f, p);
	jprintf(f, ",\"api\":\"%s\",\"name\":", api_name(l->api));
	json_str(f, l->name[0] ? l->name : l->dns.qname);
	jprintf(f, ",\"ret\":%d,\"failed\":%s", l->ret, l->failed ? "true" : "false");
	if (l->api <= FT_API_GETHOSTBYNAME2_R)
		jprintf(f, ",\"hint_family\":%s", l->hint_family == 2 ? "\"ipv4\"" :
			l->hint_family == 10 ? "\"ipv6\"" : l->hint_family < 0 ? "null" : "\"unspec\"");
	if (l->api == FT_API_GETADDRINFO)
		jprintf(f, ",\"hint_flags\":%d,\"hint_socktype\":%d", l->hint_flags, l->hint_socktype);
	if (l->has_dns) {
		jprintf(f, ",\"qtype\":\"%s\",\"dns_bytes\":%u,\"parsed\":%s", dns_type_name(l->qtype),
			l->dns_total, l->dns.parsed ? "true" : "false");
		if (l->dns.parsed) {
			jprintf(f, ",\"rcode\":\"%s\",\"answers\":[", dns_rcode_name(l->dns.rcode));
			for (unsigned i = 0; i < l->dns.n_rrs; i++) {
				const struct dns_rr *rr = &l->dns.rr[i];
				char a[64];

				jprintf(f, "%s{\"type\":\"%s\"", i ? "," : "", dns_type_name(rr->type));
				if (rr->type == 15)
					jprintf(f, ",\"pref\":%u,\"exchange\":", rr->pref);
				else if (rr->type == 5)
					jprintf(f, ",\"target\":");
				else {
					jprintf(f, ",\"addr\":\"%s\"",
						fmt_addr(a, sizeof(a), rr->type == 28 ? FAM_V6 : FAM_V4, rr->addr));
					json_class(f, "class", rr->type == 28 ? FAM_V6 : FAM_V4, rr->addr);
					jprintf(f, ",\"owner\":");
				}
				json_str(f, rr->target);
				putc_unlocked('}', f);
			}
			putc_unlocked(']', f);
			if (l->dns.n_ignored)
				jprintf(f, ",\"ignored_records\":%u", l->dns.n_ignored);
			if (l->dns.partial)
				jprintf(f, ",\"partial\":true,\"answers_read\":%u,\"answers_total\":%u",
					l->dns.answers_read, l->dns.n_answers);
		} else if (l->dns.header_only) {
			jprintf(f, ",\"rcode\":\"%s\",\"answers\":[]",
				l->dns.rcode || l->dns.n_answers ? dns_rcode_name(l->dns.rcode) : "NODATA");
		} else {
			jprintf(f, ",\"error\":");
			json_str(f, l->dns.error ? l->dns.error : "unknown");
		}
	}
	jprintf(f, ",\"addrs\":");
	json_offered(f, l->addrs, l->n_addrs);
	jprintf(f, ",\"more_addrs\":%s", l->more_addrs ? "true" : "false");
	json_order(f, o, l);
	json_ms(f, "latency_ms", l->end_ns - l->start_ns);
	json_wire(f, l);
	jprintf(f, "}\n");
}

void json_sink(struct sink *s, struct report_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->ctx = o;
	s->attempt = json_attempt;
	s->probe = json_probe;
	s->group = json_group;
	s->lookup = json_lookup;
}

static void json_fam_stats(FILE *f, const struct fam_stats *s)
{
	jprintf(f, "{\"tried\":%" PRIu64 ",\"connected\":%" PRIu64, s->tried, s->connected);
	jprintf(f, ",\"results\":{");
	for (int r = 0, first = 1; r < RES_N; r++)
		if (s->res[r]) {
			jprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", result_key(r), s->res[r]);
			first = 0;
		}
	jprintf(f, "}");
	if (s->lat_n) {
		json_ms(f, "latency_avg_ms", s->lat_sum_ns / s->lat_n);
		json_ms(f, "latency_min_ms", s->lat_min_ns);
		json_ms(f, "latency_max_ms", s->lat_max_ns);
	}
	jprintf(f, ",\"probes_ok\":%" PRIu64 ",\"probes_failed\":%" PRIu64 ",\"dns_sockets_ok\":%" PRIu64
		   ",\"dns_sockets_failed\":%" PRIu64 "}",
		s->probes_ok, s->probes_failed, s->dns_ok, s->dns_failed);
}

void json_report(struct report_opts *o, struct correlator *c, uint64_t now_ns)
{
	static const char *why_keys[] = { "unknown", "all", "comm", "port", "pid", "parent" };
	static const struct source_stats none;
	const struct source_stats *st = o->stats ? o->stats : &none;
	struct proc **procs;
	size_t n = correlator_procs(c, &procs), shown = 0;
	FILE *f = o->out;
	struct wire_stats ws;

	correlator_wire_stats(c, &ws);
	bool by_message = o->mlog && msg_filter_active(&o->filter);

	for (size_t i = 0; i < n; i++) {
		const struct proc *p = procs[i];

		if (!proc_active(p))
			continue;
		shown++;
		if (by_message)
			continue; /* asked by message: the messages are the output */
		jprintf(f, "{\"v\":%d,\"type\":\"process\"", FT_JSON_SCHEMA);
		json_proc_id(f, p);
		jprintf(f, ",\"first_comm\":");
		json_str(f, p->first_comm);
		json_place(f, c, p);
		json_network(f, p);
		jprintf(f, ",\"traced_as\":\"%s\",\"exited\":%s",
			p->why < sizeof(why_keys) / sizeof(why_keys[0]) ? why_keys[p->why] : "unknown",
			p->exited ? "true" : "false");
		if (p->folded)
			jprintf(f, ",\"folded\":%" PRIu64, p->folded);
		else if (p->exited && (p->exit_code & 0x7f))
			jprintf(f, ",\"exit_status\":null,\"exit_signal\":%d", p->exit_code & 0x7f);
		else if (p->exited)
			jprintf(f, ",\"exit_status\":%d,\"exit_signal\":null", (p->exit_code >> 8) & 0xff);
		jprintf(f, ",\"ipv4\":");
		json_fam_stats(f, &p->fam[FAM_V4]);
		jprintf(f, ",\"ipv6\":");
		json_fam_stats(f, &p->fam[FAM_V6]);
		jprintf(f, ",\"sources\":[");
		for (unsigned k = 0; k < p->n_srcs; k++) {
			char sa[64];

			jprintf(f, "%s{\"family\":\"%s\",\"addr\":\"%s\"", k ? "," : "",
				p->srcs[k].fam == FAM_V6 ? "ipv6" : "ipv4",
				fmt_addr(sa, sizeof(sa), p->srcs[k].fam, p->srcs[k].addr));
			json_class(f, "class", p->srcs[k].fam, p->srcs[k].addr);
			jprintf(f, ",\"attempts\":%" PRIu64, p->srcs[k].attempts);
			if (src_kind_origin(&p->srcs[k].kind))
				jprintf(f, ",\"origin\":\"%s\",\"temporary\":%s,\"deprecated\":%s",
					src_kind_origin(&p->srcs[k].kind),
					p->srcs[k].kind.flags & 0x01 ? "true" : "false",
					p->srcs[k].kind.flags & 0x20 ? "true" : "false");
			putc_unlocked('}', f);
		}
		jprintf(f, "],\"sources_more\":%" PRIu64, p->srcs_more);
		jprintf(f, ",\"groups\":{");
		for (int k = 0; k < GC_N; k++)
			jprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", group_class_key(k), p->groups[k]);
		jprintf(f, "},\"lookups\":{\"total\":%" PRIu64 ",\"failed\":%" PRIu64
			   ",\"asked_a\":%" PRIu64 ",\"asked_aaaa\":%" PRIu64 ",\"asked_mx\":%" PRIu64
			   ",\"gai_unspec\":%" PRIu64 ",\"gai_inet\":%" PRIu64 ",\"gai_inet6\":%" PRIu64 ",\"gai_literal\":%" PRIu64,
			p->lookups_total, p->lookups_failed, p->asked_a, p->asked_aaaa, p->asked_mx,
			p->gai_unspec, p->gai_inet, p->gai_inet6, p->gai_literal);
		jprintf(f, ",\"wire_only\":%s", lookups_wire_only(p) ? "true" : "false");
		if (p->lookups_total) {
			enum wire_fam slow = lookup_slow_family(p->wait);

			json_ms(f, "latency_avg_ms", p->lookup_lat_sum_ns / p->lookups_total);
			json_ms(f, "latency_max_ms", p->lookup_lat_max_ns);
			jprintf(f, ",\"time\":{");
			for (int k = 0; k < LW_N; k++) {
				jprintf(f, "%s\"%s\":{\"n\":%" PRIu64, k ? "," : "", lookup_wait_key(k),
					p->wait[k].n);
				json_ms(f, "total_ms", p->wait[k].sum_ns);
				json_ms(f, "max_ms", p->wait[k].max_ns);
				putc_unlocked('}', f);
			}
			putc_unlocked('}', f);
			if (slow != FAM_N)
				json_fam(f, "slow_family", slow);
			else
				jprintf(f, ",\"slow_family\":null");
		}
		jprintf(f, "},\"fallbacks_from_ipv6\":%u,\"fallbacks_from_ipv4\":%u,"
			   "\"first_answer_races\":%" PRIu64,
			p->fallback_fam_from[FAM_V6], p->fallback_fam_from[FAM_V4], p->races);
		if (p->groups[GC_FALLBACK]) {
			json_ms(f, "fallback_time_lost_avg_ms",
				p->fallback_cost_sum_ns / p->groups[GC_FALLBACK]);
			json_ms(f, "fallback_time_lost_max_ms", p->fallback_cost_max_ns);
		}
		jprintf(f, "}\n");
	}
	{
		const struct order_name *on;
		size_t no = by_message ? 0 : correlator_orders(c, &on);

		for (size_t i = 0; i < no; i++) {
			const char *v = order_name_verdict(&on[i]);
			char a[64];

			jprintf(f, "{\"v\":%d,\"type\":\"order\",\"name\":", FT_JSON_SCHEMA);
			json_str(f, on[i].name);
			json_fam(f, "family", on[i].fam);
			jprintf(f, ",\"lookups\":%" PRIu64 ",\"rule9_first\":%" PRIu64 ",\"addrs\":[",
				on[i].lookups, on[i].rule9_first);
			for (unsigned k = 0; k < on[i].n_addrs; k++) {
				jprintf(f, "%s{\"addr\":\"%s\"", k ? "," : "",
					fmt_addr(a, sizeof(a), on[i].fam, on[i].addrs[k].addr));
				json_class(f, "class", on[i].fam, on[i].addrs[k].addr);
				jprintf(f, ",\"first\":%" PRIu64 ",\"seen\":%" PRIu64 "}",
					on[i].addrs[k].first, on[i].addrs[k].seen);
			}
			jprintf(f, "],\"verdict\":");
			json_str_or_null(f, v);
			jprintf(f, "}\n");
		}
	}
	if (o->mlog)
		json_messages(o, c);
	jprintf(f, "{\"v\":%d,\"type\":\"summary\",\"time\":", FT_JSON_SCHEMA);
	json_time(f, o, now_ns);
	json_ms(f, "duration_ms", now_ns > o->t0_ns ? now_ns - o->t0_ns : 0);
	jprintf(f, ",\"processes\":%zu,\"events\":%" PRIu64 ",\"lost\":%" PRIu64
		   ",\"track_full\":%" PRIu64 ",\"pending_full\":%" PRIu64 ",\"malformed\":%" PRIu64
		   ",\"cut\":%" PRIu64 ",\"recording_stopped\":%" PRIu64 ",\"recording_missed\":%" PRIu64
		   ",\"missing_parts\":%" PRIu64 ",\"stale\":%" PRIu64 ",\"procs_full\":%" PRIu64 ",\"unread\":%" PRIu64 ",\"dns_over_budget\":{\"traced\":%" PRIu64
		   ",\"untraced\":%" PRIu64 "},\"in_progress\":%" PRIu64
		   ",\"details_dropped\":{\"groups\":%" PRIu64 ",\"lookups\":%" PRIu64 "}"
		   ",\"dns_wire\":{\"captured\":%s,\"messages\":%" PRIu64 ",\"unowned\":%" PRIu64
		   ",\"unmatched\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"unclaimed\":%" PRIu64 "}",
		shown, correlator_events(c), st->lost, st->track_full, st->pending_full, st->malformed,
		st->cut, st->rec_stopped, st->rec_missed, st->missing_parts, st->stale, st->procs_full, st->unread, st->dns_over_traced,
		st->dns_over_other, st->in_progress,
		correlator_dropped_groups(c), correlator_dropped_lookups(c),
		st->no_dns_wire ? "false" : "true", ws.messages, ws.unowned, ws.unmatched, ws.dropped,
		ws.unclaimed);
	if (o->mlog)
		jprintf(f, ",\"maillog\":{\"lines\":%" PRIu64 ",\"mta_lines\":%" PRIu64
			   ",\"ignored_lines\":%" PRIu64 ",\"foreign_entries\":%" PRIu64
			   ",\"dropped_messages\":%" PRIu64 "}",
			o->mlog->lines, o->mlog->lines_mta, o->mlog->lines_bad, o->mlog->lines_foreign,
			o->mlog->dropped_messages);
	/* Outbound port 25 that looks blocked, by family (core/egress.c). */
	jprintf(f, ",\"port25_blocked\":[");
	for (int fam = 0, k = 0; fam < FAM_N; fam++) {
		struct egress_block b;

		correlator_egress(c, fam, &b);
		if (!b.blocked)
			continue;
		jprintf(f, "%s{\"family\":\"%s\",\"attempts\":%" PRIu64 ",\"hosts\":%u,\"dropped_here\":%" PRIu64
			   ",\"works\":",
			k++ ? "," : "", fam == FAM_V4 ? "ipv4" : "ipv6", b.attempts, b.hosts, b.dropped_here);
		json_str(f, b.works);
		jprintf(f, "}");
	}
	jprintf(f, "]");
	jprintf(f, ",\"place_filter\":");
	json_str_or_null(f, o->place);
	jprintf(f, ",\"connect_errno\":%s%s%s,\"complete\":%s}\n",
		st->connect_errno[0] ? "\"" : "", st->connect_errno[0] ? st->connect_errno : "null",
		st->connect_errno[0] ? "\"" : "", source_complete(st) ? "true" : "false");
	fflush(f);
}
