/* SPDX-License-Identifier: MIT */
/*
 * Minimal, hand-written kernel types for roar_ebpf.bpf.c.
 *
 * Only the fields the programs read are declared. Every struct is marked
 * preserve_access_index, so each access is a CO-RE relocation that libbpf
 * resolves against the running kernel's BTF at load time: field order and
 * struct size here do not have to match any kernel. This replaces a 2.8 MB
 * `bpftool btf dump` and does not need BTF on the build machine.
 *
 * The include guard must be literally __VMLINUX_H__: bpf_tracing.h tests it
 * to choose kernel register names (di, si) over user-space ones (rdi, rsi).
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
typedef int pid_t;

enum { false = 0, true = 1 };

/* UAPI values used by bpf_helpers.h and the programs (stable ABI). */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
};

enum {
	BPF_F_NO_PREALLOC = 1,
};

enum {
	BPF_LOCAL_STORAGE_GET_F_CREATE = 1,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
	BPF_RB_CONS_POS = 2,
	BPF_RB_PROD_POS = 3,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	int counter;
} atomic_t;

#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long bx;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long bp;
	unsigned long r8;
	unsigned long r10;
	unsigned long ax;
	unsigned long orig_ax; /* the syscall number, also at sys_exit */
};

struct thread_info {
	u32 status; /* TS_COMPAT while an ia32 syscall runs */
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	u64 regs[31];
	u64 sp;
	u64 pc;
	u64 pstate;
};

struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			u64 regs[31];
			u64 sp;
			u64 pc;
			u64 pstate;
		};
	};
	u64 orig_x0;   /* first argument; regs[0] holds the return value at exit */
	s32 syscallno;
};

struct thread_info {
	unsigned long flags;
};
#else
#error "roar_ebpf supports __TARGET_ARCH_x86 and __TARGET_ARCH_arm64"
#endif

/* Only the field offsets are used: the counter is the first word of d_seq
 * and of fs_struct.seq whichever seqcount/seqlock type wraps it
 * (fs_struct.seq is a seqcount_spinlock_t in older kernels, a seqlock_t in
 * newer ones such as 6.18). */
struct roar_seq {
	unsigned int sequence;
};

struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct roar_seq d_seq; /* bumped around every __d_move of this dentry */
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

/* fs/mount.h: a vfsmount is embedded in its struct mount */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct fs_struct {
	struct roar_seq seq; /* bumped around every change of root or pwd */
	struct path root;
	struct path pwd;
};

struct file {
	struct path f_path;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct ns_common {
	unsigned int inum;
};

struct pid_namespace {
	struct ns_common ns;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

struct signal_struct {
	atomic_t live; /* threads not yet through do_exit */
};

struct task_struct {
	struct thread_info thread_info;
	int exit_code;
	pid_t pid;
	pid_t tgid;
	struct task_struct *group_leader;
	struct pid *thread_pid;
	struct fs_struct *fs;
	struct files_struct *files;
	struct signal_struct *signal;
};

struct linux_binprm {
	struct file *file;
	const char *filename;
};

#pragma clang attribute pop

#endif /* __VMLINUX_H__ */
