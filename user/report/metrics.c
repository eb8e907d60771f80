// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * metrics.c - counters for a fleet's monitoring, written in the Prometheus
 * text format (version 0.0.4) for the node exporter's textfile collector.
 *
 * Label sets are bounded: at most MAX_COMMS process names (later names count
 * as "other") and MAX_LTYPES lookup kinds, so a relay that runs for months
 * exports a fixed number of series.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/metrics.h"
#include "report/report_int.h"

#define MAX_COMMS 64
#define MAX_LTYPES 32

/* Fallback cost histogram bounds, seconds: from a refused port (sub-ms) to
 * a blackholed family waiting out a connect timeout (tens of seconds). */
static const double cost_bounds[] = { 0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120 };
#define N_BOUNDS (sizeof(cost_bounds) / sizeof(cost_bounds[0]))

enum lres { LR_OK, LR_NOT_FOUND, LR_NODATA, LR_NXDOMAIN, LR_SERVFAIL, LR_FAILED, LR_N };
static const char *const lres_name[LR_N] = { "ok", "not_found", "nodata", "nxdomain",
					       "servfail", "failed" };

struct comm_stats {
	char comm[FT_COMM_LEN];
	char container[FT_CG_NAME_LEN]; /* the container's name or short id; "" on the host */
	uint64_t attempts[FAM_N][RES_N];
	uint64_t groups[GC_N];
	uint64_t races[FAM_N]; /* first-answer races, by the family that answered first */
};

struct metrics {
	struct sink next;
	const struct correlator *corr; /* where processes run (metrics_watch) */
	char version[32];
	double start_time_s;
	struct comm_stats comms[MAX_COMMS + 1]; /* the last one is "other" */
	unsigned n_comms;
	struct {
		uint64_t bucket[N_BOUNDS], count;
		double sum;
	} cost[FAM_N]; /* by the family that failed */
	struct {
		char type[16];
		uint64_t n[LR_N];
		double seconds; /* time spent in them */
	} ltypes[MAX_LTYPES + 1];
	unsigned n_ltypes;
	uint64_t probes[FAM_N][2]; /* routable, not */
	uint64_t dns[FAM_N][2];	   /* DNS sockets: connected, failed */
	double wire_wait[FAM_N];   /* inside calls for both families: each family's wait */
	bool messages;		   /* --maillog: delivery lines are counted */
	uint64_t deliveries[5][2]; /* by enum mlog_status, family problem or not */
	/* by the family of the address the line names (IPv4, IPv6, none),
	 * status and the class of the remote reply it ended on */
	uint64_t by_family[FAM_N + 1][5][SC_N];
	uint64_t refused_over[FAM_N][SC_N]; /* refused over a family, the other never tried */
};

void metrics_count_delivery(struct metrics *m, const struct mlog_delivery *d, bool family_problem,
			    const struct msg_smtp *sm)
{
	int status = d->status, fam = FAM_N;
	uint8_t b[16];

	m->messages = true;
	if (status < 0 || status >= 5)
		return;
	m->deliveries[status][family_problem || sm->refused_fam >= 0]++;
	if (inet_pton(AF_INET, d->relay_addr, b) == 1)
		fam = FAM_V4;
	else if (inet_pton(AF_INET6, d->relay_addr, b) == 1)
		fam = FAM_V6;
	m->by_family[fam][status][sm->has_final ? sm->final.cls : SC_NONE]++;
	if (sm->refused_fam == FAM_V4 || sm->refused_fam == FAM_V6)
		m->refused_over[sm->refused_fam][sm->final.cls]++;
}

void metrics_enable_messages(struct metrics *m)
{
	m->messages = true;
}

struct metrics *metrics_new(const char *version, double start_time_s)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	snprintf(m->version, sizeof(m->version), "%s", version);
	m->start_time_s = start_time_s;
	strcpy(m->comms[MAX_COMMS].comm, "other");
	strcpy(m->ltypes[MAX_LTYPES].type, "other");
	return m;
}

void metrics_free(struct metrics *m)
{
	free(m);
}

void metrics_watch(struct metrics *m, const struct correlator *c)
{
	m->corr = c;
}

/* A process's series: by its name and, in a container, the container's
 * name (or short id): bounded, as the names are, by MAX_COMMS. */
static struct comm_stats *comm_of(struct metrics *m, const struct proc *p)
{
	char buf[FT_CG_NAME_LEN];
	const char *where = m->corr ? place_label(m->corr, p, buf, sizeof(buf)) : "";

	for (unsigned i = 0; i < m->n_comms; i++)
		if (!strncmp(m->comms[i].comm, p->comm, FT_COMM_LEN) && !strcmp(m->comms[i].container, where))
			return &m->comms[i];
	if (m->n_comms == MAX_COMMS)
		return &m->comms[MAX_COMMS];
	memcpy(m->comms[m->n_comms].comm, p->comm, FT_COMM_LEN);
	m->comms[m->n_comms].comm[FT_COMM_LEN - 1] = 0;
	snprintf(m->comms[m->n_comms].container, sizeof(m->comms[m->n_comms].container), "%s", where);
	return &m->comms[m->n_comms++];
}

static void on_attempt(void *ctx, const struct proc *p, const struct attempt *a,
		       const struct group *g)
{
	struct metrics *m = ctx;

	if (a->fam < FAM_N && a->res < RES_N)
		comm_of(m, p)->attempts[a->fam][a->res]++;
	if (m->next.attempt)
		m->next.attempt(m->next.ctx, p, a, g);
}

static void on_probe(void *ctx, const struct proc *p, const struct attempt *a)
{
	struct metrics *m = ctx;

	if (a->fam < FAM_N && a->dns)
		m->dns[a->fam][a->err != 0]++;
	else if (a->fam < FAM_N)
		m->probes[a->fam][a->err != 0]++;
	if (m->next.probe)
		m->next.probe(m->next.ctx, p, a);
}

static void on_group(void *ctx, const struct proc *p, const struct group *g)
{
	struct metrics *m = ctx;

	/* A mail program's connection to a non-mail port (ident) is not a
	 * destination: not in famtrace_destinations_total, as in the report. */
	if (g->cls < GC_N && !g->service)
		comm_of(m, p)->groups[g->cls]++;
	if (g->race && g->race_fam < FAM_N)
		comm_of(m, p)->races[g->race_fam]++;
	if (g->cls == GC_FALLBACK && !g->service && g->from_fam < FAM_N) {
		double s = (double)g->cost_ns / 1e9;

		for (unsigned i = 0; i < N_BOUNDS; i++)
			if (s <= cost_bounds[i])
				m->cost[g->from_fam].bucket[i]++;
		m->cost[g->from_fam].count++;
		m->cost[g->from_fam].sum += s;
	}
	if (m->next.group)
		m->next.group(m->next.ctx, p, g);
}

static void on_exit_(void *ctx, const struct proc *p)
{
	struct metrics *m = ctx;

	if (m->next.exit)
		m->next.exit(m->next.ctx, p);
}

/* What was asked: a DNS type for res_*, the families asked of getaddrinfo. */
static const char *lookup_type(const struct lookup *l, char buf[16])
{
	switch (l->api) {
	case FT_API_GETADDRINFO:
		return l->hint_family == 2 ? "A" : l->hint_family == 10 ? "AAAA" : "A+AAAA";
	case FT_API_GETHOSTBYNAME:
	case FT_API_GETHOSTBYNAME_R:
		return "A";
	case FT_API_GETHOSTBYNAME2:
	case FT_API_GETHOSTBYNAME2_R:
		return l->hint_family == 10 ? "AAAA" : "A";
	default:
		snprintf(buf, 16, "%s", dns_type_name(l->qtype));
		return buf;
	}
}

static enum lres lookup_result(const struct lookup *l)
{
	bool res_api = l->api >= FT_API_RES_QUERY;

	if (res_api && (l->dns.parsed || l->dns.header_only)) {
		if (l->dns.rcode == 3)
			return LR_NXDOMAIN;
		if (l->dns.rcode == 2)
			return LR_SERVFAIL;
		if (l->dns.rcode != 0)
			return LR_FAILED;
		if (l->dns.parsed && l->dns.n_answers == 0)
			return LR_NODATA;
		return l->failed ? LR_FAILED : LR_OK;
	}
	if (!l->failed)
		return LR_OK;
	/* getaddrinfo: EAI_NONAME (-2), EAI_NODATA (-5) */
	if (l->api == FT_API_GETADDRINFO && (l->ret == -2 || l->ret == -5))
		return LR_NOT_FOUND;
	return LR_FAILED;
}

static void on_lookup(void *ctx, const struct proc *p, const struct lookup *l)
{
	struct metrics *m = ctx;
	char buf[16];
	const char *t = lookup_type(l, buf);
	unsigned i;

	for (i = 0; i < m->n_ltypes; i++)
		if (!strcmp(m->ltypes[i].type, t))
			break;
	if (i == m->n_ltypes) {
		if (m->n_ltypes == MAX_LTYPES)
			i = MAX_LTYPES;
		else
			snprintf(m->ltypes[m->n_ltypes++].type, sizeof(m->ltypes[0].type), "%s", t);
	}
	m->ltypes[i].n[lookup_result(l)]++;
	m->ltypes[i].seconds += (double)(l->end_ns - l->start_ns) / 1e9;
	if (lookup_asks(l) == (1u << FAM_V4 | 1u << FAM_V6))
		for (int f = FAM_V4; f < FAM_N; f++) {
			uint64_t ns;

			if (lookup_wire_wait(l, (enum wire_fam)f, &ns))
				m->wire_wait[f] += (double)ns / 1e9;
		}
	if (m->next.lookup)
		m->next.lookup(m->next.ctx, p, l);
}

void metrics_tee(struct metrics *m, struct sink *out, const struct sink *next)
{
	m->next = *next;
	*out = (struct sink){
		.ctx = m,
		.attempt = on_attempt,
		.probe = on_probe,
		.group = on_group,
		.exit = on_exit_,
		.lookup = on_lookup,
	};
}

/* A label value: escaped as the format wants, bytes outside printable ASCII
 * replaced so the file stays valid UTF-8 whatever a process calls itself. */
static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c > 0x7e)
			fputc('?', f);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* comm="NAME" and, for a process in a container, ,container="NAME". */
static void comm_labels(FILE *f, const struct comm_stats *cs)
{
	label(f, cs->comm);
	if (cs->container[0]) {
		fprintf(f, ",container=");
		label(f, cs->container);
	}
}

static const char *fam_label(int f)
{
	return f == FAM_V4 ? "ipv4" : "ipv6";
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static bool comm_used(const struct comm_stats *c)
{
	for (int f = 0; f < FAM_N; f++)
		for (int r = 0; r < RES_N; r++)
			if (c->attempts[f][r])
				return true;
	for (int g = 0; g < GC_N; g++)
		if (c->groups[g])
			return true;
	return c->races[FAM_V4] || c->races[FAM_V6];
}

/* Connect attempts, destinations, races and fallback costs, by process
 * name. */
static void print_attempts(FILE *f, const struct metrics *m, const struct comm_stats *const *cs, unsigned k)
{
	head(f, "famtrace_connect_attempts_total", "counter",
	     "TCP connect attempts by process name, address family on the wire, and result.");
	for (unsigned i = 0; i < k; i++)
		for (int fa = 0; fa < FAM_N; fa++)
			for (int r = 0; r < RES_N; r++) {
				if (!cs[i]->attempts[fa][r])
					continue;
				fprintf(f, "famtrace_connect_attempts_total{comm=");
				comm_labels(f, cs[i]);
				fprintf(f, ",family=\"%s\",result=\"%s\"} %llu\n", fam_label(fa),
					result_key(r), (unsigned long long)cs[i]->attempts[fa][r]);
			}

	head(f, "famtrace_destinations_total", "counter",
	     "Destination groups (attempts toward one host or MX domain) by how they ended: "
	     "connected_first, fallback, retried_same_family, all_failed, no_fallback, "
	     "family_unreachable.");
	for (unsigned i = 0; i < k; i++)
		for (int g = 0; g < GC_N; g++) {
			if (!cs[i]->groups[g])
				continue;
			fprintf(f, "famtrace_destinations_total{comm=");
			comm_labels(f, cs[i]);
			fprintf(f, ",class=\"%s\"} %llu\n", group_class_key(g),
				(unsigned long long)cs[i]->groups[g]);
		}
	/* The same, over all processes, every class from the start: a series
	 * that is born with the first no_fallback is invisible to increase(),
	 * so an alert on the per-process family would miss a process's first
	 * one (the fleet test with a real Prometheus found it). */
	head(f, "famtrace_destination_outcomes_total", "counter",
	     "Destination groups of all processes by how they ended (the classes of "
	     "famtrace_destinations_total, each present from the start): what alerts use.");
	for (int g = 0; g < GC_N; g++) {
		uint64_t sum = 0;

		for (unsigned i = 0; i < k; i++)
			sum += cs[i]->groups[g];
		fprintf(f, "famtrace_destination_outcomes_total{class=\"%s\"} %llu\n", group_class_key(g),
			(unsigned long long)sum);
	}
	head(f, "famtrace_first_answer_races_total", "counter",
	     "Destination groups of a client that asked A and AAAA at once and tried only the "
	     "family whose answer came first, by that family.");
	for (unsigned i = 0; i < k; i++)
		for (int fa = 0; fa < FAM_N; fa++) {
			if (!cs[i]->races[fa])
				continue;
			fprintf(f, "famtrace_first_answer_races_total{comm=");
			comm_labels(f, cs[i]);
			fprintf(f, ",answered_first=\"%s\"} %llu\n", fam_label(fa),
				(unsigned long long)cs[i]->races[fa]);
		}

	head(f, "famtrace_fallback_cost_seconds", "histogram",
	     "Time from the first attempt to the attempt that connected in the other family, "
	     "by the family that failed.");
	for (int fa = 0; fa < FAM_N; fa++) {
		for (unsigned b = 0; b < N_BOUNDS; b++)
			fprintf(f, "famtrace_fallback_cost_seconds_bucket{from_family=\"%s\",le=\"%g\"} %llu\n",
				fam_label(fa), cost_bounds[b], (unsigned long long)m->cost[fa].bucket[b]);
		fprintf(f, "famtrace_fallback_cost_seconds_bucket{from_family=\"%s\",le=\"+Inf\"} %llu\n",
			fam_label(fa), (unsigned long long)m->cost[fa].count);
		fprintf(f, "famtrace_fallback_cost_seconds_sum{from_family=\"%s\"} %.6f\n", fam_label(fa),
			m->cost[fa].sum);
		fprintf(f, "famtrace_fallback_cost_seconds_count{from_family=\"%s\"} %llu\n",
			fam_label(fa), (unsigned long long)m->cost[fa].count);
	}
}

/* Route probes, DNS sockets, and resolver calls with their time. */
static void print_lookups(FILE *f, const struct metrics *m)
{
	head(f, "famtrace_route_probes_total", "counter",
	     "UDP connect() route probes (e.g. getaddrinfo's address sorting) by family and result.");
	for (int fa = 0; fa < FAM_N; fa++)
		for (int r = 0; r < 2; r++)
			fprintf(f, "famtrace_route_probes_total{family=\"%s\",result=\"%s\"} %llu\n",
				fam_label(fa), r ? "unroutable" : "routable",
				(unsigned long long)m->probes[fa][r]);

	head(f, "famtrace_dns_sockets_total", "counter",
	     "UDP sockets connected to a nameserver port (a resolver's, not route probes) by family "
	     "and result.");
	for (int fa = 0; fa < FAM_N; fa++)
		for (int r = 0; r < 2; r++)
			fprintf(f, "famtrace_dns_sockets_total{family=\"%s\",result=\"%s\"} %llu\n",
				fam_label(fa), r ? "failed" : "connected", (unsigned long long)m->dns[fa][r]);

	head(f, "famtrace_lookups_total", "counter",
	     "Resolver calls by what was asked (DNS type, or the families asked of getaddrinfo) "
	     "and result.");
	for (unsigned i = 0; i <= m->n_ltypes; i++) {
		unsigned idx = i < m->n_ltypes ? i : MAX_LTYPES; /* last: "other" */

		for (int r = 0; r < LR_N; r++) {
			if (!m->ltypes[idx].n[r])
				continue;
			fprintf(f, "famtrace_lookups_total{type=");
			label(f, m->ltypes[idx].type);
			fprintf(f, ",result=\"%s\"} %llu\n", lres_name[r],
				(unsigned long long)m->ltypes[idx].n[r]);
		}
	}
	head(f, "famtrace_lookup_seconds_total", "counter",
	     "Time spent inside resolver calls, by what was asked (A and AAAA: one family each; "
	     "A+AAAA: getaddrinfo for both): a lookup's wait is a delivery's cost.");
	for (unsigned i = 0; i <= m->n_ltypes; i++) {
		unsigned idx = i < m->n_ltypes ? i : MAX_LTYPES;
		uint64_t n = 0;

		for (int r = 0; r < LR_N; r++)
			n += m->ltypes[idx].n[r];
		if (!n)
			continue;
		fprintf(f, "famtrace_lookup_seconds_total{type=");
		label(f, m->ltypes[idx].type);
		fprintf(f, "} %.6f\n", m->ltypes[idx].seconds);
	}
	head(f, "famtrace_lookup_wire_wait_seconds_total", "counter",
	     "Inside resolver calls that asked both families (getaddrinfo AF_UNSPEC): how long "
	     "each family's queries waited on the wire for their answer (to the call's end when "
	     "unanswered).");
	for (int fa = 0; fa < FAM_N; fa++)
		fprintf(f, "famtrace_lookup_wire_wait_seconds_total{family=\"%s\"} %.6f\n", fam_label(fa),
			m->wire_wait[fa]);
}

/* The trace's own health: what it read, lost, refused and recorded. */
static void print_health(FILE *f, const struct source_stats *ss, uint64_t events)
{
	head(f, "famtrace_events_total", "counter", "Kernel records read and correlated.");
	fprintf(f, "famtrace_events_total %llu\n", (unsigned long long)events);
	head(f, "famtrace_events_lost_total", "counter",
	     "Kernel records lost because the ring buffer was full.");
	fprintf(f, "famtrace_events_lost_total %llu\n", (unsigned long long)ss->lost);
	head(f, "famtrace_untracked_total", "counter",
	     "Processes, attempts or DNS questions famtrace could not follow: a kernel map or one of its own bounds was full.");
	fprintf(f, "famtrace_untracked_total{what=\"process\"} %llu\n",
		(unsigned long long)ss->track_full);
	fprintf(f, "famtrace_untracked_total{what=\"attempt\"} %llu\n",
		(unsigned long long)ss->pending_full);
	fprintf(f, "famtrace_untracked_total{what=\"dns_question\"} %llu\n",
		(unsigned long long)ss->wire_dropped);
	fprintf(f, "famtrace_untracked_total{what=\"process_record\"} %llu\n",
		(unsigned long long)ss->procs_full);
	head(f, "famtrace_dns_over_budget_total", "counter",
	     "DNS messages not kept: their source was over its budget (a flood); traced or not.");
	fprintf(f, "famtrace_dns_over_budget_total{source=\"traced\"} %llu\n",
		(unsigned long long)ss->dns_over_traced);
	fprintf(f, "famtrace_dns_over_budget_total{source=\"untraced\"} %llu\n",
		(unsigned long long)ss->dns_over_other);
	head(f, "famtrace_malformed_records_total", "counter", "Records that failed validation.");
	fprintf(f, "famtrace_malformed_records_total %llu\n", (unsigned long long)ss->malformed);
	head(f, "famtrace_recording_stopped_total", "counter",
	     "Times the recording stopped (disk full, I/O error); tracing went on.");
	fprintf(f, "famtrace_recording_stopped_total %llu\n", (unsigned long long)ss->rec_stopped);
	head(f, "famtrace_recording_missed_events_total", "counter",
	     "Events traced while the recording was stopped, so not in it.");
	fprintf(f, "famtrace_recording_missed_events_total %llu\n",
		(unsigned long long)ss->rec_missed);
	head(f, "famtrace_trace_complete", "gauge",
	     "1 when nothing was lost, refused or left out of the recording so far, else 0.");
	fprintf(f, "famtrace_trace_complete %d\n", source_complete(ss) ? 1 : 0);
}

void metrics_print(FILE *f, struct metrics *m, const struct source_stats *ss, uint64_t events)
{
	unsigned n = m->n_comms;
	const struct comm_stats *cs[MAX_COMMS + 1];
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		cs[k++] = &m->comms[i];
	if (comm_used(&m->comms[MAX_COMMS]))
		cs[k++] = &m->comms[MAX_COMMS];

	head(f, "famtrace_build_info", "gauge", "famtrace version (value is always 1).");
	fprintf(f, "famtrace_build_info{version=");
	label(f, m->version);
	fprintf(f, "} 1\n");
	head(f, "famtrace_start_time_seconds", "gauge", "When this famtrace started, Unix time.");
	fprintf(f, "famtrace_start_time_seconds %.3f\n", m->start_time_s);

	print_attempts(f, m, cs, k);
	print_lookups(f, m);
	if (m->messages) {
		static const char *const st[] = { "none", "sent", "deferred", "bounced", "expired" };

		head(f, "famtrace_message_deliveries_total", "counter",
		     "Delivery lines of the MTA's log (--maillog, --journal) by status, and whether an address-family "
		     "problem stood behind the delivery famtrace saw.");
		for (int i = 1; i < 5; i++)
			for (int k = 0; k < 2; k++)
				fprintf(f, "famtrace_message_deliveries_total{status=\"%s\",family_problem=\"%s\"} "
					   "%llu\n", st[i], k ? "true" : "false",
					(unsigned long long)m->deliveries[i][k]);
		head(f, "famtrace_message_deliveries_by_family_total", "counter",
		     "Delivery lines of the MTA's log by the family of the address they name (none: no "
		     "connection), status, and the kind of remote reply they ended on (none: no refusal).");
		for (int fam = 0; fam <= FAM_N; fam++)
			for (int i = 1; i < 5; i++)
				for (int k = 0; k < SC_N; k++)
					if (m->by_family[fam][i][k])
						fprintf(f, "famtrace_message_deliveries_by_family_total{family=\"%s\","
							   "status=\"%s\",reply_class=\"%s\"} %llu\n",
							fam == FAM_V4 ? "ipv4" : fam == FAM_V6 ? "ipv6" : "none", st[i],
							smtp_class_key(k), (unsigned long long)m->by_family[fam][i][k]);
		head(f, "famtrace_message_refused_over_family_total", "counter",
		     "Deliveries refused by the remote server over one family while the other family was "
		     "offered and never tried (the MTA's log), by that family and the reply's kind.");
		for (int fam = 0; fam < FAM_N; fam++)
			for (int k = 1; k < SC_N; k++)
				fprintf(f, "famtrace_message_refused_over_family_total{family=\"%s\",reply_class=\"%s\"} "
					   "%llu\n", fam == FAM_V4 ? "ipv4" : "ipv6", smtp_class_key(k),
					(unsigned long long)m->refused_over[fam][k]);
	}
	print_health(f, ss, events);
}

int metrics_write(const char *path, struct metrics *m, const struct source_stats *ss,
		  uint64_t events, char *err, size_t errlen)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 32);
	const char *slash;
	int fd, e = 0;
	FILE *f;

	if (!tmp) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	/* A dot name in the same directory: the collector reads only *.prom,
	 * and rename() is atomic only within one file system. The name is
	 * unpredictable and created new (mkostemp: O_CREAT|O_EXCL, so never a
	 * FIFO, device or symlink someone planted there). */
	slash = strrchr(path, '/');
	if (slash)
		snprintf(tmp, n + 32, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, n + 32, ".%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	/* Readable by the exporter's user whatever our umask (the unit's is 077). */
	if (fd >= 0 && fchmod(fd, 0644)) {
		e = errno;
		close(fd);
		unlink(tmp);
		fd = -1;
		errno = e;
	}
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		snprintf(err, errlen, "%s: cannot create a temporary file beside it: %s", path,
			 strerror(e));
		free(tmp);
		return -e;
	}
	metrics_print(f, m, ss, events);
	if (fflush(f) || fsync(fd))
		e = errno;
	if (fclose(f) && !e)
		e = errno;
	if (!e && rename(tmp, path))
		e = errno;
	if (e) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		unlink(tmp);
	}
	free(tmp);
	return -e;
}
