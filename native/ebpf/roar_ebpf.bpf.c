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
 *   sched_process_exit  a thread of a tracked process is gone (its
 *                       working-directory slot); the last one ends it
 *
 * Syscalls are handled at their exit only: the arguments are still in the
 * saved user registers then (x86_64 never writes them back; arm64 keeps the
 * first one in orig_x0), the kernel has already faulted the path strings in,
 * and the return value is known. One record per event, no enter/exit pairing.
 *
 * The current task comes from bpf_get_current_task_btf() (kernel 5.11), so
 * its fields, and the fs_struct, dentries and mounts they lead to, are read
 * with plain loads rather than one probe-read helper call each.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "roar_ebpf.h"

/* helpers such as bpf_probe_read_kernel are GPL-only */
char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define AT_FDCWD -100
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define TS_COMPAT 0x0002
#define X32_SYSCALL_BIT 0x40000000
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516
#define EINTR 4

/* The kept working directory (below) relies on x86's load ordering (TSO):
 * BPF has no read barrier to order a sequence-counter load before the loads
 * it guards on weakly ordered CPUs. Elsewhere every cwd is walked. */
#if defined(__TARGET_ARCH_x86)
#define KEEP_CWD 1
#else
#define KEEP_CWD 0
#endif

/* Set by the loader before load (plain C types: the skeleton sees them). */
const volatile unsigned char roar_sys_of_nr[ROAR_NR_MAX] = {};
const volatile unsigned char roar_sys_of_nr32[ROAR_NR32_MAX] = {};
/* 0 when the tracer runs in the initial pid namespace, else the inode of
 * its namespace: pids are then reported as the tracer sees them */
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

/*
 * Per-thread state of traced threads (task local storage, kernel 5.13),
 * created on a thread's first traced syscall. Its presence says "tracked"
 * without a hash lookup; a failed lookup falls back to `tracked`, so a
 * thread whose state cannot be created is still traced, only uncached.
 *
 * The kept working directory: after a walk of the cwd, the state keeps
 * what the walk depended on, and the loader keeps the names (slot). A later
 * cwd-relative path reuses them only if all of this still holds:
 *  - the thread has the same fs_struct, and its seq has not moved: root and
 *    pwd were not replaced since (set_fs_pwd, set_fs_root and pivot_root's
 *    chroot_fs_refs all bump it); the pwd and root dentries are therefore
 *    the very objects walked, pinned by the fs_struct ever since. The fs
 *    pointer itself could be reused only through unshare(CLONE_FS) by the
 *    thread, whose exit drops the kept directory (ROAR_SYS_UNSHARE);
 *  - pwd and root are on the same mount, and the walk went from pwd to
 *    root through parents only, no mount crossed: mounts cannot change it;
 *  - every dentry on the way is the same pointer with the same d_seq: the
 *    kernel bumps d_seq around every __d_move (rename, d_exchange,
 *    d_splice_alias of a directory), the only place that changes a live
 *    dentry's name or parent, and each is pinned by its child.
 * So the names are exactly what a walk at this syscall's exit would send.
 */
struct tstate {
	__u32 tgid;   /* the process, in the tracer's pid namespace */
	__u32 slot;   /* this thread's working-directory slot in the loader */
	__u8 valid;   /* the loader holds the directory described below */
	__u8 defined; /* the slot was defined: free it when the thread exits */
	__u8 depth;   /* names from pwd up to root */
	__u8 pad;
	__u32 fs_seq;
	__u64 fs, mnt, pwd, root;
	__u64 dptr[ROAR_KEEP_DEPTH];
	__u32 dseq[ROAR_KEEP_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tstate);
} tstate SEC(".maps");

/* Where a syscall's paths are (decode() below). */
struct call_args {
	int dfd1, dfd2;
	const char *p1, *p2;
	__u64 oflags;
};

/* A record is built here and copied out with bpf_ringbuf_output, so the ring
 * holds only the bytes used. Per-CPU is safe: the programs run with
 * preemption disabled and none of them can interrupt another on a CPU. */
struct scratch {
	struct roar_rec rec;
	char buf[ROAR_DATA_MAX + ROAR_PATH_CAP]; /* slack: writes start below DATA_MAX */
	__u32 cur;   /* write offset into buf: see cursor() */
	/* the directory walk in progress: where its names start, how many,
	 * steps taken, whether it reached its end and may be kept */
	__u32 start, names, steps, end, keepable;
	__u64 rmnt, rd; /* the task's root, where the walk ends */
	__u64 wd, wvm, wmnt_root; /* where roar_walk_rest starts */
	__u32 keep;  /* this record defines the thread's kept directory */
	__u32 emitted; /* records this CPU has emitted: see emit() */
	struct call_args a; /* in the map value, for the same reason: see sys_exit */
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

#define barrier() asm volatile("" ::: "memory")

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);
	if (v)
		*v += 1;
}

/* The number and namespace inode of pid level `level` of p. */
static __always_inline int upid_at(struct pid *p, unsigned int level, __u32 *nr, __u32 *inum)
{
	struct upid *u = (void *)p + bpf_core_field_offset(struct pid, numbers) +
			 (__u64)level * bpf_core_type_size(struct upid);
	struct pid_namespace *ns = BPF_CORE_READ(u, ns);
	if (!ns)
		return -1;
	*nr = BPF_CORE_READ(u, nr);
	*inum = BPF_CORE_READ(ns, ns.inum);
	return 0;
}

/* The depth of the tracer's pid namespace below the initial one. The
 * loader cannot see it from inside a container (/proc shows only its own
 * namespace's levels), so it is found here, on first use: the level of a
 * pid whose namespace has the tracer's inode. */
unsigned int roar_pidns_depth = 0;

#define PIDNS_MAX_DEPTH 8

/* The pid of p in the tracer's pid namespace, 0 when p is not visible there
 * (a shallower namespace, or a sibling one at the same depth). */
static __always_inline __u32 pid_in_ns(struct pid *p)
{
	unsigned int depth = roar_pidns_depth, level;
	__u32 nr = 0, inum = 0;

	if (!p)
		return 0;
	level = BPF_CORE_READ(p, level);
	if (!depth) {
		for (unsigned int i = 1; i < PIDNS_MAX_DEPTH && i <= level; i++) {
			if (upid_at(p, i, &nr, &inum) == 0 && inum == roar_pidns_ino) {
				roar_pidns_depth = i;
				return nr;
			}
		}
		return 0;
	}
	if (level < depth || upid_at(p, depth, &nr, &inum) != 0 || inum != roar_pidns_ino)
		return 0;
	return nr;
}

static __always_inline __u32 task_tgid(struct task_struct *t)
{
	if (!roar_pidns_ino) /* the tracer runs in the initial namespace */
		return BPF_CORE_READ(t, tgid);
	return pid_in_ns(BPF_CORE_READ(t, group_leader, thread_pid));
}

/* t: a BTF pointer (bpf_get_current_task_btf) */
static __always_inline __u32 current_tgid(struct task_struct *t)
{
	if (!roar_pidns_ino)
		return t->tgid;
	return task_tgid(t);
}

static __always_inline int is_tracked(__u32 tgid)
{
	return tgid && bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	if (s) {
		__builtin_memset(&s->rec, 0, sizeof(s->rec));
		s->cur = 0;
		s->keep = 0;
	}
	return s;
}

/*
 * Writing the record's parts. Every write goes to s->buf at the cursor
 * s->cur, which lives in the map value, never in a register: the verifier
 * tracks a register used in pointer arithmetic precisely, so each distinct
 * offset (path lengths, names written, mounts crossed) would be a distinct
 * state to verify, and the directory walks would blow the 1M instruction
 * budget. A value loaded from map memory is just "unknown", then masked.
 * The walk's name and step counts live there for the same reason.
 */
static __always_inline __u32 cursor(struct scratch *s)
{
	return *(volatile __u32 *)&s->cur;
}

static __always_inline __u32 walk_names(struct scratch *s)
{
	return *(volatile __u32 *)&s->names;
}

static __always_inline __u32 walk_steps(struct scratch *s)
{
	return *(volatile __u32 *)&s->steps;
}

static __always_inline __u32 walk_start(struct scratch *s)
{
	return *(volatile __u32 *)&s->start;
}

/* Copies the record out. Wakes the loader only once enough data is queued:
 * a wakeup per event doubles the cost of tracing, and the loader polls
 * every 20 ms anyway. Even the query of the queue's fill level costs a
 * cache miss on the consumer's position, so it is done every 32nd record
 * of a CPU only. A record that defines a kept directory makes it valid
 * only once it is in the ring (st: the thread's state, or NULL). */
static __always_inline void emit(struct scratch *s, struct tstate *st)
{
	/* the cursor stays below DATA_MAX by construction; the mask tells the verifier */
	__u64 size = sizeof(struct roar_rec) + (cursor(s) & DATA_MASK);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if ((++s->emitted & 31) == 0 &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= ROAR_WAKEUP_BYTES)
		flags = BPF_RB_FORCE_WAKEUP;

	if (bpf_ringbuf_output(&events, s, size, flags) != 0) {
		count(ROAR_CNT_RB_FULL);
		return;
	}
	if (st && s->keep) {
		st->valid = 1;
		st->defined = 1;
	}
}

/* Appends the NUL-terminated user string at uptr as part `part`; sets
 * ROAR_F_FAULT* if unreadable, ROAR_F_TRUNC* if longer than PATH_CAP - 1.
 * Returns the first byte written. */
static __always_inline char put_user_path(struct scratch *s, const char *uptr, int part,
					  __u16 trunc_flag, __u16 fault_flag)
{
	__u32 at = cursor(s);
	char *dst = &s->buf[at & DATA_MASK];
	long n = bpf_probe_read_user_str(dst, ROAR_PATH_CAP, uptr);

	if (n <= 0) {
		dst[0] = '\0';
		s->rec.flags |= fault_flag;
		n = 1;
	} else if (n == ROAR_PATH_CAP) {
		/* a path of exactly PATH_MAX - 1 bytes also fills the buffer */
		char c = 1;
		if (bpf_probe_read_user(&c, 1, uptr + n - 1) != 0 || c != '\0')
			s->rec.flags |= trunc_flag;
	}
	s->rec.len[part & 3] = (__u16)n;
	s->cur = at + (__u32)n;
	return dst[0];
}

/* A struct path (two pointers) in one helper call rather than two. */
static __always_inline int read_path(struct path *out, const struct path *src)
{
	return bpf_core_read(out, sizeof(*out), src);
}

/* A dentry's parent and name pointer. Every kernel so far lays out d_parent
 * and then d_name (struct qstr: hash_len, name), so one read serves both;
 * the offsets are CO-RE constants, so the check costs nothing at run time. */
static __always_inline int read_dentry(struct dentry *d, struct dentry **up,
				       const unsigned char **name)
{
	__u64 po = bpf_core_field_offset(struct dentry, d_parent);
	__u64 no = bpf_core_field_offset(struct dentry, d_name.name);

	if (no == po + 16) {
		struct {
			struct dentry *parent;
			__u64 hash_len;
			const unsigned char *name;
		} h;
		if (bpf_probe_read_kernel(&h, sizeof(h), (void *)d + po) != 0)
			return -1;
		*up = h.parent;
		*name = h.name;
		return 0;
	}
	*up = BPF_CORE_READ(d, d_parent);
	*name = BPF_CORE_READ(d, d_name.name);
	return 0;
}

/* Appends one dentry name at the cursor, keeping the whole directory below
 * ROAR_DIR_CAP. 0, or -1 when it does not fit or cannot be read. */
static __always_inline int put_name(struct scratch *s, const unsigned char *name)
{
	__u32 pos = cursor(s);
	if (pos - walk_start(s) >= ROAR_DIR_CAP - ROAR_NAME_CAP)
		return -1;
	long len = bpf_probe_read_kernel_str(&s->buf[pos & DATA_MASK], ROAR_NAME_CAP, name);
	if (len <= 0)
		return -1;
	s->cur = pos + (__u32)len;
	s->names = walk_names(s) + 1;
	return 0;
}

/* Continues a directory walk (names from s->start on) from dentry s->wd
 * of mount s->wvm, whose root dentry is s->wmnt_root, up to the task's
 * root (s->rmnt, s->rd), crossing mount points, with helper reads only.
 * 1 when the walk reached its end, 0 when it was cut (too deep, too long,
 * unreadable).
 *
 * A global function: the verifier checks it once, on its own, instead of
 * once per call site and caller state (five call sites, each entered from
 * many states of the loops before it). Everything it needs is in the map
 * value, as plain numbers (pointers cannot be passed to it). */
__attribute__((noinline)) int roar_walk_rest(struct scratch *s)
{
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);

	if (!s)
		return 0;
	__u64 rmnt = s->rmnt, rd = s->rd;
	struct dentry *d = (void *)s->wd, *mnt_root = (void *)s->wmnt_root;
	struct vfsmount *vm = (void *)s->wvm;
	struct mount *m = (void *)vm - mnt_off;
	for (int i = 0; i < ROAR_DIR_STEPS; i++) {
		__u32 steps = walk_steps(s);
		if (steps >= ROAR_DIR_STEPS)
			return 0;
		s->steps = steps + 1;
		if ((__u64)d == rd && (__u64)vm == rmnt)
			return 1;
		if (d == mnt_root) {
			/* top of this mount: continue from where it is mounted */
			struct mount *parent = BPF_CORE_READ(m, mnt_parent);
			if (parent == m)
				return 1; /* the namespace's root mount */
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = parent;
			vm = (void *)parent + mnt_off;
			mnt_root = BPF_CORE_READ(vm, mnt_root);
			continue;
		}
		struct dentry *up;
		const unsigned char *name;
		if (read_dentry(d, &up, &name) != 0)
			return 0;
		if (up == d)
			return 1; /* root of a detached tree */
		if (put_name(s, name) != 0)
			return 0;
		d = up;
	}
	return 0;
}

/* Appends, as part `part`, the names of the directories from `at` up to
 * the task's root `root`, leaf first, crossing mount points. */
static __always_inline void put_dir(struct scratch *s, int part, const struct path *root,
				    const struct path *at, struct dentry *mnt_root,
				    __u16 trunc_flag)
{
	s->start = cursor(s);
	s->names = 0;
	s->steps = 0;
	s->rmnt = (__u64)root->mnt;
	s->rd = (__u64)root->dentry;
	s->wd = (__u64)at->dentry;
	s->wvm = (__u64)at->mnt;
	s->wmnt_root = (__u64)mnt_root;
	if (!roar_walk_rest(s))
		s->rec.flags |= trunc_flag; /* too deep or unreadable: say so */
	s->rec.len[part & 3] = (__u16)(cursor(s) - walk_start(s));
	s->rec.ncomp[(part >> 1) & 1] = (__u8)walk_names(s);
}

/* The sequence counter, the first word of the seqcount (or seqlock) at
 * offset off of p. The asm keeps the compiler from folding the CO-RE offset
 * into the load, which libbpf would then check against the size of the
 * whole seqlock_t. */
static __always_inline __u32 seq_at(const void *p, __u64 off)
{
	asm volatile("" : "+r"(off));
	return *(const volatile __u32 *)(p + off);
}

/* Both counters exist on every kernel the tracer supports; should a kernel
 * rename one, the cwd is simply walked every time (1: "changing", never kept). */
#define HAVE_SEQS \
	(bpf_core_field_exists(struct fs_struct, seq) && bpf_core_field_exists(struct dentry, d_seq))
#define FS_SEQ(fs) (HAVE_SEQS ? seq_at(fs, bpf_core_field_offset(struct fs_struct, seq)) : 1)
#define D_SEQ(d) (HAVE_SEQS ? seq_at(d, bpf_core_field_offset(struct dentry, d_seq)) : 1)

#if KEEP_CWD
/* Whether the thread's kept directory is still exactly what a walk from
 * (pwd, root) would give (see struct tstate). fs, at, root, mnt_root: BTF
 * pointers just read, fs_seq read before them. */
static __always_inline int kept_cwd_holds(struct tstate *st, struct fs_struct *fs,
					  __u32 fs_seq, const struct path *at,
					  const struct path *root, struct dentry *mnt_root)
{
	if ((__u64)fs != st->fs || fs_seq != st->fs_seq || (__u64)at->mnt != st->mnt ||
	    (__u64)root->mnt != st->mnt || (__u64)at->dentry != st->pwd ||
	    (__u64)root->dentry != st->root)
		return 0;
	barrier();
	if (FS_SEQ(fs) != fs_seq) /* root and pwd were read while changing */
		return 0;

	struct dentry *d = at->dentry;
	__u32 depth = st->depth;
	for (int i = 0; i < ROAR_KEEP_DEPTH; i++) {
		if (i >= depth)
			break;
		if (d == mnt_root || (__u64)d != st->dptr[i] || D_SEQ(d) != st->dseq[i])
			return 0;
		barrier(); /* d_seq before d_parent */
		d = d->d_parent;
	}
	return d == root->dentry;
}
#endif

/* The first path argument, relative to the cwd: the cwd's names as part
 * `part`, or a reference to the thread's kept directory when it provably
 * still holds. */
static __always_inline void put_cwd(struct scratch *s, int part, struct task_struct *t,
				    struct tstate *st, __u16 trunc, __u16 nodir, __u16 def,
				    __u16 ref)
{
	struct fs_struct *fs = t->fs;
	struct path root = {}, at = {};
	__u32 fs_seq;

	if (!fs)
		goto no_dir;
	/* BTF pointers: plain loads, no helper calls */
	fs_seq = FS_SEQ(fs);
	barrier();
	at.mnt = fs->pwd.mnt;
	at.dentry = fs->pwd.dentry;
	root.mnt = fs->root.mnt;
	root.dentry = fs->root.dentry;
	if (!at.mnt || !at.dentry || !root.mnt || !root.dentry)
		goto no_dir;
	struct dentry *mnt_root = at.mnt->mnt_root;
	int keep = 0;

#if KEEP_CWD
	if (st) {
		if (st->valid && kept_cwd_holds(st, fs, fs_seq, &at, &root, mnt_root)) {
			s->rec.flags |= ref;
			s->rec.len[part & 3] = 0;
			s->rec.ncomp[(part >> 1) & 1] = 0;
			return;
		}
		/* rewritten below; valid again only once this record is out */
		st->valid = 0;
		keep = !(fs_seq & 1) && at.mnt == root.mnt && !s->keep;
	}
#endif

	struct dentry *d = at.dentry;

	s->start = cursor(s);
	s->names = 0;
	s->steps = 0;
	s->end = 0;
	s->keepable = keep;
	/* Within the cwd's mount, with plain loads; the rest, if any, with
	 * helper reads (roar_walk_rest). What the loop found is left in the
	 * map value, not in registers, so that the states it ends in are few. */
	for (int i = 0; i < ROAR_KEEP_DEPTH; i++) {
		if (d == root.dentry && at.mnt == root.mnt) {
			s->end = 1;
			break;
		}
		if (d == mnt_root)
			break;
		__u32 seq = D_SEQ(d);
		barrier(); /* d_seq before d_parent and d_name */
		struct dentry *up = d->d_parent;
		const unsigned char *name = d->d_name.name;
		if (up == d) {
			s->end = 1; /* root of a detached tree */
			s->keepable = 0;
			break;
		}
		if (put_name(s, name) != 0) {
			s->rec.flags |= trunc;
			s->end = 1;
			s->keepable = 0;
			break;
		}
		s->steps = i + 1;
#if KEEP_CWD
		if (s->keepable && st) {
			st->dptr[i] = (__u64)d;
			st->dseq[i] = seq;
		}
#endif
		if (seq & 1)
			s->keepable = 0; /* a move in progress */
		d = up;
	}
	barrier();
	if (!*(volatile __u32 *)&s->end) {
		s->keepable = 0;
		s->rmnt = (__u64)root.mnt;
		s->rd = (__u64)root.dentry;
		s->wd = (__u64)d;
		s->wvm = (__u64)at.mnt;
		s->wmnt_root = (__u64)mnt_root;
		if (!roar_walk_rest(s))
			s->rec.flags |= trunc;
	}
	s->rec.len[part & 3] = (__u16)(cursor(s) - walk_start(s));
	s->rec.ncomp[(part >> 1) & 1] = (__u8)walk_names(s);

#if KEEP_CWD
	barrier();
	if (*(volatile __u32 *)&s->keepable && st && FS_SEQ(fs) == fs_seq) {
		st->depth = (__u8)walk_names(s);
		st->fs = (__u64)fs;
		st->fs_seq = fs_seq;
		st->mnt = (__u64)at.mnt;
		st->pwd = (__u64)at.dentry;
		st->root = (__u64)root.dentry;
		s->keep = 1;
		s->rec.flags |= def;
	}
#endif
	return;
no_dir:
	s->rec.flags |= nodir;
}

static __always_inline struct file *task_fd(struct task_struct *t, int fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0)
		return NULL;
	return f;
}

/* Path argument `slot` (0 or 1): the string, then, if it is relative, the
 * directory it is relative to: the cwd for AT_FDCWD, else the dirfd's file.
 * Only the first path keeps the cwd (put_cwd): a second relative path
 * (rename, link) is rare enough to be walked, and the program verifies
 * faster with one copy of put_cwd. */
static __always_inline void put_path_arg(struct scratch *s, struct task_struct *t,
					 struct tstate *st, int dfd, const char *uptr, int slot)
{
	__u16 trunc = slot ? ROAR_F_TRUNC2 : ROAR_F_TRUNC1;
	__u16 nodir = slot ? ROAR_F_NODIR2 : ROAR_F_NODIR1;
	char first = put_user_path(s, uptr, slot * 2, trunc, slot ? ROAR_F_FAULT2 : ROAR_F_FAULT1);
	struct path root = {}, at = {};
	struct dentry *mnt_root = NULL;
	struct fs_struct *fs = t->fs;

	if (first == '/')
		return;
	if (dfd == AT_FDCWD && slot == 0) {
		put_cwd(s, 1, t, st, trunc, nodir, ROAR_F_DIRDEF1, ROAR_F_DIRREF1);
		return;
	}
	if (!fs) {
		s->rec.flags |= nodir;
		return;
	}
	if (dfd == AT_FDCWD) {
		at.mnt = fs->pwd.mnt;
		at.dentry = fs->pwd.dentry;
		if (at.mnt)
			mnt_root = at.mnt->mnt_root;
	} else {
		struct file *f = task_fd(t, dfd);
		if (f && read_path(&at, &f->f_path) == 0 && at.mnt)
			mnt_root = BPF_CORE_READ(at.mnt, mnt_root);
	}
	root.mnt = fs->root.mnt;
	root.dentry = fs->root.dentry;
	if (at.dentry && mnt_root && root.mnt)
		put_dir(s, slot * 2 + 1, &root, &at, mnt_root, trunc);
	else
		s->rec.flags |= nodir;
}

/* Path 1 with no string of its own: the whole of `at`. */
static __always_inline void put_whole_path(struct scratch *s, struct task_struct *t,
					   const struct path *at)
{
	struct path root = {};
	__u32 pos = cursor(s);

	s->buf[pos & DATA_MASK] = '\0';
	s->rec.len[0] = 1;
	s->cur = pos + 1;
	struct dentry *mnt_root = BPF_CORE_READ(at->mnt, mnt_root);
	if (mnt_root && read_path(&root, &BPF_CORE_READ(t, fs)->root) == 0)
		put_dir(s, 1, &root, at, mnt_root, ROAR_F_TRUNC1);
	else
		s->rec.flags |= ROAR_F_NODIR1;
}

/* Reads syscall argument i (0-based) from the registers saved at entry.
 * regs is a BTF pointer (a tp_btf argument): direct loads, no helper calls. */
static __always_inline unsigned long arg(struct pt_regs *regs, int i, int compat)
{
#if defined(__TARGET_ARCH_x86)
	if (compat) { /* ia32: ebx, ecx, edx, esi, edi */
		switch (i) {
		case 0: return regs->bx;
		case 1: return regs->cx;
		case 2: return regs->dx;
		case 3: return regs->si;
		default: return regs->di;
		}
	}
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10; /* the syscall ABI's 4th argument, not cx */
	default: return regs->r8;
	}
#else
	/* arm64: x0 holds the return value by now; the first argument is
	 * saved in orig_x0 */
	switch (i) {
	case 0: return regs->orig_x0;
	case 1: return regs->regs[1];
	case 2: return regs->regs[2];
	case 3: return regs->regs[3];
	default: return regs->regs[4];
	}
#endif
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
static __always_inline __u32 syscall_sys(struct pt_regs *regs, struct task_struct **t,
					 int *compat)
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
	*t = bpf_get_current_task_btf();
	if ((*t)->thread_info.status & TS_COMPAT) {
		*compat = 1;
		return sys32;
	}
	return sys64;
#else
	unsigned long nr = (unsigned int)regs->syscallno;
	__u32 sys = nr < ROAR_NR_MAX ? roar_sys_of_nr[nr] : 0;
	if (sys)
		*t = bpf_get_current_task_btf();
	return sys;
#endif
}

/* The state of traced thread t, or NULL when t is not traced. *tgid: its
 * process in the tracer's pid namespace. A traced thread whose state cannot
 * be created gets NULL too, with *tgid set: traced, uncached. */
static __always_inline struct tstate *thread_state(struct task_struct *t, __u32 *tgid)
{
	struct tstate *st = bpf_task_storage_get(&tstate, t, 0, 0);

	if (st) {
		*tgid = st->tgid;
		return st;
	}
	*tgid = current_tgid(t);
	if (!is_tracked(*tgid)) {
		*tgid = 0;
		return NULL;
	}
	st = bpf_task_storage_get(&tstate, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (st) {
		st->tgid = *tgid;
		/* the kernel's thread id: unique among live threads, and a
		 * thread frees its slot (DIRFREE) before its id can be reused */
		st->slot = t->pid;
	}
	return st;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(roar_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = NULL;
	int compat;
	__u32 sys = syscall_sys(regs, &t, &compat), tgid;

	/* cheapest test first: this runs for every syscall on the machine */
	if (sys == ROAR_SYS_NONE || sys >= ROAR_SYS_COUNT || !t)
		return 0;
	struct tstate *st = thread_state(t, &tgid);
	if (!tgid)
		return 0;
	if (sys == ROAR_SYS_UNSHARE) {
		/* a new fs_struct may reuse the address of the kept one */
		if (st)
			st->valid = 0;
		return 0;
	}
	/* a successful exec is reported by sched_process_exec, with the file */
	if ((sys == ROAR_SYS_EXECVE || sys == ROAR_SYS_EXECVEAT) && ret == 0)
		return 0;
	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	/* the kernel restarts the call or turns this into EINTR for the caller */
	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	s->rec.kind = ROAR_REC_CALL;
	s->rec.pid = tgid;
	s->rec.aux = st ? st->slot : 0;
	s->rec.sys = sys;
	s->rec.ret = ret;
	if (decode(sys, regs, compat, &s->a) != 0)
		return 0;
	s->rec.oflags = (__u32)s->a.oflags;

	/* From here on, read sys and the arguments back from the map value.
	 * The verifier does not track map memory, so the ~20 decode() paths
	 * (each with its own constant sys and argument registers) become one
	 * state, and the directory walks below are verified once, not 20x. */
	barrier();
	sys = *(volatile __u8 *)&s->rec.sys;

	if ((sys == ROAR_SYS_CHDIR && ret == 0) || sys == ROAR_SYS_FCHDIR) {
		/* after a successful chdir the cwd is exactly where it went */
		struct path at = {};
		if (sys == ROAR_SYS_FCHDIR && ret != 0) {
			struct file *f = task_fd(t, s->a.dfd1);
			if (f)
				read_path(&at, &f->f_path);
		} else {
			read_path(&at, &BPF_CORE_READ(t, fs)->pwd);
		}
		if (at.dentry && at.mnt) {
			put_whole_path(s, t, &at);
		} else {
			s->rec.flags |= ROAR_F_NODIR1;
			s->buf[0] = '\0';
			s->rec.len[0] = 1;
			s->cur = 1;
		}
		emit(s, NULL);
		return 0;
	}

	if (sys == ROAR_SYS_SYMLINK || sys == ROAR_SYS_SYMLINKAT)
		/* a symlink's target is stored as written: it is not a lookup */
		put_user_path(s, s->a.p1, 0, ROAR_F_TRUNC1, ROAR_F_FAULT1);
	else
		put_path_arg(s, t, st, s->a.dfd1, s->a.p1, 0);
	if (s->a.p2)
		put_path_arg(s, t, st, s->a.dfd2, s->a.p2, 1);
	emit(s, st);
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
	s->rec.aux = ptgid;
	emit(s, NULL);
	return 0;
}

/* Frees the thread's working-directory slot in the loader. */
static __always_inline void free_slot(struct tstate *st)
{
	st->valid = 0;
	if (!st->defined)
		return;
	st->defined = 0;
	struct scratch *s = scratch_get();
	if (s) {
		s->rec.kind = ROAR_REC_DIRFREE;
		s->rec.pid = st->tgid;
		s->rec.aux = st->slot;
		emit(s, NULL);
	}
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(roar_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	/* p is current. A thread other than the leader that execs takes the
	 * leader's thread id: its slot follows. The old id is already free and
	 * may be another thread's slot by now, so it is not freed here; the
	 * loader's entry is replaced when the id is defined again. */
	struct task_struct *cur = bpf_get_current_task_btf();
	struct tstate *st = bpf_task_storage_get(&tstate, cur, 0, 0);
	if (st && st->slot != (__u32)cur->pid) {
		st->valid = 0;
		st->defined = 0;
		st->slot = cur->pid;
	}

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
		s->cur = (__u32)n;
	} else {
		struct path at = {};
		read_path(&at, &BPF_CORE_READ(bprm, file)->f_path);
		put_whole_path(s, p, &at);
	}
	emit(s, NULL);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(roar_exit, struct task_struct *p)
{
	/* runs in the exiting thread itself (p is current): first, free the
	 * thread's working-directory slot in the loader */
	struct tstate *st = bpf_task_storage_get(&tstate, bpf_get_current_task_btf(), 0, 0);
	if (st)
		free_slot(st);

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
		emit(s, NULL);
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
