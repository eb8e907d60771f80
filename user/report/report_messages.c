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

static void text_one(struct report_opts *o, struct correlator *c, const struct mlog_message *msg,
		     int depth)
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
		const struct group *g = msg_delivery_group(c, d, o->boot_to_real_ns, &p);
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
		if (g) {
			text_group_detail(o, p, g, pad);
			if (msg_family_problem(g))
				fprintf(o->out, "%s    an address-family problem stood behind this delivery\n", pad);
		} else {
			int64_t b = d->wall_ns - o->boot_to_real_ns;

			fprintf(o->out, "%s    (famtrace saw nothing of %s[%u] for this delivery: %s)\n", pad,
				fmt_safe(d->agent), d->pid,
				b < (int64_t)o->t0_ns - 1000000000LL ? "it was logged before the trace began"
				: b > (int64_t)correlator_last_ns(c) + 2000000000LL ? "it was logged after the trace ended"
				: !correlator_find(c, d->pid)
					? "famtrace holds no process with that pid: not traced, or exited and "
					  "summarised into its name's totals"
				: correlator_find(c, d->pid)->groups_dropped
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
			text_one(o, c, n, 1);
		else
			fprintf(o->out, "  non-delivery notice %s: no delivery logged yet\n",
				fmt_safe(msg->notice_qid));
	}
}

void text_messages(struct report_opts *o, struct correlator *c)
{
	const struct mlog *m = o->mlog;
	size_t shown = 0;

	for (size_t i = 0; i < m->n; i++)
		shown += shown_on_its_own(o, c, m->msgs[i]);
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
			text_one(o, c, m->msgs[i], 0);
		}
	if (!shown)
		fprintf(o->out, "  none%s\n", m->lines_mta ? "" : " (no Postfix, Exim or Sendmail lines were read)");
}

void json_messages(struct report_opts *o, struct correlator *c)
{
	const struct mlog *m = o->mlog;
	FILE *f = o->out;

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
			const struct group *g = msg_delivery_group(c, d, o->boot_to_real_ns, &p);

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
				fprintf(f, "%" PRIu64 ",\"class\":\"%s\",\"proc_start_ns\":%" PRIu64, g->id,
					group_class_key(g->cls), p->start_ns);
			else
				fprintf(f, "null,\"class\":null");
			fprintf(f, ",\"family_problem\":%s}", msg_family_problem(g) ? "true" : "false");
		}
		fprintf(f, "],\"deliveries_more\":%u}\n", msg->n_d_extra);
	}
}
