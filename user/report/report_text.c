// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report_text.c - famtrace's output for a person at a terminal: one line per
 * attempt as its outcome becomes known, and a per-process report at the end.
 * Reads the correlator's facts; never changes them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "report/report.h"
#include "report/report_int.h"
#include "lib/addrclass.h"
#include "lib/wrapout.h"

/* -T: the live lines' times are the time of day; the day and the zone are
 * said on a line of their own, first and whenever the day changes. */
static void live_day(struct report_opts *o, uint64_t ts_ns)
{
	static char last[16];
	time_t secs;
	struct tm tm;
	char day[16], zone[64];

	if (!o->wall_time)
		return;
	secs = (time_t)(((int64_t)ts_ns + o->boot_to_real_ns) / 1000000000LL);
	localtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (!strcmp(day, last))
		return;
	strftime(zone, sizeof(zone), "%Z, UTC%z", &tm);
	fprintf(o->out, "--- %s %s (%s) ---\n", day,
		(const char *[]){ "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
				  "Saturday" }[tm.tm_wday % 7],
		zone);
	snprintf(last, sizeof(last), "%s", day);
}

/*
 * The event table's columns. The wide layout (--wide, or 121 columns and
 * more) is the one famtrace always had; the default fits 100 columns with
 * narrower destination and result columns, a destination too long for its
 * column puts the result on a line of its own, and longer text continues
 * under the text column (text_open folds it there).
 */
struct cols {
	int tw, dw, rw; /* time, destination, result */
	size_t text;	/* where the destination (or a row's text) starts */
};

static bool wide_rows(const struct report_opts *o)
{
	return !o->width || o->width >= 121;
}

static struct cols cols_of(const struct report_opts *o)
{
	struct cols c = { 12, 40, 30, 0 };

	if (!wide_rows(o))
		c = (struct cols){ o->wall_time ? 12 : 9, 30, 22, 0 };
	c.text = (size_t)c.tw + 1 + 8 + 16 + 5;
	return c;
}

/* Spaces up to the text column: continuations of a row. */
static const char *text_indent(const struct report_opts *o)
{
	static const char spaces[] = "                                                  ";
	size_t t = cols_of(o).text;

	return spaces + (sizeof(spaces) - 1 - (t < sizeof(spaces) ? t : sizeof(spaces) - 1));
}

/* TIME PID COMM FAM, up to the text column. */
static void row_lead(const struct report_opts *o, const char *when, const struct proc *p,
		     const char *fam)
{
	fprintf(o->out, "%-*s %-7u %-15s %-4s ", cols_of(o).tw, when, p->tgid, fmt_safe(p->comm), fam);
}

/* The folding stream's hang for a row: its text column. */
static size_t row_hang(const char *s, size_t n, void *arg)
{
	static const char *const fams[] = { "IPv4", "IPv6", "DNS ", "----" };
	size_t t = cols_of(arg).text;

	if (!n || s[0] == ' ' || n <= t || s[t - 1] != ' ')
		return 0;
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (!memcmp(s + t - 5, fams[i], 4))
			return t;
	return 0;
}

int text_open(struct report_opts *o)
{
	FILE *f;

	if (!o->width || o->under)
		return 0;
	f = wrapout_open(o->out, o->width, row_hang, o);
	if (!f)
		return -1;
	o->under = o->out;
	o->out = f;
	return 0;
}

void text_close(struct report_opts *o)
{
	if (!o->under)
		return;
	fclose(o->out);
	o->out = o->under;
	o->under = NULL;
}

/* In the narrow layout, a row's destination, result and the rest: in their
 * columns when they fit, else the result unaligned after the destination,
 * else the result under the destination, on a line of its own. */
static void row_narrow(const struct report_opts *o, const char *dst, const char *res,
		       const char *rest)
{
	struct cols c = cols_of(o);
	char line[1024];

	snprintf(line, sizeof(line), "%-*s %-*s %s", c.dw, dst, c.rw, res, rest);
	if (c.text + strlen(line) <= o->width) {
		fprintf(o->out, "%s\n", line);
		return;
	}
	snprintf(line, sizeof(line), "%-*s %s%s%s", c.dw, dst, res, rest[0] ? "  " : "", rest);
	if (c.text + strlen(line) <= o->width)
		fprintf(o->out, "%s\n", line);
	else
		fprintf(o->out, "%s\n%s%s%s%s\n", dst, text_indent(o), res, rest[0] ? "  " : "", rest);
}

static void text_lookup(void *ctx, const struct proc *p, const struct lookup *l)
{
	struct report_opts *o = ctx;
	char when[32], q[200], a[400], d[32];

	if (!report_wants(o, p))
		return;
	live_day(o, l->end_ns);
	fmt_when(when, sizeof(when), o, l->end_ns);
	row_lead(o, when, p, "DNS");
	fprintf(o->out, "%s -> %s  %s\n", fmt_lookup_question(q, sizeof(q), l),
		fmt_lookup_answer(a, sizeof(a), l), fmt_dur(d, sizeof(d), l->end_ns - l->start_ns));
	print_order(o->out, o, l, text_indent(o));
	print_wire(o->out, l, text_indent(o));
}

void text_header(struct report_opts *o)
{
	struct cols c = cols_of(o);

	fprintf(o->out, "%-*s %-7s %-15s %-4s %-*s %-*s %s\n", c.tw, o->wall_time ? "TIME" : "TIME(s)",
		"PID", "COMM", "FAM", c.dw, "DESTINATION", c.rw, "RESULT", "LATENCY");
	fflush(o->out);
}

static void text_attempt(void *ctx, const struct proc *p, const struct attempt *a,
			 const struct group *g)
{
	struct report_opts *o = ctx;
	char when[32], dst[220], res[96], lat[32], d[32], rest[160];

	if (!report_wants(o, p))
		return;
	live_day(o, a->end_ns);
	fmt_when(when, sizeof(when), o, a->end_ns);
	fmt_host_endpoint(dst, sizeof(dst), p, a);
	if (a->v4mapped)
		strncat(dst, " (v4-mapped)", sizeof(dst) - strlen(dst) - 1);
	fmt_result(res, sizeof(res), a);
	fmt_dur(lat, sizeof(lat), a->end_ns - a->start_ns);
	snprintf(rest, sizeof(rest), "%s", lat);
	if (g->winner >= 0 && &g->at[g->winner] == a) {
		size_t n = strlen(rest);

		if (g->cls == GC_FALLBACK)
			snprintf(rest + n, sizeof(rest) - n, "  FALLBACK %s->%s, %s lost",
				 fam_name(g->from_fam), fam_name(g->to_fam),
				 fmt_dur(d, sizeof(d), g->cost_ns));
		else if (g->cls == GC_RETRIED)
			snprintf(rest + n, sizeof(rest) - n, "  after %u failed, %s lost", g->n - 1,
				 fmt_dur(d, sizeof(d), g->cost_ns));
	}
	row_lead(o, when, p, fam_name(a->fam));
	if (wide_rows(o))
		fprintf(o->out, "%-40s %-30s %s\n", dst, res, rest);
	else
		row_narrow(o, dst, res, rest);
}

static void text_probe(void *ctx, const struct proc *p, const struct attempt *a)
{
	struct report_opts *o = ctx;
	char when[32], dst[64], res[200];

	if (!report_wants(o, p))
		return;
	/* A UDP connect that worked is said with -v only; to a nameserver
	 * port it is the resolver's socket, not a route probe. */
	if (!a->err && !o->verbose)
		return;
	live_day(o, a->end_ns);
	fmt_when(when, sizeof(when), o, a->end_ns);
	fmt_endpoint(dst, sizeof(dst), a->fam, a->daddr, a->dport);
	if (a->dns) {
		snprintf(res, sizeof(res), "DNS socket to a nameserver: %s (UDP)",
			 a->err ? errno_name(a->err) : "ok");
	} else if (a->err) {
		snprintf(res, sizeof(res), "route probe: %s (UDP)", errno_name(a->err));
	} else {
		char src[64];

		snprintf(res, sizeof(res), "route probe: ok, source %s%s (UDP)",
			 fmt_addr(src, sizeof(src), a->fam, a->saddr), class_tag(a->fam, a->saddr));
	}
	row_lead(o, when, p, fam_name(a->fam));
	if (wide_rows(o))
		fprintf(o->out, "%-40s %s\n", dst, res);
	else
		row_narrow(o, dst, res, "");
}

static void text_group(void *ctx, const struct proc *p, const struct group *g)
{
	struct report_opts *o = ctx;
	char when[32], d[32];

	if (!report_wants(o, p))
		return;
	char dest[300], un[1400];

	live_day(o, g->decided_ns);
	fmt_when(when, sizeof(when), o, g->decided_ns);
	fmt_dest(dest, sizeof(dest), g);
	if (g->service) {
		/* Not a delivery: said as such, and only when it failed. */
		if (g->cls == GC_ALL_FAILED || g->cls == GC_NO_FALLBACK) {
			row_lead(o, when, p, "----");
			fprintf(o->out, "%s: not a delivery (port %u is not a mail port%s): %u attempt%s "
					"failed\n",
				dest, g->dport, g->dport == 113 ? "; ident, RFC 1413" : "",
				g->n + g->n_extra, g->n + g->n_extra == 1 ? "" : "s");
		}
		return;
	}
	if (g->race) {
		/* Said whatever the outcome: its family is chance. */
		char r[400];

		row_lead(o, when, p, "----");
		fprintf(o->out, "%s: %s\n", dest, race_text(r, sizeof(r), g));
	}
	switch (g->cls) {
	case GC_ALL_FAILED:
		row_lead(o, when, p, "----");
		fprintf(o->out, "%s: all %u attempt%s failed over %s\n", dest, g->n + g->n_extra,
			g->n + g->n_extra == 1 ? "" : "s",
			fmt_dur(d, sizeof(d), g->last_end_ns - g->first_start_ns));
		break;
	case GC_NO_FALLBACK:
		row_lead(o, when, p, "----");
		fprintf(o->out, "%s: NO FALLBACK: %s failed, %s %s never tried\n", dest,
			fam_name(g->from_fam), fam_name(g->to_fam),
			fmt_untried(un, sizeof(un), g));
		break;
	case GC_FAMILY_UNREACHABLE:
		row_lead(o, when, p, "----");
		fprintf(o->out, "%s: FAMILY UNREACHABLE: only %s (%s), which this process never tries\n",
			dest, fam_name(g->to_fam), fmt_untried(un, sizeof(un), g));
		break;
	case GC_NO_USABLE_ADDRESS:
		row_lead(o, when, p, "----");
		fprintf(o->out, "%s: NO USABLE ADDRESS: %s no %s address%s%s%s\n", dest,
			g->mx_domain[0] ? "its MX hosts have" : "no MX records, and the domain itself has",
			g->asked_mask == 3 ? "IPv4 or IPv6" : fam_name(g->asked_mask & 1 ? FAM_V4 : FAM_V6),
			g->asked_mask == 3 ? "" : "; ", g->asked_mask == 3 ? "" : fam_name(g->to_fam),
			g->asked_mask == 3 ? "" : " was never asked");
		break;
	default:
		return; /* successes were annotated on the attempt line */
	}
}

void text_sink(struct sink *s, struct report_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->ctx = o;
	s->attempt = text_attempt;
	s->probe = text_probe;
	s->group = text_group;
	s->lookup = text_lookup;
}

/*
 * Time spent waiting for lookups, by the families they asked (a lookup's
 * time is a delivery's cost too), and a family whose lookups are slow.
 */
static void report_lookup_wait(struct report_opts *o, const struct proc *p)
{
	static const char *const what[LW_N] = { "IPv4 only (A)", "IPv6 only (AAAA)",
						"both families", "other (MX, ...)",
						"of which A answers on the wire",
						"AAAA answers on the wire" };
	enum wire_fam slow = lookup_slow_family(p->wait);
	char a[32], b[32], st[160];
	bool first = true;

	fprintf(o->out, "  lookup time:");
	for (int k = 0; k < LW_N; k++) {
		if (!p->wait[k].n)
			continue;
		fprintf(o->out, "%s %s %s in %" PRIu64 " (slowest %s)", first ? "" : ";", what[k],
			fmt_dur(a, sizeof(a), p->wait[k].sum_ns), p->wait[k].n,
			fmt_dur(b, sizeof(b), p->wait[k].max_ns));
		first = false;
	}
	fputc('\n', o->out);
	if (slow != FAM_N)
		fprintf(o->out, "  SLOW %s LOOKUPS: %s: an unanswered query waits for the resolver's "
				"timeout (resolv.conf options timeout:N attempts:N); look for the "
				"nameserver or middlebox that drops %s queries%s\n",
			fam_name(slow), lookup_slow_text(p->wait, slow, st, sizeof(st)),
			slow == FAM_V4 ? "A" : "AAAA",
			p->wait[LW_WIRE_V4].n || p->wait[LW_WIRE_V6].n
				? "; A and AAAA left together from one socket: if a firewall or NAT "
				  "drops one of such a pair, resolv.conf options single-request-reopen "
				  "(or single-request) sends them one after the other"
				: "");
}

static void report_proc(struct report_opts *o, struct correlator *c, const struct proc *p)
{
	/* Why it was traced, as a reason: never a bare "pid". */
	static const char *why_names[] = { "for a reason not recorded", "every process (--all)",
					   "a mail program's name", "a connect to a mail port",
					   "named by pid (-p, or the command run)",
					   "its parent was traced" };
	const struct proc *parent = correlator_find(c, p->ppid);
	char a[32], b[32], place[320];
	uint64_t ngroups = 0;

	if (p->folded) {
		fprintf(o->out, "\n%s: %" PRIu64 " exited processes, summarised (latest destinations "
				"shown)\n", fmt_safe(p->comm), p->folded);
		goto stats;
	}
	fprintf(o->out, "\n%s[%u]", fmt_safe(p->comm), p->tgid);
	if (strcmp(p->comm, p->first_comm))
		fprintf(o->out, " (was %s)", fmt_safe(p->first_comm));
	if (parent && parent != p)
		fprintf(o->out, "  parent %s[%u]", fmt_safe(parent->comm), parent->tgid);
	else
		fprintf(o->out, "  parent pid %u", p->ppid);
	fprintf(o->out, "  uid %u  traced: %s", p->uid,
		why_names[p->why < sizeof(why_names) / sizeof(why_names[0]) ? p->why : 0]);
	if (p->exited && (p->exit_code & 0x7f))
		fprintf(o->out, "  killed by signal %d", p->exit_code & 0x7f);
	else if (p->exited)
		fprintf(o->out, "  exited %d", (p->exit_code >> 8) & 0xff);
	fputc('\n', o->out);
	if (fmt_place(place, sizeof(place), c, p)[0])
		fprintf(o->out, "  runs in %s\n", place);
	text_network(o->out, c, p, "  ");
stats:
	for (int f = 0; f < FAM_N; f++) {
		const struct fam_stats *s = &p->fam[f];

		if (!s->tried && !s->probes_ok && !s->probes_failed && !s->dns_ok && !s->dns_failed)
			continue;
		fprintf(o->out, "  %s: %" PRIu64 " tried, %" PRIu64 " connected", fam_name(f),
			s->tried, s->connected);
		for (int r = RES_REFUSED; r < RES_N; r++)
			if (s->res[r])
				fprintf(o->out, ", %" PRIu64 " %s", s->res[r], result_name(r));
		if (s->lat_n)
			fprintf(o->out, "; connect latency avg %s, max %s",
				fmt_dur(a, sizeof(a), s->lat_sum_ns / s->lat_n),
				fmt_dur(b, sizeof(b), s->lat_max_ns));
		if (s->probes_ok || s->probes_failed) {
			fprintf(o->out, "; route probes %" PRIu64 " ok, %" PRIu64 " failed",
				s->probes_ok, s->probes_failed);
			if (s->probes_failed)
				fprintf(o->out, " (%s)", errno_name(s->last_probe_err));
		}
		if (s->dns_ok || s->dns_failed)
			fprintf(o->out, "; DNS sockets %" PRIu64 " ok, %" PRIu64 " failed", s->dns_ok,
				s->dns_failed);
		fputc('\n', o->out);
	}
	if (p->n_srcs) {
		fprintf(o->out, "  sources:");
		for (unsigned i = 0; i < p->n_srcs; i++) {
			const struct proc_src *s = &p->srcs[i];
			char sa[64];

			fprintf(o->out, "%s %s%s", i ? "," : "", fmt_addr(sa, sizeof(sa), s->fam, s->addr),
				class_tag(s->fam, s->addr));
			if (src_kind_origin(&s->kind))
				fprintf(o->out, " (%s%s on %s)", s->kind.flags & 0x20 ? "deprecated " : "",
					src_kind_origin(&s->kind), fmt_safe(s->kind.ifname));
			fprintf(o->out, " %" PRIu64 " attempt%s%s", s->attempts, s->attempts == 1 ? "" : "s",
				s->kind.found && (s->kind.flags & 0x01) ? " TEMPORARY ADDRESS" : "");
		}
		if (p->srcs_more)
			fprintf(o->out, ", %" PRIu64 " more from other sources", p->srcs_more);
		fputc('\n', o->out);
	}
	if (p->lookups_total) {
		fprintf(o->out, "  lookups: %" PRIu64 " (", p->lookups_total);
		for (int k = 1, first = 1; k <= FT_API_MAX; k++)
			if (p->lookups_by_api[k]) {
				fprintf(o->out, "%s%s %" PRIu64, first ? "" : ", ", api_name(k),
					p->lookups_by_api[k]);
				first = 0;
			}
		fprintf(o->out, "), %" PRIu64 " failed, avg %s", p->lookups_failed,
			fmt_dur(a, sizeof(a), p->lookup_lat_sum_ns / p->lookups_total));
		if (p->gai_unspec || p->gai_inet || p->gai_inet6)
			fprintf(o->out, "; getaddrinfo asked AF_UNSPEC %" PRIu64 ", AF_INET %" PRIu64
					", AF_INET6 %" PRIu64, p->gai_unspec, p->gai_inet, p->gai_inet6);
		if (p->gai_literal)
			fprintf(o->out, "; %" PRIu64 " address literal(s) (no question asked)", p->gai_literal);
		if (p->asked_a || p->asked_aaaa || p->asked_mx || p->asked_other)
			fprintf(o->out, "; asked A %" PRIu64 ", AAAA %" PRIu64 ", MX %" PRIu64
					", other %" PRIu64, p->asked_a, p->asked_aaaa, p->asked_mx, p->asked_other);
		fputc('\n', o->out);
		if (lookups_wire_only(p))
			fprintf(o->out, "  lookups seen on the wire only: no resolver probe saw a call of this "
					"process (its C library is not one famtrace probed: a container image's "
					"own, one that appeared after famtrace started, or a resolver of its own); "
					"names and answers are from its DNS messages, the calls' bounds and "
					"getaddrinfo's order are not seen\n");
		report_lookup_wait(o, p);
	}
	for (int k = 0; k < GC_N; k++)
		ngroups += p->groups[k];
	if (!ngroups && !p->service_groups)
		return;
	if (p->service_groups)
		fprintf(o->out, "  other connections: %" PRIu64 " to ports that are not mail ports "
				"(ident, ...): not deliveries, listed last\n", p->service_groups);
	if (!ngroups)
		goto listing;
	fprintf(o->out, "  destinations: %" PRIu64 " connected first time, %" PRIu64
			" fallback, %" PRIu64 " retried, %" PRIu64 " all failed, %" PRIu64
			" NO FALLBACK, %" PRIu64 " family unreachable\n",
		p->groups[GC_CONNECTED_FIRST], p->groups[GC_FALLBACK], p->groups[GC_RETRIED],
		p->groups[GC_ALL_FAILED], p->groups[GC_NO_FALLBACK], p->groups[GC_FAMILY_UNREACHABLE]);
	if (p->groups[GC_NO_USABLE_ADDRESS])
		fprintf(o->out, "  destinations with no usable address: %" PRIu64 "\n",
			p->groups[GC_NO_USABLE_ADDRESS]);
	if (p->groups[GC_FALLBACK])
		fprintf(o->out, "  fallbacks: %u from IPv6, %u from IPv4; time lost avg %s, max %s\n",
			p->fallback_fam_from[FAM_V6], p->fallback_fam_from[FAM_V4],
			fmt_dur(a, sizeof(a), p->fallback_cost_sum_ns / p->groups[GC_FALLBACK]),
			fmt_dur(b, sizeof(b), p->fallback_cost_max_ns));

listing:
	if (p->groups_dropped || p->lookups_dropped)
		fprintf(o->out, "  (memory bound: %" PRIu64 " older destinations and %" PRIu64
				" lookups of this process are counted above but no longer shown)\n",
			p->groups_dropped, p->lookups_dropped);
	/* Groups that were not a plain success, oldest first, bounded. */
	const struct group *shown[PROC_MAX_DONE_GROUPS];
	unsigned n = 0;

	for (const struct group *g = p->done; g && n < PROC_MAX_DONE_GROUPS; g = g->next)
		if (!g->service && (g->cls != GC_CONNECTED_FIRST || o->verbose))
			shown[n++] = g;
	while (n > 0)
		text_group_detail(o, p, shown[--n], "");
	for (const struct group *g = p->done; g && n < PROC_MAX_DONE_GROUPS; g = g->next)
		if (g->service)
			shown[n++] = g;
	while (n > 0)
		text_group_detail(o, p, shown[--n], "");
}

/*
 * Over the run, names whose getaddrinfo results held several addresses of a
 * family: which address came first how often, and the verdict when RFC 6724
 * rule 9 pinned one first (DNS round robin then spreads nothing).
 */
static void report_orders(struct report_opts *o, struct correlator *c)
{
	const struct order_name *on;
	size_t n = correlator_orders(c, &on);
	bool header = false;

	for (size_t i = 0; i < n; i++) {
		const struct order_name *x = &on[i];
		const char *v = order_name_verdict(x);
		char a[64];

		if (!v || (!strcmp(v, "rotating") && !o->verbose))
			continue;
		if (!header)
			fprintf(o->out, "\naddress order (getaddrinfo, RFC 6724; policy %s):\n",
				o->policy ? o->policy->source : "built-in");
		header = true;
		fprintf(o->out, "  %s %s: %" PRIu64 " lookups;", fmt_safe(x->name), fam_name(x->fam),
			x->lookups);
		for (unsigned k = 0; k < x->n_addrs; k++)
			fprintf(o->out, "%s %s first %" PRIu64 " of %" PRIu64, k ? "," : "",
				fmt_addr(a, sizeof(a), x->fam, x->addrs[k].addr), x->addrs[k].first,
				x->addrs[k].seen);
		if (!strcmp(v, "rule9_pinned"))
			fprintf(o->out, "\n    ROUND ROBIN DEFEATED BY RULE 9: the address sharing the longest "
					"prefix with the source (%u bits) is always first, whatever order DNS "
					"gives\n", x->rule9_bits);
		else
			fprintf(o->out, "\n    the first address rotates\n");
	}
}

/*
 * The answer first: one line under the report's head that says which
 * address-family problems were seen, most severe first, with where (up to
 * three destinations each), or that none were: the blocks below hold the
 * detail. Counted over every process, folded summaries included.
 */
static void text_problems(struct report_opts *o, struct proc **procs, size_t n)
{
	static const struct {
		enum group_class cls;
		const char *one, *many;
	} order[] = {
		{ GC_NO_FALLBACK, "NO FALLBACK", "NO FALLBACK" },
		{ GC_NO_USABLE_ADDRESS, "no usable address", "no usable address" },
		{ GC_FAMILY_UNREACHABLE, "family unreachable", "family unreachable" },
		{ GC_FIRST_ANSWER_EMPTY, "first answer empty, nothing tried", "first answer empty, nothing tried" },
		{ GC_ALL_FAILED, "all failed", "all failed" },
		{ GC_FALLBACK, "fallback", "fallbacks" },
	};
	bool any = false;

	fprintf(o->out, "problems:");
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		uint64_t count = 0, lost = 0;
		unsigned shown = 0;

		for (size_t i = 0; i < n; i++) {
			count += procs[i]->groups[order[k].cls];
			if (order[k].cls == GC_FALLBACK)
				lost += procs[i]->fallback_cost_sum_ns;
		}
		if (!count)
			continue;
		fprintf(o->out, "%s %" PRIu64 " %s", any ? ";" : "", count, count == 1 ? order[k].one : order[k].many);
		if (order[k].cls == GC_FALLBACK) {
			char d[32];

			fprintf(o->out, " costing %s", fmt_dur(d, sizeof(d), lost));
		}
		for (size_t i = 0; i < n && shown < 3; i++) {
			const struct proc *p = procs[i];

			if (p->folded)
				continue;
			for (const struct group *g = p->done; g && shown < 3; g = g->next)
				if (g->cls == order[k].cls) {
					fprintf(o->out, "%s%s[%u] ", shown++ ? ", " : " (", fmt_safe(p->comm), p->tgid);
					if (g->name[0])
						fprintf(o->out, "%s", fmt_safe(g->name));
					else
						fprintf(o->out, "port %u", g->dport);
				}
		}
		if (shown)
			fputc(')', o->out);
		any = true;
	}
	fprintf(o->out, "%s\n", any ? "" : " no address-family problems seen");
}

/* A report-level note ("NOTE: ...", "WARNING: ..."): one line, folded
 * under its label by text_open's stream (unfolded with --wide). */
static void say_note(const struct report_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say_note(const struct report_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(o->out, fmt, ap);
	va_end(ap);
	fputc('\n', o->out);
}

void text_report(struct report_opts *o, struct correlator *c, uint64_t now_ns)
{
	static const struct source_stats none;
	const struct source_stats *st = o->stats ? o->stats : &none;
	struct proc **procs;
	size_t n = correlator_procs(c, &procs), shown = 0;
	char d[32], gaps[512];

	for (size_t i = 0; i < n; i++)
		if (proc_active(procs[i]))
			shown++;
	fprintf(o->out, "\n=== famtrace report: %s traced, %zu process%s with connects or lookups, %" PRIu64
			" events, %" PRIu64 " lost ===\n",
		fmt_dur(d, sizeof(d), now_ns > o->t0_ns ? now_ns - o->t0_ns : 0), shown,
		shown == 1 ? "" : "es", correlator_events(c), st->lost);
	if (o->wall_time) {
		/* -T: the times below are the time of day, in this zone, from
		 * the day the trace started. */
		time_t secs = (time_t)(((int64_t)o->t0_ns + o->boot_to_real_ns) / 1000000000LL);
		struct tm tm;
		char from[64];

		localtime_r(&secs, &tm);
		strftime(from, sizeof(from), "%Y-%m-%d %H:%M:%S %Z (UTC%z)", &tm);
		fprintf(o->out, "times: local time of day; the trace started %s\n", from);
	}
	if (o->place)
		fprintf(o->out, "shown: only the processes that ran in %s (--container or --unit), and the "
				"MTA's log joined to them alone\n", fmt_safe(o->place));
	text_problems(o, procs, n);
	for (int f = 0; f < FAM_N; f++) {
		struct egress_block b;

		correlator_egress(c, f, &b);
		if (b.blocked && b.dropped_here == b.attempts)
			say_note(o, "WARNING: outbound port 25 over %s is dropped by this host's firewall: "
				    "netfilter dropped the SYNs of all %" PRIu64 " attempt(s) to %u host(s), "
				    "while %s", fam_name(f), b.attempts, b.hosts, b.works);
		else if (b.blocked)
			say_note(o, "WARNING: outbound port 25 over %s looks blocked: %" PRIu64 " attempt(s) "
				    "to %u host(s) went unanswered and none to port 25 over %s was answered, "
				    "while %s (a provider or a firewall dropping SMTP in one family%s)",
				 fam_name(f), b.attempts, b.hosts, fam_name(f), b.works,
				 b.dropped_here ? "" : "; not this host's netfilter, where the kernel says why it drops");
	}
	if (correlator_dropped_groups(c) || correlator_dropped_lookups(c))
		say_note(o, "NOTE: to bound memory, %" PRIu64 " older destinations and %" PRIu64
				 " lookups were summarised into their processes' totals",
			correlator_dropped_groups(c), correlator_dropped_lookups(c));
	if (st->in_progress)
		say_note(o, "NOTE: %" PRIu64 " attempt(s) were still connecting when the trace ended "
				 "(shown as \"still connecting\", counted in their groups)", st->in_progress);
	if (!source_complete(st))
		say_note(o, "WARNING: incomplete trace: %s; what is missing is not in this report",
			 source_gaps(gaps, sizeof(gaps), st));
	if (st->dns_over_other)
		say_note(o, "NOTE: %" PRIu64 " DNS message(s) of processes not traced were not kept: "
				 "over their budget (a flood); a process traced later may lack the "
				 "lookups it made before", st->dns_over_other);
	if (source_errno_line(st)[0])
		say_note(o, "%s", source_errno_line(st));
	if (st->no_dns_wire)
		say_note(o, "NOTE: DNS messages on the wire were not captured: lookups are those of "
				 "the C library's resolver only; a process with a resolver of its own (musl, "
				 "c-ares, Go) shows attempts without names, and in the default mode so does "
				 "one whose getaddrinfo, made before it was traced, named a service that is "
				 "not a mail port");
	{
		struct wire_stats ws;

		correlator_wire_stats(c, &ws);
		if (ws.unowned || ws.dropped || ws.unclaimed)
			say_note(o, "NOTE: DNS on the wire: %" PRIu64 " answer(s) on sockets whose queries "
					 "were not seen (asked before the trace, or given up on after 10 s), %" PRIu64
					 " question(s) not kept (too many in flight), %" PRIu64 " exchange(s) whose "
					 "call never returned", ws.unowned, ws.dropped, ws.unclaimed);
	}
	if (o->mlog && msg_filter_active(&o->filter)) {
		/* Asked by message: the selected messages are the report. */
		text_messages(o, c);
		fflush(o->out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct proc *p = procs[i];

		if (proc_active(p))
			report_proc(o, c, p);
	}
	if (!shown)
		fprintf(o->out, "no connect attempts or lookups seen\n");
	report_orders(o, c);
	if (o->mlog)
		text_messages(o, c);
	fflush(o->out);
}
