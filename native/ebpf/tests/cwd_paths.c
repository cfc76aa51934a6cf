// SPDX-License-Identifier: MIT
/*
 * Manual check of the eBPF tracer's relative-path resolution, in particular
 * the kept working directory (see ../README.md): chdir/fchdir, dirfds with
 * "..", the cwd (or an ancestor) renamed by another process while a
 * process sits in it (the new name must show), rename back and a new
 * directory under the old name, RENAME_EXCHANGE, long names, spaces and
 * non-ASCII, threads sharing a cwd, unshare(CLONE_FS), 40-deep directories,
 * chroot, a private mount namespace with a moved mount and a bind mount,
 * a faulting first path, 200 children. Prints "EXPECT <pid> <path>" for
 * every open and "EXPECTEV ..." for other calls, computed without the
 * tracer; cwd_paths_check.py compares. Not part of the build; needs root
 * (chroot, mounts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[4096];

static void die(const char *what)
{
	fprintf(stderr, "ops: %s: %s\n", what, strerror(errno));
	exit(99);
}

static void expect_open_at(int dfd, const char *rel, const char *abs)
{
	int fd = openat(dfd, rel, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		die(rel);
	close(fd);
	printf("EXPECT %d %s\n", getpid(), abs);
	fflush(stdout);
}

static void expect_open(const char *rel, const char *abs)
{
	expect_open_at(AT_FDCWD, rel, abs);
}

static char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *P(const char *fmt, ...)
{
	static char bufs[8][8192];
	static int k;
	char *b = bufs[k++ & 7];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, 8192, fmt, ap);
	va_end(ap);
	return b;
}

/* rename by another process, so the cwd holder's kernel state is not touched */
static void rename_by_child(const char *from, const char *to)
{
	pid_t p = fork();
	if (p == 0) {
		if (rename(from, to) != 0)
			_exit(1);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("rename child");
}

static void xmkdir(const char *p)
{
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		die(p);
}

static void xchdir(const char *p)
{
	if (chdir(p) != 0)
		die(p);
}

/* ---- threads ---- */
static pthread_barrier_t bar;

static void *thread_b(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&bar); /* A chdir'd to t1 */
	expect_open("tb1", P("%s/t1/tb1", base));
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar); /* A chdir'd to t2 */
	expect_open("tb2", P("%s/t2/tb2", base));
	pthread_barrier_wait(&bar);
	/* unshare fs: this thread's cwd becomes private */
	if (unshare(CLONE_FS) != 0)
		die("unshare fs");
	xchdir(P("%s/t1", base));
	expect_open("tb3", P("%s/t1/tb3", base));
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar); /* A opened in t2 */
	expect_open("tb4", P("%s/t1/tb4", base));
	return NULL;
}

static void threads(void)
{
	pthread_t b;
	xmkdir(P("%s/t1", base));
	xmkdir(P("%s/t2", base));
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&b, NULL, thread_b, NULL);
	/* warm B's kept directory at base */
	xchdir(base);
	xchdir(P("%s/t1", base));
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	xchdir(P("%s/t2", base));
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar); /* B unshared and chdir'd */
	expect_open("ta1", P("%s/t2/ta1", base));
	pthread_barrier_wait(&bar);
	pthread_join(b, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	snprintf(base, sizeof(base), "%s", argv[1]);
	xmkdir(base);

	/* A. chdir, relative opens, twice (miss then kept) */
	xmkdir(P("%s/a", base));
	xchdir(P("%s/a", base));
	expect_open("f1", P("%s/a/f1", base));
	expect_open("./f1b", P("%s/a/f1b", base));
	expect_open("../f1c", P("%s/f1c", base));

	/* A2. other calls relative to the kept cwd, and two relative paths */
	close(open("rn1", O_CREAT | O_WRONLY, 0644));
	if (rename("rn1", "rn2") != 0)
		die("rename rel");
	printf("EXPECTEV rename %d %s/a/rn1\t%s/a/rn2\n", getpid(), base, base);
	if (mkdir("mk", 0755) != 0)
		die("mkdir rel");
	printf("EXPECTEV mkdir %d %s/a/mk\t\n", getpid(), base);
	if (symlink("tgt/../x", "lnk") != 0)
		die("symlink rel");
	printf("EXPECTEV symlink %d tgt/../x\t%s/a/lnk\n", getpid(), base);
	if (link("rn2", "../ln2") != 0)
		die("link rel");
	printf("EXPECTEV link %d %s/a/rn2\t%s/ln2\n", getpid(), base, base);
	if (unlink("rn2") != 0)
		die("unlink rel");
	printf("EXPECTEV unlink %d %s/a/rn2\t\n", getpid(), base);
	fflush(stdout);

	/* B. fchdir */
	int bfd = open(base, O_RDONLY | O_DIRECTORY);
	if (bfd < 0 || fchdir(bfd) != 0)
		die("fchdir");
	expect_open("f2", P("%s/f2", base));

	/* C. openat with dirfds, incl. .. */
	int afd = open(P("%s/a", base), O_RDONLY | O_DIRECTORY);
	expect_open_at(afd, "../f3", P("%s/f3", base));
	expect_open_at(afd, "f4", P("%s/a/f4", base));

	/* D. rename of the cwd by another process, then of an ancestor */
	xmkdir(P("%s/d", base));
	xchdir(P("%s/d", base));
	expect_open("x1", P("%s/d/x1", base));
	expect_open("x1b", P("%s/d/x1b", base));
	rename_by_child(P("%s/d", base), P("%s/dd", base));
	expect_open("x2", P("%s/dd/x2", base));
	expect_open("x2b", P("%s/dd/x2b", base));
	xmkdir(P("%s/p", base));
	xmkdir(P("%s/p/q", base));
	xchdir(P("%s/p/q", base));
	expect_open("y1", P("%s/p/q/y1", base));
	rename_by_child(P("%s/p", base), P("%s/pp", base));
	expect_open("y2", P("%s/pp/q/y2", base));
	/* rename away and a new directory under the old name */
	rename_by_child(P("%s/pp", base), P("%s/p", base));
	expect_open("y3", P("%s/p/q/y3", base));
	rename_by_child(P("%s/p", base), P("%s/p_old", base));
	xmkdir(P("%s/p", base));
	xmkdir(P("%s/p/q", base));
	expect_open("y4", P("%s/p_old/q/y4", base));
	/* the cwd renamed by this very process, to a long name and back */
	xchdir(P("%s/p/q", base));
	expect_open("z0", P("%s/p/q/z0", base));
	if (rename(P("%s/p", base), P("%s/a-much-longer-directory-name-than-dname-inline-len-xx", base)))
		die("rename self");
	expect_open("z1", P("%s/a-much-longer-directory-name-than-dname-inline-len-xx/q/z1", base));
	if (rename(P("%s/a-much-longer-directory-name-than-dname-inline-len-xx", base), P("%s/s", base)))
		die("rename self 2");
	expect_open("z2", P("%s/s/q/z2", base));
	/* exchange */
	xmkdir(P("%s/e1", base));
	xmkdir(P("%s/e2", base));
	xchdir(P("%s/e1", base));
	expect_open("w1", P("%s/e1/w1", base));
	if (syscall(SYS_renameat2, AT_FDCWD, P("%s/e1", base), AT_FDCWD, P("%s/e2", base), 2 /* RENAME_EXCHANGE */))
		die("exchange");
	expect_open("w2", P("%s/e2/w2", base));

	/* F. spaces and non-ASCII */
	xmkdir(P("%s/sp ace", base));
	xmkdir(P("%s/sp ace/\xc3\xbcn\xc3\xaf\xc2\xa9\xc3\xb8" "d\xc3\xa9", base));
	xchdir(P("%s/sp ace/\xc3\xbcn\xc3\xaf\xc2\xa9\xc3\xb8" "d\xc3\xa9", base));
	expect_open("fi le \xc3\xbc", P("%s/sp ace/\xc3\xbcn\xc3\xaf\xc2\xa9\xc3\xb8" "d\xc3\xa9/fi le \xc3\xbc", base));
	expect_open("fi le 2", P("%s/sp ace/\xc3\xbcn\xc3\xaf\xc2\xa9\xc3\xb8" "d\xc3\xa9/fi le 2", base));

	/* G/H. threads sharing the cwd; unshare(CLONE_FS) */
	threads();

	/* J. deep directories: 40 levels (past the kept depth), kept twice */
	xchdir(base);
	char deep[8192] = "";
	size_t dl = 0;
	for (int i = 0; i < 40; i++) {
		dl += (size_t)snprintf(deep + dl, sizeof(deep) - dl, "%sl%d", i ? "/" : "", i);
		xmkdir(P("%s/%s", base, deep));
	}
	xchdir(P("%s/%s", base, deep));
	expect_open("deep1", P("%s/%s/deep1", base, deep));
	expect_open("deep2", P("%s/%s/deep2", base, deep));
	xchdir(P("%s/l0/l1/l2", base));
	expect_open("l3/l4/deep3", P("%s/l0/l1/l2/l3/l4/deep3", base));

	/* K. chroot: paths are relative to the new root afterwards */
	xmkdir(P("%s/root", base));
	xmkdir(P("%s/root/sub", base));
	pid_t cp = fork();
	if (cp == 0) {
		xchdir(P("%s/root/sub", base));
		expect_open("c1", P("%s/root/sub/c1", base));
		if (chroot(P("%s/root", base)) != 0)
			die("chroot");
		expect_open("c2", "/sub/c2");
		fflush(stdout);
		_exit(0);
	}
	waitpid(cp, NULL, 0);

	/* L. mounts, in a private mount namespace: the kept directory is not
	 * used across a mount crossing; a moved mount shows its new place */
	cp = fork();
	if (cp == 0) {
		xchdir(base);
		expect_open("m0", P("%s/m0", base));
		if (unshare(CLONE_NEWNS) != 0)
			die("unshare ns");
		expect_open("m0b", P("%s/m0b", base));
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
			die("private");
		xmkdir(P("%s/mnt", base));
		xmkdir(P("%s/mnt2", base));
		if (mount("tmpfs", P("%s/mnt", base), "tmpfs", 0, NULL) != 0)
			die("mount");
		xmkdir(P("%s/mnt/s", base));
		xchdir(P("%s/mnt/s", base));
		expect_open("z1", P("%s/mnt/s/z1", base));
		expect_open("z1b", P("%s/mnt/s/z1b", base));
		if (mount(P("%s/mnt", base), P("%s/mnt2", base), NULL, MS_MOVE, NULL) != 0)
			die("move");
		expect_open("z2", P("%s/mnt2/s/z2", base));
		/* a bind mount of the cwd's directory over itself: the cwd is
		 * the old (underlying) one */
		xchdir(base);
		expect_open("b1", P("%s/b1", base));
		if (mount(base, base, NULL, MS_BIND, NULL) != 0)
			die("bind");
		expect_open("b2", P("%s/b2", base));
		xchdir(base);
		expect_open("b3", P("%s/b3", base));
		umount2(base, MNT_DETACH);
		umount2(P("%s/mnt2", base), MNT_DETACH);
		fflush(stdout);
		_exit(0);
	}
	waitpid(cp, NULL, 0);

	/* N. a faulting first path defines the kept directory too */
	cp = fork();
	if (cp == 0) {
		xchdir(P("%s/a", base));
		if (open((const char *)8, O_RDONLY) >= 0 || errno != EFAULT)
			die("efault");
		expect_open("after-fault", P("%s/a/after-fault", base));
		fflush(stdout);
		_exit(0);
	}
	waitpid(cp, NULL, 0);

	/* M. 200 children, each opening a relative file */
	xchdir(base);
	xmkdir(P("%s/kids", base));
	xchdir(P("%s/kids", base));
	for (int i = 0; i < 200; i++) {
		pid_t k = fork();
		if (k == 0) {
			char n[32];
			snprintf(n, sizeof(n), "k%d", i);
			expect_open(n, P("%s/kids/%s", base, n));
			_exit(0);
		}
		if (k < 0)
			die("fork");
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
