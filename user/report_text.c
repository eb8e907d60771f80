/*
 * report_text.c - famtrace's output for a person at a terminal: one line per
 * attempt as its outcome becomes known, and a per-process report at the end.
 * Reads the correlator's facts; never changes them.
 */
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "report.h"
#include "addrclass.h"

char *fmt_when(char *buf, size_t len, const struct report_opts *o, uint64_t ts_ns)
{
	if (o->wall_time) {
		int64_t real = (int64_t)ts_ns + o->boot_to_real_ns;
		time_t secs = real / 1000000000LL;
		struct tm tm;

		localtime_r(&secs, &tm);
		snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(real / 1000000 % 1000));
	} else {
		double rel = ts_ns >= o->t0_ns ? (ts_ns - o->t0_ns) / 1e9 : -((o->t0_ns - ts_ns) / 1e9);

		snprintf(buf, len, "%.3f", rel);
	}
	return buf;
}

/* "refused (ECONNREFUSED)", "abandoned after 1.00 s", "connected". */
static char *fmt_result(char *buf, size_t len, const struct attempt *a)
{
	char d[32];

	if (a->res == RES_CONNECTED)
		snprintf(buf, len, "connected");
	else if (a->res == RES_ABANDONED)
		snprintf(buf, len, "abandoned after %s", fmt_dur(d, sizeof(d), a->end_ns - a->start_ns));
	else if (a->res == RES_IN_PROGRESS)
		snprintf(buf, len, "still connecting after %s when the trace ended",
			 fmt_dur(d, sizeof(d), a->end_ns - a->start_ns));
	else if (a->res == RES_UNSEEN)
		snprintf(buf, len, "%s", result_name(a->res));
	else
		snprintf(buf, len, "%s (%s)", result_name(a->res), errno_name(a->err));
	/* Opened another way than connect(): say which. */
	if (strcmp(attempt_via(a), "connect")) {
		static const char *const how[][2] = {
			{ "data_in_syn", ", data in SYN" },
			{ "syn_data_refused", ", SYN data refused" },
			{ "plain_handshake", ", plain handshake" },
		};
		const char *tfo = attempt_tfo(a), *more = "";
		size_t n = strlen(buf);

		for (size_t k = 0; tfo && k < sizeof(how) / sizeof(how[0]); k++)
			if (!strcmp(tfo, how[k][0]))
				more = how[k][1];
		snprintf(buf + n, len > n ? len - n : 0, " [%s%s]", attempt_via(a), more);
	}
	return buf;
}


static const char *eai_name(int rc)
{
	static __thread char buf[16];

	switch (rc) {
	case -2: return "EAI_NONAME";
	case -3: return "EAI_AGAIN";
	case -4: return "EAI_FAIL";
	case -5: return "EAI_NODATA";
	case -6: return "EAI_FAMILY";
	case -8: return "EAI_SERVICE";
	case -9: return "EAI_ADDRFAMILY";
	case -10: return "EAI_MEMORY";
	case -11: return "EAI_SYSTEM";
	}
	snprintf(buf, sizeof(buf), "EAI%d", rc);
	return buf;
}

/* What was asked: "getaddrinfo mx1.example (AF_UNSPEC, AI_ADDRCONFIG)". */
char *fmt_lookup_question(char *buf, size_t len, const struct lookup *l)
{
	const char *name = fmt_safe(l->name[0]	       ? l->name
				    : l->dns.qname[0]  ? l->dns.qname
				    : l->api == FT_API_GETADDRINFO ? "(no host name)"
							       : "?");

	if (l->api == FT_API_GETADDRINFO)
		snprintf(buf, len, "%s %s (%s%s)", api_name(l->api), name,
			 l->hint_family == 2 ? "AF_INET" : l->hint_family == 10 ? "AF_INET6" : "AF_UNSPEC",
			 l->hint_family >= 0 && (l->hint_flags & 0x20) ? ", AI_ADDRCONFIG" : "");
	else if (l->api <= FT_API_GETHOSTBYNAME2_R)
		snprintf(buf, len, "%s %s (%s)", api_name(l->api), name,
			 l->hint_family == 10 ? "AF_INET6" : "AF_INET");
	else
		snprintf(buf, len, "%s %s %s", api_name(l->api), name,
			 l->qtype ? dns_type_name(l->qtype) : "?");
	return buf;
}

/*
 * " (6to4 of 192.0.2.2)" after an address whose class is worth a word: not
 * for global unicast, nor for documentation addresses (every example and
 * lab uses them; JSON carries every class).
 */
static const char *class_tag(enum wire_fam fam, const uint8_t *addr)
{
	static __thread char buf[4][96];
	static __thread unsigned k;
	enum addr_class c = addr_class_of(fam, addr);
	char *b = buf[k++ % 4], d[80];

	if (c == AC_GLOBAL || c == AC_DOCUMENTATION)
		return "";
	snprintf(b, sizeof(buf[0]), " (%s)", addr_class_describe(d, sizeof(d), fam, addr));
	return b;
}

/* What came back: "2001:db8::1, 192.0.2.1" or "NOERROR: MX 10 mx1" or "NXDOMAIN". */
char *fmt_lookup_answer(char *buf, size_t len, const struct lookup *l)
{
	size_t off = 0;

#define APPEND(...) (off += off < len ? (size_t)snprintf(buf + off, len - off, __VA_ARGS__) : 0)
	buf[0] = 0;
	if (l->api == FT_API_GETADDRINFO && l->ret) {
		APPEND("%s", eai_name(l->ret));
		return buf;
	}
	if (l->api == FT_API_WIRE && l->n_wire) {
		const struct wire_x *x = &l->wire[l->n_wire - 1];

		if (!x->answered_ns) {
			APPEND("unanswered");
			return buf;
		}
		if (x->truncated) {
			APPEND("truncated (TC), no retry over TCP seen");
			return buf;
		}
	}
	if (l->has_dns) {
		if (l->ret < 0 && l->dns.header_only) {
			if (l->dns.rcode)
				APPEND("%s", dns_rcode_name(l->dns.rcode));
			else
				APPEND("NODATA (no %s records)", dns_type_name(l->qtype));
			return buf;
		}
		if (l->ret < 0 && !l->dns.parsed) {
			APPEND("failed (no reply)");
			return buf;
		}
		if (!l->dns.parsed) {
			APPEND("unparsable answer (%s, %u bytes)", l->dns.error ? l->dns.error : "?",
			       l->dns_total);
			return buf;
		}
		APPEND("%s", l->ret < 0 ? "failed" : dns_rcode_name(l->dns.rcode));
		if (l->ret < 0 && l->dns.rcode)
			APPEND(" %s", dns_rcode_name(l->dns.rcode));
		for (unsigned i = 0; i < l->dns.n_rrs; i++) {
			const struct dns_rr *rr = &l->dns.rr[i];
			char a[64];

			APPEND("%s", i ? ", " : ": ");
			if (rr->type == 15)
				APPEND("MX %u %s", rr->pref, fmt_safe(rr->target));
			else if (rr->type == 5)
				APPEND("CNAME %s", fmt_safe(rr->target));
			else
				APPEND("%s%s", fmt_addr(a, sizeof(a), rr->type == 28 ? FAM_V6 : FAM_V4, rr->addr),
				       class_tag(rr->type == 28 ? FAM_V6 : FAM_V4, rr->addr));
		}
		if (l->dns.parsed && !l->dns.n_answers && !l->dns.rcode && l->ret >= 0)
			APPEND(", no records");
		if (l->dns.n_ignored)
			APPEND(" (%u record%s not for the question ignored, as resolvers do)",
			       l->dns.n_ignored, l->dns.n_ignored == 1 ? "" : "s");
		if (l->dns.partial && l->dns.answers_read < l->dns.n_answers)
			APPEND(" (%u of %u answer records: the rest lies beyond the copy kept)",
			       l->dns.answers_read, l->dns.n_answers);
		else if (l->dns.partial)
			APPEND(" (every answer record; the %u-byte message's other sections lie beyond "
			       "the copy kept)", l->dns_total);
		return buf;
	}
	if (!l->n_addrs) {
		APPEND("not found");
		return buf;
	}
	for (unsigned i = 0; i < l->n_addrs; i++) {
		char a[64];

		APPEND("%s%s%s", i ? ", " : "", fmt_addr(a, sizeof(a), l->addrs[i].fam, l->addrs[i].addr),
		       class_tag(l->addrs[i].fam, l->addrs[i].addr));
	}
	if (l->more_addrs)
		APPEND(", ...");
#undef APPEND
	return buf;
}

/*
 * Why getaddrinfo returned its addresses in that order, one pair a line:
 * "2001:db8:1::25 before 192.0.2.25: rule 6, precedence 40 > 10". indent
 * starts each line.
 */
static void print_order(FILE *f, const struct report_opts *o, const struct lookup *l,
			const char *indent)
{
	struct order_step steps[LOOKUP_MAX_ADDRS];
	unsigned bad, n = lookup_order(l, o->policy, steps, &bad);

	for (unsigned i = 0; i < n; i++) {
		char a[64], b[64];

		fmt_addr(a, sizeof(a), l->addrs[i].fam, l->addrs[i].addr);
		fmt_addr(b, sizeof(b), l->addrs[i + 1].fam, l->addrs[i + 1].addr);
		if (steps[i].rule)
			fprintf(f, "%sorder: %s before %s: rule %d, %s\n", indent, a, b, steps[i].rule,
				steps[i].why);
		else
			fprintf(f, "%sorder: %s before %s: NOT EXPLAINED %s (policy: %s)\n", indent, a, b,
				steps[i].why, o->policy ? o->policy->source : "built-in");
	}
}

/*
 * The DNS messages of a lookup, one line: "on the wire: A NOERROR, 1 record
 * in 1.2 ms; AAAA unanswered after 5.00 s, asked again; AAAA NOERROR, 1
 * record in 0.8 ms (udp 192.0.2.53 port 53; A answered first)".
 */
static void print_wire(FILE *f, const struct lookup *l, const char *indent)
{
	const struct wire_x *first;
	char d[32], ns[80];

	if (!l->n_wire)
		return;
	fprintf(f, "%son the wire:", indent);
	for (unsigned i = 0; i < l->n_wire; i++) {
		const struct wire_x *x = &l->wire[i];

		fprintf(f, "%s %s", i ? ";" : "", dns_type_name(x->qtype));
		if (strcasecmp(x->qname, l->name[0] ? l->name : l->dns.qname))
			fprintf(f, " %s", fmt_safe(x->qname));
		if (i && (x->tcp != l->wire[0].tcp || x->ns_fam != l->wire[0].ns_fam ||
			  memcmp(x->ns_addr, l->wire[0].ns_addr, 16)))
			fprintf(f, " (%s %s)", x->tcp ? "tcp" : "udp",
				fmt_endpoint(ns, sizeof(ns), x->ns_fam, x->ns_addr, x->ns_port));
		if (!x->answered_ns && x->asked_again) {
			/* Waited until the same question went again. */
			uint64_t next = x->sent_ns;

			for (unsigned k = i + 1; k < l->n_wire && next == x->sent_ns; k++)
				if (l->wire[k].qtype == x->qtype)
					next = l->wire[k].sent_ns;
			fprintf(f, " unanswered after %s, asked again", fmt_dur(d, sizeof(d), next - x->sent_ns));
			continue;
		}
		if (!x->answered_ns) {
			if (l->api == FT_API_WIRE)
				fprintf(f, " unanswered");
			else
				fprintf(f, " unanswered when the call returned %s later",
					fmt_dur(d, sizeof(d), l->end_ns > x->sent_ns ? l->end_ns - x->sent_ns : 0));
			continue;
		}
		fprintf(f, " %s", x->truncated ? "truncated (TC)" : dns_rcode_name(x->rcode));
		if (!x->truncated)
			fprintf(f, ", %u record%s", x->n_answers, x->n_answers == 1 ? "" : "s");
		fprintf(f, " in %s", fmt_dur(d, sizeof(d), x->answered_ns - x->sent_ns));
	}
	if (l->wire_extra)
		fprintf(f, "; %u more", l->wire_extra);
	fprintf(f, " (%s %s", l->wire[0].tcp ? "tcp" : "udp",
		fmt_endpoint(ns, sizeof(ns), l->wire[0].ns_fam, l->wire[0].ns_addr, l->wire[0].ns_port));
	first = wire_first_answer(l);
	if (first)
		fprintf(f, "; %s answered first", dns_type_name(first->qtype));
	fprintf(f, ")\n");
}

static void text_lookup(void *ctx, const struct proc *p, const struct lookup *l)
{
	struct report_opts *o = ctx;
	char when[32], q[200], a[400], d[32];

	fmt_when(when, sizeof(when), o, l->end_ns);
	fprintf(o->out, "%-12s %-7u %-15s DNS  %s -> %s  %s\n", when, p->tgid, fmt_safe(p->comm),
		fmt_lookup_question(q, sizeof(q), l), fmt_lookup_answer(a, sizeof(a), l),
		fmt_dur(d, sizeof(d), l->end_ns - l->start_ns));
	print_order(o->out, o, l, "                                          ");
	print_wire(o->out, l, "                                          ");
}

/* "FIRST-ANSWER RACE: A and AAAA asked at once; IPv6 answered first and
 * was the only family tried; IPv4 answered 299.6 ms later, never tried". */
static char *race_text(char *buf, size_t len, const struct group *g)
{
	char d[32];
	enum wire_fam other = g->race_fam == FAM_V6 ? FAM_V4 : FAM_V6;

	snprintf(buf, len, "FIRST-ANSWER RACE: A and AAAA asked at once; %s answered first and was the "
			   "only family tried; %s answered %s later, never tried",
		 fam_name(g->race_fam), fam_name(other), fmt_dur(d, sizeof(d), g->race_lead_ns));
	return buf;
}

/* "example MX port 25", "mx1.example port 25" or "port 25". */
static char *fmt_dest(char *buf, size_t len, const struct group *g)
{
	if (g->mx_domain[0])
		snprintf(buf, len, "%s (MX) port %u", fmt_safe(g->mx_domain), g->dport);
	else if (g->name[0])
		snprintf(buf, len, "%s port %u", fmt_safe(g->name), g->dport);
	else
		snprintf(buf, len, "port %u", g->dport);
	return buf;
}

/* The addresses of the family never tried that the lookups offered. */
static char *fmt_untried(char *buf, size_t len, const struct group *g)
{
	struct offered un[GROUP_MAX_OFFERED];
	unsigned n = group_untried(g, g->to_fam, un, GROUP_MAX_OFFERED);
	size_t off = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < n && off < len; i++) {
		char a[64];

		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				fmt_addr(a, sizeof(a), un[i].fam, un[i].addr));
	}
	if (g->n_offered_extra && off < len)
		snprintf(buf + off, len - off, " (+%u more addresses not kept)", g->n_offered_extra);
	return buf;
}

/* "mx1.example[192.0.2.1]:25" as Postfix logs it, or "192.0.2.1:25". */
static char *fmt_host_endpoint(char *buf, size_t len, const struct proc *p, const struct attempt *a)
{
	const char *host = attempt_host(p, a);
	char addr[64];

	if (!host)
		return fmt_endpoint(buf, len, a->fam, a->daddr, a->dport);
	snprintf(buf, len, "%s[%s]:%u", fmt_safe(host), fmt_addr(addr, sizeof(addr), a->fam, a->daddr),
		 a->dport);
	return buf;
}

void text_header(struct report_opts *o)
{
	fprintf(o->out, "%-12s %-7s %-15s %-4s %-40s %-30s %s\n", o->wall_time ? "TIME" : "TIME(s)",
		"PID", "COMM", "FAM", "DESTINATION", "RESULT", "LATENCY");
	fflush(o->out);
}

static void text_attempt(void *ctx, const struct proc *p, const struct attempt *a,
			 const struct group *g)
{
	struct report_opts *o = ctx;
	char when[32], dst[220], res[96], lat[32], d[32];

	fmt_when(when, sizeof(when), o, a->end_ns);
	fmt_host_endpoint(dst, sizeof(dst), p, a);
	if (a->v4mapped)
		strncat(dst, " (v4-mapped)", sizeof(dst) - strlen(dst) - 1);
	fmt_result(res, sizeof(res), a);
	fmt_dur(lat, sizeof(lat), a->end_ns - a->start_ns);
	fprintf(o->out, "%-12s %-7u %-15s %-4s %-40s %-30s %s", when, p->tgid, fmt_safe(p->comm),
		fam_name(a->fam), dst, res, lat);
	if (g->winner >= 0 && &g->at[g->winner] == a) {
		if (g->cls == GC_FALLBACK)
			fprintf(o->out, "  FALLBACK %s->%s, %s lost", fam_name(g->from_fam),
				fam_name(g->to_fam), fmt_dur(d, sizeof(d), g->cost_ns));
		else if (g->cls == GC_RETRIED)
			fprintf(o->out, "  after %u failed, %s lost", g->n - 1,
				fmt_dur(d, sizeof(d), g->cost_ns));
	}
	fputc('\n', o->out);
}

static void text_probe(void *ctx, const struct proc *p, const struct attempt *a)
{
	struct report_opts *o = ctx;
	char when[32], dst[64], res[200];

	/* A UDP connect that worked is said with -v only; to a nameserver
	 * port it is the resolver's socket, not a route probe. */
	if (!a->err && !o->verbose)
		return;
	fmt_when(when, sizeof(when), o, a->end_ns);
	fmt_endpoint(dst, sizeof(dst), a->fam, a->daddr, a->dport);
	if (a->dns) {
		snprintf(res, sizeof(res), "DNS socket to a nameserver: %s",
			 a->err ? errno_name(a->err) : "ok");
	} else if (a->err) {
		snprintf(res, sizeof(res), "route probe: %s", errno_name(a->err));
	} else {
		char src[64];

		snprintf(res, sizeof(res), "route probe: ok, source %s%s",
			 fmt_addr(src, sizeof(src), a->fam, a->saddr), class_tag(a->fam, a->saddr));
	}
	fprintf(o->out, "%-12s %-7u %-15s %-4s %-40s %s (UDP)\n", when, p->tgid, fmt_safe(p->comm),
		fam_name(a->fam), dst, res);
}

static void text_group(void *ctx, const struct proc *p, const struct group *g)
{
	struct report_opts *o = ctx;
	char when[32], d[32];

	char dest[300], un[1400];

	fmt_when(when, sizeof(when), o, g->last_end_ns);
	fmt_dest(dest, sizeof(dest), g);
	if (g->service) {
		/* Not a delivery: said as such, and only when it failed. */
		if (g->cls == GC_ALL_FAILED || g->cls == GC_NO_FALLBACK)
			fprintf(o->out, "%-12s %-7u %-15s ---- %s: not a delivery (port %u is not a mail "
					"port%s): %u attempt%s failed\n", when, p->tgid, fmt_safe(p->comm),
				dest, g->dport, g->dport == 113 ? "; ident, RFC 1413" : "",
				g->n + g->n_extra, g->n + g->n_extra == 1 ? "" : "s");
		return;
	}
	if (g->race) {
		/* Said whatever the outcome: its family is chance. */
		char r[200];

		fprintf(o->out, "%-12s %-7u %-15s ---- %s: %s\n", when, p->tgid, fmt_safe(p->comm), dest,
			race_text(r, sizeof(r), g));
	}
	switch (g->cls) {
	case GC_ALL_FAILED:
		fprintf(o->out, "%-12s %-7u %-15s ---- %s: all %u attempt%s failed over %s\n", when,
			p->tgid, fmt_safe(p->comm), dest, g->n + g->n_extra, g->n + g->n_extra == 1 ? "" : "s",
			fmt_dur(d, sizeof(d), g->last_end_ns - g->first_start_ns));
		break;
	case GC_NO_FALLBACK:
		fprintf(o->out, "%-12s %-7u %-15s ---- %s: NO FALLBACK: %s failed, %s %s never tried\n",
			when, p->tgid, fmt_safe(p->comm), dest, fam_name(g->from_fam), fam_name(g->to_fam),
			fmt_untried(un, sizeof(un), g));
		break;
	case GC_FAMILY_UNREACHABLE:
		fprintf(o->out, "%-12s %-7u %-15s ---- %s: FAMILY UNREACHABLE: only %s (%s), "
				"which this process never tries\n",
			when, p->tgid, fmt_safe(p->comm), dest, fam_name(g->to_fam), fmt_untried(un, sizeof(un), g));
		break;
	case GC_NO_USABLE_ADDRESS:
		fprintf(o->out, "%-12s %-7u %-15s ---- %s: NO USABLE ADDRESS: %s no %s "
				"address%s%s%s\n",
			when, p->tgid, fmt_safe(p->comm), dest,
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
 * For a destination reached through MX: every MX host in preference order,
 * the families its lookups returned, whether it was tried and why not —
 * what makes a mixed-family MX set readable.
 */
static void report_mx_hosts(struct report_opts *o, const struct proc *p, const struct group *g,
			    const char *in)
{
	struct mx_fate f[DNS_MAX_RRS];
	unsigned n = group_mx_fates(p, g, f, DNS_MAX_RRS);

	if (!n)
		return;
	fprintf(o->out, "%s      MX hosts:", in);
	for (unsigned k = 0; k < n; k++) {
		const struct mx_fate *m = &f[k];

		fprintf(o->out, "%s %d %s (", k ? "," : "", m->pref, fmt_safe(m->host));
		if (m->fams)
			fprintf(o->out, "%s%s%s, %s%s%s%s", m->fams & 1u << FAM_V4 ? "IPv4" : "",
				m->fams == 3 ? "+" : "", m->fams & 1u << FAM_V6 ? "IPv6" : "",
				m->tried ? "tried: " : "not tried", m->tried ? result_name(m->res) : "",
				m->why_not ? ": " : "", m->why_not ? m->why_not : "");
		else if (m->looked && m->asked && m->asked != 3)
			fprintf(o->out, "asked %s: no address; %s never asked",
				fam_name(m->asked & 1u << FAM_V4 ? FAM_V4 : FAM_V6),
				fam_name(m->asked & 1u << FAM_V4 ? FAM_V6 : FAM_V4));
		else if (m->looked)
			fprintf(o->out, "no address seen");
		else
			fprintf(o->out, "never looked up%s%s",
				m->why_not && strcmp(m->why_not, "never looked up") ? ": " : "",
				m->why_not && strcmp(m->why_not, "never looked up") ? m->why_not : "");
		fputc(')', o->out);
	}
	fputc('\n', o->out);
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

void text_group_detail(struct report_opts *o, const struct proc *p, const struct group *g,
		       const char *in)
{
	char when[32], d[32], dst[220], res[96], lat[32], dest[300], q[200], ans[400], unt[1400];

	fmt_when(when, sizeof(when), o, g->first_start_ns);
	fprintf(o->out, "%s    %s %s: %s", in, when, fmt_dest(dest, sizeof(dest), g), group_class_name(g->cls));
	if (g->cls == GC_NO_FALLBACK)
		fprintf(o->out, ": %s failed, %s %s never tried", fam_name(g->from_fam),
			fam_name(g->to_fam), fmt_untried(unt, sizeof(unt), g));
	else if (g->cls == GC_FAMILY_UNREACHABLE)
		fprintf(o->out, ": only %s addresses, never tried", fam_name(g->to_fam));
	else if (g->cls == GC_NO_USABLE_ADDRESS && g->asked_mask != 3)
		fprintf(o->out, ": asked %s only, got none; %s never asked",
			fam_name(g->asked_mask & 1 ? FAM_V4 : FAM_V6), fam_name(g->to_fam));
	else if (g->cls == GC_NO_USABLE_ADDRESS)
		fprintf(o->out, ": asked both families, got none");
	else if (g->cls == GC_FALLBACK)
		fprintf(o->out, " %s -> %s, %s lost", fam_name(g->from_fam), fam_name(g->to_fam),
			fmt_dur(d, sizeof(d), g->cost_ns));
	else if (g->cls == GC_RETRIED)
		fprintf(o->out, ", %s lost", fmt_dur(d, sizeof(d), g->cost_ns));
	fputc('\n', o->out);
	if (g->race) {
		char r[200];

		fprintf(o->out, "%s      %s\n", in, race_text(r, sizeof(r), g));
	}
	for (unsigned i = 0; i < g->n_lookup_ids; i++) {
		const struct lookup *l = proc_lookup(p, g->lookup_ids[i]);

		if (l) {
			fprintf(o->out, "%s      lookup: %s -> %s\n", in, fmt_lookup_question(q, sizeof(q), l),
				fmt_lookup_answer(ans, sizeof(ans), l));
			{
				char ind[64];

				snprintf(ind, sizeof(ind), "%s        ", in);
				print_order(o->out, o, l, ind);
				print_wire(o->out, l, ind);
			}
		}
	}

	if (g->mx_domain[0] && g->n_lookup_ids)
		report_mx_hosts(o, p, g, in);

	/* Attempts in the order they started. */
	int order[GROUP_MAX_ATTEMPTS];
	group_order(g, order);
	for (unsigned k = 0; k < g->n; k++) {
		const struct attempt *a = &g->at[order[k]];

		fmt_host_endpoint(dst, sizeof(dst), p, a);
		fmt_result(res, sizeof(res), a);
		fmt_dur(lat, sizeof(lat), a->end_ns - a->start_ns);
		fprintf(o->out, "%s      %u. %s %-40s %s%s%s", in, k + 1, fam_name(a->fam), dst, res,
			a->res == RES_ABANDONED || a->res == RES_IN_PROGRESS ? "" : " in ",
			a->res == RES_ABANDONED || a->res == RES_IN_PROGRESS ? "" : lat);
		if (a->has_saddr) {
			char src[64];

			fprintf(o->out, ", from %s%s", fmt_addr(src, sizeof(src), a->fam, a->saddr),
				class_tag(a->fam, a->saddr));
			if (src_kind_origin(&a->src))
				fprintf(o->out, " (%s%s address on %s)",
					a->src.flags & 0x20 ? "deprecated " : "", src_kind_origin(&a->src),
					fmt_safe(a->src.ifname));
		}
		fputc('\n', o->out);
	}
	if (g->n_extra)
		fprintf(o->out, "%s      (+%u more attempts not kept)\n", in, g->n_extra);
	{
		struct addr_note notes[GROUP_MAX_OFFERED];
		unsigned n = group_address_notes(p, g, notes, GROUP_MAX_OFFERED);
		char text[400];

		for (unsigned i = 0; i < n; i++)
			fprintf(o->out, "%s      ADDRESS: %s\n", in, addr_note_text(text, sizeof(text), &notes[i]));
	}
}

static void report_proc(struct report_opts *o, struct correlator *c, const struct proc *p)
{
	static const char *why_names[] = { "?", "--all", "mail process name", "mail port",
					   "pid", "child of a traced process" };
	const struct proc *parent = correlator_find(c, p->ppid);
	char a[32], b[32];
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
	fprintf(o->out, "  uid %u  traced as %s", p->uid,
		p->why < sizeof(why_names) / sizeof(why_names[0]) ? why_names[p->why] : "?");
	if (p->exited && (p->exit_code & 0x7f))
		fprintf(o->out, "  killed by signal %d", p->exit_code & 0x7f);
	else if (p->exited)
		fprintf(o->out, "  exited %d", (p->exit_code >> 8) & 0xff);
	fputc('\n', o->out);
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

/* Has the process done anything the report is about? */
bool proc_active(const struct proc *p)
{
	for (int f = 0; f < FAM_N; f++)
		if (p->fam[f].tried || p->fam[f].probes_ok || p->fam[f].probes_failed || p->fam[f].dns_ok ||
		    p->fam[f].dns_failed)
			return true;
	return p->lookups_total > 0;
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
	text_problems(o, procs, n);
	if (correlator_dropped_groups(c) || correlator_dropped_lookups(c))
		fprintf(o->out, "NOTE: to bound memory, %" PRIu64 " older destinations and %" PRIu64
				" lookups were summarised into their processes' totals\n",
			correlator_dropped_groups(c), correlator_dropped_lookups(c));
	if (st->in_progress)
		fprintf(o->out, "NOTE: %" PRIu64 " attempt(s) were still connecting when the trace ended "
				"(shown as \"still connecting\", counted in their groups)\n", st->in_progress);
	if (!source_complete(st))
		fprintf(o->out, "WARNING: incomplete trace: %s; what is missing is not in this report\n",
			source_gaps(gaps, sizeof(gaps), st));
	if (st->dns_over_other)
		fprintf(o->out, "NOTE: %" PRIu64 " DNS message(s) of processes not traced were not kept: "
				"over their budget (a flood); a process traced later may lack the "
				"lookups it made before\n", st->dns_over_other);
	if (source_errno_line(st)[0])
		fprintf(o->out, "%s\n", source_errno_line(st));
	if (st->no_dns_wire)
		fprintf(o->out, "NOTE: DNS messages on the wire were not captured: lookups are those of "
				"the C library's resolver only; a process with a resolver of its own (musl, "
				"c-ares, Go) shows attempts without names, and in the default mode so does "
				"one whose getaddrinfo, made before it was traced, named a service that is "
				"not a mail port\n");
	{
		struct wire_stats ws;

		correlator_wire_stats(c, &ws);
		if (ws.unowned || ws.dropped || ws.unclaimed)
			fprintf(o->out, "NOTE: DNS on the wire: %" PRIu64 " answer(s) on sockets whose queries "
					"were not seen (asked before the trace, or given up on after 10 s), %" PRIu64 " question(s) not "
					"kept (too many in flight), %" PRIu64 " exchange(s) whose call never "
					"returned\n", ws.unowned, ws.dropped, ws.unclaimed);
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
