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

#include "lib/cgpath.h"
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

void rt_container_name(const char *runtime, const char *id, const char *docker_dir, char *out, size_t len)
{
	char path[512], *j, *at;

	out[0] = 0;
	if (!strcmp(runtime, "podman")) {
		j = rt_slurp(RT_PODMAN_CONTAINERS "/containers.json", 4 << 20);
		snprintf(path, sizeof(path), "\"id\":\"%s\"", id);
		at = j ? strstr(j, path) : NULL;
		if (at)
			rt_json_str(at, "\"names\"", out, len);
		free(j);
	} else if (!strcmp(runtime, "docker")) {
		snprintf(path, sizeof(path), "%s/%s/config.v2.json", docker_dir, id);
		j = rt_slurp(path, 1 << 20);
		if (j && rt_json_str(j, "\"Name\"", out, len) && out[0] == '/')
			memmove(out, out + 1, strlen(out));
		free(j);
	} else if (!strcmp(runtime, "systemd-nspawn") || !strcmp(runtime, "lxc")) {
		snprintf(out, len, "%.*s", (int)len - 1, id); /* the cgroup is named for it */
	}
	/* Names a runtime allows are [a-zA-Z0-9][a-zA-Z0-9_.-]*: anything else
	 * is not believed. */
	for (char *s = out; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-')) {
			out[0] = 0;
			break;
		}
}

size_t rt_container_procs(const char *sel, const char *comm, pid_t *pids, size_t max)
{
	const char *names[] = { comm };
	pid_t all[256];
	size_t n = proc_by_comm(names, 1, all, 256), k = 0;
	char docker_dir[512] = "";

	for (size_t i = 0; i < n && k < max; i++) {
		char path[512], name[128] = "";
		struct cg_place c;

		if (!proc_cgroup_path(all[i], path, sizeof(path)))
			continue;
		cg_classify(path, &c);
		if (c.kind != CG_CONTAINER)
			continue;
		/* The name only when the id does not match already. */
		if (!cg_container_is(&c, "", sel)) {
			if (!docker_dir[0])
				rt_docker_containers_dir(docker_dir, sizeof(docker_dir));
			rt_container_name(c.runtime, c.id, docker_dir, name, sizeof(name));
		}
		if (cg_container_is(&c, name, sel))
			pids[k++] = all[i];
	}
	return k;
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
		/* dockerd writes LogPath as the container starts, which may
		 * be after famtrace sees its first process: its place is
		 * dockerd's own, beside the metadata. */
		snprintf(meta, sizeof(meta), "%s/%s/config.v2.json", docker_dir, id);
		j = rt_slurp(meta, 1 << 20);
		if (!j || !rt_json_str(j, "\"LogPath\"", path, len) || path[0] != '/')
			snprintf(path, len, "%s/%s/%s-json.log", docker_dir, id, id);
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
