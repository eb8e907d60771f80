// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * report_place.c - where a process runs, in words and in JSON: the
 * container (its runtime, name and id) or the systemd unit its cgroup
 * names, its pid in its own PID namespace, its namespaces; and what its
 * network lacked (a family with no route, or no address, at the route
 * lookup). The reporters' one way of saying it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/fmt.h"
#include "report/jprintf.h"
#include "report/report_int.h"

char *fmt_place(char *buf, size_t len, const struct correlator *c, const struct proc *p)
{
	const struct cg_info *g = correlator_cgroup(c, p);
	char sid[16];
	size_t n = 0;

	buf[0] = 0;
	if (g && g->place.kind == CG_CONTAINER) {
		if (g->name[0])
			n = (size_t)snprintf(buf, len, "container %s (%s %s)", fmt_safe(g->name), g->place.runtime,
					     cg_short_id(&g->place, sid, sizeof(sid)));
		else
			n = (size_t)snprintf(buf, len, "%s container %s", g->place.runtime,
					     cg_short_id(&g->place, sid, sizeof(sid)));
	} else if (g && g->place.kind == CG_UNIT) {
		n = (size_t)snprintf(buf, len, "unit %s", fmt_safe(g->place.unit));
	}
	if (proc_in_own_pidns(p) && n < len)
		snprintf(buf + n, len - n, "%spid %u in its PID namespace", n ? ", " : "", p->ns_tgid);
	return buf;
}

/* The container's name where known, else its short id: what a label or a
 * selector shows; "" on the host. */
const char *place_label(const struct correlator *c, const struct proc *p, char *buf, size_t len)
{
	const struct cg_info *g = correlator_cgroup(c, p);

	if (!g || g->place.kind != CG_CONTAINER)
		return "";
	if (g->name[0]) {
		snprintf(buf, len, "%s", g->name);
		return buf;
	}
	return cg_short_id(&g->place, buf, len);
}

void json_place(FILE *f, const struct correlator *c, const struct proc *p)
{
	const struct cg_info *g = correlator_cgroup(c, p);

	if (!p->cgroup_id && !p->ns_tgid) {
		jprintf(f, ",\"place\":null");
		return;
	}
	jprintf(f, ",\"place\":{\"kind\":\"%s\"",
		!g ? "unknown" : g->place.kind == CG_CONTAINER ? "container"
			       : g->place.kind == CG_UNIT    ? "unit"
							     : "host");
	if (g && g->place.kind == CG_CONTAINER) {
		jprintf(f, ",\"runtime\":");
		json_str(f, g->place.runtime);
		jprintf(f, ",\"container_id\":");
		json_str(f, g->place.id);
		jprintf(f, ",\"container\":");
		json_str_or_null(f, g->name);
	}
	if (g && g->place.kind == CG_UNIT) {
		jprintf(f, ",\"unit\":");
		json_str(f, g->place.unit);
	}
	jprintf(f, ",\"cgroup\":");
	if (g)
		json_str(f, g->path);
	else
		jprintf(f, "null");
	if (p->ns_tgid)
		jprintf(f, ",\"ns_pid\":%u,\"ns_ppid\":%u,\"own_pid_namespace\":%s", p->ns_tgid, p->ns_ppid,
			proc_in_own_pidns(p) ? "true" : "false");
	else
		jprintf(f, ",\"ns_pid\":null,\"ns_ppid\":null,\"own_pid_namespace\":null");
	if (p->pidns)
		jprintf(f, ",\"pid_namespace\":%u", p->pidns);
	else
		jprintf(f, ",\"pid_namespace\":null");
	if (p->netns)
		jprintf(f, ",\"net_namespace\":%u}", p->netns);
	else
		jprintf(f, ",\"net_namespace\":null}");
}

const char *net_verdict_key(const struct proc *p, int fam)
{
	const struct fam_stats *s = &p->fam[fam];

	if (s->connected || s->probes_ok)
		return NULL; /* the family worked somewhere: not the namespace's lack */
	if (s->local_no_addr)
		return "no_address";
	if (s->local_no_route)
		return "no_route";
	return NULL;
}

void text_network(FILE *f, const struct correlator *c, const struct proc *p, const char *in)
{
	const struct cg_info *g = correlator_cgroup(c, p);
	char sid[16], who[128];

	/* Said for a container: on the host, the attempts' own lines say it. */
	if (!g || g->place.kind != CG_CONTAINER)
		return;
	if (g->name[0])
		snprintf(who, sizeof(who), "container %s", fmt_safe(g->name));
	else
		snprintf(who, sizeof(who), "%s container %s", g->place.runtime, cg_short_id(&g->place, sid, sizeof(sid)));
	for (int fam = 0; fam < FAM_N; fam++) {
		const char *v = net_verdict_key(p, fam);
		const struct fam_stats *s = &p->fam[fam];
		const char *other = fam == FAM_V6 ? "IPv4" : "IPv6";

		if (!v)
			continue;
		if (!strcmp(v, "no_route"))
			fprintf(f, "%sNETWORK: %s has no %s route: %" PRIu64 " connect(s) and route probe(s) "
				   "failed at the route lookup (ENETUNREACH: no route to the address, so no "
				   "default route either), none connected; ways out: give the container's "
				   "network an %s route (a %s gateway on its network: podman or docker network "
				   "create --ipv6 --gateway ...), or have its MTA use %s only (Postfix: "
				   "inet_protocols = %s in the container's main.cf)\n",
				in, who, fam_name(fam), s->local_no_route, fam_name(fam), fam_name(fam), other,
				fam == FAM_V6 ? "ipv4" : "ipv6");
		else
			fprintf(f, "%sNETWORK: %s has no %s address: %" PRIu64 " connect(s) and route probe(s) "
				   "found no source address of the family (EADDRNOTAVAIL: %s is off in its "
				   "network%s); ways out: %s, or have its MTA use %s only\n",
				in, who, fam_name(fam), s->local_no_addr, fam_name(fam),
				fam == FAM_V6 ? ", as Docker's default is" : "",
				fam == FAM_V6 ? "enable IPv6 on its network (docker or podman network create --ipv6)"
					      : "give its network an IPv4 address",
				other);
	}
}

void json_network(FILE *f, const struct proc *p)
{
	jprintf(f, ",\"network\":{\"ipv4\":");
	json_str_or_null(f, net_verdict_key(p, FAM_V4));
	jprintf(f, ",\"ipv6\":");
	json_str_or_null(f, net_verdict_key(p, FAM_V6));
	jprintf(f, "}");
}
