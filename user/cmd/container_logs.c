// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * container_logs.c - --container-logs (see container_logs.h). A container
 * is looked at once, when the trace first describes its cgroup: its
 * runtime's metadata says where its output goes (docker's json-file path,
 * podman's k8s-file ctr.log, or the journal through the journald driver);
 * a log in a form famtrace does not read (docker's binary "local", none)
 * or metadata already gone (a container removed) is said, once, never
 * taken as "nothing was logged".
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/container_logs.h"
#include "lib/cgpath.h"
#include "lib/runtimes.h"
#include "maillog/journal.h"
#include "maillog/maillog_read.h"

#define CTR_LOGS_MAX MLOG_SCOPES
/* A followed log starts this far before its end: what the container wrote
 * between its process's first deed and famtrace describing its cgroup (a
 * few ms; the queue manager's line about the message a little earlier). */
#define CTR_LOG_BACK (1 << 20)

struct ctr_log {
	uint64_t cgroup_id;
	struct mlog_follow *f; /* NULL: read whole, or not readable */
};

struct ctr_logs {
	struct mlog *m;
	int64_t since_ns;
	bool follow, full_said;
	FILE *say;
	const char *only; /* --container, NULL: every container */
	char docker_dir[512];
	const char *journal_dir;
	struct journal_follow *journal; /* following: the journald driver's entries */
	bool journal_failed;		/* journalctl missing or failing */
	char journal_err[300];
	struct ctr_log logs[CTR_LOGS_MAX];
	unsigned n, reading;
};

struct ctr_logs *ctr_logs_new(struct mlog *m, int64_t since_ns, bool follow, const char *docker_dir,
			      const char *journal_dir, FILE *say)
{
	struct ctr_logs *cl = calloc(1, sizeof(*cl));

	if (!cl)
		return NULL;
	cl->m = m;
	cl->since_ns = since_ns;
	cl->follow = follow;
	cl->say = say;
	snprintf(cl->docker_dir, sizeof(cl->docker_dir), "%s", docker_dir);
	cl->journal_dir = journal_dir;
	if (follow) {
		/* Started now (before famtrace confines itself, as its other
		 * helpers): a container that logs to journald may come later. */
		struct journal_src js = { .dir = journal_dir, .containers = true };
		char err[300];

		if (journal_check(err, sizeof(err)) || !(cl->journal = journal_follow_open(&js, err, sizeof(err)))) {
			snprintf(cl->journal_err, sizeof(cl->journal_err), "%s", err);
			cl->journal_failed = true;
		}
	}
	return cl;
}

void ctr_logs_free(struct ctr_logs *cl)
{
	if (!cl)
		return;
	for (unsigned i = 0; i < cl->n; i++)
		mlog_follow_close(cl->logs[i].f);
	journal_follow_close(cl->journal);
	free(cl);
}

void ctr_logs_only(struct ctr_logs *cl, const char *sel)
{
	if (cl)
		cl->only = sel;
}

/* Is g the container --container names (or is none named)? */
static bool wanted(const struct ctr_logs *cl, const struct cg_info *g)
{
	return !cl->only || cg_container_is(&g->place, g->name, cl->only);
}

unsigned ctr_logs_reading(const struct ctr_logs *cl)
{
	return cl ? cl->reading : 0;
}

static bool seen(const struct ctr_logs *cl, const struct cg_info *g)
{
	for (unsigned i = 0; i < cl->n; i++)
		if (cl->logs[i].cgroup_id == g->id)
			return true;
	return false;
}

/* Another cgroup of a container already read (podman's libpod-ID.scope and
 * its /container below it): the same log. */
static bool same_container_read(const struct ctr_logs *cl, const struct correlator *c, const struct cg_info *g)
{
	for (const struct cg_info *o = correlator_cgroups(c); o; o = o->next)
		if (o != g && o->place.kind == CG_CONTAINER && !strcmp(o->place.id, g->place.id) &&
		    !strcmp(o->place.runtime, g->place.runtime) && seen(cl, o))
			return true;
	return false;
}

/* A container whose runtime writes its output to the journal. */
static void from_journal(struct ctr_logs *cl, const struct cg_info *g, const char *name, const char *idbuf)
{
	char err[300];

	if (cl->follow) {
		if (!cl->journal) {
			fprintf(cl->say, "famtrace: container %s (%s %s) logs to journald, which famtrace "
					 "cannot follow (%s): its lines are not joined\n",
				name, g->place.runtime, idbuf, cl->journal_err);
			return;
		}
		mlog_set_scope(cl->m, g->place.id); /* its entries are taken from now on */
		mlog_set_scope(cl->m, NULL);
	} else {
		struct journal_src js = { .dir = cl->journal_dir, .containers = true, .container_id = g->place.id };
		int got = journal_read(cl->m, &js, cl->since_ns / 1000000000LL, err, sizeof(err));

		if (got < 0) {
			fprintf(cl->say, "famtrace: container %s (%s %s) logs to journald: %s: its lines are "
					 "not joined\n", name, g->place.runtime, idbuf, err);
			return;
		}
		if (!got) {
			fprintf(cl->say, "famtrace: container %s (%s %s): the journal%s%s has no entry of its "
					 "output since the recording began: none of its lines can be joined\n",
				name, g->place.runtime, idbuf, cl->journal_dir ? " in " : "",
				cl->journal_dir ? cl->journal_dir : "");
			return;
		}
	}
	cl->reading++;
	fprintf(cl->say, "famtrace: container %s (%s %s): its log (journald) %s the journal%s%s\n", name,
		g->place.runtime, idbuf, cl->follow ? "followed in" : "read from", cl->journal_dir ? " in " : "",
		cl->journal_dir ? cl->journal_dir : "");
}

static void open_log(struct ctr_logs *cl, const struct cg_info *g, struct ctr_log *l)
{
	char path[600], driver[32], err[700], idbuf[16];
	const char *name = g->name[0] ? g->name : cg_short_id(&g->place, idbuf, sizeof(idbuf));
	struct mlog_src src = { .since_ns = cl->since_ns };
	int found = rt_container_log(g->place.runtime, g->place.id, cl->docker_dir, path, sizeof(path), driver,
				     sizeof(driver));

	if (g->name[0])
		cg_short_id(&g->place, idbuf, sizeof(idbuf));
	if (found != 1 && !strcmp(driver, "journald")) {
		from_journal(cl, g, name, idbuf);
		return;
	}
	if (found != 1) {
		if (driver[0])
			fprintf(cl->say, "famtrace: container %s (%s %s) logs to %s, which famtrace does not read: "
					 "its lines are not joined (give them with --maillog or --journal)\n",
				name, g->place.runtime, idbuf, driver);
		else
			fprintf(cl->say, "famtrace: container %s (%s %s): its runtime's record of it was not "
					 "found (removed?): its log is not read\n",
				name, g->place.runtime, idbuf);
		return;
	}
	src.fmt = !strcmp(driver, "json-file") ? RLOG_DOCKER_JSON : RLOG_CRI;
	snprintf(src.scope, sizeof(src.scope), "%s", g->place.id);
	if (cl->follow) {
		l->f = mlog_follow_open_src(path, &src, CTR_LOG_BACK, err, sizeof(err));
		if (!l->f) {
			fprintf(cl->say, "famtrace: container %s (%s %s): its log: %s\n", name, g->place.runtime,
				idbuf, err);
			return;
		}
		mlog_follow_poll(l->f, cl->m);
	} else if (maillog_read_file_src(cl->m, path, &src, err, sizeof(err))) {
		fprintf(cl->say, "famtrace: container %s (%s %s): its log: %s\n", name, g->place.runtime, idbuf, err);
		return;
	}
	cl->reading++;
	fprintf(cl->say, "famtrace: container %s (%s %s): its log (%s) %s %s\n", name, g->place.runtime, idbuf,
		driver, cl->follow ? "followed:" : "read:", path);
}

void ctr_logs_discover(struct ctr_logs *cl, const struct correlator *c)
{
	if (!cl)
		return;
	for (const struct cg_info *g = correlator_cgroups(c); g; g = g->next) {
		struct ctr_log *l;

		if (g->place.kind != CG_CONTAINER || seen(cl, g) || !wanted(cl, g) ||
		    (strcmp(g->place.runtime, "docker") && strcmp(g->place.runtime, "podman")))
			continue;
		if (cl->n == CTR_LOGS_MAX) {
			if (!cl->full_said)
				fprintf(cl->say, "famtrace: more than %d containers: the logs of those after "
						 "are not read\n", CTR_LOGS_MAX);
			cl->full_said = true;
			return;
		}
		l = &cl->logs[cl->n++];
		l->cgroup_id = g->id;
		if (!same_container_read(cl, c, g))
			open_log(cl, g, l);
	}
}

void ctr_logs_poll(struct ctr_logs *cl)
{
	for (unsigned i = 0; cl && i < cl->n; i++)
		if (cl->logs[i].f)
			mlog_follow_poll(cl->logs[i].f, cl->m);
	if (cl && cl->journal)
		journal_follow_poll(cl->journal, cl->m);
}
