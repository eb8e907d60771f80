// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * runtimes.c - container runtimes' own files read (see runtimes.h):
 * dockerd's data root, a container's log path and driver (docker's
 * config.v2.json and hostconfig.json; podman's k8s-file in its container's
 * userdata). Files only, read as root where they are root's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/procfs.h"
#include "lib/runtimes.h"

char *rt_slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

bool rt_json_str(const char *json, const char *key, char *out, size_t len)
{
	const char *k = strstr(json, key), *e;

	if (!k)
		return false;
	k += strlen(key);
	while (*k == ' ' || *k == ':' || *k == '[')
		k++;
	if (*k++ != '"')
		return false;
	e = strchr(k, '"');
	if (!e || (size_t)(e - k) >= len)
		return false;
	memcpy(out, k, (size_t)(e - k));
	out[e - k] = 0;
	return true;
}

void rt_docker_containers_dir(char *out, size_t len)
{
	pid_t pids[4];
	static const char *const names[] = { "dockerd" };
	char args[4096], *j, root[400] = "/var/lib/docker";
	size_t n = proc_by_comm(names, 1, pids, 4), a;

	j = rt_slurp("/etc/docker/daemon.json", 1 << 16);
	if (j)
		rt_json_str(j, "\"data-root\"", root, sizeof(root));
	free(j);
	if (n && (a = proc_cmdline(pids[0], args, sizeof(args) - 1))) {
		args[a] = 0;
		for (size_t i = 0; i < a; i += strlen(args + i) + 1) {
			const char *s = args + i;

			if (!strncmp(s, "--data-root=", 12))
				snprintf(root, sizeof(root), "%s", s + 12);
			else if ((!strcmp(s, "--data-root") || !strcmp(s, "-g")) && i + strlen(s) + 1 < a)
				snprintf(root, sizeof(root), "%s", s + strlen(s) + 1);
		}
	}
	snprintf(out, len, "%s/containers", root);
}

/* A container id as the runtimes write it: hex only (it goes into paths). */
static bool hex_id(const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");

	return n >= 12 && !id[n];
}

int rt_container_log(const char *runtime, const char *id, const char *docker_dir, char *path, size_t len,
		     char *driver, size_t dlen)
{
	char meta[600], *j;
	struct stat st;

	path[0] = driver[0] = 0;
	if (!hex_id(id))
		return 0;
	if (!strcmp(runtime, "docker")) {
		/* hostconfig.json names the driver; config.v2.json has the
		 * path dockerd writes a json-file log to. */
		snprintf(meta, sizeof(meta), "%s/%s/hostconfig.json", docker_dir, id);
		j = rt_slurp(meta, 1 << 20);
		if (!j)
			return 0;
		{
			const char *lc = strstr(j, "\"LogConfig\"");

			if (!lc || !rt_json_str(lc, "\"Type\"", driver, dlen))
				snprintf(driver, dlen, "json-file"); /* dockerd's default */
		}
		free(j);
		if (strcmp(driver, "json-file"))
			return 0;
		snprintf(meta, sizeof(meta), "%s/%s/config.v2.json", docker_dir, id);
		j = rt_slurp(meta, 1 << 20);
		if (!j || !rt_json_str(j, "\"LogPath\"", path, len) || path[0] != '/') {
			free(j);
			path[0] = 0;
			return 0;
		}
		free(j);
		return 1;
	}
	if (!strcmp(runtime, "podman")) {
		snprintf(meta, sizeof(meta), "%s/%s/userdata", RT_PODMAN_CONTAINERS, id);
		if (stat(meta, &st))
			return 0;
		snprintf(path, len, "%s/ctr.log", meta);
		if (!stat(path, &st) && S_ISREG(st.st_mode)) {
			snprintf(driver, dlen, "k8s-file");
			return 1;
		}
		path[0] = 0;
		snprintf(driver, dlen, "journald"); /* podman's other driver that keeps lines */
		return 0;
	}
	return 0;
}
