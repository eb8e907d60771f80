// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * floor.bpf.c - empty programs on exactly the hooks famtrace uses, and on
 * the ones it used before 0.4 (the connect and sendto syscall tracepoints).
 * Their cost is the physical limit of hooking those points; famtrace is
 * measured against both sets in `make bench` (bench/floor.c chooses).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tracepoint/syscalls/sys_enter_connect")
int floor_enter_connect(void *ctx) { return 0; }
SEC("tracepoint/syscalls/sys_exit_connect")
int floor_exit_connect(void *ctx) { return 0; }
SEC("tracepoint/syscalls/sys_enter_sendto")
int floor_enter_sendto(void *ctx) { return 0; }
SEC("tracepoint/syscalls/sys_exit_sendto")
int floor_exit_sendto(void *ctx) { return 0; }
SEC("tp_btf/fib_table_lookup")
int BPF_PROG(floor_fib4) { return 0; }
SEC("tp_btf/fib6_table_lookup")
int BPF_PROG(floor_fib6) { return 0; }
SEC("cgroup/connect4")
int floor_connect4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/connect6")
int floor_connect6(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/sock_release")
int floor_release(struct bpf_sock *ctx) { return 1; }
SEC("cgroup/getsockname4")
int floor_sockname4(struct bpf_sock_addr *ctx) { return 1; }
SEC("cgroup/getsockname6")
int floor_sockname6(struct bpf_sock_addr *ctx) { return 1; }
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(floor_set_state) { return 0; }
SEC("tp_btf/inet_sk_error_report")
int BPF_PROG(floor_error_report) { return 0; }
SEC("tp_btf/sched_process_fork")
int BPF_PROG(floor_fork) { return 0; }
SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_exec) { return 0; }
SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_exit) { return 0; }
SEC("uprobe")
int floor_uprobe(void *ctx) { return 0; }
SEC("uretprobe")
int floor_uretprobe(void *ctx) { return 0; }
SEC("cgroup_skb/egress")
int floor_skb_egress(struct __sk_buff *skb) { return 1; }
SEC("cgroup_skb/ingress")
int floor_skb_ingress(struct __sk_buff *skb) { return 1; }
