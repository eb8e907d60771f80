// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * procfs.c - reading process facts from /proc, at start-up: the processes
 * that already exist (to seed the kernel's tracking map; after that the
 * sched tracepoints keep it current), the C libraries they map (for the
 * resolver probes), and whether a pid is an MTA's daemon (check).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/procfs.h"

bool proc_exists(pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return access(path, F_OK) == 0;
}

/* /proc/PID/stat into buf; returns what follows the comm (field 3 on), NULL
 * if it cannot be read. comm may hold spaces and parentheses: the fields
 * start after its last ')'. */
static const char *proc_stat_fields(pid_t pid, char *buf, size_t len)
{
	char path[64], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p ? p + 1 : NULL;
}

pid_t proc_ppid(pid_t pid)
{
	char buf[512];
	const char *p = proc_stat_fields(pid, buf, sizeof(buf));
	int ppid = -1;

	if (!p || sscanf(p, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

size_t proc_descendants(const pid_t *roots, size_t n_roots, pid_t *out, size_t max)
{
	struct pp { pid_t pid, ppid; } *all = NULL;
	size_t n_all = 0, cap = 0, n_out = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");
	bool grew;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n_all == cap) {
			struct pp *na = realloc(all, (cap = cap ? cap * 2 : 256) * sizeof(*all));

			if (!na)
				break;
			all = na;
		}
		all[n_all].pid = atoi(de->d_name);
		all[n_all].ppid = proc_ppid(all[n_all].pid);
		n_all++;
	}
	closedir(d);

	/* Repeat until no new descendant turns up; the process table is small. */
	do {
		grew = false;
		for (size_t i = 0; i < n_all && n_out < max; i++) {
			bool is_child = false, known = false;

			for (size_t r = 0; r < n_roots; r++)
				if (all[i].ppid == roots[r])
					is_child = true;
			for (size_t k = 0; k < n_out; k++) {
				if (out[k] == all[i].pid)
					known = true;
				if (out[k] == all[i].ppid)
					is_child = true;
			}
			if (is_child && !known) {
				out[n_out++] = all[i].pid;
				grew = true;
			}
		}
	} while (grew && n_out < max);
	free(all);
	return n_out;
}

static bool is_libc(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5) ||
	       !strncmp(base, "ld-musl-", 8) || !strncmp(base, "libc.musl", 9);
}

size_t proc_libcs(pid_t pid, char (*out)[4096], size_t max)
{
	char maps[64], line[4096 + 256];
	size_t n = 0;
	FILE *f;

	if (pid)
		snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	else
		snprintf(maps, sizeof(maps), "/proc/self/maps");
	f = fopen(maps, "re");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		unsigned long long ino = 0;
		char range[64] = "";
		bool dup = false;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (!is_libc(path) || strstr(path, " (deleted)"))
			continue;
		/* "start-end perms offset dev inode path" */
		if (sscanf(line, "%63s %*s %*s %*s %llu", range, &ino) != 2)
			ino = 0;
		if (pid) {
			char cand[3][4200];
			struct stat st;
			int k;

			snprintf(cand[0], sizeof(cand[0]), "/proc/%d/root%s", (int)pid, path);
			snprintf(cand[1], sizeof(cand[1]), "%s", path);
			snprintf(cand[2], sizeof(cand[2]), "/proc/%d/map_files/%s", (int)pid, range);
			for (k = 0; k < 3; k++)
				if (!stat(cand[k], &st) && (!ino || st.st_ino == ino))
					break;
			if (k == 3) {
				if (!kill(pid, 0))
					fprintf(stderr, "famtrace: warning: pid %d maps the C library %s, which "
							"famtrace cannot open (not under /proc/%d/root, nor as "
							"named): its lookups are not traced (try --libc)\n",
						(int)pid, path, (int)pid);
				continue;
			}
			snprintf(out[n], sizeof(out[n]), "%.4095s", cand[k]);
		} else {
			snprintf(out[n], sizeof(out[n]), "%s", path);
		}
		for (size_t i = 0; i < n; i++)
			if (!strcmp(out[i], out[n]))
				dup = true;
		if (!dup)
			n++;
	}
	fclose(f);
	return n;
}

/* When pid started, in seconds on CLOCK_BOOTTIME; -1 if unknown. */
double proc_start_boot(pid_t pid)
{
	char buf[1024];
	const char *p = proc_stat_fields(pid, buf, sizeof(buf));
	unsigned long long start;

	/* Field 3 onwards; starttime is field 22. */
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1)
		return -1;
	return (double)start / (double)sysconf(_SC_CLK_TCK);
}

const char *proc_not_daemon(pid_t pid, const char *binary, const char *pidfile)
{
	char path[64];
	struct stat st, bin, pf;
	struct timespec wall, boot;
	double started, written;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st))
		return "no such process";
	if (st.st_uid != 0)
		return "a process that is not root's";
	if (binary) {
		char inside[4200];

		/* The binary as the daemon's own root sees it: a daemon in a
		 * container or another mount namespace has its own /usr. */
		snprintf(inside, sizeof(inside), "/proc/%d/root%s", (int)pid, binary);
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
		if (stat(path, &st))
			return "its program cannot be read";
		if (stat(inside, &bin) || st.st_dev != bin.st_dev || st.st_ino != bin.st_ino)
			return "a process running another program";
	}
	if (stat(pidfile, &pf) || clock_gettime(CLOCK_REALTIME, &wall) ||
	    clock_gettime(CLOCK_BOOTTIME, &boot) || (started = proc_start_boot(pid)) < 0)
		return "its start time cannot be read";
	/* The pid file's time on the boot clock; a second's slack. */
	written = (double)boot.tv_sec + boot.tv_nsec / 1e9 -
		  ((double)wall.tv_sec + wall.tv_nsec / 1e9 -
		   ((double)pf.st_mtim.tv_sec + pf.st_mtim.tv_nsec / 1e9));
	if (started > written + 1.0)
		return "a process started after the pid file was written (its pid reused)";
	return NULL;
}

size_t proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, len, f);
	fclose(f);
	if (n == len && n)
		buf[n - 1] = 0; /* cut: the last argument ends here */
	return n;
}

bool proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

size_t proc_by_comm(const char *const *names, size_t n_names, pid_t *out, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		char comm[32] = "";

		if (!isdigit((unsigned char)de->d_name[0]) || !proc_comm(atoi(de->d_name), comm, sizeof(comm)))
			continue;
		for (size_t i = 0; i < n_names; i++)
			if (!strcmp(comm, names[i])) {
				out[n++] = atoi(de->d_name);
				break;
			}
	}
	closedir(d);
	return n;
}

bool proc_cgroup_path(pid_t pid, char *out, size_t len)
{
	char path[64], line[4096], sysd[4096] = "";
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "0::", 3)) {
			snprintf(out, len, "%s", line + 3);
			found = true;
		} else if (strstr(line, ":name=systemd:")) {
			snprintf(sysd, sizeof(sysd), "%s", strstr(line, ":name=systemd:") + 14);
		}
	}
	fclose(f);
	/* A v2 path of "/" on a host whose systemd keeps its own v1 tree says
	 * nothing: that tree's is the one that names units. */
	if ((!found || !strcmp(out, "/")) && sysd[0]) {
		snprintf(out, len, "%s", sysd);
		found = true;
	}
	return found;
}

unsigned proc_nspid(pid_t pid, uint32_t *inner)
{
	char path[64], line[512];
	unsigned levels = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6)) {
			char *save = NULL;

			for (char *t = strtok_r(line + 6, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
				*inner = (uint32_t)strtoul(t, NULL, 10);
				levels++;
			}
			break;
		}
	fclose(f);
	return levels;
}
