// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * roar eBPF tracer: kernel side.
 *
 * Only tp_btf programs: they need neither tracefs nor per-syscall
 * tracepoints (which differ by architecture), and detach in milliseconds.
 *   sys_exit            every traced file syscall of a tracked process
 *   sched_process_fork  a tracked process made a process: track it, here,
 *                       before the child can run a single instruction
 *   sched_process_exec  the new program of a tracked process
 *   sched_process_exit  the last thread of a tracked process is gone
 *
 * Syscalls are handled at their exit only: the arguments are still in the
 * saved user registers then (x86_64 never writes them back; arm64 keeps the
 * first one in orig_x0), the kernel has already faulted the path strings in,
 * and the return value is known. One record per event, no enter/exit pairing.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "roar_ebpf.h"

/* helpers such as bpf_probe_read_kernel are GPL-only */
char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define TS_COMPAT 0x0002
#define X32_SYSCALL_BIT 0x40000000
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516
#define EINTR 4

/* Set by the loader before load (plain C types: the skeleton sees them). */
const volatile unsigned char roar_sys_of_nr[ROAR_NR_MAX] = {};
const volatile unsigned char roar_sys_of_nr32[ROAR_NR32_MAX] = {};
const volatile unsigned int roar_pidns_level = 0;
const volatile unsigned int roar_pidns_ino = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ROAR_RINGBUF_BYTES);
} events SEC(".maps");

/* tgid (in the tracer's pid namespace) -> 1: the traced process tree */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

/* A record is built here and copied out with bpf_ringbuf_output, so the ring
 * holds only the bytes used. Per-CPU is safe: the programs run with
 * preemption disabled and none of them can interrupt another on a CPU. */
struct scratch {
	struct roar_rec rec;
	char buf[ROAR_DATA_MAX + ROAR_PATH_CAP]; /* slack: writes start below DATA_MAX */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ROAR_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

#define DATA_MASK (ROAR_DATA_MAX - 1)

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);
	if (v)
		*v += 1;
}

/* The pid of p in the tracer's pid namespace, 0 when p is not visible there
 * (a shallower namespace, or a sibling one at the same depth). */
static __always_inline __u32 pid_in_ns(struct pid *p)
{
	unsigned int level = roar_pidns_level;
	if (!p || BPF_CORE_READ(p, level) < level)
		return 0;
	struct upid *u = (void *)p + bpf_core_field_offset(struct pid, numbers) +
			 (__u64)level * bpf_core_type_size(struct upid);
	struct pid_namespace *ns = BPF_CORE_READ(u, ns);
	if (BPF_CORE_READ(ns, ns.inum) != roar_pidns_ino)
		return 0;
	return BPF_CORE_READ(u, nr);
}

static __always_inline __u32 task_tgid(struct task_struct *t)
{
	if (!roar_pidns_level) /* the loader runs in the initial namespace */
		return BPF_CORE_READ(t, tgid);
	return pid_in_ns(BPF_CORE_READ(t, group_leader, thread_pid));
}

static __always_inline __u32 current_tgid(void)
{
	if (!roar_pidns_level)
		return bpf_get_current_pid_tgid() >> 32;
	return task_tgid((struct task_struct *)bpf_get_current_task());
}

static __always_inline int is_tracked(__u32 tgid)
{
	return tgid && bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (s)
		__builtin_memset(&s->rec, 0, sizeof(s->rec));
	return s;
}

/* Copies the record out. Wakes the loader only once enough data is queued:
 * a wakeup per event doubles the cost of tracing; the loader also polls
 * every 20 ms. */
static __always_inline void emit(struct scratch *s, __u32 data_len)
{
	/* data_len < DATA_MAX by construction; the mask tells the verifier */
	__u64 size = sizeof(struct roar_rec) + (data_len & DATA_MASK);
	__u64 queued = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 flags = queued + size >= ROAR_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_output(&events, s, size, flags) != 0)
		count(ROAR_CNT_RB_FULL);
}

/* Appends the NUL-terminated user string at uptr. Returns its size with the
 * NUL; sets ROAR_F_FAULT* if unreadable, ROAR_F_TRUNC* if longer than
 * ROAR_PATH_CAP - 1. */
static __always_inline __u32 put_user_path(struct scratch *s, __u32 off, const char *uptr,
					   __u8 trunc_flag, __u8 fault_flag)
{
	char *dst = &s->buf[off & DATA_MASK];
	long n = bpf_probe_read_user_str(dst, ROAR_PATH_CAP, uptr);

	if (n <= 0) {
		dst[0] = '\0';
		s->rec.flags |= fault_flag;
		return 1;
	}
	if (n == ROAR_PATH_CAP) {
		/* a path of exactly PATH_MAX - 1 bytes also fills the buffer */
		char c = 1;
		if (bpf_probe_read_user(&c, 1, uptr + n - 1) != 0 || c != '\0')
			s->rec.flags |= trunc_flag;
	}
	return (__u32)n;
}

/* Appends the names of the directories from (dentry, vfsmnt) up to the
 * task's root, leaf first, crossing mount points. *ncomp gets the count. */
static __always_inline __u32 put_dir(struct scratch *s, __u32 off, struct task_struct *t,
				     struct dentry *d, struct vfsmount *vm, __u8 *ncomp,
				     __u8 trunc_flag)
{
	struct dentry *root_d = BPF_CORE_READ(t, fs, root.dentry);
	struct vfsmount *root_m = BPF_CORE_READ(t, fs, root.mnt);
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	struct mount *m = (void *)vm - mnt_off;
	__u32 start = off;
	__u8 n = 0;

	for (int i = 0; i < ROAR_DIR_STEPS; i++) {
		if (d == root_d && vm == root_m)
			goto done;
		if (d == BPF_CORE_READ(vm, mnt_root)) {
			/* top of this mount: continue from where it is mounted */
			struct mount *parent = BPF_CORE_READ(m, mnt_parent);
			if (parent == m)
				goto done; /* the namespace's root mount */
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = parent;
			vm = (void *)parent + mnt_off;
			continue;
		}
		struct dentry *up = BPF_CORE_READ(d, d_parent);
		if (up == d)
			goto done; /* root of a detached tree */
		if (off - start >= ROAR_DIR_CAP - ROAR_NAME_CAP)
			break; /* keeps the whole directory below ROAR_DIR_CAP */
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		long len = bpf_probe_read_kernel_str(&s->buf[off & DATA_MASK], ROAR_NAME_CAP, name);
		if (len <= 0)
			break;
		off += (__u32)len;
		n++;
		d = up;
	}
	s->rec.flags |= trunc_flag; /* too deep or unreadable: say so */
done:
	*ncomp = n;
	return off - start;
}

static __always_inline struct file *task_fd(struct task_struct *t, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0)
		return NULL;
	return f;
}

/* One path argument: the string, then (if relative) the directory it is
 * relative to: the cwd for AT_FDCWD, else the dirfd's file. */
static __always_inline __u32 put_path_arg(struct scratch *s, __u32 off, struct task_struct *t,
					  int dfd, const char *uptr, int slot)
{
	__u8 trunc = slot ? ROAR_F_TRUNC2 : ROAR_F_TRUNC1;
	__u32 n = put_user_path(s, off, uptr, trunc, slot ? ROAR_F_FAULT2 : ROAR_F_FAULT1);
	__u32 dlen = 0;
	__u8 nc = 0;

	if (s->buf[off & DATA_MASK] != '/') {
		struct dentry *d = NULL;
		struct vfsmount *vm = NULL;
		if (dfd == AT_FDCWD) {
			d = BPF_CORE_READ(t, fs, pwd.dentry);
			vm = BPF_CORE_READ(t, fs, pwd.mnt);
		} else {
			struct file *f = task_fd(t, dfd);
			if (f) {
				d = BPF_CORE_READ(f, f_path.dentry);
				vm = BPF_CORE_READ(f, f_path.mnt);
			}
		}
		if (d && vm)
			dlen = put_dir(s, off + n, t, d, vm, &nc, trunc);
		else
			s->rec.flags |= slot ? ROAR_F_NODIR2 : ROAR_F_NODIR1;
	}
	s->rec.len[slot * 2] = n;
	s->rec.len[slot * 2 + 1] = dlen;
	s->rec.ncomp[slot] = nc;
	return n + dlen;
}

/* A path with no string of its own: the whole of (dentry, mnt). */
static __always_inline __u32 put_whole_path(struct scratch *s, __u32 off, struct task_struct *t,
					    struct dentry *d, struct vfsmount *vm)
{
	__u8 nc = 0;
	__u32 dlen;

	s->buf[off & DATA_MASK] = '\0';
	dlen = put_dir(s, off + 1, t, d, vm, &nc, ROAR_F_TRUNC1);
	s->rec.len[0] = 1;
	s->rec.len[1] = dlen;
	s->rec.ncomp[0] = nc;
	return 1 + dlen;
}

struct call_args {
	int dfd1, dfd2;
	const char *p1, *p2;
	__u64 oflags;
};

/* Reads syscall argument i (0-based) from the registers saved at entry. */
static __always_inline unsigned long arg(struct pt_regs *regs, int i, int compat)
{
#if defined(__TARGET_ARCH_x86)
	if (compat) { /* ia32: ebx, ecx, edx, esi, edi */
		switch (i) {
		case 0: return BPF_CORE_READ(regs, bx);
		case 1: return BPF_CORE_READ(regs, cx);
		case 2: return BPF_CORE_READ(regs, dx);
		case 3: return BPF_CORE_READ(regs, si);
		default: return BPF_CORE_READ(regs, di);
		}
	}
#endif
	switch (i) {
	case 0: return PT_REGS_PARM1_CORE_SYSCALL(regs);
	case 1: return PT_REGS_PARM2_CORE_SYSCALL(regs);
	case 2: return PT_REGS_PARM3_CORE_SYSCALL(regs);
	case 3: return PT_REGS_PARM4_CORE_SYSCALL(regs);
	default: return PT_REGS_PARM5_CORE_SYSCALL(regs);
	}
}

/* Where each traced syscall keeps its paths and flags. */
static __always_inline int decode(__u32 sys, struct pt_regs *regs, int compat,
				  struct call_args *a)
{
	a->dfd1 = a->dfd2 = AT_FDCWD;
	a->p1 = a->p2 = NULL;
	a->oflags = 0;
	switch (sys) {
	case ROAR_SYS_OPEN:
		a->p1 = (const char *)arg(regs, 0, compat);
		a->oflags = arg(regs, 1, compat);
		break;
	case ROAR_SYS_CREAT:
		a->p1 = (const char *)arg(regs, 0, compat);
		a->oflags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case ROAR_SYS_OPENAT:
		a->dfd1 = (int)arg(regs, 0, compat);
		a->p1 = (const char *)arg(regs, 1, compat);
		a->oflags = arg(regs, 2, compat);
		break;
	case ROAR_SYS_OPENAT2: {
		/* struct open_how (UAPI): __u64 flags comes first */
		const void *how = (const void *)arg(regs, 2, compat);
		a->dfd1 = (int)arg(regs, 0, compat);
		a->p1 = (const char *)arg(regs, 1, compat);
		if (bpf_probe_read_user(&a->oflags, sizeof(a->oflags), how) != 0)
			a->oflags = 0;
		break;
	}
	case ROAR_SYS_RENAME:
	case ROAR_SYS_LINK:
		a->p1 = (const char *)arg(regs, 0, compat);
		a->p2 = (const char *)arg(regs, 1, compat);
		break;
	case ROAR_SYS_RENAMEAT:
	case ROAR_SYS_RENAMEAT2:
	case ROAR_SYS_LINKAT:
		a->dfd1 = (int)arg(regs, 0, compat);
		a->p1 = (const char *)arg(regs, 1, compat);
		a->dfd2 = (int)arg(regs, 2, compat);
		a->p2 = (const char *)arg(regs, 3, compat);
		if (sys != ROAR_SYS_RENAMEAT)
			a->oflags = arg(regs, 4, compat);
		break;
	case ROAR_SYS_SYMLINK:
		a->p1 = (const char *)arg(regs, 0, compat);
		a->p2 = (const char *)arg(regs, 1, compat);
		break;
	case ROAR_SYS_SYMLINKAT:
		a->p1 = (const char *)arg(regs, 0, compat);
		a->dfd2 = (int)arg(regs, 1, compat);
		a->p2 = (const char *)arg(regs, 2, compat);
		break;
	case ROAR_SYS_UNLINK:
	case ROAR_SYS_MKDIR:
	case ROAR_SYS_RMDIR:
	case ROAR_SYS_CHDIR:
	case ROAR_SYS_EXECVE:
		a->p1 = (const char *)arg(regs, 0, compat);
		break;
	case ROAR_SYS_UNLINKAT:
		a->dfd1 = (int)arg(regs, 0, compat);
		a->p1 = (const char *)arg(regs, 1, compat);
		a->oflags = arg(regs, 2, compat);
		break;
	case ROAR_SYS_MKDIRAT:
		a->dfd1 = (int)arg(regs, 0, compat);
		a->p1 = (const char *)arg(regs, 1, compat);
		break;
	case ROAR_SYS_EXECVEAT:
		a->dfd1 = (int)arg(regs, 0, compat);
		a->p1 = (const char *)arg(regs, 1, compat);
		a->oflags = arg(regs, 4, compat);
		break;
	case ROAR_SYS_FCHDIR:
		a->dfd1 = (int)arg(regs, 0, compat);
		break;
	default:
		return -1;
	}
	return 0;
}

/* The roar_sys of this syscall, or ROAR_SYS_NONE. Runs for every syscall on
 * the machine, so it reads the number with a direct (BTF) load and looks at
 * the task only when the number is one of ours in either table. */
static __always_inline __u32 syscall_sys(struct pt_regs *regs, struct task_struct *t, int *compat)
{
	*compat = 0;
#if defined(__TARGET_ARCH_x86)
	/* x32 shares the x86_64 numbers for these calls (its execve and
	 * execveat differ; successful execs come from sched_process_exec) */
	unsigned long nr = regs->orig_ax & ~(unsigned long)X32_SYSCALL_BIT;
	__u32 sys64 = nr < ROAR_NR_MAX ? roar_sys_of_nr[nr] : 0;
	__u32 sys32 = nr < ROAR_NR32_MAX ? roar_sys_of_nr32[nr] : 0;

	if (!sys64 && !sys32)
		return ROAR_SYS_NONE;
	if (BPF_CORE_READ(t, thread_info.status) & TS_COMPAT) {
		*compat = 1;
		return sys32;
	}
	return sys64;
#else
	unsigned long nr = (unsigned int)regs->syscallno;
	return nr < ROAR_NR_MAX ? roar_sys_of_nr[nr] : 0;
#endif
}

SEC("tp_btf/sys_exit")
int BPF_PROG(roar_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct call_args a;
	int compat;
	__u32 sys = syscall_sys(regs, t, &compat);

	/* cheapest test first: this runs for every syscall on the machine */
	if (sys == ROAR_SYS_NONE || sys >= ROAR_SYS_COUNT)
		return 0;
	__u32 tgid = current_tgid();
	if (!is_tracked(tgid))
		return 0;
	/* a successful exec is reported by sched_process_exec, with the file */
	if ((sys == ROAR_SYS_EXECVE || sys == ROAR_SYS_EXECVEAT) && ret == 0)
		return 0;
	if (decode(sys, regs, compat, &a) != 0)
		return 0;

	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	/* the kernel restarts the call or turns this into EINTR for the caller */
	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	s->rec.kind = ROAR_REC_CALL;
	s->rec.pid = tgid;
	s->rec.sys = sys;
	s->rec.ret = ret;
	s->rec.oflags = a.oflags;

	__u32 off = 0;
	if ((sys == ROAR_SYS_CHDIR && ret == 0) || sys == ROAR_SYS_FCHDIR) {
		/* after a successful chdir the cwd is exactly where it went */
		struct dentry *d = BPF_CORE_READ(t, fs, pwd.dentry);
		struct vfsmount *vm = BPF_CORE_READ(t, fs, pwd.mnt);
		if (sys == ROAR_SYS_FCHDIR && ret != 0) {
			struct file *f = task_fd(t, a.dfd1);
			if (!f) {
				s->rec.flags |= ROAR_F_NODIR1;
				s->buf[0] = '\0';
				s->rec.len[0] = 1;
				emit(s, 1);
				return 0;
			}
			d = BPF_CORE_READ(f, f_path.dentry);
			vm = BPF_CORE_READ(f, f_path.mnt);
		}
		off = put_whole_path(s, 0, t, d, vm);
		emit(s, off);
		return 0;
	}

	if (sys == ROAR_SYS_SYMLINK || sys == ROAR_SYS_SYMLINKAT) {
		/* a symlink's target is stored as written: it is not a lookup */
		off = put_user_path(s, 0, a.p1, ROAR_F_TRUNC1, ROAR_F_FAULT1);
		s->rec.len[0] = off;
	} else {
		off = put_path_arg(s, 0, t, a.dfd1, a.p1, 0);
	}
	/* path1 + dir1 < DATA_MAX / 2, so the mask only informs the verifier */
	if (a.p2)
		off += put_path_arg(s, off & (ROAR_DATA_MAX / 2 - 1), t, a.dfd2, a.p2, 1);
	emit(s, off);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(roar_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = task_tgid(parent);
	__u32 ctgid = task_tgid(child);
	__u8 one = 1;

	/* a new thread is not a new process */
	if (BPF_CORE_READ(child, tgid) == BPF_CORE_READ(parent, tgid) || !is_tracked(ptgid) ||
	    !ctgid)
		return 0;
	if (bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY) != 0)
		count(ROAR_CNT_TRACK_FULL);

	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	s->rec.kind = ROAR_REC_FORK;
	s->rec.pid = ctgid;
	s->rec.ppid = ptgid;
	emit(s, 0);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(roar_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = task_tgid(p);
	if (!is_tracked(tgid))
		return 0;
	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	s->rec.kind = ROAR_REC_EXEC;
	s->rec.pid = tgid;

	/* bprm->filename is the name exec was given: keep it when it is
	 * absolute; a relative name or a /dev/fd/N of execveat/fexecve is
	 * replaced by the path of the file that was opened */
	const char *fname = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(s->buf, ROAR_PATH_CAP, fname);
	int keep = n > 1 && s->buf[0] == '/';
	if (keep && n > 8 && s->buf[1] == 'd' && s->buf[2] == 'e' && s->buf[3] == 'v' &&
	    s->buf[4] == '/' && s->buf[5] == 'f' && s->buf[6] == 'd' && s->buf[7] == '/')
		keep = 0;
	if (keep) {
		if (n == ROAR_PATH_CAP)
			s->rec.flags |= ROAR_F_TRUNC1;
		s->rec.len[0] = (__u16)n;
		emit(s, (__u32)n);
		return 0;
	}
	struct file *f = BPF_CORE_READ(bprm, file);
	__u32 off = put_whole_path(s, 0, p, BPF_CORE_READ(f, f_path.dentry),
				   BPF_CORE_READ(f, f_path.mnt));
	emit(s, off);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(roar_exit, struct task_struct *p)
{
	/* only the last thread of the group ends the process (the kernel has
	 * already counted this one out of signal->live) */
	__u32 tgid = task_tgid(p);
	if (!is_tracked(tgid) || BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	struct scratch *s = scratch_get();
	if (s) {
		s->rec.kind = ROAR_REC_EXIT;
		s->rec.pid = tgid;
		s->rec.ret = BPF_CORE_READ(p, exit_code);
		emit(s, 0);
	}
	bpf_map_delete_elem(&tracked, &tgid);
	return 0;
}

/* Disabled unless the loader turns it on: the test hook
 * ROAR_EBPF_TEST_MISSING_TRACEPOINT points it at a tracepoint this kernel
 * lacks, to prove that such a kernel fails at load, before any workload. */
SEC("?tp_btf/sched_process_free")
int BPF_PROG(roar_required_probe)
{
	return 0;
}
