// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * places.c - while tracing, what a cgroup id is and where a process seen
 * with no fork or exec record runs (places.h). A cgroup id is the inode of
 * its directory in the v2 hierarchy: a path read from /proc/PID/cgroup is
 * believed only when that directory still has the id. Container names come
 * from the runtimes' own files (podman's containers.json, docker's
 * config.v2.json), read as root; famtrace's confinement lets it read them.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/cgroup.h"
#include "kernel/places.h"
#include "lib/cgpath.h"
#include "lib/procfs.h"
#include "lib/runtimes.h"

#define PLACES_MAX 4096 /* cgroups described; beyond, none is (said once) */

struct cg_known {
	uint64_t id;
	uint64_t next_try_ns; /* 0: described */
};

/* A cgroup the kernel said was made: its path, and a container's name read
 * then (the runtime's metadata may be gone when its process is read). */
struct cg_made {
	uint64_t id;
	char path[FT_CG_PATH_LEN];
	char name[FT_CG_NAME_LEN];
};

struct places {
	int root; /* cgroup v2 root, -1 if none */
	struct cg_known *k;
	size_t n;
	bool full_said;
	struct cg_made *made; /* a ring of the newest PLACES_MAX */
	size_t made_next;
	char docker_dir[512]; /* where dockerd keeps its containers' metadata */
};

struct places *places_open(void)
{
	struct places *pl = calloc(1, sizeof(*pl));
	char err[256];

	if (!pl)
		return NULL;
	pl->root = cgroup_root_open(err, sizeof(err));
	rt_docker_containers_dir(pl->docker_dir, sizeof(pl->docker_dir));
	pl->k = calloc(PLACES_MAX, sizeof(*pl->k));
	pl->made = calloc(PLACES_MAX, sizeof(*pl->made));
	if (!pl->k || !pl->made) {
		free(pl->k);
		free(pl->made);
		free(pl);
		return NULL;
	}
	return pl;
}

void places_close(struct places *pl)
{
	if (!pl)
		return;
	if (pl->root >= 0)
		close(pl->root);
	free(pl->k);
	free(pl->made);
	free(pl);
}

static struct cg_known *known(struct places *pl, uint64_t id)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->k[i].id == id)
			return &pl->k[i];
	if (pl->n == PLACES_MAX) {
		if (!pl->full_said)
			fprintf(stderr, "famtrace: warning: %d cgroups described; processes in further ones "
					"are reported without their container or unit\n",
				PLACES_MAX);
		pl->full_said = true;
		return NULL;
	}
	pl->k[pl->n].id = id;
	pl->k[pl->n].next_try_ns = 1;
	return &pl->k[pl->n++];
}

/* The id of the cgroup at path (v2), 0 if none. */
static uint64_t path_id(const struct places *pl, const char *path)
{
	struct stat st;

	if (pl->root < 0 || !path[0])
		return 0;
	if (fstatat(pl->root, path[1] ? path + 1 : ".", &st, 0))
		return 0;
	return (uint64_t)st.st_ino;
}

/* Find the cgroup whose directory has inode id below dir (path so far in
 * path, n bytes of it used); at most *budget directories are read. */
static bool walk(int dir, uint64_t id, char *path, size_t n, size_t len, unsigned depth, unsigned *budget)
{
	DIR *d;
	struct dirent *e;
	bool found = false;
	int fd = dup(dir);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (e = readdir(d))) {
		struct stat st;
		int sub;
		size_t k;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || !*budget)
			continue;
		--*budget;
		k = strlen(e->d_name);
		if (n + 1 + k >= len)
			continue;
		path[n] = '/';
		memcpy(path + n + 1, e->d_name, k + 1);
		if (!fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) && (uint64_t)st.st_ino == id) {
			found = true;
			break;
		}
		if (depth >= 12)
			continue;
		sub = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		found = walk(sub, id, path, n + 1 + k, len, depth + 1, budget);
		close(sub);
	}
	closedir(d);
	if (!found)
		path[n] = 0;
	return found;
}

/* The path of cgroup id, by a walk of the hierarchy (a cgroup of a process
 * that is gone, or that moved). */
static bool path_of_id(const struct places *pl, uint64_t id, char *path, size_t len)
{
	unsigned budget = 20000;

	if (pl->root < 0)
		return false;
	path[0] = 0;
	if (walk(pl->root, id, path, 0, len, 0, &budget))
		return true;
	return false;
}

int places_cgroup_fd(const struct places *pl)
{
	return pl ? pl->root : -1;
}

const char *places_docker_dir(const struct places *pl)
{
	return pl ? pl->docker_dir : "/var/lib/docker/containers";
}

/* ts_ns: the time of the record it goes before (a record's time is when
 * what it says happened; the correlator places the process by it). */
static void describe(const struct places *pl, struct ft_cgroup *out, uint64_t id, const char *path,
		     uint64_t ts_ns)
{
	struct cg_place c;

	memset(out, 0, sizeof(*out));
	out->hdr.kind = FT_EV_CGROUP;
	out->hdr.size = sizeof(*out);
	out->hdr.ts_ns = ts_ns;
	out->cgroup_id = id;
	snprintf(out->path, sizeof(out->path), "%s", path);
	cg_classify(path, &c);
	if (c.kind == CG_CONTAINER)
		rt_container_name(c.runtime, c.id, pl->docker_dir, out->name, sizeof(out->name));
}

void places_made(struct places *pl, const struct ft_cgroup *r)
{
	struct cg_made *m;
	struct cg_place c;

	if (!pl || !r->cgroup_id)
		return;
	m = &pl->made[pl->made_next++ % PLACES_MAX];
	m->id = r->cgroup_id;
	memcpy(m->path, r->path, sizeof(m->path));
	m->path[sizeof(m->path) - 1] = 0;
	m->name[0] = 0;
	cg_classify(m->path, &c);
	if (c.kind == CG_CONTAINER)
		rt_container_name(c.runtime, c.id, pl->docker_dir, m->name, sizeof(m->name));
}

static const struct cg_made *made_of(const struct places *pl, uint64_t id)
{
	for (size_t i = 0; i < PLACES_MAX; i++)
		if (pl->made[i].id == id)
			return &pl->made[i];
	return NULL;
}

bool places_describe(struct places *pl, const struct ft_proc *r, uint64_t now_ns, struct ft_cgroup *out)
{
	const struct cg_made *m;
	struct cg_known *k;
	char path[FT_CG_PATH_LEN];
	uint32_t pids[2] = { r->task.tgid, r->task.ppid };

	if (!r->cgroup_id)
		return false;
	k = known(pl, r->cgroup_id);
	if (!k || !k->next_try_ns || k->next_try_ns > now_ns)
		return false;
	/* Made while famtrace traced: as the kernel named it then. */
	if ((m = made_of(pl, r->cgroup_id))) {
		describe(pl, out, r->cgroup_id, m->path, r->hdr.ts_ns);
		if (m->name[0])
			memcpy(out->name, m->name, sizeof(out->name));
		k->next_try_ns = 0;
		return true;
	}
	/* The process's own cgroup, else its parent's when it is the same
	 * (a process that has exited already). */
	for (int i = 0; i < 2; i++)
		if (pids[i] && proc_cgroup_path((pid_t)pids[i], path, sizeof(path)) &&
		    path_id(pl, path) == r->cgroup_id) {
			describe(pl, out, r->cgroup_id, path, r->hdr.ts_ns);
			k->next_try_ns = 0;
			return true;
		}
	if (path_of_id(pl, r->cgroup_id, path, sizeof(path))) {
		describe(pl, out, r->cgroup_id, path, r->hdr.ts_ns);
		k->next_try_ns = 0;
		return true;
	}
	k->next_try_ns = now_ns + 1000000000ULL;
	return false;
}

bool places_seen(struct places *pl, const struct ft_task *t, uint64_t now_ns, struct ft_proc *out,
		 struct ft_cgroup *cg, bool *cg_new)
{
	char path[FT_CG_PATH_LEN], link[64];
	double start = proc_start_boot((pid_t)t->tgid);
	uint32_t inner = 0, pinner = 0;
	unsigned levels, plevels;
	struct stat st;

	/* The same process: it started when the record says (clock ticks). */
	if (start < 0 || (t->start_ns && (start * 1e9 < (double)t->start_ns - 20e6 ||
					    start * 1e9 > (double)t->start_ns + 20e6)))
		return false;
	memset(out, 0, sizeof(*out));
	out->hdr.kind = FT_EV_PROC;
	out->hdr.size = sizeof(*out);
	out->hdr.ts_ns = now_ns;
	out->task = *t;
	out->what = FT_PROC_SEEN;
	*cg_new = false;
	if (proc_cgroup_path((pid_t)t->tgid, path, sizeof(path)))
		out->cgroup_id = path_id(pl, path);
	/* Described from the path just read: a process that exits at once may
	 * take its container's cgroup with it. */
	if (out->cgroup_id) {
		struct cg_known *k = known(pl, out->cgroup_id);

		if (k && k->next_try_ns) {
			describe(pl, cg, out->cgroup_id, path, now_ns);
			k->next_try_ns = 0;
			*cg_new = true;
		}
	}
	levels = proc_nspid((pid_t)t->tgid, &inner);
	out->ns_tgid = inner;
	plevels = t->ppid ? proc_nspid((pid_t)t->ppid, &pinner) : 0;
	out->ns_ppid = plevels == levels ? pinner : 0;
	/* The namespaces' inodes need ptrace access to the process, which a
	 * confined famtrace may not have: 0 then, unknown. */
	snprintf(link, sizeof(link), "/proc/%u/ns/pid", t->tgid);
	if (!stat(link, &st))
		out->pidns = (uint32_t)st.st_ino;
	snprintf(link, sizeof(link), "/proc/%u/ns/net", t->tgid);
	if (!stat(link, &st))
		out->netns = (uint32_t)st.st_ino;
	return true;
}
