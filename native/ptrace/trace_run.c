/* SPDX-License-Identifier: MIT */
/*
 * The trace loop. The workload runs under a seccomp filter that stops it
 * only at the syscalls of syscall_table.c. At that stop (before the call
 * runs) paths are read and resolved against the stopped thread's cwd and
 * descriptors; the result comes from the syscall-exit stop that follows.
 * New processes and threads are auto-attached (TRACEFORK/VFORK/CLONE).
 */
#define _GNU_SOURCE
#include "trace_run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events.h"
#include "host_facts.h"
#include "seccomp_filter.h"
#include "syscall_table.h"
#include "tid_table.h"
#include "tracee.h"
#include "tracer_cli.h"

#define PTRACE_OPTIONS                                                                      \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |                 \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP |                 \
	 PTRACE_O_EXITKILL)

/* syscall-exit values that mean "the kernel will restart this call" */
#ifndef SPIN_MS
#define SPIN_MS 0.2
#endif

#define IS_RESTART(rv) ((rv) <= -512 && (rv) >= -516)

struct run {
	FILE *out;
	struct jline j;
	char jbuf[3 * 4096 * 6];
	struct tid_table tids;
	pid_t root;
	int root_code;
	int root_done;
	unsigned long long lost;
	int write_failed;
};

static volatile pid_t g_root;

/* SIGTERM/SIGHUP sent to the tracer are meant for the workload. A SIGINT
 * from the terminal already reaches the whole process group, so only one
 * sent by a process (SI_USER) is passed on, never twice. */
static void forward_signal(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	if (g_root <= 0)
		return;
	if ((sig == SIGINT || sig == SIGQUIT) && si && si->si_code != SI_USER)
		return;
	kill(g_root, sig);
}

static void install_forwarders(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			fprintf(stderr, "roar-tracer-ptrace: sigaction(%d): %s\n", sigs[i],
				strerror(errno));
}

static void emit(struct run *r)
{
	if (r->j.overflow) {
		r->lost++;
		return;
	}
	if (fwrite(r->j.buf, 1, r->j.len, r->out) != r->j.len)
		r->write_failed = 1;
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return tid;
	char *p = strstr(buf, "\nTgid:");
	return p ? (pid_t)atoi(p + 6) : tid;
}

static void resume(pid_t tid, struct tstate *s, int sig)
{
	int req = s && s->in_syscall ? PTRACE_SYSCALL : PTRACE_CONT;
	/* ESRCH: it died meanwhile; waitpid will tell */
	ptrace(req, tid, 0, (void *)(long)sig);
}

/* At the seccomp stop: capture what the syscall is about, before it runs. */
static int capture(struct run *r, struct tstate *s, const struct __ptrace_syscall_info *si)
{
	const __uint64_t *a = si->seccomp.args;
	int row = (int)si->seccomp.ret_data;
	pid_t tid = s->tid;

	if (!s->p && !(s->p = malloc(sizeof(*s->p)))) {
		r->lost++;
		return -1;
	}
	struct pending *p = s->p;
	memset(p, 0, offsetof(struct pending, path));
	p->path[0] = p->path2[0] = '\0';
	p->row = row;
	int t1 = 0, t2 = 0, rc = 0;

	switch (SC_TABLE[row].kind) {
	case SC_OPEN:
		p->flags = (int)a[1];
		rc = tracee_path_at(tid, AT_FDCWD, a[0], p->path, sizeof(p->path), &t1);
		break;
	case SC_CREAT:
		p->flags = O_WRONLY | O_CREAT | O_TRUNC;
		rc = tracee_path_at(tid, AT_FDCWD, a[0], p->path, sizeof(p->path), &t1);
		break;
	case SC_OPENAT:
		p->flags = (int)a[2];
		rc = tracee_path_at(tid, (int)a[0], a[1], p->path, sizeof(p->path), &t1);
		break;
	case SC_OPENAT2: {
		unsigned long long how_flags = 0; /* struct open_how starts with flags */
		if (tracee_read_mem(tid, a[2], &how_flags, sizeof(how_flags)) == 0)
			p->flags = (int)how_flags;
		rc = tracee_path_at(tid, (int)a[0], a[1], p->path, sizeof(p->path), &t1);
		break;
	}
	case SC_RENAME:
	case SC_LINK:
		rc = tracee_path_at(tid, AT_FDCWD, a[0], p->path, sizeof(p->path), &t1);
		if (rc == 0)
			rc = tracee_path_at(tid, AT_FDCWD, a[1], p->path2, sizeof(p->path2), &t2);
		break;
	case SC_RENAMEAT:
	case SC_LINKAT:
		rc = tracee_path_at(tid, (int)a[0], a[1], p->path, sizeof(p->path), &t1);
		if (rc == 0)
			rc = tracee_path_at(tid, (int)a[2], a[3], p->path2, sizeof(p->path2), &t2);
		break;
	case SC_SYMLINK:
	case SC_SYMLINKAT: {
		/* the target is the link's content, not a path that is opened */
		long len = tracee_read_str(tid, a[0], p->path, sizeof(p->path), &t1);
		rc = len < 0 ? (int)len : 0;
		if (rc == 0) {
			int dfd = SC_TABLE[row].kind == SC_SYMLINK ? AT_FDCWD : (int)a[1];
			unsigned long np = SC_TABLE[row].kind == SC_SYMLINK ? a[1] : a[2];
			rc = tracee_path_at(tid, dfd, np, p->path2, sizeof(p->path2), &t2);
		}
		break;
	}
	case SC_UNLINK:
	case SC_MKDIR:
	case SC_RMDIR:
	case SC_CHDIR:
		rc = tracee_path_at(tid, AT_FDCWD, a[0], p->path, sizeof(p->path), &t1);
		break;
	case SC_UNLINKAT:
		p->flags = (int)a[2];
		rc = tracee_path_at(tid, (int)a[0], a[1], p->path, sizeof(p->path), &t1);
		break;
	case SC_MKDIRAT:
		rc = tracee_path_at(tid, (int)a[0], a[1], p->path, sizeof(p->path), &t1);
		break;
	case SC_FCHDIR:
		rc = tracee_fd_path(tid, (int)a[0], p->path, sizeof(p->path));
		break;
	case SC_EXEC:
		return -1; /* reported at PTRACE_EVENT_EXEC */
	}
	p->truncated = t1 || t2;
	if (rc == -EFAULT) {
		/* a bad pointer: the syscall fails with EFAULT too; report it so */
		snprintf(p->path, sizeof(p->path), "%s", "");
	} else if (rc < 0) {
		r->lost++;
		return -1;
	}
	return 0;
}

static void report(struct run *r, struct tstate *s, long rv)
{
	struct pending *p = s->p;
	pid_t pid = s->tgid;

	switch (SC_TABLE[p->row].kind) {
	case SC_OPEN:
	case SC_OPENAT:
	case SC_OPENAT2:
	case SC_CREAT:
		ev_open(&r->j, pid, p->path, ev_mode_from_flags(p->flags), rv, p->truncated);
		break;
	case SC_RENAME:
	case SC_RENAMEAT:
		ev_path2(&r->j, "rename", pid, p->path, p->path2, rv, p->truncated);
		break;
	case SC_LINK:
	case SC_LINKAT:
		ev_path2(&r->j, "link", pid, p->path, p->path2, rv, p->truncated);
		break;
	case SC_SYMLINK:
	case SC_SYMLINKAT:
		ev_path2(&r->j, "symlink", pid, p->path, p->path2, rv, p->truncated);
		break;
	case SC_UNLINK:
		ev_path1(&r->j, "unlink", pid, p->path, rv, p->truncated);
		break;
	case SC_UNLINKAT:
		ev_path1(&r->j, (p->flags & AT_REMOVEDIR) ? "rmdir" : "unlink", pid, p->path, rv,
			 p->truncated);
		break;
	case SC_MKDIR:
	case SC_MKDIRAT:
		ev_path1(&r->j, "mkdir", pid, p->path, rv, p->truncated);
		break;
	case SC_RMDIR:
		ev_path1(&r->j, "rmdir", pid, p->path, rv, p->truncated);
		break;
	case SC_CHDIR:
	case SC_FCHDIR:
		ev_path1(&r->j, "chdir", pid, p->path, rv, p->truncated);
		break;
	case SC_EXEC:
		return;
	}
	emit(r);
}

static void on_seccomp_stop(struct run *r, struct tstate *s)
{
	struct __ptrace_syscall_info si;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, s->tid, (void *)sizeof(si), &si);
	if (n <= 0 || si.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(s->tid, s, 0);
		return;
	}
	if (si.seccomp.ret_data == SC_FOREIGN || si.seccomp.ret_data >= (unsigned)SC_COUNT) {
		/* a syscall of another ABI: we cannot decode it, so say it was lost */
		r->lost++;
		resume(s->tid, s, 0);
		return;
	}
	if (capture(r, s, &si) == 0)
		s->in_syscall = 1;
	resume(s->tid, s, 0);
}

static void on_syscall_exit(struct run *r, struct tstate *s)
{
	struct __ptrace_syscall_info si;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, s->tid, (void *)sizeof(si), &si);
	s->in_syscall = 0;
	if (n > 0 && si.op == PTRACE_SYSCALL_INFO_EXIT && s->p && !IS_RESTART(si.exit.rval))
		report(r, s, (long)si.exit.rval);
	resume(s->tid, s, 0);
}

static void on_new_task(struct run *r, struct tstate *parent, int event)
{
	unsigned long msg = 0;
	if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &msg) != 0) {
		resume(parent->tid, parent, 0);
		return;
	}
	pid_t child = (pid_t)msg;
	struct tstate *c = tid_add(&r->tids, child);
	if (c) {
		c->tgid = event == PTRACE_EVENT_CLONE ? tgid_of(child) : child;
		c->announced = 1;
		if (c->tgid == child) {
			ev_fork(&r->j, child, parent->tgid);
			emit(r);
		}
		if (c->held) {
			/* its first stop came before this event; let it go now */
			c->held = 0;
			c->started = 1;
			resume(child, c, 0);
		}
	}
	resume(parent->tid, parent, 0);
}

static void on_exec(struct run *r, pid_t pid, struct tstate *s)
{
	unsigned long former = 0;
	char exe[64], path[PATH_MAX];

	/* a non-leader thread that execs takes over the leader's pid */
	if (ptrace(PTRACE_GETEVENTMSG, pid, 0, &former) == 0 && (pid_t)former != pid)
		tid_del(&r->tids, (pid_t)former);
	s->tgid = pid;
	s->in_syscall = 0;
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	ssize_t len = readlink(exe, path, sizeof(path) - 1);
	if (len < 0) {
		r->lost++;
	} else {
		path[len] = '\0';
		ev_exec(&r->j, pid, path, 0);
		emit(r);
	}
	resume(pid, s, 0);
}

static void on_gone(struct run *r, pid_t tid, int st)
{
	struct tstate *s = tid_get(&r->tids, tid);
	int is_leader = !s || s->tgid == tid;
	if (is_leader) {
		ev_exit(&r->j, tid, WIFEXITED(st) ? WEXITSTATUS(st) : 0,
			WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		emit(r);
	}
	if (tid == r->root) {
		r->root_code = exit_code_of(st);
		r->root_done = 1;
	}
	tid_del(&r->tids, tid);
}

static void on_stop(struct run *r, pid_t tid, int st)
{
	int sig = WSTOPSIG(st), event = (unsigned)st >> 16;
	struct tstate *s = tid_get(&r->tids, tid);

	if (!s) {
		/* a new task whose parent's fork event has not been seen yet */
		s = tid_add(&r->tids, tid);
		if (!s) {
			ptrace(PTRACE_CONT, tid, 0, 0);
			return;
		}
		s->tgid = tgid_of(tid);
	}
	if (!s->started && sig == SIGSTOP && event == 0) {
		if (s->announced) {
			s->started = 1;
			resume(tid, s, 0);
		} else {
			s->held = 1; /* released by on_new_task, so fork comes first */
		}
		return;
	}
	s->started = 1;

	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp_stop(r, s);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_new_task(r, s, event);
		return;
	case PTRACE_EVENT_EXEC:
		on_exec(r, tid, s);
		return;
	case 0:
		break;
	default:
		resume(tid, s, 0);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_exit(r, s);
		return;
	}
	/* a real signal: deliver it */
	resume(tid, s, sig);
}

/* Stops come in bursts (a loop of opens). Sleeping in waitpid between two
 * stops of a burst costs an idle-CPU wakeup each time, which on VMs is
 * most of the price of a stop; polling briefly first avoids it. */
static pid_t wait_next(int *st)
{
	double until = 0;
	for (;;) {
		pid_t tid = waitpid(-1, st, __WALL | WNOHANG);
		if (tid != 0)
			return tid;
		double now = mono_ms();
		if (until == 0)
			until = now + SPIN_MS;
		else if (now > until)
			return waitpid(-1, st, __WALL);
	}
}

/* The child: become traceable, stop so the tracer can set options, then
 * install the filter and exec. Never returns. */
static void child_exec(char **argv, int err_fd)
{
	int rc;
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) {
		dprintf(err_fd, "roar-tracer-ptrace: PTRACE_TRACEME: %s\n", strerror(errno));
		_exit(125);
	}
	if (raise(SIGSTOP) != 0)
		_exit(125);
	if ((rc = seccomp_install_trace_filter()) < 0) {
		dprintf(err_fd, "roar-tracer-ptrace: installing the seccomp filter: %s\n",
			strerror(-rc));
		_exit(125);
	}
	execvp(argv[0], argv);
	int e = errno;
	dprintf(err_fd, "roar-tracer-ptrace: %s: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

int ptrace_trace_run(char **argv, FILE *events)
{
	static struct run r;
	int st;

	memset(&r, 0, sizeof(r));
	r.out = events;
	jl_init_fixed(&r.j, r.jbuf, sizeof(r.jbuf));
	fflush(stdout);
	fflush(stderr);

	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "roar-tracer-ptrace: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0)
		child_exec(argv, 2);

	r.root = g_root = pid;
	install_forwarders();
	while (waitpid(pid, &st, __WALL) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "roar-tracer-ptrace: waitpid: %s\n", strerror(errno));
			return 125;
		}
	}
	if (!WIFSTOPPED(st)) {
		/* it never got to its SIGSTOP: TRACEME failed */
		return WIFEXITED(st) ? WEXITSTATUS(st) : 125;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(long)PTRACE_OPTIONS) != 0) {
		fprintf(stderr, "roar-tracer-ptrace: PTRACE_SETOPTIONS: %s\n", strerror(errno));
		kill(pid, SIGKILL);
		return 125;
	}
	struct tstate *root = tid_add(&r.tids, pid);
	if (!root) {
		kill(pid, SIGKILL);
		return 125;
	}
	root->announced = root->started = 1;
	ev_start(&r.j, "ptrace", pid);
	emit(&r);
	ptrace(PTRACE_CONT, pid, 0, 0);

	for (;;) {
		pid_t tid = wait_next(&st);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				fprintf(stderr, "roar-tracer-ptrace: waitpid: %s\n", strerror(errno));
			break;
		}
		if (WIFSTOPPED(st))
			on_stop(&r, tid, st);
		else if (WIFEXITED(st) || WIFSIGNALED(st))
			on_gone(&r, tid, st);
	}
	int code = r.root_done ? r.root_code : 125;
	ev_end(&r.j, "ptrace", r.lost, code, r.write_failed ? "event write failed" : NULL);
	emit(&r);
	if (fflush(events) != 0 || r.write_failed || ferror(events))
		fprintf(stderr, "roar-tracer-ptrace: writing events failed: %s\n",
			strerror(errno ? errno : EIO));
	return code;
}
