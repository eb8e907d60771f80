// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cgpath.h - where a process runs, read from its cgroup path: a container
 * (the runtime and the container's id, as the runtimes name their cgroups)
 * or a systemd unit. Pure: a path in, a place out.
 *
 *	docker		/system.slice/docker-ID.scope, /docker/ID
 *	podman		/machine.slice/libpod-ID.scope[/container], /libpod_parent/libpod-ID
 *	containerd	/system.slice/cri-containerd-ID.scope, /kubepods/.../ID
 *	systemd-nspawn	/machine.slice/machine-NAME.scope (systemd's \x2d escapes undone)
 *	lxc		/lxc.payload.NAME, /lxc/NAME
 *	unit		the innermost NAME.service, else NAME.scope, under a slice
 */
#ifndef FT_CGPATH_H
#define FT_CGPATH_H

#include <stdbool.h>
#include <stddef.h>

enum cg_kind { CG_HOST = 0, CG_CONTAINER, CG_UNIT };

struct cg_place {
	enum cg_kind kind;
	char runtime[16]; /* "docker", "podman", "containerd", "systemd-nspawn", "lxc" */
	char id[72];	  /* the container's id (hex, as the runtime gives it), or
			   * its name where the cgroup has only that (nspawn, lxc) */
	char unit[128];	  /* CG_UNIT: "postfix@-.service" */
};

/* Read path ("/system.slice/docker-0123....scope"). Never fails: a path
 * that names nothing known is CG_HOST. */
void cg_classify(const char *path, struct cg_place *out);

/* Is sel the container p (named name, "" if none): its name, or 4 or more
 * characters of its id? */
bool cg_container_is(const struct cg_place *p, const char *name, const char *sel);

/* A short form for text: the first 12 characters of a hex id (as docker ps
 * shows it), else the id itself. */
const char *cg_short_id(const struct cg_place *p, char *buf, size_t len);

#endif
