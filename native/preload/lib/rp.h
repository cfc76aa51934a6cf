/* SPDX-License-Identifier: MIT */
/*
 * Internals of libroar_preload.so, shared by its three parts:
 *   core.c  state, the events transport (ring, log file), path resolution,
 *           event rendering, the first events of each process image
 *   fs.c    file interposers (open family, fopen, rename, unlink, ...)
 *   proc.c  process interposers (exec family, posix_spawn, vfork, exit)
 *           and the constructor (atfork, on_exit, the exec marker)
 *
 * Everything is hidden (-fvisibility=hidden) except the interposers,
 * which are marked RP_EXPORT. No hook calls malloc (only the constructor
 * does): interposers run inside arbitrary programs, in forked children of
 * threaded ones, in signal handlers.
 */
#ifndef ROAR_RP_H
#define ROAR_RP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define RP_EXPORT __attribute__((visibility("default")))

/* A resolved, absolute path. truncated: it did not fit in PATH_MAX. */
struct rp_path {
	char s[PATH_MAX];
	size_t len;
	int truncated;
};

/* Per-thread reentrancy flag. initial-exec: no __tls_get_addr call and no
 * allocation on first use (the library is loaded at start-up). */
extern __thread int rp_in_hook __attribute__((tls_model("initial-exec")));

/* One-time set-up (log path, library path, atfork/on_exit, real symbols).
 * Safe to call from any interposer, before or after the constructor. */
void rp_init(void);

/* 0: rp_init() has not run yet; 1: no events log configured (the library
 * is inert); 2: tracing. */
extern int rp_state;

/* Is an events log configured for this process? */
static inline int rp_enabled(void)
{
	int s = __atomic_load_n(&rp_state, __ATOMIC_ACQUIRE);
	if (__builtin_expect(s == 0, 0)) {
		rp_init();
		s = __atomic_load_n(&rp_state, __ATOMIC_ACQUIRE);
	}
	return s == 2;
}

/* Enter a hook: 1 when tracing is on and this thread is not already inside
 * one (then rp_leave() must follow), else 0. Never touches errno. */
static inline int rp_enter(void)
{
	if (rp_in_hook || !rp_enabled())
		return 0;
	rp_in_hook = 1;
	return 1;
}

static inline void rp_leave(void)
{
	rp_in_hook = 0;
}

/* The next definition of a symbol (RTLD_NEXT), cached in *slot. */
void *rp_next(void **slot, const char *name);
#define RP_REAL(type, name)                                       \
	({                                                        \
		static void *slot_;                               \
		(type)rp_next(&slot_, name);                      \
	})

/* pid of this process, kept current across fork by the atfork handler. */
pid_t rp_pid(void);
/* Called in a fork child (atfork handler, _Fork, vfork): new pid, and the
 * fork event. */
void rp_after_fork_child(void);

/* Path resolution, done in the calling process at call time, so the cwd
 * and directory descriptors are exactly the caller's. A NULL path (the
 * call failed with EFAULT) resolves to "" with truncated set. */
void rp_resolve(int dirfd, const char *path, struct rp_path *out);
/* With AT_EMPTY_PATH and an empty path: the file open on dirfd itself. */
void rp_resolve_flags(int dirfd, const char *path, int flags, struct rp_path *out);
void rp_fd_path(int fd, struct rp_path *out);
void rp_cwd(struct rp_path *out);
/* rel against an already resolved directory (for symlink targets, which
 * are relative to the link's directory). */
void rp_resolve_under(const struct rp_path *dir, const char *rel, struct rp_path *out);

/* Events. Each renders one roar.events/1 line and writes it with one
 * write(2); errno is preserved. */
void rp_emit_open(const struct rp_path *p, const char *mode, long ret);
void rp_emit_path1(const char *ev, const struct rp_path *p, long ret);
void rp_emit_path2(const char *ev, const struct rp_path *a, const struct rp_path *b, long ret);
void rp_emit_exec(const struct rp_path *p, long ret);
void rp_emit_fork(pid_t pid, pid_t ppid);
void rp_emit_exit(int code);

/* The values the exec wrappers put back into a child's environment. */
const char *rp_lib_path(void);
const char *rp_log_path(void);

/* -errno for a failed call's event. */
static inline long rp_ret(long rc, int err)
{
	return rc < 0 ? -(long)err : rc;
}

#endif
