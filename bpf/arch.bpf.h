// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * arch.bpf.h - everything in famtrace's BPF side that differs by CPU
 * architecture, and nothing else: the system call numbers of connect() and
 * sendto() (and io_uring_enter(), which opens connections too), where a
 * task's saved registers keep the number of the system call it is inside,
 * the names of the system call wrappers that the optional fexit programs
 * attach to, and a function's sixth argument where libbpf 1.1 has no
 * PT_REGS_PARM6 (the resolver probes' gethostbyname2_r needs it).
 *
 * Used by famtrace.bpf.c only. Must never hold logic that is not about the
 * architecture.
 */
#ifndef FT_ARCH_BPF_H
#define FT_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)
#define FT_NR_CONNECT 42
#define FT_NR_SENDTO 44
#define FT_NR_IO_URING_ENTER 426
#define FT_SYS_CONNECT "__x64_sys_connect"
#define FT_SYS_SENDTO "__x64_sys_sendto"
/* The number of the system call a task is inside (-1 outside one). */
static __always_inline long ft_syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, orig_ax);
}
#ifndef PT_REGS_PARM6
#define PT_REGS_PARM6(x) ((x)->r9)
#endif
#elif defined(__TARGET_ARCH_arm64)
#define FT_NR_CONNECT 203
#define FT_NR_SENDTO 206
#define FT_NR_IO_URING_ENTER 426
#define FT_SYS_CONNECT "__arm64_sys_connect"
#define FT_SYS_SENDTO "__arm64_sys_sendto"
static __always_inline long ft_syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, syscallno);
}
#ifndef PT_REGS_PARM6
#define PT_REGS_PARM6(x) (((const struct user_pt_regs *)(x))->regs[5])
#endif
#else
#error "famtrace's BPF side knows x86 and arm64 only: add the architecture to bpf/arch.bpf.h"
#endif

#endif /* FT_ARCH_BPF_H */
