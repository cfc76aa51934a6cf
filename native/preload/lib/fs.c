/* SPDX-License-Identifier: MIT */
/*
 * File interposers. Each one calls the real function first, then resolves
 * the path(s) in this process (its cwd and descriptors are exactly the
 * caller's at this moment) and reports the result: ret is the call's
 * result, or -errno when it failed. errno is what the real call left.
 *
 * The _FORTIFY_SOURCE variants (__open_2 and friends) are what programs
 * built with -D_FORTIFY_SOURCE call instead of open/openat, so they are
 * interposed too. Opens made inside glibc (opendir's own open via
 * __open_nocancel, ld.so loading libraries, fts, glob, nftw) never pass
 * through these symbols and are not seen; preflight says so.
 */
/*
 * glibc declares most path arguments nonnull, and so are the parameters
 * of these definitions: the compiler may drop a NULL test written here.
 * Programs do pass NULL (the call then fails with EFAULT), so NULL is
 * handled in core.c, whose functions carry no such attribute.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include "rp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"

/* glibc declares these only under _FORTIFY_SOURCE */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);
typedef int (*creat_fn)(const char *, mode_t);
typedef FILE *(*fopen_fn)(const char *, const char *);
typedef FILE *(*freopen_fn)(const char *, const char *, FILE *);
typedef DIR *(*opendir_fn)(const char *);
typedef int (*path1_fn)(const char *);
typedef int (*mkdir_fn)(const char *, mode_t);
typedef int (*mkdirat_fn)(int, const char *, mode_t);
typedef int (*unlinkat_fn)(int, const char *, int);
typedef int (*path2_fn)(const char *, const char *);
typedef int (*renameat_fn)(int, const char *, int, const char *);
typedef int (*renameat2_fn)(int, const char *, int, const char *, unsigned int);
typedef int (*linkat_fn)(int, const char *, int, const char *, int);
typedef int (*symlinkat_fn)(const char *, int, const char *);
typedef int (*fchdir_fn)(int);

/* Returned when the real symbol cannot be found, which means a broken
 * libc: fail the call cleanly rather than crash. */
#define NO_REAL(fail)          \
	do {                   \
		errno = ENOSYS; \
		return fail;   \
	} while (0)

/* open(2)'s third argument exists only with O_CREAT or O_TMPFILE */
#define OPEN_MODE(flags, last)                                          \
	({                                                              \
		mode_t m_ = 0;                                          \
		if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) { \
			va_list ap_;                                    \
			va_start(ap_, last);                            \
			m_ = va_arg(ap_, mode_t);                       \
			va_end(ap_);                                    \
		}                                                       \
		m_;                                                     \
	})

static void note_open(int dirfd, const char *path, const char *mode, long rc)
{
	int err = errno;
	struct rp_path p;
	rp_resolve(dirfd, path, &p);
	rp_emit_open(&p, mode, rp_ret(rc, err));
	errno = err;
}

static void note_path1(const char *ev, int dirfd, const char *path, long rc)
{
	int err = errno;
	struct rp_path p;
	rp_resolve(dirfd, path, &p);
	rp_emit_path1(ev, &p, rp_ret(rc, err));
	errno = err;
}

static void note_path2(const char *ev, int dfd1, const char *p1, int dfd2, const char *p2,
		       long rc)
{
	int err = errno;
	struct rp_path a, b;
	rp_resolve(dfd1, p1, &a);
	rp_resolve(dfd2, p2, &b);
	rp_emit_path2(ev, &a, &b, rp_ret(rc, err));
	errno = err;
}

/* fopen's mode string: r, w, a, each with an optional '+' (and b, e, x,
 * m, c, ",ccs=" that do not change the access) */
static const char *fopen_mode(const char *m)
{
	if (!m)
		return "r";
	const char *plus = strchr(m, '+');
	const char *comma = strchr(m, ',');
	int rw = plus && (!comma || plus < comma);
	if (rw)
		return "rw";
	return m[0] == 'r' ? "r" : "w";
}

static void note_fopen(const char *path, const char *mode, FILE *f)
{
	int err = errno;
	struct rp_path p;
	rp_resolve(AT_FDCWD, path, &p);
	rp_emit_open(&p, fopen_mode(mode), f ? fileno(f) : -(long)err);
	errno = err;
}

/* ---- open family ------------------------------------------------------ */

#define DEF_OPEN(name)                                                     \
	RP_EXPORT int name(const char *path, int flags, ...)              \
	{                                                                  \
		mode_t mode = OPEN_MODE(flags, flags);                     \
		open_fn real = RP_REAL(open_fn, #name);                    \
		if (!real)                                                 \
			NO_REAL(-1);                                       \
		if (!rp_enter())                                           \
			return real(path, flags, mode);                    \
		int rc = real(path, flags, mode);                          \
		note_open(AT_FDCWD, path, ev_mode_from_flags(flags), rc);  \
		rp_leave();                                                \
		return rc;                                                 \
	}

#define DEF_OPENAT(name)                                                   \
	RP_EXPORT int name(int dirfd, const char *path, int flags, ...)   \
	{                                                                  \
		mode_t mode = OPEN_MODE(flags, flags);                     \
		openat_fn real = RP_REAL(openat_fn, #name);                \
		if (!real)                                                 \
			NO_REAL(-1);                                       \
		if (!rp_enter())                                           \
			return real(dirfd, path, flags, mode);             \
		int rc = real(dirfd, path, flags, mode);                   \
		note_open(dirfd, path, ev_mode_from_flags(flags), rc);     \
		rp_leave();                                                \
		return rc;                                                 \
	}

#define DEF_OPEN_2(name)                                                   \
	RP_EXPORT int name(const char *path, int flags)                   \
	{                                                                  \
		open2_fn real = RP_REAL(open2_fn, #name);                  \
		if (!real)                                                 \
			NO_REAL(-1);                                       \
		if (!rp_enter())                                           \
			return real(path, flags);                          \
		int rc = real(path, flags);                                \
		note_open(AT_FDCWD, path, ev_mode_from_flags(flags), rc);  \
		rp_leave();                                                \
		return rc;                                                 \
	}

#define DEF_OPENAT_2(name)                                                 \
	RP_EXPORT int name(int dirfd, const char *path, int flags)        \
	{                                                                  \
		openat2_fn real = RP_REAL(openat2_fn, #name);              \
		if (!real)                                                 \
			NO_REAL(-1);                                       \
		if (!rp_enter())                                           \
			return real(dirfd, path, flags);                   \
		int rc = real(dirfd, path, flags);                         \
		note_open(dirfd, path, ev_mode_from_flags(flags), rc);     \
		rp_leave();                                                \
		return rc;                                                 \
	}

#define DEF_CREAT(name)                                          \
	RP_EXPORT int name(const char *path, mode_t mode)       \
	{                                                        \
		creat_fn real = RP_REAL(creat_fn, #name);        \
		if (!real)                                       \
			NO_REAL(-1);                             \
		if (!rp_enter())                                 \
			return real(path, mode);                 \
		int rc = real(path, mode);                       \
		note_open(AT_FDCWD, path, "w", rc);              \
		rp_leave();                                      \
		return rc;                                       \
	}

DEF_OPEN(open)
DEF_OPEN(open64)
DEF_OPENAT(openat)
DEF_OPENAT(openat64)
DEF_OPEN_2(__open_2)
DEF_OPEN_2(__open64_2)
DEF_OPENAT_2(__openat_2)
DEF_OPENAT_2(__openat64_2)
DEF_CREAT(creat)
DEF_CREAT(creat64)

/* ---- stdio and directories -------------------------------------------- */

#define DEF_FOPEN(name)                                                  \
	RP_EXPORT FILE *name(const char *path, const char *mode)        \
	{                                                                \
		fopen_fn real = RP_REAL(fopen_fn, #name);                \
		if (!real)                                               \
			NO_REAL(NULL);                                   \
		if (!rp_enter())                                         \
			return real(path, mode);                         \
		FILE *f = real(path, mode);                              \
		note_fopen(path, mode, f);                               \
		rp_leave();                                              \
		return f;                                                \
	}

/* freopen(NULL, mode, f) changes the mode of an open stream: no open */
#define DEF_FREOPEN(name)                                                          \
	RP_EXPORT FILE *name(const char *path, const char *mode, FILE *stream)    \
	{                                                                          \
		freopen_fn real = RP_REAL(freopen_fn, #name);                      \
		if (!real)                                                         \
			NO_REAL(NULL);                                             \
		if (!path || !rp_enter())                                          \
			return real(path, mode, stream);                           \
		FILE *f = real(path, mode, stream);                                \
		note_fopen(path, mode, f);                                         \
		rp_leave();                                                        \
		return f;                                                          \
	}

DEF_FOPEN(fopen)
DEF_FOPEN(fopen64)
DEF_FREOPEN(freopen)
DEF_FREOPEN(freopen64)

/* Reading a directory listing is an input (a build that globs *.c depends
 * on it), and the kernel-side tracers see the O_DIRECTORY open. */
RP_EXPORT DIR *opendir(const char *path)
{
	opendir_fn real = RP_REAL(opendir_fn, "opendir");
	if (!real)
		NO_REAL(NULL);
	if (!rp_enter())
		return real(path);
	DIR *d = real(path);
	int err = errno;
	note_open(AT_FDCWD, path, "r", d ? dirfd(d) : -1);
	errno = err;
	rp_leave();
	return d;
}

/* ---- namespace changes ------------------------------------------------ */

RP_EXPORT int rename(const char *from, const char *to)
{
	path2_fn real = RP_REAL(path2_fn, "rename");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(from, to);
	int rc = real(from, to);
	note_path2("rename", AT_FDCWD, from, AT_FDCWD, to, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	renameat_fn real = RP_REAL(renameat_fn, "renameat");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(fromfd, from, tofd, to);
	int rc = real(fromfd, from, tofd, to);
	note_path2("rename", fromfd, from, tofd, to, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int renameat2(int fromfd, const char *from, int tofd, const char *to,
			unsigned int flags)
{
	renameat2_fn real = RP_REAL(renameat2_fn, "renameat2");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(fromfd, from, tofd, to, flags);
	int rc = real(fromfd, from, tofd, to, flags);
	note_path2("rename", fromfd, from, tofd, to, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int unlink(const char *path)
{
	path1_fn real = RP_REAL(path1_fn, "unlink");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(path);
	int rc = real(path);
	note_path1("unlink", AT_FDCWD, path, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int unlinkat(int dirfd, const char *path, int flags)
{
	unlinkat_fn real = RP_REAL(unlinkat_fn, "unlinkat");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(dirfd, path, flags);
	int rc = real(dirfd, path, flags);
	note_path1(flags & AT_REMOVEDIR ? "rmdir" : "unlink", dirfd, path, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int rmdir(const char *path)
{
	path1_fn real = RP_REAL(path1_fn, "rmdir");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(path);
	int rc = real(path);
	note_path1("rmdir", AT_FDCWD, path, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int mkdir(const char *path, mode_t mode)
{
	mkdir_fn real = RP_REAL(mkdir_fn, "mkdir");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(path, mode);
	int rc = real(path, mode);
	note_path1("mkdir", AT_FDCWD, path, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int mkdirat(int dirfd, const char *path, mode_t mode)
{
	mkdirat_fn real = RP_REAL(mkdirat_fn, "mkdirat");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(dirfd, path, mode);
	int rc = real(dirfd, path, mode);
	note_path1("mkdir", dirfd, path, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int link(const char *from, const char *to)
{
	path2_fn real = RP_REAL(path2_fn, "link");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(from, to);
	int rc = real(from, to);
	note_path2("link", AT_FDCWD, from, AT_FDCWD, to, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	linkat_fn real = RP_REAL(linkat_fn, "linkat");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(fromfd, from, tofd, to, flags);
	int rc = real(fromfd, from, tofd, to, flags);
	int err = errno;
	struct rp_path a, b;
	rp_resolve_flags(fromfd, from, flags, &a);
	rp_resolve(tofd, to, &b);
	rp_emit_path2("link", &a, &b, rp_ret(rc, err));
	errno = err;
	rp_leave();
	return rc;
}

/* A symlink's target is the link's content, reported as written (as the
 * other tracers do, docs/events.md); the link itself is resolved. */
static void note_symlink(const char *target, int dirfd, const char *linkpath, long rc)
{
	int err = errno;
	struct rp_path l, t;
	size_t n = strnlen(target, sizeof(t.s));
	rp_resolve(dirfd, linkpath, &l);
	t.truncated = n >= sizeof(t.s);
	t.len = t.truncated ? sizeof(t.s) - 1 : n;
	memcpy(t.s, target, t.len);
	t.s[t.len] = '\0';
	rp_emit_path2("symlink", &t, &l, rp_ret(rc, err));
	errno = err;
}

RP_EXPORT int symlink(const char *target, const char *linkpath)
{
	path2_fn real = RP_REAL(path2_fn, "symlink");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(target, linkpath);
	int rc = real(target, linkpath);
	note_symlink(target, AT_FDCWD, linkpath, rc);
	rp_leave();
	return rc;
}

RP_EXPORT int symlinkat(const char *target, int dirfd, const char *linkpath)
{
	symlinkat_fn real = RP_REAL(symlinkat_fn, "symlinkat");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(target, dirfd, linkpath);
	int rc = real(target, dirfd, linkpath);
	note_symlink(target, dirfd, linkpath, rc);
	rp_leave();
	return rc;
}

/* ---- working directory ------------------------------------------------ */

/* After a successful chdir the kernel's own name for the new cwd is the
 * exact one (symlinks resolved); after a failure, report what was asked. */
RP_EXPORT int chdir(const char *path)
{
	path1_fn real = RP_REAL(path1_fn, "chdir");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(path);
	int rc = real(path);
	int err = errno;
	struct rp_path p;
	if (rc == 0)
		rp_cwd(&p);
	else
		rp_resolve(AT_FDCWD, path, &p);
	rp_emit_path1("chdir", &p, rp_ret(rc, err));
	errno = err;
	rp_leave();
	return rc;
}

RP_EXPORT int fchdir(int fd)
{
	fchdir_fn real = RP_REAL(fchdir_fn, "fchdir");
	if (!real)
		NO_REAL(-1);
	if (!rp_enter())
		return real(fd);
	int rc = real(fd);
	int err = errno;
	struct rp_path p;
	if (rc == 0)
		rp_cwd(&p);
	else
		rp_fd_path(fd, &p);
	rp_emit_path1("chdir", &p, rp_ret(rc, err));
	errno = err;
	rp_leave();
	return rc;
}
