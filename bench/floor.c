// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * floor - loads bench/floor.bpf.c: empty programs on famtrace's hooks, on
 * the same resolver functions of LIBC (entry and return) and, as famtrace's
 * DNS wire programs, on every packet of the cgroup v2 root (egress and
 * ingress); prints "ready" and waits for SIGINT/SIGTERM.
 *
 * Optional PART arguments attach some kinds of hook only, for what each kind
 * costs on its own: "sockets" (the cgroup connect, release and getsockname
 * programs), "route" (the FIB lookup points), "events" (the other tp_btf
 * socket and scheduler points), "uprobes" (the resolver functions), "wire"
 * (the cgroup packet programs) and "syscalls" (the connect and sendto
 * syscall tracepoints, which put every system call of every process on the
 * tracing slow path; famtrace used them before 0.4). "old" is the hook set
 * before 0.4: syscalls, events, uprobes and wire. No PART: the hooks famtrace
 * uses now (every kind but syscalls).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"
#include "kernel/cgroup.h"

static volatile sig_atomic_t stop;
static void on_sig(int s) { stop = 1; }

/* Is PART among the command line's parts (argv[2..])? None: every kind
 * famtrace uses now; "old": the set before 0.4. */
static bool wanted(int argc, char **argv, const char *part)
{
	bool old = !strcmp(part, "syscalls") || !strcmp(part, "events") || !strcmp(part, "uprobes") ||
		   !strcmp(part, "wire");

	if (argc <= 2)
		return strcmp(part, "syscalls") != 0;
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], part) || (old && !strcmp(argv[i], "old")))
			return true;
	return false;
}

/* The kind of hook a program is, by its section. */
static const char *kind_of(const char *sec)
{
	if (!strncmp(sec, "tracepoint/syscalls/", 20))
		return "syscalls";
	if (!strncmp(sec, "tp_btf/fib", 10))
		return "route";
	if (!strncmp(sec, "tp_btf/", 7))
		return "events";
	if (!strncmp(sec, "cgroup/", 7))
		return "sockets";
	if (!strncmp(sec, "cgroup_skb/", 11))
		return "wire";
	return "uprobes";
}

int main(int argc, char **argv)
{
	static const char *const fns[] = { "getaddrinfo", "gethostbyname", "gethostbyname2",
		"gethostbyname_r", "gethostbyname2_r", "res_query", "res_search", "res_nquery",
		"res_nsearch", "res_send", "res_nsend", "res_querydomain", "res_nquerydomain" };
	char err[256];
	int cg;
	struct floor_bpf *s;
	struct bpf_program *prog;

	static const char *const parts[] = { "sockets", "route", "events", "uprobes", "wire", "syscalls",
					     "old" };

	if (argc < 2) {
		fprintf(stderr, "usage: floor LIBC [sockets|route|events|uprobes|wire|syscalls|old]...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		bool known = false;

		for (unsigned j = 0; j < sizeof(parts) / sizeof(parts[0]); j++)
			known |= !strcmp(argv[i], parts[j]);
		if (!known) {
			fprintf(stderr, "floor: unknown part %s (sockets, route, events, uprobes, wire, "
					"syscalls, old)\n", argv[i]);
			return 2;
		}
	}
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	s = floor_bpf__open();
	if (!s) {
		fprintf(stderr, "floor: cannot open\n");
		return 1;
	}
	/* The auto-attached kinds (tracepoints), by section; uprobes and
	 * cgroup programs are attached below. */
	bpf_object__for_each_program(prog, s->obj)
		if (!wanted(argc, argv, kind_of(bpf_program__section_name(prog))))
			bpf_program__set_autoattach(prog, false);
	if (floor_bpf__load(s) || floor_bpf__attach(s)) {
		fprintf(stderr, "floor: cannot load or attach\n");
		return 1;
	}
	cg = cgroup_root_open(err, sizeof(err));
	if (cg < 0) {
		fprintf(stderr, "floor: %s\n", err);
		return 1;
	}
	bpf_object__for_each_program(prog, s->obj) {
		const char *sec = bpf_program__section_name(prog), *kind = kind_of(sec);

		if ((strcmp(kind, "sockets") && strcmp(kind, "wire")) || !wanted(argc, argv, kind))
			continue;
		if (!bpf_program__attach_cgroup(prog, cg)) {
			fprintf(stderr, "floor: cannot attach %s to the cgroup2 root\n", sec);
			return 1;
		}
	}
	close(cg);
	for (unsigned i = 0; wanted(argc, argv, "uprobes") && i < sizeof(fns) / sizeof(fns[0]); i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, en, .func_name = fns[i]);
		LIBBPF_OPTS(bpf_uprobe_opts, ex, .func_name = fns[i], .retprobe = true);

		if (!bpf_program__attach_uprobe_opts(s->progs.floor_uprobe, -1, argv[1], 0, &en) ||
		    !bpf_program__attach_uprobe_opts(s->progs.floor_uretprobe, -1, argv[1], 0, &ex))
			fprintf(stderr, "floor: cannot probe %s\n", fns[i]);
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	floor_bpf__destroy(s);
	return 0;
}
