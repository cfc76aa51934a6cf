/* SPDX-License-Identifier: MIT */
/*
 * The syscalls that stop the tracee, one row each. The seccomp filter
 * returns the row index as SECCOMP_RET_DATA, so the decoder never has to
 * look a number up. Rows whose syscall does not exist on an arch (arm64
 * has no open, rename, ...) are left out by the #ifdefs in the .c file.
 */
#ifndef ROAR_PTRACE_SYSCALL_TABLE_H
#define ROAR_PTRACE_SYSCALL_TABLE_H

enum sc_kind {
	SC_OPEN,       /* open(path, flags) */
	SC_OPENAT,     /* openat(dfd, path, flags) */
	SC_OPENAT2,    /* openat2(dfd, path, how) */
	SC_CREAT,      /* creat(path, mode) */
	SC_RENAME,     /* rename(old, new) */
	SC_RENAMEAT,   /* renameat(odfd, old, ndfd, new[, flags]) */
	SC_UNLINK,     /* unlink(path) */
	SC_UNLINKAT,   /* unlinkat(dfd, path, flags) */
	SC_MKDIR,      /* mkdir(path) */
	SC_MKDIRAT,    /* mkdirat(dfd, path) */
	SC_RMDIR,      /* rmdir(path) */
	SC_LINK,       /* link(old, new) */
	SC_LINKAT,     /* linkat(odfd, old, ndfd, new, flags) */
	SC_SYMLINK,    /* symlink(target, new) */
	SC_SYMLINKAT,  /* symlinkat(target, ndfd, new) */
	SC_CHDIR,      /* chdir(path) */
	SC_FCHDIR,     /* fchdir(fd) */
	SC_EXEC,       /* execve/execveat: reported at PTRACE_EVENT_EXEC */
};

struct sc_row {
	long nr;
	enum sc_kind kind;
	const char *name;
};

extern const struct sc_row SC_TABLE[];
extern const int SC_COUNT;

/* SECCOMP_RET_DATA for a syscall of another ABI (x32, i386 on x86_64). */
#define SC_FOREIGN 0xffff

#endif
