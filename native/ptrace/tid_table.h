/* SPDX-License-Identifier: MIT */
/* Per-thread state of the tracees, keyed by tid. */
#ifndef ROAR_PTRACE_TID_TABLE_H
#define ROAR_PTRACE_TID_TABLE_H

#include <limits.h>
#include <sys/types.h>

struct pending {
	int row;               /* SC_TABLE index of the syscall in flight */
	int flags;             /* open flags, unlinkat flags */
	int truncated;
	char path[PATH_MAX];
	char path2[PATH_MAX];
};

struct tstate {
	pid_t tid;
	pid_t tgid;
	int announced;         /* the parent's fork/clone event was handled */
	int started;           /* its first SIGSTOP was swallowed */
	int held;              /* stopped, waiting for the parent's event */
	int in_syscall;        /* resumed with PTRACE_SYSCALL, exit stop due */
	struct pending *p;     /* allocated while in_syscall */
	struct tstate *next;
};

struct tid_table {
	struct tstate *buckets[1024];
	int count;
};

struct tstate *tid_get(struct tid_table *t, pid_t tid);
/* Finds or creates; NULL only when out of memory. */
struct tstate *tid_add(struct tid_table *t, pid_t tid);
void tid_del(struct tid_table *t, pid_t tid);

#endif
