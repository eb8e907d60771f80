// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * cgpath.c - where a process runs, read from its cgroup path (cgpath.h).
 * Each component is read from the innermost out: a container nested in a
 * unit (docker's scope under system.slice) is the container.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/cgpath.h"

static bool all_hex(const char *s, size_t n)
{
	if (n < 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* s[0..n) without systemd's escapes (\x2d is '-'), into out. */
static void unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		unsigned v;

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && sscanf(s + i + 2, "%2x", &v) == 1 &&
		    isxdigit((unsigned char)s[i + 2]) && isxdigit((unsigned char)s[i + 3])) {
			out[o++] = (char)v;
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = 0;
}

static void set(struct cg_place *p, const char *runtime, const char *id, size_t n)
{
	p->kind = CG_CONTAINER;
	snprintf(p->runtime, sizeof(p->runtime), "%s", runtime);
	unescape(id, n, p->id, sizeof(p->id));
}

/* Is component c (n bytes) a container's cgroup? */
static bool container(const char *c, size_t n, const char *parent, size_t pn, struct cg_place *p)
{
	static const struct {
		const char *prefix, *runtime;
	} scoped[] = {
		{ "docker-", "docker" },
		{ "libpod-", "podman" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" },
	};
	const char *body = c;
	size_t bn = n;

	if (ends(c, n, ".scope"))
		bn -= 6;
	for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++) {
		size_t k = strlen(scoped[i].prefix);

		/* podman's monitor (conmon) has a scope of its own: not the
		 * container. */
		if (bn > k && !memcmp(body, scoped[i].prefix, k) && strncmp(body + k, "conmon-", 7) &&
		    all_hex(body + k, bn - k)) {
			set(p, scoped[i].runtime, body + k, bn - k);
			return true;
		}
	}
	if (ends(c, n, ".scope") && n > 14 && !memcmp(c, "machine-", 8)) {
		set(p, "systemd-nspawn", c + 8, n - 8 - 6);
		return true;
	}
	if (n > 12 && !memcmp(c, "lxc.payload.", 12)) {
		set(p, "lxc", c + 12, n - 12);
		return true;
	}
	/* cgroupfs drivers: /docker/ID, /lxc/NAME, kubepods/.../ID */
	if (pn == 6 && !memcmp(parent, "docker", 6) && all_hex(c, n)) {
		set(p, "docker", c, n);
		return true;
	}
	if (pn == 3 && !memcmp(parent, "lxc", 3)) {
		set(p, "lxc", c, n);
		return true;
	}
	if (all_hex(c, n) && n == 64) {
		set(p, "containerd", c, n);
		return true;
	}
	return false;
}

void cg_classify(const char *path, struct cg_place *out)
{
	const char *end = path + strlen(path), *unit = NULL;
	size_t unit_n = 0;

	memset(out, 0, sizeof(*out));
	/* From the innermost component out. */
	while (end > path) {
		const char *c = end, *pc;
		size_t n, pn;

		while (c > path && c[-1] != '/')
			c--;
		n = (size_t)(end - c);
		pc = c > path ? c - 1 : c;
		pn = 0;
		while (pc > path && pc[-1] != '/')
			pc--, pn++;
		if (n && container(c, n, pc, pn, out))
			return;
		/* podman's "container" leaf under its scope. */
		if (n && !unit && (ends(c, n, ".service") || (ends(c, n, ".scope") && strncmp(c, "session-", 8))))
			unit = c, unit_n = n;
		end = c > path ? c - 1 : path;
	}
	if (unit) {
		out->kind = CG_UNIT;
		unescape(unit, unit_n, out->unit, sizeof(out->unit));
	}
}

const char *cg_short_id(const struct cg_place *p, char *buf, size_t len)
{
	size_t n = strlen(p->id);

	snprintf(buf, len, "%.*s", all_hex(p->id, n) ? 12 : (int)n, p->id);
	return buf;
}

bool cg_container_is(const struct cg_place *p, const char *name, const char *sel)
{
	size_t n = strlen(sel);

	return p->kind == CG_CONTAINER &&
	       ((name[0] && !strcmp(name, sel)) || (n >= 4 && !strncasecmp(p->id, sel, n)));
}
