/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "seccomp_filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host_facts.h"
#include "syscall_table.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "roar-tracer-ptrace supports x86_64 and aarch64"
#endif

#define CAP_SYS_ADMIN_BIT 21
#define MAX_INSNS 128

static int need_nnp(void)
{
	unsigned long long caps = 0;
	if (self_cap_eff(&caps) < 0)
		return 1;
	return !cap_has(caps, CAP_SYS_ADMIN_BIT);
}

static int install(struct sock_filter *insns, unsigned short n, int *needed_nnp)
{
	struct sock_fprog prog = { .len = n, .filter = insns };
	int nnp = need_nnp();
	if (needed_nnp)
		*needed_nnp = nnp;
	/* unprivileged filters need no_new_privs; it also disables setuid */
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		return -errno;
	return 0;
}

int seccomp_install_trace_filter(void)
{
	struct sock_filter f[MAX_INSNS];
	unsigned short n = 0;

	/* foreign ABIs (i386 via int 0x80) go to the tracer, never around it */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | SC_FOREIGN);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
	/* x32 numbers carry bit 30; without this they would bypass the table */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | SC_FOREIGN);
#endif
	for (int i = 0; i < SC_COUNT; i++) {
		if (n + 3 >= MAX_INSNS)
			return -E2BIG;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned)SC_TABLE[i].nr, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						      SECCOMP_RET_TRACE | (unsigned)i);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return install(f, n, NULL);
}

int seccomp_install_allow_filter(int *needed_nnp)
{
	struct sock_filter f[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	return install(f, 1, needed_nnp);
}
