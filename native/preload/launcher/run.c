/* SPDX-License-Identifier: MIT */
/*
 * Run mode. The library in every traced process puts its lines into a
 * private ring and log file (collect.c); the launcher streams them to the
 * events destination while the workload runs, and frames them:
 *
 *   start (tracer "preload", the root's pid)
 *   ... the library's lines, checked one by one ...
 *   exit of the root, with the status waitpid() gave (the library cannot
 *        see a death by signal)
 *   end  {lost: lines that arrived cut or merged, status}
 *
 * The workload keeps the launcher's process group and terminal, so Ctrl-C
 * reaches it directly; signals sent to the launcher alone are forwarded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect.h"
#include "events.h"
#include "json_line.h"
#include "launcher.h"
#include "preload_env.h"

/* How often the transport is copied while the workload runs; sooner
 * while events pour in, so the ring's space ahead stays ahead. */
#define DRAIN_MS 100
#define DRAIN_BUSY_MS 10

static const int FORWARDED[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void write_line(FILE *out, struct jline *j)
{
	if (!j->overflow)
		fputs(j->buf, out);
}

/* LD_PRELOAD with the library first; an existing list is kept after it. */
static int set_child_env(const char *lib, const char *log)
{
	const char *old = getenv("LD_PRELOAD");
	char num[24];
	int rc;

	if (old && *old) {
		size_t n = strlen(lib) + strlen(old) + 2;
		char *v = malloc(n);
		if (!v)
			return -1;
		snprintf(v, n, "%s %s", lib, old);
		rc = setenv("LD_PRELOAD", v, 1);
		free(v);
	} else {
		rc = setenv("LD_PRELOAD", lib, 1);
	}
	snprintf(num, sizeof(num), "%d", (int)getpid());
	if (rc != 0 || setenv(RP_ENV_EVENTS, log, 1) != 0 || setenv(RP_ENV_PID, num, 1) != 0)
		return -1;
	return 0;
}

/* In the forked child: becomes the workload, or exits like env(1). */
static void exec_workload(const struct tracer_args *a, const char *lib, const char *log,
			  const sigset_t *mask, pid_t launcher)
{
	signal(SIGPIPE, SIG_DFL);
	/* if the launcher dies, nobody collects the events: stop the workload
	 * too, as the ptrace (EXITKILL) and eBPF tracers do */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != launcher) {
		fprintf(stderr, "%s: the launcher is gone: %s\n", PRELOAD_PROG, strerror(errno));
		_exit(125);
	}
	if (sigprocmask(SIG_SETMASK, mask, NULL) != 0 || set_child_env(lib, log) != 0) {
		fprintf(stderr, "%s: cannot prepare the workload: %s\n", PRELOAD_PROG,
			strerror(errno));
		_exit(125);
	}
	execvp(a->argv[0], a->argv);
	int err = errno;
	fprintf(stderr, "%s: %s: %s\n", PRELOAD_PROG, a->argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/* The tracer failed before the workload ran: say so in the stream too. */
static int fail_early(FILE *out, const char *why)
{
	char buf[1024];
	struct jline j;
	fprintf(stderr, "%s: %s\n", PRELOAD_PROG, why);
	if (out) {
		jl_init_fixed(&j, buf, sizeof(buf));
		ev_end(&j, PRELOAD_TRACER, 0, 125, why);
		write_line(out, &j);
		fclose(out);
	}
	return 125;
}

int run_main(const struct tracer_args *a)
{
	char lib[PATH_MAX], why[PATH_MAX + 128], line[512], endbuf[PATH_MAX + 512];
	struct collect col;
	struct jline j;
	int from_env, rc;

	FILE *out = tracer_open_events(a, PRELOAD_PROG);
	if (!out)
		return 125;
	if ((rc = library_locate(lib, sizeof(lib), &from_env)) < 0) {
		snprintf(why, sizeof(why), "preload library %s: %s", lib, strerror(-rc));
		return fail_early(out, why);
	}
	if ((rc = collect_create(&col, out)) < 0) {
		snprintf(why, sizeof(why), "cannot create the event log: %s", strerror(-rc));
		return fail_early(out, why);
	}

	/* signals arrive on a descriptor, so the loop below needs no handlers */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(FORWARDED) / sizeof(FORWARDED[0]); i++)
		sigaddset(&mask, FORWARDED[i]);
	if (sigprocmask(SIG_BLOCK, &mask, &old) != 0) {
		snprintf(why, sizeof(why), "sigprocmask: %s", strerror(errno));
		collect_destroy(&col);
		return fail_early(out, why);
	}
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		snprintf(why, sizeof(why), "signalfd: %s", strerror(errno));
		collect_destroy(&col);
		return fail_early(out, why);
	}
	/* a closed events pipe must not kill the launcher and orphan the run */
	signal(SIGPIPE, SIG_IGN);

	pid_t launcher = getpid();
	pid_t root = fork();
	if (root < 0) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		collect_destroy(&col);
		return fail_early(out, why);
	}
	if (root == 0)
		exec_workload(a, lib, col.log, &old, launcher);

	collect_set_root(&col, root);
	jl_init_fixed(&j, line, sizeof(line));
	ev_start(&j, PRELOAD_TRACER, (int)root);
	write_line(out, &j);

	int status = -1, err = 0;
	col.busy = 1; /* the first events come fast: look soon */
	while (status < 0) {
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		int n = poll(&p, 1, col.busy ? DRAIN_BUSY_MS : DRAIN_MS);
		if (n < 0 && errno != EINTR) {
			err = errno;
			break;
		}
		struct signalfd_siginfo si;
		while (n > 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGCHLD)
				continue;
			/* from the terminal (SI_KERNEL) the workload, in our
			 * process group, got it already */
			if (si.ssi_code != SI_KERNEL && kill(root, (int)si.ssi_signo) != 0 &&
			    errno != ESRCH)
				fprintf(stderr, "%s: forwarding signal %u: %s\n", PRELOAD_PROG,
					si.ssi_signo, strerror(errno));
		}
		int st;
		pid_t w = waitpid(root, &st, WNOHANG);
		if (w == root)
			status = st;
		else if (w < 0 && errno != EINTR) {
			err = errno;
			break;
		}
		if ((rc = collect_drain(&col, 0)) < 0)
			err = -rc;
	}
	if (status < 0) {
		/* the loop broke on an error: still wait for the workload */
		while (waitpid(root, &status, 0) < 0 && errno == EINTR)
			;
	}
	if ((rc = collect_drain(&col, 1)) < 0)
		err = -rc;

	int code = exit_code_of(status);
	jl_init_fixed(&j, line, sizeof(line));
	ev_exit(&j, (int)root, WIFEXITED(status) ? WEXITSTATUS(status) : 0,
		WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	write_line(out, &j);
	if (err)
		snprintf(why, sizeof(why), "reading the event log: %s", strerror(err));
	jl_init_fixed(&j, endbuf, sizeof(endbuf));
	ev_end(&j, PRELOAD_TRACER, col.lost, code, err ? why : NULL);
	write_line(out, &j);

	if (fclose(out) != 0 || col.out_err)
		fprintf(stderr, "%s: writing events: %s\n", PRELOAD_PROG,
			strerror(col.out_err ? col.out_err : errno));
	close(sfd);
	collect_destroy(&col);
	return code;
}
