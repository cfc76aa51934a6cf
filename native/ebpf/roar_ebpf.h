/* SPDX-License-Identifier: MIT */
/*
 * The ring-buffer record, the one definition shared by the BPF programs
 * (roar_ebpf.bpf.c) and the loader. Fixed-width types only, so both sides
 * agree on the layout whatever the compiler target.
 *
 * A record is a header followed by up to four NUL-terminated parts, in this
 * order, each part's size (with its NULs) in len[]:
 *   path1  the path string as the process passed it (or a kernel string)
 *   dir1   the directory path1 is relative to, as dentry names from the
 *          leaf up to the process's root, each NUL-terminated (ncomp[0]);
 *          empty when path1 is absolute, or when the record refers to the
 *          thread's kept working directory instead (ROAR_F_DIRREF1)
 *   path2, dir2  the same for the second path of rename/link/symlink
 * The loader joins dir + path and normalises "." and "..". Directories are
 * walked in kernel context at the syscall's exit, against the cwd or dirfd
 * the kernel itself used, so nothing is looked up later in /proc.
 *
 * Working-directory slots: the kernel side gives each traced thread a slot
 * (rec.aux). A cwd-relative path1 whose walk can be revalidated later sends
 * its names once with ROAR_F_DIRDEF1: the loader keeps the joined directory
 * under the slot. While the kernel side can prove the directory unchanged
 * (see roar_ebpf.bpf.c, "The kept working directory"), later records send
 * ROAR_F_DIRREF1 and no names. ROAR_REC_DIRFREE ends a slot.
 * A thread's records arrive in the order it made them, so a reference never
 * precedes its definition.
 */
#ifndef ROAR_EBPF_H
#define ROAR_EBPF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define ROAR_EBPF_ABI 2

#define ROAR_NR_MAX 1024      /* syscall numbers below this are looked up */
#define ROAR_NR32_MAX 512     /* x86 ia32 numbers */
#define ROAR_NAME_CAP 256     /* NAME_MAX + NUL: one dentry name */
#define ROAR_PATH_CAP 4096    /* PATH_MAX: one user path, with its NUL */
#define ROAR_DIR_CAP 4096     /* the components of one directory */
#define ROAR_DIR_STEPS 64     /* dentries + mount crossings walked per directory */
#define ROAR_KEEP_DEPTH 32    /* a kept working directory has at most this many names */
#define ROAR_DATA_MAX 16384   /* all parts of one record */
#define ROAR_RINGBUF_BYTES (16u << 20)
#define ROAR_WAKEUP_BYTES (64u << 10) /* wake the loader only when this much is queued */

/* Record kinds. */
enum roar_rec_kind {
	ROAR_REC_CALL = 1, /* a file syscall returned */
	ROAR_REC_EXEC = 2, /* sched_process_exec */
	ROAR_REC_FORK = 3, /* a tracked process created a process */
	ROAR_REC_EXIT = 4, /* the last thread of a tracked process exited */
	ROAR_REC_DIRFREE = 5, /* a thread exited: its working-directory slot (aux) is free */
};

/* The traced syscalls, independent of the architecture's numbering; the
 * loader maps numbers to these in the roar_sys_of_nr rodata table. */
enum roar_sys {
	ROAR_SYS_NONE = 0,
	ROAR_SYS_OPEN,
	ROAR_SYS_CREAT,
	ROAR_SYS_OPENAT,
	ROAR_SYS_OPENAT2,
	ROAR_SYS_RENAME,
	ROAR_SYS_RENAMEAT,
	ROAR_SYS_RENAMEAT2,
	ROAR_SYS_UNLINK,
	ROAR_SYS_UNLINKAT,
	ROAR_SYS_MKDIR,
	ROAR_SYS_MKDIRAT,
	ROAR_SYS_RMDIR,
	ROAR_SYS_LINK,
	ROAR_SYS_LINKAT,
	ROAR_SYS_SYMLINK,
	ROAR_SYS_SYMLINKAT,
	ROAR_SYS_CHDIR,
	ROAR_SYS_FCHDIR,
	ROAR_SYS_EXECVE,
	ROAR_SYS_EXECVEAT,
	ROAR_SYS_UNSHARE, /* no event: ends the thread's kept working directory */
	ROAR_SYS_COUNT
};

/* roar_rec.flags */
#define ROAR_F_TRUNC1 0x01  /* path1 or dir1 exceeded its capture limit */
#define ROAR_F_TRUNC2 0x02  /* path2 or dir2 exceeded its capture limit */
#define ROAR_F_NODIR1 0x04  /* path1 is relative but its directory is unknown (bad dirfd) */
#define ROAR_F_NODIR2 0x08
#define ROAR_F_FAULT1 0x10  /* path1 could not be read from the process */
#define ROAR_F_FAULT2 0x20
#define ROAR_F_DIRDEF1 0x40 /* dir1 is also the thread's kept working directory (slot aux) */
#define ROAR_F_DIRREF1 0x80 /* dir1 is the thread's kept working directory; no names sent */

/* Per-CPU counters, summed by the loader; all of them are lost events. */
enum roar_counter {
	ROAR_CNT_RB_FULL = 0,  /* ring buffer had no room */
	ROAR_CNT_TRACK_FULL,   /* tracked map full: a new process is not traced */
	ROAR_CNT_MAX
};

struct roar_rec {
	__u8 kind;      /* enum roar_rec_kind */
	__u8 sys;       /* CALL: enum roar_sys */
	__u16 flags;    /* ROAR_F_* */
	__u32 pid;      /* tgid, in the tracer's pid namespace */
	__u32 aux;      /* FORK: the parent's tgid; CALL, DIRFREE: the thread's slot */
	__u32 oflags;   /* CALL: open flags, or the *at flags argument */
	__s64 ret;      /* CALL: return value; EXIT: wait status (exit_code) */
	__u16 len[4];   /* path1, dir1, path2, dir2 */
	__u8 ncomp[2];  /* components in dir1, dir2 */
	__u8 pad[6];
	/* the parts follow the header */
};

#endif
