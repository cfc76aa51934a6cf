/* SPDX-License-Identifier: MIT */
/*
 * State of the interposer, the events transport and path resolution.
 *
 * Events go into the shared-memory ring next to the log path (see
 * preload_env.h): mapped once per process image, then each event is a
 * compare-and-swap and a copy, no system call. A process that cannot map
 * the ring, or cannot grow it, writes to the log file instead for the rest
 * of its life (so its own events stay in order: the launcher copies the
 * ring before the file): one write(2) of one complete line, O_APPEND, so
 * processes sharing the file do not interleave. That descriptor is kept at
 * >= RP_LOG_FD_MIN and checked with fstat() before each write, because
 * programs close or dup2() over descriptors they do not know about, and an
 * event written into the program's own file would corrupt it.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include "rp.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "events.h"
#include "json_line.h"
#include "path_norm.h"
#include "preload_env.h"

int rp_state;
__thread int rp_in_hook __attribute__((tls_model("initial-exec")));

static char log_path[PATH_MAX];
static char ring_path[PATH_MAX + sizeof(RP_RING_SUFFIX)];
static char lib_path[PATH_MAX];
static pid_t cur_pid;

static int log_fd = -1;
static dev_t log_dev;
static ino_t log_ino;

/* The ring of this process image: RING_UNKNOWN until the first event maps
 * it; RING_OFF for good once it cannot be used. A fork child inherits the
 * shared mapping, and the state with it. */
enum { RING_UNKNOWN, RING_ON, RING_OFF };
static int ring_state;
static struct rp_ring_hdr *ring_hdr;

static pthread_once_t init_once_ctl = PTHREAD_ONCE_INIT;

/*
 * The first events of a process image: fork, when no fork handler saw this
 * process being made (its marker pid is not ours), then exec with the real
 * executable. This runs at the first hook of the image, not in our
 * constructor: other libraries' constructors (libselinux reads
 * /proc/filesystems) may run first, and their opens must come after the
 * exec that started the image.
 */
static void announce_image(void)
{
	const char *marker = getenv(RP_ENV_PID);
	if (!marker || strtol(marker, NULL, 10) != (long)cur_pid)
		rp_emit_fork(cur_pid, (pid_t)syscall(SYS_getppid));

	struct rp_path exe;
	ssize_t n = readlink("/proc/self/exe", exe.s, sizeof(exe.s) - 1);
	exe.truncated = n < 0 || (size_t)n >= sizeof(exe.s) - 1;
	exe.len = n < 0 ? 0 : (size_t)n;
	exe.s[exe.len] = '\0';
	rp_emit_exec(&exe, 0);
}

/*
 * Only getenv, dladdr, getpid and the first events here: rp_init() may run
 * inside whatever call first reaches an interposer (even another library's
 * constructor or a malloc implementation's own start-up), so it must not
 * allocate. The atfork and on_exit registrations, which allocate, are in
 * the constructor.
 */
static void init_once(void)
{
	int saved = errno;
	const char *p = getenv(RP_ENV_EVENTS);
	size_t n = p ? strlen(p) : 0;

	cur_pid = (pid_t)syscall(SYS_getpid);
	if (n == 0 || p[0] != '/' || n >= sizeof(log_path)) {
		__atomic_store_n(&rp_state, 1, __ATOMIC_RELEASE);
		errno = saved;
		return;
	}
	memcpy(log_path, p, n + 1);
	memcpy(ring_path, p, n);
	memcpy(ring_path + n, RP_RING_SUFFIX, sizeof(RP_RING_SUFFIX));

	/* our own path as the loader knows it, to put back into LD_PRELOAD */
	Dl_info info;
	if (dladdr((void *)&rp_init, &info) && info.dli_fname) {
		size_t l = strlen(info.dli_fname);
		if (l < sizeof(lib_path))
			memcpy(lib_path, info.dli_fname, l + 1);
	}
	__atomic_store_n(&rp_state, 2, __ATOMIC_RELEASE);
	announce_image();
	errno = saved;
}

void rp_init(void)
{
	pthread_once(&init_once_ctl, init_once);
}

const char *rp_lib_path(void)
{
	return lib_path;
}

const char *rp_log_path(void)
{
	return log_path;
}

pid_t rp_pid(void)
{
	return cur_pid;
}

void *rp_next(void **slot, const char *name)
{
	void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (!p) {
		int saved = errno;
		p = dlsym(RTLD_NEXT, name);
		errno = saved;
		if (p)
			__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	}
	return p;
}

void rp_after_fork_child(void)
{
	pid_t parent = cur_pid;

	cur_pid = (pid_t)syscall(SYS_getpid);
	/* the child is a copy of the forking thread, which may have been
	 * inside a hook (a vfork or _Fork wrapper) */
	rp_in_hook = 0;
	if (rp_state == 2) {
		rp_in_hook = 1;
		rp_emit_fork(cur_pid, parent);
		rp_in_hook = 0;
	}
}

/* ---- the events log --------------------------------------------------- */

static int log_reopen(int stale)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, log_path,
			      O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	int hi = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, RP_LOG_FD_MIN);
	if (hi >= 0) {
		syscall(SYS_close, fd);
		fd = hi;
	}
	/* else RLIMIT_NOFILE is below RP_LOG_FD_MIN: keep the low one, the
	 * fstat check still protects the program's descriptors */
	struct stat st;
	if (fstat(fd, &st) != 0) {
		syscall(SYS_close, fd);
		return -1;
	}
	log_dev = st.st_dev;
	log_ino = st.st_ino;
	/* another thread may have reopened it meanwhile: keep one, close ours.
	 * The stale descriptor is never closed: it may be the program's now. */
	int expected = stale;
	if (!__atomic_compare_exchange_n(&log_fd, &expected, fd, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		syscall(SYS_close, fd);
		return expected;
	}
	return fd;
}

static int ring_map(void)
{
	struct rp_ring_hdr h;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, ring_path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	void *m = MAP_FAILED;
	if (pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) && h.magic == RP_RING_MAGIC &&
	    h.size <= RP_RING_DATA_SIZE)
		/* NORESERVE: the memory is the launcher's tmpfs file, not ours */
		m = mmap(NULL, RP_RING_HDR_SIZE + h.size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, fd, 0);
	syscall(SYS_close, fd); /* the mapping stays; nothing for the program to close */
	if (m == MAP_FAILED)
		return -1;
	/* another thread may have mapped it meanwhile: keep one */
	struct rp_ring_hdr *none = NULL;
	if (!__atomic_compare_exchange_n(&ring_hdr, &none, (struct rp_ring_hdr *)m, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		munmap(m, RP_RING_HDR_SIZE + h.size);
	__atomic_store_n(&ring_state, RING_ON, __ATOMIC_RELEASE);
	return 0;
}

/* Allocates RP_RING_STEP more ring space (see preload_env.h). Several
 * writers may do this at once: fallocate() of the same range is harmless
 * and only one moves `limit`. 0, or -1 when the ring cannot grow. */
static int ring_extend(struct rp_ring_hdr *hdr)
{
	uint64_t lim = __atomic_load_n(&hdr->limit, __ATOMIC_ACQUIRE);
	uint64_t tail = __atomic_load_n(&hdr->tail, __ATOMIC_ACQUIRE);
	uint64_t next = lim + RP_RING_STEP;
	if (next > hdr->size || next > tail + RP_RING_MAX_UNREAD)
		return -1;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, ring_path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	long rc = syscall(SYS_fallocate, fd, 0, (off_t)(RP_RING_HDR_SIZE + lim), (off_t)RP_RING_STEP);
	syscall(SYS_close, fd);
	if (rc != 0)
		return -1;
	__atomic_compare_exchange_n(&hdr->limit, &lim, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	return 0;
}

/* 0: the line is in the ring; -1: use the log file. */
static int ring_write(const char *buf, size_t len)
{
	int st = __atomic_load_n(&ring_state, __ATOMIC_ACQUIRE);
	if (st == RING_UNKNOWN) {
		if (ring_map() < 0) {
			__atomic_store_n(&ring_state, RING_OFF, __ATOMIC_RELEASE);
			return -1;
		}
	} else if (st == RING_OFF) {
		return -1;
	}
	struct rp_ring_hdr *hdr = __atomic_load_n(&ring_hdr, __ATOMIC_ACQUIRE);
	char *data = (char *)hdr + RP_RING_HDR_SIZE;
	uint64_t rec = 8 + ((len + 7) & ~(uint64_t)7);
	uint64_t h = __atomic_load_n(&hdr->head, __ATOMIC_RELAXED);
	for (;;) {
		if (h + rec <= __atomic_load_n(&hdr->limit, __ATOMIC_ACQUIRE)) {
			if (__atomic_compare_exchange_n(&hdr->head, &h, h + rec, 1,
							__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
				break;
			continue; /* another writer moved head; h holds the new one */
		}
		/* full: the launcher is behind (starved of CPU by the workload,
		 * say), so allocate the next step here */
		if (ring_extend(hdr) < 0) {
			__atomic_store_n(&ring_state, RING_OFF, __ATOMIC_RELEASE);
			return -1;
		}
		h = __atomic_load_n(&hdr->head, __ATOMIC_RELAXED);
	}
	uint64_t *word = (uint64_t *)(data + h);
	/* the length first, so a reader can step over this record even if
	 * the process dies before publishing it */
	__atomic_store_n(word, RP_REC_RESERVED | ((uint64_t)len << 8), __ATOMIC_RELAXED);
	memcpy(word + 1, buf, len);
	__atomic_store_n(word, RP_REC_MARK | ((uint64_t)len << 8), __ATOMIC_RELEASE);
	return 0;
}

static void log_write(const char *buf, size_t len)
{
	if (ring_write(buf, len) == 0)
		return;

	int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0 || st.st_ino != log_ino || st.st_dev != log_dev)
		fd = log_reopen(fd);
	if (fd < 0)
		return; /* no log: the launcher sees fewer events, the program is unaffected */
	/* one write per line; a short write leaves a partial line, which the
	 * launcher counts as lost */
	syscall(SYS_write, fd, buf, len);
}

/* ---- path resolution -------------------------------------------------- */

/* Normalised like the other tracers do (common/path_norm.c: "." and ".."
 * folded lexically). When the result does not fit, keep its beginning:
 * it still says where the file was. */
static void join(const char *base, const char *path, struct rp_path *out)
{
	long n = path_join_normalize(base, path, out->s, sizeof(out->s));
	if (n >= 0) {
		out->len = (size_t)n;
		return;
	}
	out->truncated = 1;
	int w = snprintf(out->s, sizeof(out->s), "%s%s%s", base ? base : "", base ? "/" : "", path);
	out->len = w < 0 ? 0 : (size_t)w >= sizeof(out->s) ? sizeof(out->s) - 1 : (size_t)w;
}

void rp_cwd(struct rp_path *out)
{
	out->truncated = 0;
	long r = syscall(SYS_getcwd, out->s, sizeof(out->s));
	if (r > 0 && out->s[0] == '/') {
		out->len = strlen(out->s);
		return;
	}
	/* cwd removed or outside our root: the kernel's own name for it */
	ssize_t n = readlink("/proc/self/cwd", out->s, sizeof(out->s) - 1);
	if (n > 0) {
		out->s[n] = '\0';
		out->len = (size_t)n;
		return;
	}
	/* unknown: say so rather than invent a directory */
	out->s[0] = '\0';
	out->len = 0;
	out->truncated = 1;
}

void rp_fd_path(int fd, struct rp_path *out)
{
	char link[32];
	out->truncated = 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out->s, sizeof(out->s) - 1);
	if (n < 0) {
		out->s[0] = '\0';
		out->len = 0;
		out->truncated = 1;
		return;
	}
	if ((size_t)n >= sizeof(out->s) - 1)
		out->truncated = 1;
	out->s[n] = '\0';
	out->len = (size_t)n;
}

void rp_resolve(int dirfd, const char *path, struct rp_path *out)
{
	out->truncated = 0;
	if (!path) {
		out->s[0] = '\0';
		out->len = 0;
		out->truncated = 1;
		return;
	}
	if (path[0] == '/') {
		join(NULL, path, out);
		return;
	}
	struct rp_path base;
	if (dirfd == AT_FDCWD)
		rp_cwd(&base);
	else
		rp_fd_path(dirfd, &base);
	join(base.s, path, out);
	out->truncated |= base.truncated;
}

void rp_resolve_flags(int dirfd, const char *path, int flags, struct rp_path *out)
{
	if ((flags & AT_EMPTY_PATH) && path && !path[0])
		rp_fd_path(dirfd, out);
	else
		rp_resolve(dirfd, path, out);
}

void rp_resolve_under(const struct rp_path *dir, const char *rel, struct rp_path *out)
{
	if (!rel || rel[0] == '/') {
		rp_resolve(AT_FDCWD, rel, out);
		return;
	}
	out->truncated = dir->truncated;
	join(dir->s, rel, out);
	out->truncated |= dir->truncated;
}

/* ---- events ----------------------------------------------------------- */

/* Most lines fit on the stack. json_line reserves 6 bytes per path byte
 * (the worst case of escaping) before it writes, so long paths get a
 * buffer from mmap: no malloc in here. */
#define RP_STACK_LINE 4096
#define RP_LINE_FIXED 256

enum line_kind { L_OPEN, L_PATH1, L_PATH2, L_EXEC };

struct line_args {
	enum line_kind kind;
	const char *ev;
	const char *mode;
	long ret;
};

static void render(struct jline *j, const struct line_args *a, const char *p1, const char *p2,
		   int truncated)
{
	int pid = (int)cur_pid;
	switch (a->kind) {
	case L_OPEN:
		ev_open(j, pid, p1, a->mode, a->ret, truncated);
		break;
	case L_PATH1:
		ev_path1(j, a->ev, pid, p1, a->ret, truncated);
		break;
	case L_PATH2:
		ev_path2(j, a->ev, pid, p1, p2, a->ret, truncated);
		break;
	case L_EXEC:
		/* ev_exec has no truncated flag; a truncated exe path is rare
		 * enough (PATH_MAX) to go without */
		ev_exec(j, pid, p1, a->ret);
		break;
	}
}

static void emit_paths(const struct line_args *a, const struct rp_path *p1,
		       const struct rp_path *p2)
{
	int saved = errno;
	char stack[RP_STACK_LINE];
	struct jline j;
	size_t need = RP_LINE_FIXED + 6 * (p1->len + (p2 ? p2->len : 0));
	int truncated = p1->truncated || (p2 && p2->truncated);
	void *map = NULL;

	if (need <= sizeof(stack)) {
		jl_init_fixed(&j, stack, sizeof(stack));
	} else {
		map = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED)
			map = NULL;
		if (map)
			jl_init_fixed(&j, map, need);
		else
			jl_init_fixed(&j, stack, sizeof(stack));
	}
	render(&j, a, p1->s, p2 ? p2->s : NULL, truncated);
	if (j.overflow) {
		/* no memory for a long line: send the paths' beginnings */
		size_t cut = (sizeof(stack) - RP_LINE_FIXED) / (6 * (p2 ? 2 : 1));
		char c1[RP_STACK_LINE / 6], c2[RP_STACK_LINE / 6];
		snprintf(c1, sizeof(c1), "%.*s", (int)cut, p1->s);
		if (p2)
			snprintf(c2, sizeof(c2), "%.*s", (int)cut, p2->s);
		jl_init_fixed(&j, stack, sizeof(stack));
		render(&j, a, c1, p2 ? c2 : NULL, 1);
	}
	if (!j.overflow)
		log_write(j.buf, j.len);
	if (map)
		munmap(map, need);
	errno = saved;
}

void rp_emit_open(const struct rp_path *p, const char *mode, long ret)
{
	struct line_args a = { L_OPEN, "open", mode, ret };
	emit_paths(&a, p, NULL);
}

void rp_emit_path1(const char *ev, const struct rp_path *p, long ret)
{
	struct line_args a = { L_PATH1, ev, NULL, ret };
	emit_paths(&a, p, NULL);
}

void rp_emit_path2(const char *ev, const struct rp_path *p1, const struct rp_path *p2, long ret)
{
	struct line_args a = { L_PATH2, ev, NULL, ret };
	emit_paths(&a, p1, p2);
}

void rp_emit_exec(const struct rp_path *p, long ret)
{
	struct line_args a = { L_EXEC, "exec", NULL, ret };
	emit_paths(&a, p, NULL);
}

void rp_emit_fork(pid_t pid, pid_t ppid)
{
	int saved = errno;
	char buf[256];
	struct jline j;
	jl_init_fixed(&j, buf, sizeof(buf));
	ev_fork(&j, (int)pid, (int)ppid);
	if (!j.overflow)
		log_write(j.buf, j.len);
	errno = saved;
}

void rp_emit_exit(int code)
{
	int saved = errno;
	char buf[256];
	struct jline j;
	/* fresh: a process made by a raw clone() has a stale cached pid */
	jl_init_fixed(&j, buf, sizeof(buf));
	ev_exit(&j, (int)syscall(SYS_getpid), code, 0);
	if (!j.overflow)
		log_write(j.buf, j.len);
	errno = saved;
}
