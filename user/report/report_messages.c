// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report_messages.c - the message view: each message of the MTA's log
 * (--maillog, --journal) with its sender, and for each delivery line its recipient,
 * status, DSN and delay, and beneath it the destination group famtrace saw
 * behind it (lookups, attempts, the verdict). A bounce notice is shown under
 * the message it reports on. Text for a person, JSON "message" objects for
 * scripts.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "report/jprintf.h"
#include "report/report.h"
#include "report/report_int.h"

/* Messages to show, in log order: selected by the filter, with a delivery
 * line (a message only queued says nothing yet), notices under their
 * originals rather than on their own. */
/* Did a delivery of msg happen while famtrace traced (wall ns)? */
static bool in_window(const struct mlog_message *msg, int64_t from, int64_t to)
{
	for (unsigned i = 0; i < msg->n_d; i++)
		if (msg->d[i].wall_ns >= from - 1000000000LL && msg->d[i].wall_ns <= to + 2000000000LL)
			return true;
	return false;
}

/* Shown: a message with a delivery line while famtrace traced, or one a
 * filter asked for by name (which then says famtrace was not tracing). */
static bool wanted(const struct report_opts *o, struct correlator *c, const struct mlog_message *msg)
{
	int64_t from = (int64_t)o->t0_ns + o->boot_to_real_ns;
	int64_t to = (int64_t)correlator_last_ns(c) + o->boot_to_real_ns;

	if (!msg->n_d || !msg_selected(o->mlog, msg, &o->filter))
		return false;
	return msg_filter_active(&o->filter) || in_window(msg, from, to < from ? from : to);
}

static bool shown_on_its_own(const struct report_opts *o, struct correlator *c,
			     const struct mlog_message *msg)
{
	const struct mlog *m = o->mlog;

	if (!wanted(o, c, msg))
		return false;
	if (msg->notice_of[0]) {
		const struct mlog_message *orig = mlog_find(m, msg->notice_of);

		if (orig && wanted(o, c, orig))
			return false; /* printed beneath it */
	}
	return true;
}

static void wall_hms(char *buf, size_t len, int64_t wall_ns)
{
	time_t t = (time_t)(wall_ns / 1000000000LL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

/* The SMTP side of one delivery: sessions given up, the final reply, and a
 * refusal over one family with the other never tried. */
static void text_smtp(struct report_opts *o, const struct mlog_delivery *d, const struct group *g,
		      const struct msg_smtp *sm, const char *pad)
{
	for (unsigned k = 0; k < sm->n_failed; k++) {
		const struct smtp_reply *r = &sm->failed[k]->r;

		fprintf(o->out, "%s    session given up: %s %s[%s] ", pad, refusal_fam(sm->failed_fam[k]),
			fmt_safe(r->host), fmt_safe(r->addr));
		print_reply(o->out, r);
		fputc('\n', o->out);
	}
	if (sm->has_final) {
		fprintf(o->out, "%s    reply: %s %s[%s] ", pad, refusal_fam(sm->final_fam), fmt_safe(sm->final.host),
			fmt_safe(sm->final.addr));
		print_reply(o->out, &sm->final);
		fputc('\n', o->out);
	}
	if (sm->status_fam >= 0)
		fprintf(o->out, "%s    the status names %s's error only: %s failed too (%u attempt%s, the last %s)\n",
			pad, refusal_fam(sm->status_fam), refusal_fam(sm->status_fam == FAM_V6 ? FAM_V4 : FAM_V6),
			sm->other_failed, sm->other_failed == 1 ? "" : "s", result_name(sm->other_res));
	if (sm->refused_fam >= 0) {
		const char *other = refusal_fam(sm->refused_fam == FAM_V6 ? FAM_V4 : FAM_V6);
		char w[700];

		fprintf(o->out, "%s    REFUSED OVER %s: %s[%s] refused the mail at %s (%u%s%s%s%s); %s was "
				"never tried (%u address%s offered): an MTA does not try another address after "
				"a 5xx reply\n",
			pad, refusal_fam(sm->refused_fam), fmt_safe(sm->final.host), fmt_safe(sm->final.addr),
			smtp_stage_name(sm->final.stage), sm->final.code, sm->final.enhanced[0] ? " " : "",
			fmt_safe(sm->final.enhanced), sm->final.cls != SC_OTHER ? ": " : "",
			sm->final.cls != SC_OTHER ? smtp_class_name(sm->final.cls) : "", other,
			sm->untried_other, sm->untried_other == 1 ? "" : "es");
		fprintf(o->out, "%s    ways out: %s\n", pad,
			smtp_ways_out(w, sizeof(w), d->agent, sm, msg_attempt_to(g, sm->final.addr)));
	}
}

/* The newest process shown that its own PID namespace knows as pid (what
 * a log line names). */
static const struct proc *log_pid_known(struct correlator *c, uint32_t pid)
{
	struct proc **procs;
	size_t n = correlator_procs(c, &procs);

	for (size_t i = n; i-- > 0;)
		if (!procs[i]->folded && proc_log_pid(procs[i]) == pid)
			return procs[i];
	return NULL;
}

static void text_one(struct report_opts *o, struct correlator *c, const struct msg_claims *cl,
		     const struct mlog_message *msg, int depth)
{
	const struct mlog *m = o->mlog;
	const char *pad = depth ? "    " : "";

	fprintf(o->out, "%s%s%s from <%s>", depth ? "    " : "", depth ? "non-delivery notice " : "",
		fmt_safe(msg->qid), fmt_safe(msg->from));
	if (msg->size)
		fprintf(o->out, ", %" PRIu64 " bytes", msg->size);
	fputc('\n', o->out);
	for (unsigned i = 0; i < msg->n_d; i++) {
		const struct mlog_delivery *d = &msg->d[i];
		const struct proc *p;
		bool ambiguous;
		const struct group *g = msg_delivery_group_ns(c, d, o->boot_to_real_ns, &p, &ambiguous);
		struct msg_smtp sm;
		char when[16];

		wall_hms(when, sizeof(when), d->wall_ns);
		fprintf(o->out, "%s  %s to <%s>: %s", pad, when, fmt_safe(d->to), mlog_status_key(d->status));
		if (d->dsn[0])
			fprintf(o->out, " %s", fmt_safe(d->dsn));
		if (d->relay_host[0]) {
			fprintf(o->out, " via %s[%s]", fmt_safe(d->relay_host), fmt_safe(d->relay_addr));
			if (d->relay_port)
				fprintf(o->out, ":%u", d->relay_port);
		}
		if (d->delay > 0 || strcmp(d->agent, "exim"))
			fprintf(o->out, ", delay %.2f s", d->delay);
		fprintf(o->out, " (%s", fmt_safe(d->agent));
		if (d->pid)
			fprintf(o->out, "[%u]", d->pid);
		fputc(')', o->out);
		if (d->text[0] && d->status != MS_SENT)
			fprintf(o->out, ": %s", fmt_safe(d->text));
		fputc('\n', o->out);
		msg_delivery_smtp(msg, d, g, o->boot_to_real_ns, &sm);
		if (g && proc_in_own_pidns(p)) {
			char place[320];

			fprintf(o->out, "%s    %s[%u] of this log is pid %u on the host, in %s\n", pad,
				fmt_safe(d->agent), d->pid, p->tgid,
				fmt_place(place, sizeof(place), c, p)[0] ? place : "a PID namespace of its own");
		}
		const struct mlog_message *first = msg_claims_first(cl, g);

		if (g && first && first != msg) {
			/* A connection another delivery opened, reused: nothing was
			 * tried for this one, and what was tried is that one's. */
			fprintf(o->out, "%s    over the connection the delivery of %s opened (reused: famtrace saw "
					"no attempt of its own; that delivery's attempts are shown with it)\n",
				pad, fmt_safe(first->qid));
		} else if (g) {
			text_group_detail(o, p, g, pad);
			text_smtp(o, d, g, &sm, pad);
			if (msg_family_problem(g) || sm.refused_fam >= 0)
				fprintf(o->out, "%s    an address-family problem stood behind this delivery\n", pad);
		} else {
			int64_t b = d->wall_ns - o->boot_to_real_ns;

			fprintf(o->out, "%s    (famtrace saw nothing of %s[%u] for this delivery: %s)\n", pad,
				fmt_safe(d->agent), d->pid,
				b < (int64_t)o->t0_ns - 1000000000LL ? "it was logged before the trace began"
				: b > (int64_t)correlator_last_ns(c) + 2000000000LL ? "it was logged after the trace ended"
				: ambiguous ? "processes with that pid in more than one PID namespace (the host's "
					      "and a container's) fit it alike; --container or --unit says "
					      "which one's log this is"
				: !log_pid_known(c, d->pid)
					? "famtrace holds no process with that pid: not traced, or exited and "
					  "summarised into its name's totals"
				: log_pid_known(c, d->pid)->groups_dropped
					? "no destination of that process that famtrace still holds matches it "
					  "(older ones were dropped to bound memory)"
					: "no lookup or attempt of that process matches it (nothing was tried, as "
					  "when delivery to a destination is suspended)");
		}
	}
	if (msg->n_d_extra)
		fprintf(o->out, "%s  (%u delivery line%s not kept: the oldest deferrals give way, never a "
				"final status)\n", pad, msg->n_d_extra, msg->n_d_extra == 1 ? "" : "s");
	if (msg->notice_qid[0] && depth == 0) {
		const struct mlog_message *n = mlog_find(m, msg->notice_qid);

		if (n && n->n_d)
			text_one(o, c, cl, n, 1);
		else
			fprintf(o->out, "  non-delivery notice %s: no delivery logged yet\n",
				fmt_safe(msg->notice_qid));
	}
}

void text_messages(struct report_opts *o, struct correlator *c)
{
	const struct mlog *m = o->mlog;
	struct msg_claims cl;
	size_t shown = 0;

	for (size_t i = 0; i < m->n; i++)
		shown += shown_on_its_own(o, c, m->msgs[i]);
	msg_claims_build(&cl, m, c, o->boot_to_real_ns);
	fprintf(o->out, "\nmessages (the MTA's log: %zu message%s with deliveries%s):\n", shown,
		shown == 1 ? "" : "s", msg_filter_active(&o->filter) ? " selected" : "");
	if (m->dropped_messages)
		fprintf(o->out, "  (%" PRIu64 " older messages were dropped to bound memory)\n",
			m->dropped_messages);
	if (m->lines_foreign)
		fprintf(o->out, "  (%" PRIu64 " journal entr%s named like the MTA's but written by another "
				"user or program %s ignored)\n", m->lines_foreign,
			m->lines_foreign == 1 ? "y" : "ies", m->lines_foreign == 1 ? "was" : "were");
	if (m->lines_bad)
		fprintf(o->out, "  (%" PRIu64 " line%s of the MTA did not follow its log grammar and %s ignored)\n",
			m->lines_bad, m->lines_bad == 1 ? "" : "s", m->lines_bad == 1 ? "was" : "were");
	for (size_t i = 0; i < m->n; i++)
		if (shown_on_its_own(o, c, m->msgs[i])) {
			fputc('\n', o->out);
			text_one(o, c, &cl, m->msgs[i], 0);
		}
	msg_claims_free(&cl);
	if (!shown)
		fprintf(o->out, "  none%s\n", m->lines_mta ? "" : " (no Postfix, Exim, Sendmail or OpenSMTPD lines were read)");
}

/* {"family","host","addr","stage","code","enhanced","class","text"} */
static void json_reply(FILE *f, const struct smtp_reply *r, int fam)
{
	fprintf(f, "{\"family\":");
	json_str_or_null(f, fam == FAM_V6 ? "ipv6" : fam == FAM_V4 ? "ipv4" : NULL);
	fprintf(f, ",\"host\":");
	json_str(f, r->host);
	fprintf(f, ",\"addr\":");
	json_str(f, r->addr);
	fprintf(f, ",\"stage\":\"%s\",\"code\":", smtp_stage_key(r->stage));
	if (r->code)
		fprintf(f, "%u", r->code);
	else
		fputs("null", f);
	fprintf(f, ",\"enhanced\":");
	json_str_or_null(f, r->enhanced);
	fprintf(f, ",\"class\":\"%s\",\"text\":", smtp_class_key(r->cls));
	json_str(f, r->text);
	fputc('}', f);
}

void json_messages(struct report_opts *o, struct correlator *c)
{
	const struct mlog *m = o->mlog;
	FILE *f = o->out;
	struct msg_claims cl;

	msg_claims_build(&cl, m, c, o->boot_to_real_ns);
	for (size_t i = 0; i < m->n; i++) {
		const struct mlog_message *msg = m->msgs[i];

		if (!wanted(o, c, msg))
			continue;
		fprintf(f, "{\"v\":%d,\"type\":\"message\",\"queue_id\":", FT_JSON_SCHEMA);
		json_str(f, msg->qid);
		fprintf(f, ",\"time\":");
		json_wall_time(f, msg->first_ns);
		fprintf(f, ",\"from\":");
		json_str(f, msg->from);
		fprintf(f, ",\"size\":%" PRIu64 ",\"nrcpt\":%u,\"notice\":", msg->size, msg->nrcpt);
		json_str_or_null(f, msg->notice_qid);
		fprintf(f, ",\"notice_of\":");
		json_str_or_null(f, msg->notice_of);
		fprintf(f, ",\"removed\":%s,\"deliveries\":[", msg->removed ? "true" : "false");
		for (unsigned k = 0; k < msg->n_d; k++) {
			const struct mlog_delivery *d = &msg->d[k];
			const struct proc *p;
			bool ambiguous;
			const struct group *g = msg_delivery_group_ns(c, d, o->boot_to_real_ns, &p, &ambiguous);
			struct msg_smtp sm;
			const struct mlog_message *first = msg_claims_first(&cl, g);
			bool rider = first && first != msg;

			msg_delivery_smtp(msg, d, g, o->boot_to_real_ns, &sm);
			fprintf(f, "%s{\"time\":", k ? "," : "");
			json_wall_time(f, d->wall_ns);
			fprintf(f, ",\"to\":");
			json_str(f, d->to);
			fprintf(f, ",\"agent\":");
			json_str(f, d->agent);
			fprintf(f, ",\"pid\":%u,\"status\":\"%s\",\"dsn\":", d->pid, mlog_status_key(d->status));
			json_str_or_null(f, d->dsn);
			fprintf(f, ",\"relay\":");
			json_str_or_null(f, d->relay_host);
			fprintf(f, ",\"relay_addr\":");
			json_str_or_null(f, d->relay_addr);
			fprintf(f, ",\"relay_port\":");
			if (d->relay_port)
				fprintf(f, "%u", d->relay_port);
			else
				fputs("null", f);
			fprintf(f, ",\"delay\":%.2f,\"delays\":", d->delay);
			json_str_or_null(f, d->delays);
			fprintf(f, ",\"text\":");
			json_str_or_null(f, d->text);
			fprintf(f, ",\"group\":");
			if (g)
				fprintf(f, "%" PRIu64 ",\"class\":\"%s\",\"proc_start_ns\":%" PRIu64
					   ",\"traced_pid\":%u", g->id, group_class_key(g->cls), p->start_ns, p->tgid);
			else
				fprintf(f, "null,\"class\":null,\"traced_pid\":null");
			fprintf(f, ",\"pid_ambiguous\":%s", ambiguous ? "true" : "false");
			fprintf(f, ",\"reply\":");
			if (sm.has_final)
				json_reply(f, &sm.final, sm.final_fam);
			else
				fputs("null", f);
			fprintf(f, ",\"sessions_failed\":[");
			for (unsigned r = 0; r < sm.n_failed; r++) {
				if (r)
					fputc(',', f);
				json_reply(f, &sm.failed[r]->r, sm.failed_fam[r]);
			}
			fprintf(f, "],\"status_names_only\":");
			json_str_or_null(f, sm.status_fam == FAM_V6 ? "ipv6" : sm.status_fam == FAM_V4 ? "ipv4" : NULL);
			fprintf(f, ",\"refused_over\":");
			json_str_or_null(f, sm.refused_fam == FAM_V6 ? "ipv6" : sm.refused_fam == FAM_V4 ? "ipv4" : NULL);
			fprintf(f, ",\"connection_of\":");
			json_str_or_null(f, rider ? first->qid : NULL);
			fprintf(f, ",\"family_problem\":%s}",
				!rider && (msg_family_problem(g) || sm.refused_fam >= 0) ? "true" : "false");
		}
		fprintf(f, "],\"deliveries_more\":%u}\n", msg->n_d_extra);
	}
	msg_claims_free(&cl);
}
