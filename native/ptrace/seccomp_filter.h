/* SPDX-License-Identifier: MIT */
#ifndef ROAR_PTRACE_SECCOMP_FILTER_H
#define ROAR_PTRACE_SECCOMP_FILTER_H

/* Installs the filter that sends the table's syscalls (and any syscall of
 * a foreign ABI) to the tracer. Sets no_new_privs first when we lack
 * CAP_SYS_ADMIN, as the kernel requires. 0, or -errno. */
int seccomp_install_trace_filter(void);

/* Installs an allow-everything filter: the preflight's "can we install a
 * filter at all" probe, run in a throwaway child. 0, or -errno. */
int seccomp_install_allow_filter(int *needed_nnp);

#endif
