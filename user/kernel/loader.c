// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * loader.c - libbpf glue: preflight checks, load, attach, ring buffer.
 *
 * Every failure here is one the user can do something about, so each ends in
 * one line that says what is missing and how to get it, with its own exit
 * code (enum ft_exit).
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel/loader.h"
#include "famtrace.skel.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct loader {
	struct famtrace_bpf *skel;
	struct bpf_link **links; /* resolver uprobes */
	size_t n_links, cap_links;
	struct ring_buffer *rb;
	loader_event_fn fn;
	void *ctx;
	int delivered;
	int ncpus;
	bool exact_errno; /* the fexit programs on connect() and sendto() run */
};

static bool debug_on;

/* libbpf's first "prog '...': failed to ..." warning: names the hook a
 * kernel lacks in our one-line error. */
static char first_prog_warning[256];

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && !first_prog_warning[0]) {
		va_list aq;
		char line[256];

		va_copy(aq, ap);
		vsnprintf(line, sizeof(line), fmt, aq);
		va_end(aq);
		if (!strncmp(line, "prog '", 6)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(first_prog_warning, sizeof(first_prog_warning), "%s", line);
		}
	}
	if (!debug_on)
		return 0; /* warnings are summarised by our own one-line errors */
	return vfprintf(stderr, fmt, ap);
}

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static int check_privileges(char *err, size_t len)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d)) {
		snprintf(err, len, "cannot read capabilities: %s", strerror(errno));
		return FT_EXIT_PRIV;
	}
	if (has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON)))
		return 0;
	snprintf(err, len, "tracing needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN); "
			   "run famtrace with sudo");
	return FT_EXIT_PRIV;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Tracepoint attachment reads event ids from tracefs; mount it if needed. */
static int ensure_tracefs(char *err, size_t len)
{
	if (is_dir("/sys/kernel/tracing/events") || is_dir("/sys/kernel/debug/tracing/events"))
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
	    is_dir("/sys/kernel/tracing/events"))
		return 0;
	snprintf(err, len, "tracefs is not mounted and mounting it on /sys/kernel/tracing failed "
			   "(%s); mount it with: mount -t tracefs tracefs /sys/kernel/tracing",
		 strerror(errno));
	return FT_EXIT_TRACEFS;
}

static int check_kernel(char *err, size_t len)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, len, "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s); famtrace "
				   "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
			 strerror(errno));
		return FT_EXIT_KERNEL;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1) {
		snprintf(err, len, "the kernel has no BPF ring buffer (needs Linux 5.8 or later)");
		return FT_EXIT_KERNEL;
	}
	return 0;
}

/*
 * The hooks famtrace cannot do without, checked by name before loading so
 * that an older kernel is refused with one line saying what it lacks,
 * rather than with a verifier error. *has_error_report tells whether the
 * optional inet_sk_error_report tracepoint exists, *has_drop_reason
 * whether kfree_skb carries the kernel's drop reason.
 */
static int check_hooks(char *err, size_t len, bool *has_error_report, bool *has_drop_reason)
{
	static const char *const needed[] = { "inet_sock_set_state", "sched_process_fork",
					      "sched_process_exec", "sched_process_exit",
					      "fib_table_lookup", "fib6_table_lookup" };
	struct btf *vmlinux = btf__load_vmlinux_btf();
	char name[64];

	if (!vmlinux) {
		snprintf(err, len, "cannot read the kernel's BTF: %s", strerror(errno));
		return FT_EXIT_KERNEL;
	}
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", needed[i]);
		if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) < 0) {
			snprintf(err, len, "the kernel lacks the tracepoint %s, which famtrace needs "
					   "(BTF-enabled tracepoints: Linux 5.5 or later)", needed[i]);
			btf__free(vmlinux);
			return FT_EXIT_KERNEL;
		}
	}
	*has_error_report = btf__find_by_name_kind(vmlinux, "btf_trace_inet_sk_error_report",
						   BTF_KIND_TYPEDEF) >= 0;
	/* kfree_skb with its drop reason (Linux 5.17; netfilter's from 6.0). */
	*has_drop_reason = btf__find_by_name_kind(vmlinux, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF) >= 0 &&
			   btf__find_by_name_kind(vmlinux, "skb_drop_reason", BTF_KIND_ENUM) >= 0;
	btf__free(vmlinux);
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) != 1) {
		snprintf(err, len, "the kernel lacks task-local storage for BPF "
				   "(BPF_MAP_TYPE_TASK_STORAGE), which famtrace needs: Linux 5.11 or later");
		return FT_EXIT_KERNEL;
	}
	return 0;
}

/*
 * Can a program attach with fexit to this kernel function? Tried for real,
 * as libbpf-tools' fentry_can_attach() does: a two-instruction program is
 * loaded and attached, then dropped. A hardened kernel refuses trampolines
 * (EPERM at load), an older one may lack the function: the answer is then
 * no, and famtrace reads errnos from the route lookup instead. Never decided
 * by kernel version.
 */
static bool fexit_can_attach(const struct bpf_program *prog)
{
	/* "fexit/FUNCTION": the function named by the program's section
	 * (bpf/arch.bpf.h names it for the architecture). */
	const char *func = strchr(bpf_program__section_name(prog), '/');
	struct btf *vmlinux = btf__load_vmlinux_btf();
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FEXIT);
	int id, fd, link;

	if (!vmlinux || !func) {
		btf__free(vmlinux);
		return false;
	}
	id = btf__find_by_name_kind(vmlinux, func + 1, BTF_KIND_FUNC);
	btf__free(vmlinux);
	if (id <= 0)
		return false;
	o.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &o);
	if (fd < 0)
		return false;
	link = bpf_raw_tracepoint_open(NULL, fd);
	close(fd);
	if (link < 0)
		return false;
	close(link);
	return true;
}

/*
 * Records handled per loader_poll at most. libbpf drains the ring for as
 * long as records keep coming, so under a flood one poll never returned and
 * the main loop (rotation, metrics, sync, signals) starved: past this many,
 * the callback says stop (BATCH_FULL), libbpf stores the consumer position
 * after the record just handled, and the rest waits in the ring for the
 * next turn. About 20-40 ms of work on this machine kind.
 */
#define BATCH_FULL (-ECANCELED)

static int on_record(void *ctx, void *data, size_t len)
{
	struct loader *l = ctx;

	l->fn(l->ctx, data, len);
	return ++l->delivered >= LOADER_BATCH ? BATCH_FULL : 0;
}

static int configure(struct loader *l, const struct loader_cfg *cfg, char *err, size_t len)
{
	struct famtrace_bpf *s = l->skel;

	s->rodata->ft_cfg_mode = cfg->mode;
	for (size_t i = 0; i < cfg->n_ports; i++)
		s->rodata->ft_cfg_ports[cfg->ports[i] >> 6] |= 1ULL << (cfg->ports[i] & 63);
	if (!cfg->n_dns_ports)
		s->rodata->ft_cfg_dns_ports[0] |= 1ULL << 53;
	for (size_t i = 0; i < cfg->n_dns_ports; i++)
		s->rodata->ft_cfg_dns_ports[cfg->dns_ports[i] >> 6] |= 1ULL << (cfg->dns_ports[i] & 63);
	if (cfg->ringbuf_bytes && bpf_map__set_max_entries(s->maps.ft_events, cfg->ringbuf_bytes)) {
		snprintf(err, len, "cannot size the ring buffer to %u bytes", cfg->ringbuf_bytes);
		return FT_EXIT_USAGE;
	}
	/* Wake the reader once a sixteenth of the buffer is full (256 KiB of
	 * the default 4 MiB; it also reads every 100 ms): at 64 KiB a relay
	 * delivering 2,500 messages a second woke it 270 times a second. */
	s->rodata->ft_cfg_wakeup_bytes = bpf_map__max_entries(s->maps.ft_events) / 16;
	if (cfg->map_entries &&
	    (bpf_map__set_max_entries(s->maps.ft_tracked, cfg->map_entries) ||
	     bpf_map__set_max_entries(s->maps.ft_pending, cfg->map_entries) ||
	     bpf_map__set_max_entries(s->maps.ft_opening, cfg->map_entries))) {
		snprintf(err, len, "cannot size the tracking maps to %u entries", cfg->map_entries);
		return FT_EXIT_USAGE;
	}
	if (cfg->n_comms > FT_MAX_COMMS) {
		snprintf(err, len, "at most %d process names can be traced", FT_MAX_COMMS);
		return FT_EXIT_USAGE;
	}
	return 0;
}

static bool port_listed(const struct loader_cfg *cfg, uint16_t port)
{
	for (size_t i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i] == port)
			return true;
	return false;
}

/*
 * The services database's names and their ports, for the resolver probes:
 * a getaddrinfo of a process not (yet) traced that names a service of
 * another port is not recorded. A name with a mail port for either
 * protocol keeps that port. A name left out (too long, map full, no
 * database) is only ever recorded, so nothing here can fail.
 */
static int add_service(int fd, const struct loader_cfg *cfg, const char *name, uint16_t port)
{
	char key[FT_SERVICE_LEN] = {};
	size_t len = strlen(name);
	uint16_t had;

	if (len >= sizeof(key))
		return 0;
	memcpy(key, name, len);
	if (!bpf_map_lookup_elem(fd, key, &had) && (had == port || port_listed(cfg, had)))
		return 0;
	return bpf_map_update_elem(fd, key, &port, BPF_ANY) ? -1 : 1;
}

/*
 * The service names of /etc/services ("name port/proto aliases... # note"),
 * read as a file: getservent goes through NSS, which a statically linked
 * famtrace (make famtrace-static) can only reach with the shared libraries
 * of the glibc it was built with.
 */
static void fill_services(struct loader *l, const struct loader_cfg *cfg)
{
	int fd = bpf_map__fd(l->skel->maps.ft_services), e = 0;
	FILE *f = fopen("/etc/services", "re");
	char line[512];
	size_t n = 0;

	while (f && e >= 0 && fgets(line, sizeof(line), f)) {
		char *save = NULL, *name, *portproto, *w;
		unsigned long port;

		line[strcspn(line, "#\n")] = 0;
		name = strtok_r(line, " \t", &save);
		portproto = name ? strtok_r(NULL, " \t", &save) : NULL;
		if (!portproto || !isdigit((unsigned char)*portproto))
			continue;
		port = strtoul(portproto, &w, 10);
		if (*w != '/' || !port || port > 65535)
			continue;
		n += (e = add_service(fd, cfg, name, (uint16_t)port)) > 0;
		while (e >= 0 && (w = strtok_r(NULL, " \t", &save)))
			n += (e = add_service(fd, cfg, w, (uint16_t)port)) > 0;
	}
	if (f)
		fclose(f);
	if (debug_on)
		fprintf(stderr, "famtrace: %zu service names for the resolver filter%s\n", n,
			e < 0 ? " (map full)" : "");
}

static int keep_link(struct loader *l, struct bpf_link *link);

/*
 * The attempt programs on the cgroup v2 root (every socket of the host
 * passes them): the connect hooks, the socket's release and getsockname.
 * Without them famtrace sees no attempt, so failing here fails the start.
 */
static int attach_attempts(struct loader *l, int cg_fd, char *err, size_t errlen)
{
	struct famtrace_bpf *s = l->skel;
	struct bpf_program *progs[] = { s->progs.ft_connect4, s->progs.ft_connect6, s->progs.ft_release,
					s->progs.ft_sockname4, s->progs.ft_sockname6 };

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_link *link = bpf_program__attach_cgroup(progs[i], cg_fd);

		if (!link || keep_link(l, link)) {
			int e = link ? ENOMEM : errno;

			if (link)
				bpf_link__destroy(link);
			snprintf(err, errlen, "cannot attach %s to the cgroup2 root: %s",
				 bpf_program__section_name(progs[i]), strerror(e));
			return FT_EXIT_KERNEL;
		}
	}
	return 0;
}

bool loader_exact_errno(const struct loader *l)
{
	return l->exact_errno;
}

struct loader *loader_open(const struct loader_cfg *cfg, loader_event_fn fn, void *ctx,
			   char *err, size_t errlen, int *code)
{
	struct loader *l;
	bool has_error_report = false, has_drop_reason = false;
	int e;

	debug_on = cfg->debug;
	libbpf_set_print(print_fn);
	if ((*code = check_privileges(err, errlen)) || (*code = check_kernel(err, errlen)) ||
	    (*code = check_hooks(err, errlen, &has_error_report, &has_drop_reason)) ||
	    (*code = ensure_tracefs(err, errlen)))
		return NULL;

	l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		*code = FT_EXIT_RUNTIME;
		return NULL;
	}
	l->fn = fn;
	l->ctx = ctx;
	l->ncpus = libbpf_num_possible_cpus();
	l->skel = famtrace_bpf__open();
	if (!l->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		*code = FT_EXIT_KERNEL;
		goto fail;
	}
	if ((*code = configure(l, cfg, err, errlen)))
		goto fail;
	bpf_program__set_autoload(l->skel->progs.ft_error_report, has_error_report);
	bpf_program__set_autoload(l->skel->progs.ft_skb_drop, has_drop_reason);
	/* The exact return of connect() and sendto(), where the kernel lets
	 * famtrace have it; both or neither. */
	l->exact_errno = !cfg->route_errno_only && fexit_can_attach(l->skel->progs.ft_connect_ret) &&
			 fexit_can_attach(l->skel->progs.ft_sendto_ret);
	bpf_program__set_autoload(l->skel->progs.ft_connect_ret, l->exact_errno);
	bpf_program__set_autoload(l->skel->progs.ft_sendto_ret, l->exact_errno);
	if (debug_on)
		fprintf(stderr, "famtrace: connect errnos %s\n",
			l->exact_errno ? "from fexit on the system calls"
				       : "from the route lookup (fexit not available or not wanted)");
	e = famtrace_bpf__load(l->skel);
	if (e) {
		snprintf(err, errlen, "the kernel refused famtrace's BPF programs: %s%s%s%s",
			 strerror(-e), first_prog_warning[0] ? " (" : "", first_prog_warning,
			 cfg->debug ? (first_prog_warning[0] ? ")" : "")
				    : (first_prog_warning[0] ? "; --debug for the verifier log)"
							     : " (rerun with --debug for the verifier log)"));
		*code = e == -EPERM ? FT_EXIT_PRIV : FT_EXIT_KERNEL;
		goto fail;
	}
	for (size_t i = 0; i < cfg->n_comms; i++) {
		char key[FT_COMM_LEN] = {};
		__u8 one = 1;

		strncpy(key, cfg->comms[i], FT_COMM_LEN - 1);
		if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.ft_comms), key, &one, BPF_ANY)) {
			snprintf(err, errlen, "cannot add process name %s: %s", key, strerror(errno));
			*code = FT_EXIT_RUNTIME;
			goto fail;
		}
	}
	fill_services(l, cfg);
	e = famtrace_bpf__attach(l->skel);
	if (e) {
		snprintf(err, errlen, "cannot attach famtrace's tracepoints: %s%s%s%s", strerror(-e),
			 first_prog_warning[0] ? " (" : "", first_prog_warning,
			 first_prog_warning[0] ? ")" : cfg->debug ? "" : " (rerun with --debug for details)");
		*code = FT_EXIT_KERNEL;
		goto fail;
	}
	if ((*code = attach_attempts(l, cfg->cgroup_fd, err, errlen)))
		goto fail;
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.ft_events), on_record, l, NULL);
	if (!l->rb) {
		snprintf(err, errlen, "cannot set up the ring buffer: %s", strerror(errno));
		*code = FT_EXIT_KERNEL;
		goto fail;
	}
	*code = 0;
	return l;
fail:
	loader_close(l);
	return NULL;
}

static int keep_link(struct loader *l, struct bpf_link *link)
{
	if (l->n_links == l->cap_links) {
		size_t cap = l->cap_links ? l->cap_links * 2 : 32;
		struct bpf_link **n = realloc(l->links, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->links = n;
		l->cap_links = cap;
	}
	l->links[l->n_links++] = link;
	return 0;
}

static int attach_one(struct loader *l, struct bpf_program *prog, const char *lib,
		      const char *sym, bool ret)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = sym, .retprobe = ret);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, -1, lib, 0, &o);

	if (!link)
		return -errno;
	if (keep_link(l, link)) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	return 0;
}

int loader_attach_resolver(struct loader *l, const char *lib)
{
	struct famtrace_bpf *s = l->skel;
	const struct {
		const char *sym;
		struct bpf_program *enter, *exit;
	} fns[] = {
		{ "getaddrinfo", s->progs.ft_getaddrinfo_enter, s->progs.ft_getaddrinfo_exit },
		{ "gethostbyname", s->progs.ft_gethostbyname_enter, s->progs.ft_gethostbyname_exit },
		{ "gethostbyname2", s->progs.ft_gethostbyname2_enter, s->progs.ft_gethostbyname2_exit },
		{ "gethostbyname_r", s->progs.ft_gethostbyname_r_enter, s->progs.ft_gethostbyname_r_exit },
		{ "gethostbyname2_r", s->progs.ft_gethostbyname2_r_enter, s->progs.ft_gethostbyname2_r_exit },
		{ "res_query", s->progs.ft_res_query_enter, s->progs.ft_res_query_exit },
		{ "res_search", s->progs.ft_res_search_enter, s->progs.ft_res_search_exit },
		{ "res_nquery", s->progs.ft_res_nquery_enter, s->progs.ft_res_nquery_exit },
		{ "res_nsearch", s->progs.ft_res_nsearch_enter, s->progs.ft_res_nsearch_exit },
		{ "res_send", s->progs.ft_res_send_enter, s->progs.ft_res_send_exit },
		{ "res_nsend", s->progs.ft_res_nsend_enter, s->progs.ft_res_nsend_exit },
		{ "res_querydomain", s->progs.ft_res_querydomain_enter,
		  s->progs.ft_res_querydomain_exit },
		{ "res_nquerydomain", s->progs.ft_res_nquerydomain_enter,
		  s->progs.ft_res_nquerydomain_exit },
	};
	int attached = 0;

	if (access(lib, R_OK)) {
		fprintf(stderr, "famtrace: warning: C library %s: %s; its lookups are not traced\n",
			lib, strerror(errno));
		return 0;
	}
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		size_t mark = l->n_links;
		int e = attach_one(l, fns[i].enter, lib, fns[i].sym, false);

		if (!e)
			e = attach_one(l, fns[i].exit, lib, fns[i].sym, true);
		if (e) {
			/* Keep entry and return probes paired. */
			while (l->n_links > mark)
				bpf_link__destroy(l->links[--l->n_links]);
			fprintf(stderr, "famtrace: warning: %s: cannot trace %s (%s)\n", lib, fns[i].sym,
				e == -ENOENT ? "no such symbol" : strerror(-e));
			continue;
		}
		attached++;
	}
	return attached;
}

int loader_attach_dns(struct loader *l, int fd, char *err, size_t errlen)
{
	struct bpf_program *progs[2] = { l->skel->progs.ft_dns_egress, l->skel->progs.ft_dns_ingress };

	for (int i = 0; i < 2; i++) {
		struct bpf_link *link = bpf_program__attach_cgroup(progs[i], fd);

		if (!link || keep_link(l, link)) {
			int e = link ? ENOMEM : errno;

			if (link)
				bpf_link__destroy(link);
			snprintf(err, errlen, "cannot attach to the cgroup2 root: %s", strerror(e));
			return -1;
		}
	}
	return 0;
}

int loader_track(struct loader *l, uint32_t tgid, uint8_t why)
{
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.ft_tracked), &tgid, &why, BPF_ANY))
		return -errno;
	return 0;
}

int loader_poll(struct loader *l, int timeout_ms)
{
	int e;

	l->delivered = 0;
	/* Producers wake us only for batches (see wakeup_flags in the BPF
	 * code), so after the wait always read what is there, up to a
	 * batch (LOADER_BATCH): the caller's turn comes back in bounded time. */
	e = ring_buffer__poll(l->rb, timeout_ms);
	if (e == BATCH_FULL)
		return l->delivered;
	if (e < 0 && e != -EINTR)
		return e;
	e = ring_buffer__consume(l->rb);
	if (e < 0 && e != -EINTR && e != BATCH_FULL)
		return e;
	return l->delivered;
}

int loader_counters(struct loader *l, uint64_t out[FT_CNT_MAX])
{
	uint64_t *vals = calloc(l->ncpus, sizeof(*vals));
	int rc = 0;

	memset(out, 0, FT_CNT_MAX * sizeof(out[0]));
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < FT_CNT_MAX; k++) {
		if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.ft_counters), &k, vals)) {
			rc = -errno;
			continue;
		}
		for (int c = 0; c < l->ncpus; c++)
			out[k] += vals[c];
	}
	free(vals);
	return rc;
}

int loader_connecting(struct loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.ft_pending);
	__u64 key, next, *prev = NULL;
	struct ft_pending p;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &p) && p.stage == FT_STAGE_SYN_SENT)
			n++;
	}
	return n;
}

int loader_pending(struct loader *l, uint64_t now_ns)
{
	int fd = bpf_map__fd(l->skel->maps.ft_pending);
	__u64 key, next, *prev = NULL;
	struct ft_pending p;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct ft_attempt a;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &p))
			continue;
		memset(&a, 0, sizeof(a));
		a.hdr.kind = FT_EV_ATTEMPT;
		a.hdr.size = sizeof(a);
		a.hdr.ts_ns = now_ns;
		a.task = p.task;
		a.start_ns = p.start_ns;
		a.end_ns = now_ns;
		memcpy(a.daddr, p.daddr, sizeof(a.daddr));
		a.family = p.family;
		a.dport = p.dport;
		a.sport = p.sport;
		a.proto = p.proto;
		a.err = p.err;
		a.flags = p.flags;
		memcpy(a.saddr, p.saddr, sizeof(a.saddr));
		if (p.stage == FT_STAGE_SYN_SENT) {
			a.outcome = FT_OUT_PENDING;
			n++;
		} else {
			/* connect() returned, but nothing settled it yet: as
			 * the kernel side settles (settle in famtrace.bpf.c). */
			if (p.decided_ns)
				a.end_ns = p.decided_ns;
			if (p.proto == 17 /* UDP */) {
				a.hdr.kind = FT_EV_PROBE;
				a.outcome = FT_OUT_PROBE;
				if (p.confirmed)
					a.err = 0;
				else if (!a.err && !p.route_seen)
					a.flags |= FT_F_ERRNO_UNSEEN;
			} else {
				a.outcome = FT_OUT_IMMEDIATE;
				if (!a.err)
					a.flags |= FT_F_ERRNO_UNSEEN;
			}
		}
		l->fn(l->ctx, &a, sizeof(a));
	}
	return n;
}

/*
 * Removing a uprobe waits for an RCU grace period (about 0.1 s here), one
 * after another: 22 resolver probes held famtrace's exit for 2.5 s after its
 * report. So a child keeps the probe links open until this process has gone
 * (PR_SET_PDEATHSIG arrives after the parent's files are released), and the
 * slow removal happens as the child dies, in the background. This process
 * forgets its references without detaching and exits at once. Meanwhile the
 * probes write into a ring buffer nobody reads; nothing else changes.
 */
static void detach_in_background(struct loader *l)
{
	long max = sysconf(_SC_OPEN_MAX);
	pid_t parent = getpid(), pid;

	if (!l->n_links)
		return;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (int fd = 0; fd < (max > 0 && max < 65536 ? max : 65536); fd++) {
			bool keep = false;

			for (size_t i = 0; i < l->n_links && !keep; i++)
				keep = bpf_link__fd(l->links[i]) == fd;
			if (!keep)
				close(fd); /* stdout above all: a pipe reader waits for EOF */
		}
		for (;;)
			pause();
	}
	for (size_t i = 0; i < l->n_links; i++) {
		if (pid > 0)
			bpf_link__disconnect(l->links[i]);
		bpf_link__destroy(l->links[i]); /* without a child: slow, but correct */
	}
	l->n_links = 0;
}

bool loader_needs_fd(struct loader *l, int fd)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, l->skel->obj)
		if (bpf_program__fd(prog) == fd)
			return true;
	return false;
}

void loader_close(struct loader *l)
{
	if (!l)
		return;
	detach_in_background(l);
	free(l->links);
	ring_buffer__free(l->rb);
	famtrace_bpf__destroy(l->skel);
	free(l);
}
