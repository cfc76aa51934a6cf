/* SPDX-License-Identifier: MIT */
/*
 * The workload's life: fork it parked on a pipe, release it once the BPF
 * programs are attached and its pid is tracked, then wait for it while
 * draining the ring buffer. The workload's first instruction after exec is
 * already traced, and it never runs untraced: if the tracer gives up (or
 * dies) before the release, the pipe closes and the child exits 125.
 */
#define _GNU_SOURCE
#include "ebpf_tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_facts.h"

/* After the workload exits, its descendants may still be running (a
 * background job, a daemon). Their events are drained until they are gone,
 * but a run does not wait for daemons: this long at most. */
#define GRACE_MS 500
/* Wakeups from the kernel side are batched; this bounds the latency. */
#define POLL_MS 20
/* The events stream is fully buffered; flushed at least this often. */
#define FLUSH_MS 1000

static const int FORWARDED[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static sigset_t g_saved_mask;
static int g_signals_blocked;

static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(FORWARDED) / sizeof(FORWARDED[0]); i++)
		sigaddset(set, FORWARDED[i]);
}

int launch_block_signals(void)
{
	sigset_t set;
	forwarded_set(&set);
	/* blocked, then read from a signalfd: the tracer survives Ctrl-C and
	 * decides what reaches the workload */
	if (sigprocmask(SIG_BLOCK, &set, &g_saved_mask) != 0)
		return -errno;
	g_signals_blocked = 1;
	return 0;
}

/* The preflight probe's stdio: nothing on the terminal, stderr kept for the
 * report. 0, or -errno. */
static int child_stdio(const char *stderr_path)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	int err = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (nul < 0 || err < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(err, 2) < 0)
		return -errno;
	return 0;
}

static void __attribute__((noreturn)) child_main(struct launch *l, int go_rd, pid_t parent,
						 char **argv)
{
	char c;
	ssize_t n;

	/* the preflight probe: its own group, so a timeout kills all of it */
	if (l->stderr_path && (setpgid(0, 0) != 0 || child_stdio(l->stderr_path) != 0))
		_exit(125);
	/* like ptrace's EXITKILL: if the tracer dies, so does the workload,
	 * rather than go on untraced */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(125);
	do
		n = read(go_rd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(125); /* the tracer gave up before attaching */
	if (g_signals_blocked && sigprocmask(SIG_SETMASK, &g_saved_mask, NULL) != 0)
		_exit(125);
	execvp(argv[0], argv);
	int e = errno;
	fprintf(stderr, "%s: cannot run '%s': %s\n", EBPF_PROG, argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126); /* as env(1) */
}

int launch_fork(struct launch *l, char **argv)
{
	int go[2];
	pid_t parent = getpid();

	l->pid = -1;
	l->go_fd = l->pidfd = -1;
	if (pipe2(go, O_CLOEXEC) != 0)
		return -errno;
	fflush(NULL); /* nothing buffered may be written twice */
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		return -e;
	}
	if (pid == 0) {
		close(go[1]);
		child_main(l, go[0], parent, argv);
	}
	close(go[0]);
	l->pid = pid;
	l->go_fd = go[1];
	l->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (l->pidfd < 0) {
		int e = errno;
		launch_abort(l);
		return -e;
	}
	/* both sides set the group, whichever runs first; the child checks */
	if (l->stderr_path)
		(void)setpgid(pid, pid);
	return 0;
}

int launch_release(struct launch *l)
{
	ssize_t n;
	do
		n = write(l->go_fd, "g", 1);
	while (n < 0 && errno == EINTR);
	int e = errno;
	close(l->go_fd);
	l->go_fd = -1;
	return n == 1 ? 0 : -e;
}

void launch_abort(struct launch *l)
{
	if (l->go_fd >= 0) {
		close(l->go_fd); /* EOF: the child exits 125 without exec */
		l->go_fd = -1;
	}
	if (l->pid > 0) {
		(void)kill(l->pid, SIGKILL); /* ESRCH: already gone, reaped below */
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
		l->pid = -1;
	}
	if (l->pidfd >= 0) {
		close(l->pidfd);
		l->pidfd = -1;
	}
}

static int epoll_add(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static void forward(int sfd, pid_t pid)
{
	struct signalfd_siginfo si;
	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		/* a terminal's ^C / ^\ / hangup (SI_KERNEL) already went to the
		 * workload, which shares our process group: do not send it twice */
		if (si.ssi_code == SI_KERNEL)
			continue;
		if (kill(pid, (int)si.ssi_signo) != 0 && errno != ESRCH)
			fprintf(stderr, "%s: forwarding signal %u: %s\n", EBPF_PROG, si.ssi_signo,
				strerror(errno));
	}
}

/* Reaps the workload if it has exited. 1 when it has, 0 if not, -errno. */
static int reap(pid_t pid, int *status)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) != 0)
		return errno == EINTR ? 0 : -errno;
	if (si.si_pid != pid)
		return 0;
	*status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	return 1;
}

int launch_wait(struct launch *l, struct ebpf_obj *o, const struct wait_opts *w, int *status)
{
	struct epoll_event evs[4];
	double deadline = w->timeout_ms > 0 ? mono_ms() + w->timeout_ms : 0, exited_at = 0;
	double flushed = mono_ms();
	int ep, sfd = -1, rc = 0, done = 0, flush_err = 0, drain_rc = 0, r;

	*status = 125;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	if (w->forward_signals) {
		sigset_t set;
		forwarded_set(&set);
		if ((sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
		    (rc = epoll_add(ep, sfd)) < 0) {
			rc = rc ? rc : -errno;
			goto out;
		}
	}
	if ((rc = epoll_add(ep, ebpf_poll_fd(o))) < 0 || (rc = epoll_add(ep, l->pidfd)) < 0)
		goto out;

	for (;;) {
		int n = epoll_wait(ep, evs, 4, POLL_MS);
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if ((r = ebpf_drain(o)) < 0 && !drain_rc)
			drain_rc = r; /* reported at the end; the workload keeps running */
		if (w->events && mono_ms() - flushed > FLUSH_MS) {
			/* a long quiet run still shows its events as it goes */
			if (fflush(w->events) != 0 && !flush_err) {
				flush_err = 1;
				fprintf(stderr, "%s: writing events: %s\n", EBPF_PROG,
					strerror(errno));
			}
			flushed = mono_ms();
		}
		if (sfd >= 0)
			for (int i = 0; i < n; i++)
				if (evs[i].data.fd == sfd)
					forward(sfd, l->pid);
		if (!done) {
			r = reap(l->pid, status);
			if (r < 0) {
				rc = r;
				break;
			}
			if (r == 1) {
				done = 1;
				l->pid = -1; /* reaped: its pid may be reused from now on */
				exited_at = mono_ms();
				/* level-triggered and readable from now on */
				if (epoll_ctl(ep, EPOLL_CTL_DEL, l->pidfd, NULL) != 0) {
					rc = -errno;
					break;
				}
			} else if (deadline && mono_ms() > deadline) {
				/* the probe's whole group (it has its own), then
				 * the workload itself; ESRCH is fine */
				if (l->stderr_path)
					(void)kill(-l->pid, SIGKILL);
				(void)kill(l->pid, SIGKILL);
				rc = -ETIMEDOUT;
				deadline = 0; /* now wait for it to die */
			}
		}
		if (done) {
			int empty = ebpf_tracked_empty(o);
			if (empty != 0 || mono_ms() - exited_at > GRACE_MS)
				break;
		}
	}
	/* whatever the last processes wrote */
	if ((r = ebpf_drain(o)) < 0 && !drain_rc)
		drain_rc = r;
	if (!rc)
		rc = drain_rc;
out:
	if (sfd >= 0)
		close(sfd);
	close(ep);
	close(l->pidfd);
	l->pidfd = -1;
	return rc;
}
