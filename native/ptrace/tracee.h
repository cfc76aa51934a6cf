/* SPDX-License-Identifier: MIT */
/* Reading a stopped tracee: its memory, its cwd, its descriptors. */
#ifndef ROAR_PTRACE_TRACEE_H
#define ROAR_PTRACE_TRACEE_H

#include <stddef.h>
#include <sys/types.h>

int tracee_read_mem(pid_t tid, unsigned long addr, void *buf, size_t n);
/* A NUL-terminated string; *truncated when it did not fit. Length or -errno. */
long tracee_read_str(pid_t tid, unsigned long addr, char *buf, size_t n, int *truncated);
/* The path a descriptor (or AT_FDCWD: the cwd) of tid refers to. */
int tracee_fd_path(pid_t tid, int fd, char *out, size_t n);
/* The string at addr, resolved against dirfd to an absolute path. Exact
 * because the tracee is stopped: its cwd and fd table cannot change. */
int tracee_path_at(pid_t tid, int dirfd, unsigned long addr, char *out, size_t n,
		   int *truncated);

#endif
