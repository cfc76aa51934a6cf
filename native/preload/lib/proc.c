/* SPDX-License-Identifier: MIT */
/*
 * Process interposers and the constructor.
 *
 * exec: the wrappers put LD_PRELOAD, the log path and the exec marker back
 * into the environment the new image gets, so `env -i cmd`, Python's
 * subprocess and Node's spawn(..., {env: {}}) stay traced. A successful
 * exec is reported by the new image itself, at its first hook (core.c:
 * announce_image, with the real executable from /proc/self/exe), which
 * also catches execs that never pass through these symbols (system(),
 * popen(), glibc-internal __execve); a wrapper reports only a failed exec.
 *
 * fork: reported from the child by a pthread_atfork handler, which runs
 * for every fork() including glibc-internal ones. vfork() becomes fork():
 * a vfork child shares the parent's stack, and a wrapper function that
 * returns twice into one stack frame cannot be written in C. POSIX allows
 * vfork to be fork; only programs relying on undefined behaviour notice.
 * Processes made without fork (posix_spawn, system, popen, raw clone) are
 * reported by their new image, which sees a marker pid (RP_ENV_PID) that
 * is not its own.
 *
 * exit: an on_exit handler knows the status given to exit() or returned
 * from main; _exit and _Exit are wrapped. Death by a signal is seen only
 * by the parent: the launcher reports the root's real status.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include "rp.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload_env.h"

extern char **environ;

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execveat_fn)(int, const char *, char *const[], char *const[], int);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);
typedef pid_t (*fork_fn)(void);
typedef void (*exit_fn)(int);

/* ---- the environment of a new image ----------------------------------- */

struct rp_env {
	char **envp;
	void *map;
	size_t maplen;
};

static int has_prefix(const char *s, const char *var)
{
	size_t n = strlen(var);
	return strncmp(s, var, n) == 0 && s[n] == '=';
}

/* Is lib one of the entries of an LD_PRELOAD list (space or colon
 * separated)? */
static int preload_has(const char *list, const char *lib)
{
	size_t n = strlen(lib);
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ':')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != ':')
			p++;
		if ((size_t)(p - w) == n && n && memcmp(w, lib, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * envp with our three variables set: LD_PRELOAD (ours first, theirs kept),
 * the log path, and the marker (this process's pid). The array and its
 * strings live in one mmap'ed block: exec wrappers run in forked children
 * of threaded programs, where malloc is best avoided. -1: leave envp as
 * it is (the child then runs untraced if the caller dropped our vars).
 */
static int env_build(char *const envp[], struct rp_env *e)
{
	const char *lib = rp_lib_path(), *log = rp_log_path();
	const char *theirs = NULL;
	size_t n = 0;

	e->envp = NULL;
	e->map = NULL;
	if (envp)
		for (; envp[n]; n++)
			if (!theirs && has_prefix(envp[n], "LD_PRELOAD"))
				theirs = envp[n] + sizeof("LD_PRELOAD");

	size_t strbytes = sizeof("LD_PRELOAD=") + strlen(lib) + 1 + (theirs ? strlen(theirs) : 0) +
			  sizeof(RP_ENV_EVENTS "=") + strlen(log) +
			  sizeof(RP_ENV_PID "=") + 24;
	e->maplen = (n + 4) * sizeof(char *) + strbytes;
	void *m = mmap(NULL, e->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	e->map = m;
	char **out = m;
	char *s = (char *)(out + n + 4), *end = (char *)m + e->maplen;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if ((lib[0] && has_prefix(envp[i], "LD_PRELOAD")) ||
		    has_prefix(envp[i], RP_ENV_EVENTS) || has_prefix(envp[i], RP_ENV_PID))
			continue;
		out[k++] = envp[i];
	}
	int w;
	if (lib[0]) {
		if (theirs && preload_has(theirs, lib))
			w = snprintf(s, (size_t)(end - s), "LD_PRELOAD=%s", theirs);
		else if (theirs && *theirs)
			w = snprintf(s, (size_t)(end - s), "LD_PRELOAD=%s %s", lib, theirs);
		else
			w = snprintf(s, (size_t)(end - s), "LD_PRELOAD=%s", lib);
		out[k++] = s;
		s += w + 1;
	}
	w = snprintf(s, (size_t)(end - s), RP_ENV_EVENTS "=%s", log);
	out[k++] = s;
	s += w + 1;
	snprintf(s, (size_t)(end - s), RP_ENV_PID "=%d", (int)rp_pid());
	out[k++] = s;
	out[k] = NULL;
	e->envp = out;
	return 0;
}

static void env_free(struct rp_env *e)
{
	if (e->map)
		munmap(e->map, e->maplen);
	e->map = NULL;
}

/* ---- exec --------------------------------------------------------------- */

enum exec_how { BY_PATH, BY_SEARCH, BY_FD, BY_AT };

struct exec_req {
	enum exec_how how;
	int fd;           /* BY_FD, BY_AT */
	const char *path; /* BY_PATH, BY_SEARCH, BY_AT */
	int flags;        /* BY_AT */
	char *const *argv;
	char *const *envp;
};

static int call_real_exec(const struct exec_req *q, char *const envp[])
{
	switch (q->how) {
	case BY_PATH: {
		execve_fn real = RP_REAL(execve_fn, "execve");
		return real ? real(q->path, q->argv, envp) : (errno = ENOSYS, -1);
	}
	case BY_SEARCH: {
		/* glibc's execvpe searches the caller's PATH, like execvp */
		execve_fn real = RP_REAL(execve_fn, "execvpe");
		return real ? real(q->path, q->argv, envp) : (errno = ENOSYS, -1);
	}
	case BY_FD: {
		fexecve_fn real = RP_REAL(fexecve_fn, "fexecve");
		return real ? real(q->fd, q->argv, envp) : (errno = ENOSYS, -1);
	}
	case BY_AT: {
		execveat_fn real = RP_REAL(execveat_fn, "execveat");
		return real ? real(q->fd, q->path, q->argv, envp, q->flags) : (errno = ENOSYS, -1);
	}
	}
	errno = EINVAL;
	return -1;
}

/* Where a failed exec pointed. A bare name looked up on PATH named no
 * single file, so it is not reported. */
static int exec_target(const struct exec_req *q, struct rp_path *p)
{
	switch (q->how) {
	case BY_SEARCH:
		if (!q->path || !strchr(q->path, '/'))
			return 0;
		/* fall through */
	case BY_PATH:
		rp_resolve(AT_FDCWD, q->path, p);
		return 1;
	case BY_FD:
		rp_fd_path(q->fd, p);
		return 1;
	case BY_AT:
		rp_resolve_flags(q->fd, q->path, q->flags, p);
		return 1;
	}
	return 0;
}

static int do_exec(const struct exec_req *q)
{
	struct rp_env e;
	if (!rp_enter())
		return call_real_exec(q, q->envp);
	int have_env = env_build(q->envp, &e) == 0;
	rp_leave();

	int rc = call_real_exec(q, have_env ? e.envp : q->envp);

	/* still here: the exec failed */
	int err = errno;
	if (have_env)
		env_free(&e);
	if (rp_enter()) {
		struct rp_path p;
		if (exec_target(q, &p))
			rp_emit_exec(&p, -(long)err);
		rp_leave();
	}
	errno = err;
	return rc;
}

RP_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	struct exec_req q = { BY_PATH, -1, path, 0, argv, envp };
	return do_exec(&q);
}

RP_EXPORT int execv(const char *path, char *const argv[])
{
	struct exec_req q = { BY_PATH, -1, path, 0, argv, environ };
	return do_exec(&q);
}

RP_EXPORT int execvp(const char *file, char *const argv[])
{
	struct exec_req q = { BY_SEARCH, -1, file, 0, argv, environ };
	return do_exec(&q);
}

RP_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct exec_req q = { BY_SEARCH, -1, file, 0, argv, envp };
	return do_exec(&q);
}

RP_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct exec_req q = { BY_FD, fd, NULL, 0, argv, envp };
	return do_exec(&q);
}

RP_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		       int flags)
{
	struct exec_req q = { BY_AT, dirfd, path, flags, argv, envp };
	return do_exec(&q);
}

/*
 * execl, execle, execlp: the list becomes an argv on the stack (on an
 * mmap'ed block for an absurdly long list), then the same path as execv.
 * want_envp: execle's environment follows the NULL that ends the list.
 */
#define ARGV_STACK 256

static int exec_list(enum exec_how how, const char *path, const char *arg0, va_list ap,
		     int want_envp)
{
	va_list count;
	size_t n = 1;
	va_copy(count, ap);
	while (va_arg(count, const char *))
		n++;
	va_end(count);

	const char *stack[ARGV_STACK];
	const char **argv = stack;
	void *map = NULL;
	size_t maplen = (n + 1) * sizeof(char *);
	if (n + 1 > ARGV_STACK) {
		map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED) {
			errno = E2BIG;
			return -1;
		}
		argv = map;
	}
	argv[0] = arg0;
	for (size_t i = 1; i <= n; i++)
		argv[i] = va_arg(ap, const char *); /* the last one is the NULL */
	char *const *envp = want_envp ? va_arg(ap, char *const *) : environ;

	struct exec_req q = { how, -1, path, 0, (char *const *)argv, envp };
	int rc = do_exec(&q);
	int err = errno;
	if (map)
		munmap(map, maplen);
	errno = err;
	return rc;
}

RP_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int rc = exec_list(BY_PATH, path, arg, ap, 0);
	va_end(ap);
	return rc;
}

RP_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int rc = exec_list(BY_PATH, path, arg, ap, 1);
	va_end(ap);
	return rc;
}

RP_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	int rc = exec_list(BY_SEARCH, file, arg, ap, 0);
	va_end(ap);
	return rc;
}

/* ---- posix_spawn ---------------------------------------------------------- */

/*
 * The child never runs our code before its exec (glibc uses a CLONE_VFORK
 * helper), so its new image reports the fork and the exec;
 * here only a failed spawn (glibc >= 2.15 returns the exec's error) is
 * reported.
 */
static int do_spawn(const char *name, int search, pid_t *pid, const char *path,
		    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		    char *const argv[], char *const envp[])
{
	spawn_fn real = RP_REAL(spawn_fn, name);
	struct rp_env e;
	if (!real)
		return ENOSYS;
	if (!rp_enter())
		return real(pid, path, fa, attr, argv, envp);
	int have_env = env_build(envp, &e) == 0;
	rp_leave();

	int saved = errno;
	int rc = real(pid, path, fa, attr, argv, have_env ? e.envp : envp);
	int err = errno;
	if (have_env)
		env_free(&e);
	if (rc != 0 && rp_enter()) {
		struct exec_req q = { search ? BY_SEARCH : BY_PATH, -1, path, 0, argv, envp };
		struct rp_path p;
		if (exec_target(&q, &p))
			rp_emit_exec(&p, -(long)rc);
		rp_leave();
	}
	errno = rc ? err : saved;
	return rc;
}

RP_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			  const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return do_spawn("posix_spawn", 0, pid, path, fa, attr, argv, envp);
}

RP_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return do_spawn("posix_spawnp", 1, pid, file, fa, attr, argv, envp);
}

/* ---- fork ----------------------------------------------------------------- */

RP_EXPORT pid_t vfork(void)
{
	/* fork's atfork handler reports the child */
	fork_fn real = RP_REAL(fork_fn, "fork");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real();
}

/* _Fork runs no atfork handlers */
RP_EXPORT pid_t _Fork(void)
{
	fork_fn real = RP_REAL(fork_fn, "_Fork");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	pid_t pid = real();
	if (pid == 0) {
		int saved = errno;
		rp_after_fork_child();
		errno = saved;
	}
	return pid;
}

static void atfork_child(void)
{
	int saved = errno;
	rp_after_fork_child();
	errno = saved;
}

/* ---- exit ----------------------------------------------------------------- */

static void on_exit_handler(int status, void *arg)
{
	(void)arg;
	if (rp_enter()) {
		rp_emit_exit(status & 0xff);
		rp_leave();
	}
}

static __attribute__((noreturn)) void exit_via(const char *name, int code)
{
	if (rp_enter()) {
		rp_emit_exit(code & 0xff);
		rp_leave();
	}
	exit_fn real = RP_REAL(exit_fn, name);
	if (real)
		real(code);
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

RP_EXPORT void _exit(int code)
{
	exit_via("_exit", code);
}

RP_EXPORT void _Exit(int code)
{
	exit_via("_Exit", code);
}

/* ---- a new process image -------------------------------------------------- */

__attribute__((constructor)) static void rp_constructor(void)
{
	int saved = errno;
	/* rp_enter() runs rp_init(), which reports this image (see there) */
	if (!rp_enter()) {
		errno = saved;
		return;
	}
	/* allocate here, not in rp_init(): see there */
	if (pthread_atfork(NULL, NULL, atfork_child) != 0 || on_exit(on_exit_handler, NULL) != 0) {
		/* without them forks and exit codes go unreported; the launcher
		 * still reports the root's exit */
	}
	/* children that inherit our environment (system, popen) compare their
	 * pid against ours; setenv copies, which is fine before main */
	pid_t pid = rp_pid();
	const char *marker = getenv(RP_ENV_PID);
	if (!marker || strtol(marker, NULL, 10) != (long)pid) {
		char num[24];
		snprintf(num, sizeof(num), "%d", (int)pid);
		if (setenv(RP_ENV_PID, num, 1) != 0) {
			/* then such children compare against an older pid and
			 * report their fork anyway: nothing is lost */
		}
	}
	rp_leave();
	errno = saved;
}
