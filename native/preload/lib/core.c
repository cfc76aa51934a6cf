/* SPDX-License-Identifier: MIT */
/*
 * State of the interposer, the events log and path resolution.
 *
 * The log is a path (ROAR_PRELOAD_EVENTS), opened lazily in each process
 * image with O_APPEND, so concurrent processes can share it: each event is
 * one write(2) of one complete line, and appends of a few KiB to a regular
 * file do not interleave. Its descriptor is kept at >= RP_LOG_FD_MIN and
 * checked with fstat() before each write, because programs close or
 * dup2() over descriptors they do not know about; writing an event into a
 * descriptor that now belongs to the program would corrupt its data.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "events.h"
#include "json_line.h"
#include "preload_env.h"

int rp_state;
__thread int rp_in_hook __attribute__((tls_model("initial-exec")));

static char log_path[PATH_MAX];
static char lib_path[PATH_MAX];
static pid_t cur_pid;

static int log_fd = -1;
static dev_t log_dev;
static ino_t log_ino;

static pthread_once_t init_once_ctl = PTHREAD_ONCE_INIT;

/*
 * Only getenv, dladdr and getpid here: rp_init() may run inside whatever
 * call first reaches an interposer (even another library's constructor or
 * a malloc implementation's own start-up), so it must not allocate. The
 * atfork and on_exit registrations, which allocate, are in the constructor.
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

	/* our own path as the loader knows it, to put back into LD_PRELOAD */
	Dl_info info;
	if (dladdr((void *)&rp_init, &info) && info.dli_fname) {
		size_t l = strlen(info.dli_fname);
		if (l < sizeof(lib_path))
			memcpy(lib_path, info.dli_fname, l + 1);
	}
	__atomic_store_n(&rp_state, 2, __ATOMIC_RELEASE);
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

static void log_write(const char *buf, size_t len)
{
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

static void path_set(struct rp_path *o, const char *s, size_t n)
{
	if (n >= sizeof(o->s)) {
		n = sizeof(o->s) - 1;
		o->truncated = 1;
	}
	memcpy(o->s, s, n);
	o->s[n] = '\0';
	o->len = n;
}

static void path_push(struct rp_path *o, const char *c, size_t n)
{
	int root = o->len == 1 && o->s[0] == '/';
	size_t need = n + (root ? 0 : 1);
	if (o->len + need >= sizeof(o->s)) {
		o->truncated = 1;
		return;
	}
	if (!root)
		o->s[o->len++] = '/';
	memcpy(o->s + o->len, c, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void path_pop(struct rp_path *o)
{
	while (o->len > 1 && o->s[o->len - 1] != '/')
		o->len--;
	if (o->len > 1)
		o->len--;
	o->s[o->len] = '\0';
}

/*
 * Appends rel to the absolute path in o. "." and empty components go.
 * ".." is folded only into a canonical base (getcwd, /proc/self/fd/N and
 * "/" are free of symlinks, so their parent is exact); after a component
 * of the caller's own, which may be a symlink, ".." is kept as written.
 */
static void path_append(struct rp_path *o, const char *rel, int canonical)
{
	const char *p = rel;
	for (;;) {
		while (*p == '/')
			p++;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - c);
		if (n == 0)
			break;
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.' && canonical) {
			path_pop(o);
			continue;
		}
		canonical = 0;
		path_push(o, c, n);
		if (o->truncated)
			return;
	}
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
	if (!path) {
		path_set(out, "", 0);
		out->truncated = 1;
		return;
	}
	if (path[0] == '/') {
		out->truncated = 0;
		path_set(out, "/", 1);
		path_append(out, path, 1);
		return;
	}
	if (dirfd == AT_FDCWD)
		rp_cwd(out);
	else
		rp_fd_path(dirfd, out);
	path_append(out, path, !out->truncated && out->s[0] == '/');
}

void rp_resolve_under(const struct rp_path *dir, const char *rel, struct rp_path *out)
{
	if (rel[0] == '/') {
		rp_resolve(AT_FDCWD, rel, out);
		return;
	}
	*out = *dir;
	path_append(out, rel, 0);
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
