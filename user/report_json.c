/*
 * report_json.c - famtrace's output for scripts: JSON Lines, one object per
 * line, each with "v" (schema version, FT_JSON_SCHEMA) and "type". The
 * schema is documented in README.md; change it only by bumping the version.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "report.h"

/* "2026-11-22T20:41:53.123456Z" */
static void json_time(FILE *f, const struct report_opts *o, uint64_t ts_ns)
{
	int64_t real = (int64_t)ts_ns + o->boot_to_real_ns;
	time_t secs = real / 1000000000LL;
	struct tm tm;
	char buf[40];

	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "\"%s.%06dZ\"", buf, (int)(real / 1000 % 1000000));
}

static void json_ms(FILE *f, const char *key, uint64_t ns)
{
	fprintf(f, ",\"%s\":%.3f", key, ns / 1e6);
}

static void json_proc_id(FILE *f, const struct proc *p)
{
	fprintf(f, ",\"pid\":%u,\"proc_start_ns\":%" PRIu64 ",\"comm\":", p->tgid, p->start_ns);
	json_str(f, p->comm);
	fprintf(f, ",\"ppid\":%u,\"uid\":%u", p->ppid, p->uid);
}

static void json_fam(FILE *f, const char *key, enum wire_fam fam)
{
	fprintf(f, ",\"%s\":\"%s\"", key, fam == FAM_V6 ? "ipv6" : "ipv4");
}

/* The fields of one attempt, without braces. */
static void json_attempt_fields(FILE *f, const struct report_opts *o, const struct attempt *a)
{
	char addr[64];

	fprintf(f, "\"time\":");
	json_time(f, o, a->end_ns);
	fprintf(f, ",\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64, a->start_ns, a->end_ns);
	fprintf(f, ",\"tid\":%u", a->tid);
	json_fam(f, "family", a->fam);
	fprintf(f, ",\"v4mapped\":%s,\"daddr\":\"%s\",\"dport\":%u", a->v4mapped ? "true" : "false",
		fmt_addr(addr, sizeof(addr), a->fam, a->daddr), a->dport);
	if (a->sport)
		fprintf(f, ",\"saddr\":\"%s\",\"sport\":%u",
			fmt_addr(addr, sizeof(addr), a->fam, a->saddr), a->sport);
	fprintf(f, ",\"nonblock\":%s", a->nonblock ? "true" : "false");
}

static void json_attempt(void *ctx, const struct proc *p, const struct attempt *a,
			 const struct group *g)
{
	struct report_opts *o = ctx;
	FILE *f = o->out;

	fprintf(f, "{\"v\":%d,\"type\":\"attempt\",", FT_JSON_SCHEMA);
	json_attempt_fields(f, o, a);
	json_proc_id(f, p);
	fprintf(f, ",\"result\":\"%s\",\"errno\":", result_key(a->res));
	if (a->err)
		fprintf(f, "\"%s\"", errno_name(a->err));
	else
		fprintf(f, "null");
	json_ms(f, "latency_ms", a->end_ns - a->start_ns);
	fprintf(f, ",\"group\":%" PRIu64 "}\n", g->id);
	fflush(f);
}

static void json_probe(void *ctx, const struct proc *p, const struct attempt *a)
{
	struct report_opts *o = ctx;
	FILE *f = o->out;

	fprintf(f, "{\"v\":%d,\"type\":\"probe\",", FT_JSON_SCHEMA);
	json_attempt_fields(f, o, a);
	json_proc_id(f, p);
	fprintf(f, ",\"ok\":%s,\"errno\":", a->err ? "false" : "true");
	if (a->err)
		fprintf(f, "\"%s\"", errno_name(a->err));
	else
		fprintf(f, "null");
	fprintf(f, "}\n");
	fflush(f);
}

static void json_group(void *ctx, const struct proc *p, const struct group *g)
{
	struct report_opts *o = ctx;
	FILE *f = o->out;
	int order[GROUP_MAX_ATTEMPTS];

	fprintf(f, "{\"v\":%d,\"type\":\"group\",\"group\":%" PRIu64 ",\"time\":", FT_JSON_SCHEMA,
		g->id);
	json_time(f, o, g->first_start_ns);
	json_proc_id(f, p);
	fprintf(f, ",\"dport\":%u,\"class\":\"%s\"", g->dport, group_class_key(g->cls));
	json_fam(f, "first_family", g->from_fam);
	if (g->winner >= 0)
		json_fam(f, "connected_family", g->to_fam);
	else
		fprintf(f, ",\"connected_family\":null");
	json_ms(f, "time_lost_ms", g->cost_ns);
	json_ms(f, "duration_ms", g->last_end_ns - g->first_start_ns);
	fprintf(f, ",\"attempts_total\":%u,\"attempts\":[", g->n + g->n_extra);
	for (unsigned i = 0; i < g->n; i++) {
		unsigned j = i;

		while (j > 0 && g->at[order[j - 1]].start_ns > g->at[i].start_ns) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (int)i;
	}
	for (unsigned k = 0; k < g->n; k++) {
		const struct attempt *a = &g->at[order[k]];
		char addr[64];

		fprintf(f, "%s{", k ? "," : "");
		fprintf(f, "\"family\":\"%s\"", a->fam == FAM_V6 ? "ipv6" : "ipv4");
		fprintf(f, ",\"daddr\":\"%s\",\"result\":\"%s\",\"errno\":",
			fmt_addr(addr, sizeof(addr), a->fam, a->daddr), result_key(a->res));
		if (a->err)
			fprintf(f, "\"%s\"", errno_name(a->err));
		else
			fprintf(f, "null");
		json_ms(f, "start_offset_ms", a->start_ns - g->first_start_ns);
		json_ms(f, "latency_ms", a->end_ns - a->start_ns);
		fprintf(f, "}");
	}
	fprintf(f, "]}\n");
	fflush(f);
}

void json_sink(struct sink *s, struct report_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->ctx = o;
	s->attempt = json_attempt;
	s->probe = json_probe;
	s->group = json_group;
}

static void json_fam_stats(FILE *f, const struct fam_stats *s)
{
	fprintf(f, "{\"tried\":%" PRIu64 ",\"connected\":%" PRIu64, s->tried, s->connected);
	fprintf(f, ",\"results\":{");
	for (int r = 0, first = 1; r < RES_N; r++)
		if (s->res[r]) {
			fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", result_key(r), s->res[r]);
			first = 0;
		}
	fprintf(f, "}");
	if (s->lat_n) {
		json_ms(f, "latency_avg_ms", s->lat_sum_ns / s->lat_n);
		json_ms(f, "latency_min_ms", s->lat_min_ns);
		json_ms(f, "latency_max_ms", s->lat_max_ns);
	}
	fprintf(f, ",\"probes_ok\":%" PRIu64 ",\"probes_failed\":%" PRIu64 "}", s->probes_ok,
		s->probes_failed);
}

static bool has_activity(const struct proc *p)
{
	for (int f = 0; f < FAM_N; f++)
		if (p->fam[f].tried || p->fam[f].probes_ok || p->fam[f].probes_failed)
			return true;
	return false;
}

void json_report(struct report_opts *o, struct correlator *c, uint64_t now_ns)
{
	static const char *why_keys[] = { "unknown", "all", "comm", "port", "pid", "parent" };
	struct source_stats *st = correlator_stats(c);
	struct proc **procs;
	size_t n = correlator_procs(c, &procs), shown = 0;
	FILE *f = o->out;

	for (size_t i = 0; i < n; i++) {
		const struct proc *p = procs[i];

		if (!has_activity(p))
			continue;
		shown++;
		fprintf(f, "{\"v\":%d,\"type\":\"process\"", FT_JSON_SCHEMA);
		json_proc_id(f, p);
		fprintf(f, ",\"first_comm\":");
		json_str(f, p->first_comm);
		fprintf(f, ",\"traced_as\":\"%s\",\"exited\":%s",
			p->why < sizeof(why_keys) / sizeof(why_keys[0]) ? why_keys[p->why] : "unknown",
			p->exited ? "true" : "false");
		if (p->exited && (p->exit_code & 0x7f))
			fprintf(f, ",\"exit_status\":null,\"exit_signal\":%d", p->exit_code & 0x7f);
		else if (p->exited)
			fprintf(f, ",\"exit_status\":%d,\"exit_signal\":null", (p->exit_code >> 8) & 0xff);
		fprintf(f, ",\"ipv4\":");
		json_fam_stats(f, &p->fam[FAM_V4]);
		fprintf(f, ",\"ipv6\":");
		json_fam_stats(f, &p->fam[FAM_V6]);
		fprintf(f, ",\"groups\":{");
		for (int k = 0; k < GC_N; k++)
			fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "", group_class_key(k), p->groups[k]);
		fprintf(f, "},\"fallbacks_from_ipv6\":%u,\"fallbacks_from_ipv4\":%u",
			p->fallback_fam_from[FAM_V6], p->fallback_fam_from[FAM_V4]);
		if (p->groups[GC_FALLBACK]) {
			json_ms(f, "fallback_time_lost_avg_ms",
				p->fallback_cost_sum_ns / p->groups[GC_FALLBACK]);
			json_ms(f, "fallback_time_lost_max_ms", p->fallback_cost_max_ns);
		}
		fprintf(f, "}\n");
	}
	fprintf(f, "{\"v\":%d,\"type\":\"summary\",\"time\":", FT_JSON_SCHEMA);
	json_time(f, o, now_ns);
	json_ms(f, "duration_ms", now_ns > o->t0_ns ? now_ns - o->t0_ns : 0);
	fprintf(f, ",\"processes\":%zu,\"events\":%" PRIu64 ",\"lost\":%" PRIu64
		   ",\"track_full\":%" PRIu64 ",\"pending_full\":%" PRIu64 ",\"malformed\":%" PRIu64
		   ",\"complete\":%s}\n",
		shown, correlator_events(c), st->lost, st->track_full, st->pending_full, st->malformed,
		st->lost || st->track_full || st->pending_full || st->malformed ? "false" : "true");
	fflush(f);
}
