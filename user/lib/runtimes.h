// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * runtimes.h - what container runtimes keep about their containers, read
 * from their own files (runtimes.c): where dockerd and podman keep them,
 * and where a container's output (its log) goes and in what form.
 */
#ifndef FT_RUNTIMES_H
#define FT_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* podman's containers (rootful, its default storage): containers.json, and
 * ID/userdata/ctr.log for the k8s-file log driver. */
#define RT_PODMAN_CONTAINERS "/var/lib/containers/storage/overlay-containers"

/* dockerd's containers' folder: its data root as the running daemon was
 * told (--data-root, -g) or daemon.json says, /var/lib/docker by default,
 * and "/containers". */
void rt_docker_containers_dir(char *out, size_t len);

/* A file's first max bytes, terminated (malloc'd), NULL if unreadable. */
char *rt_slurp(const char *path, size_t max);

/* The string value of key ("\"Name\"", quotes included) after its first
 * occurrence in json (a list's first, "names":["x"]), into out. Metadata
 * of the runtimes' own, read for names and paths (no escapes there). */
bool rt_json_str(const char *json, const char *key, char *out, size_t len);

/* A container's name from its runtime's metadata (runtime as cgpath names
 * it, id as its cgroup gives it): "" when none is known. Only names a
 * runtime allows ([a-zA-Z0-9][a-zA-Z0-9_.-]*) are believed. */
void rt_container_name(const char *runtime, const char *id, const char *docker_dir, char *out, size_t len);

/* The processes named comm (the first of names) that run in container sel
 * (its name as its runtime knows it, or 4+ characters of its id), into
 * pids (host pids; at most max). How many. */
size_t rt_container_procs(const char *sel, const char *comm, pid_t *pids, size_t max);

/* Where the runtime (cgroup's "docker", "podman") keeps container id's
 * output. 1: a file in path, its driver in driver ("json-file",
 * "k8s-file"); 0: none famtrace can read, driver says what the container
 * logs to instead ("journald", "local", ...) or "" when the runtime's
 * metadata was not found (removed, not readable). */
int rt_container_log(const char *runtime, const char *id, const char *docker_dir, char *path, size_t len,
		     char *driver, size_t dlen);

#endif
