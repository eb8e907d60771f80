// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report_group.c - the words for one lookup, one destination group and one
 * attempt, as the live lines, the report at the end and the message view
 * all say them (report_int.h): results, questions and answers, the DNS
 * exchanges on the wire, address orders, races, untried addresses, a
 * group in detail with its MX hosts.
 */
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "report/report.h"
#include "report/report_int.h"
#include "lib/addrclass.h"

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
char *fmt_result(char *buf, size_t len, const struct attempt *a)
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
	if (a->flags & FT_F_DROPPED_HERE) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, ", dropped here by netfilter");
	}
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
const char *class_tag(enum wire_fam fam, const uint8_t *addr)
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
void print_order(FILE *f, const struct report_opts *o, const struct lookup *l,
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
void print_wire(FILE *f, const struct lookup *l, const char *indent)
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

/* "FIRST-ANSWER RACE: A and AAAA asked at once; IPv6 answered first and
 * was the only family tried; IPv4 answered 299.6 ms later, never tried". */
char *race_text(char *buf, size_t len, const struct group *g)
{
	char d[32];
	enum wire_fam other = g->race_fam == FAM_V6 ? FAM_V4 : FAM_V6;

	if (g->cls == GC_FIRST_ANSWER_EMPTY)
		snprintf(buf, len, "FIRST-ANSWER RACE: A and AAAA asked at once; %s's answer came first and "
				   "was empty; %s answered %s later with addresses, never tried: nothing "
				   "was tried",
			 fam_name(g->race_fam), fam_name(other), fmt_dur(d, sizeof(d), g->race_lead_ns));
	else
		snprintf(buf, len, "FIRST-ANSWER RACE: A and AAAA asked at once; %s answered first and was "
				   "the only family tried; %s answered %s later, never tried (its answer "
				   "reached the client's socket; whether the client read it, famtrace "
				   "cannot see)",
			 fam_name(g->race_fam), fam_name(other), fmt_dur(d, sizeof(d), g->race_lead_ns));
	return buf;
}

/* "example MX port 25", "mx1.example port 25" or "port 25". */
char *fmt_dest(char *buf, size_t len, const struct group *g)
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
char *fmt_untried(char *buf, size_t len, const struct group *g)
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
char *fmt_host_endpoint(char *buf, size_t len, const struct proc *p, const struct attempt *a)
{
	const char *host = attempt_host(p, a);
	char addr[64];

	if (!host)
		return fmt_endpoint(buf, len, a->fam, a->daddr, a->dport);
	snprintf(buf, len, "%s[%s]:%u", fmt_safe(host), fmt_addr(addr, sizeof(addr), a->fam, a->daddr),
		 a->dport);
	return buf;
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
	else if (g->cls == GC_FIRST_ANSWER_EMPTY)
		fprintf(o->out, ": %s empty, %s %s never tried", fam_name(g->from_fam), fam_name(g->to_fam),
			fmt_untried(unt, sizeof(unt), g));
	else if (g->cls == GC_FALLBACK)
		fprintf(o->out, " %s -> %s, %s lost", fam_name(g->from_fam), fam_name(g->to_fam),
			fmt_dur(d, sizeof(d), g->cost_ns));
	else if (g->cls == GC_RETRIED)
		fprintf(o->out, ", %s lost", fmt_dur(d, sizeof(d), g->cost_ns));
	if (group_session_failed(g))
		fprintf(o->out, "; the %s session failed after connecting",
			fam_name(group_session_failed(g)->fam));
	fputc('\n', o->out);
	if (g->race) {
		char r[400];

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
		fprintf(o->out, "%s      %u. %s %-*s %s%s%s", in, k + 1, fam_name(a->fam),
			o->width && o->width < 121 ? 30 : 40, dst, res,
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
		if (a->session_failed)
			fprintf(o->out, "; the session failed: %s went on to the next address",
				fmt_safe(p->comm));
		fputc('\n', o->out);
	}
	if (g->n_extra)
		fprintf(o->out, "%s      (+%u more attempts not kept)\n", in, g->n_extra);
	{
		/* One line per kind of note, naming its addresses. */
		struct addr_note notes[GROUP_MAX_OFFERED];
		struct addr_note_set set = { .n = 0 };
		unsigned n = group_address_notes(p, g, notes, GROUP_MAX_OFFERED);
		char text[480];

		for (unsigned i = 0; i < n; i++)
			addr_note_set_add(&set, &notes[i]);
		for (unsigned k = 0; k < set.n; k++)
			fprintf(o->out, "%s      ADDRESS: %s\n", in, addr_note_set_text(text, sizeof(text), &set, k));
	}
}

bool lookups_wire_only(const struct proc *p)
{
	return p->wire_lookups && p->lookups_by_api[FT_API_WIRE] == p->lookups_total;
}

bool report_wants(const struct report_opts *o, const struct proc *p)
{
	return !o->corr || correlator_proc_wanted(o->corr, p);
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
