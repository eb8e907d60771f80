// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cgroup.c - find (or mount) the cgroup v2 root for the DNS wire programs.
 * Hybrid systems mount it at /sys/fs/cgroup/unified, unified ones at
 * /sys/fs/cgroup; a host with only cgroup v1 still has the v2 hierarchy,
 * which famtrace then mounts privately for as long as it takes to open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kernel/cgroup.h"

/* The mount point of a cgroup2 mount of the hierarchy's root ("/"), from
 * one mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - TYPE ...". */
static int cgroup2_point(char *line, char *out, size_t outlen)
{
	char *f[5], *sep, *save = NULL, *tok;
	int n = 0;

	sep = strstr(line, " - ");
	if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
		return -1;
	*sep = 0;
	for (tok = strtok_r(line, " ", &save); tok && n < 5; tok = strtok_r(NULL, " ", &save))
		f[n++] = tok;
	if (n < 5 || strcmp(f[3], "/"))
		return -1;
	/* Mount points escape spaces as \040; famtrace's own never has one. */
	if (strchr(f[4], '\\') || strlen(f[4]) >= outlen)
		return -1;
	snprintf(out, outlen, "%s", f[4]);
	return 0;
}

int cgroup_root_open(char *err, size_t errlen)
{
	char line[4096], point[1024], tmp[] = "/run/famtrace-cgroup.XXXXXX";
	char tmp2[] = "/tmp/famtrace-cgroup.XXXXXX";
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int fd = -1, e;

	while (f && fd < 0 && fgets(line, sizeof(line), f))
		if (!cgroup2_point(line, point, sizeof(point)))
			fd = open(point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f)
		fclose(f);
	if (fd >= 0)
		return fd;
	/* /run where there is one (a minimal system may have none). */
	if (!mkdtemp(tmp)) {
		if (!mkdtemp(tmp2)) {
			snprintf(err, errlen, "no cgroup2 mount, and cannot make a directory for one: %s",
				 strerror(errno));
			return -1;
		}
		memcpy(tmp, tmp2, sizeof(tmp));
	}
	if (mount("cgroup2", tmp, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		e = errno;
		rmdir(tmp);
		snprintf(err, errlen, "no cgroup2 mount, and cannot mount one: %s", strerror(e));
		return -1;
	}
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	umount2(tmp, MNT_DETACH);
	rmdir(tmp);
	if (fd < 0)
		snprintf(err, errlen, "cannot open the cgroup2 root: %s", strerror(e));
	return fd;
}
