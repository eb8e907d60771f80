// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * maillog.c - the store of the MTA's messages by queue ID (see maillog.h):
 * what the parsers (maillog_postfix.c, maillog_exim.c, maillog_sendmail.c)
 * put in it, and what the join and the reporters read from it. The lines
 * themselves reach the parsers through maillog_line.c.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maillog/maillog.h"
#include "maillog/maillog_parse.h"

void mlog_init(struct mlog *m, time_t around)
{
	struct tm tm;

	memset(m, 0, sizeof(*m));
	localtime_r(&around, &tm);
	m->year = tm.tm_year + 1900;
	m->year_month = tm.tm_mon + 1;
}

void mlog_free(struct mlog *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->msgs[i]);
	free(m->msgs);
	memset(m, 0, sizeof(*m));
}

const char *mlog_status_key(enum mlog_status s)
{
	static const char *const k[] = { "none", "sent", "deferred", "bounced", "expired" };

	return s <= MS_EXPIRED ? k[s] : "none";
}

const char *mlog_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : "";
}

struct mlog_message *mlog_find(const struct mlog *m, const char *qid)
{
	/* Newest first: a queue ID is looked up while its lines arrive. */
	for (size_t i = m->n; i-- > 0;)
		if (!strcmp(m->msgs[i]->qid, qid))
			return m->msgs[i];
	return NULL;
}

struct mlog_message *mlog_get_message(struct mlog *m, const char *qid, int64_t ns)
{
	struct mlog_message *msg = mlog_find(m, qid);

	if (msg) {
		if (ns > msg->last_ns)
			msg->last_ns = ns;
		return msg;
	}
	if (m->n == MLOG_MAX_MESSAGES) {
		/* Bounded: the oldest message goes, counted. */
		free(m->msgs[0]);
		memmove(m->msgs, m->msgs + 1, (m->n - 1) * sizeof(*m->msgs));
		m->n--;
		m->dropped_messages++;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct mlog_message **n = realloc(m->msgs, cap * sizeof(*n));

		if (!n)
			return NULL;
		m->msgs = n;
		m->cap = cap;
	}
	msg = calloc(1, sizeof(*msg));
	if (!msg)
		return NULL;
	snprintf(msg->qid, sizeof(msg->qid), "%s", qid);
	msg->first_ns = msg->last_ns = ns;
	msg->seq = m->next_seq++;
	m->msgs[m->n++] = msg;
	return msg;
}

/* notice_qid is the notice sent about orig_qid (maillog_parse.h). */
void mlog_link_notice(struct mlog *m, const char *orig_qid, const char *notice_qid, int64_t ns)
{
	struct mlog_message *orig, *notice;

	/* A message is not its own notice, a notice has one original, and
	 * two messages are not each other's: a forged line (anyone can write
	 * to syslog) must not hide a message under itself or a circle. */
	if (!strcmp(orig_qid, notice_qid))
		return;
	mlog_get_message(m, orig_qid, ns);
	notice = mlog_get_message(m, notice_qid, ns);
	/* Making the second may have dropped the oldest: look the first up again. */
	orig = mlog_find(m, orig_qid);
	if (!orig || !notice || notice->notice_of[0] || !strcmp(orig->notice_of, notice->qid))
		return;
	snprintf(orig->notice_qid, sizeof(orig->notice_qid), "%s", notice->qid);
	snprintf(notice->notice_of, sizeof(notice->notice_of), "%s", orig->qid);
}

static struct mlog_delivery *slot(struct mlog_message *msg)
{
	if (msg->n_d < MLOG_MAX_DELIVERIES)
		return &msg->d[msg->n_d++];
	msg->n_d_extra++;
	for (unsigned i = 0; i < msg->n_d; i++)
		if (msg->d[i].status == MS_DEFERRED || msg->d[i].status == MS_NONE) {
			memmove(&msg->d[i], &msg->d[i + 1], (msg->n_d - i - 1) * sizeof(msg->d[0]));
			return &msg->d[msg->n_d - 1];
		}
	return NULL;
}

struct mlog_delivery *mlog_delivery_add(struct mlog *m, struct mlog_message *msg, const struct mlog_delivery *nd)
{
	struct mlog_delivery *d = slot(msg);

	if (d) {
		*d = *nd;
		d->scope = m->scope;
	}
	return d;
}

bool mlog_scope_known(const struct mlog *m, const char *container_id)
{
	for (unsigned i = 0; i < m->n_scopes; i++)
		if (!strcmp(m->scopes[i], container_id))
			return true;
	return false;
}

bool mlog_set_scope(struct mlog *m, const char *container_id)
{
	m->scope = NULL;
	if (!container_id)
		return true;
	for (unsigned i = 0; i < m->n_scopes; i++)
		if (!strcmp(m->scopes[i], container_id)) {
			m->scope = m->scopes[i];
			return true;
		}
	if (m->n_scopes == MLOG_SCOPES)
		return false;
	snprintf(m->scopes[m->n_scopes], sizeof(m->scopes[0]), "%s", container_id);
	m->scope = m->scopes[m->n_scopes++];
	return true;
}

void mlog_arrival(struct mlog_message *msg, const struct mlog_fields *f, const char *nrcpt_key)
{
	uint64_t n;
	char v[32];

	mlog_get(f, "from", msg->from, sizeof(msg->from));
	msg->from_seen = true;
	if (mlog_get(f, "size", v, sizeof(v)) && mlog_count(v, UINT64_MAX, &n))
		msg->size = n;
	if (mlog_get(f, nrcpt_key, v, sizeof(v)) && mlog_count(v, UINT32_MAX, &n))
		msg->nrcpt = (unsigned)n;
}
