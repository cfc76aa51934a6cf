/* SPDX-License-Identifier: MIT */
/*
 * Run mode. The library in every traced process appends lines to a private
 * log file; the launcher streams that file to the events destination while
 * the workload runs, and frames it:
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
#include <sys/wait.h>
#include <unistd.h>

#include "events.h"
#include "json_line.h"
#include "launcher.h"
#include "preload_env.h"

/* How often the log is copied while the workload runs. */
#define DRAIN_MS 100

static const int FORWARDED[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

struct drain {
	int fd;          /* the log, read side */
	FILE *out;       /* the events destination */
	char *buf;       /* bytes read but not yet a complete line */
	size_t len, cap;
	unsigned long long lost;
	char root_exit[64]; /* prefix of the library's own exit line for the root */
	size_t root_exit_len;
	int out_err;     /* errno of the first failed write to out */
};

/* Events in one line: a write cut short by the disk filling up leaves a
 * partial line that the next process's line is appended to. */
static unsigned long long events_in(const char *line, size_t n)
{
	static const char tag[] = "{\"ev\":\"";
	unsigned long long k = 0;
	for (const char *p = line; (p = memmem(p, n - (size_t)(p - line), tag, sizeof(tag) - 1));
	     p++)
		k++;
	return k ? k : 1;
}

static void take_line(struct drain *d, const char *line, size_t n)
{
	static const char tag[] = "{\"ev\":\"";
	/* our lines: one object, no raw newline, no second object inside (a
	 * path cannot hold an unescaped quote, so the tag cannot appear in a
	 * string) */
	if (n < sizeof(tag) || memcmp(line, tag, sizeof(tag) - 1) != 0 || line[n - 1] != '}' ||
	    memmem(line + 1, n - 1, tag, sizeof(tag) - 1)) {
		d->lost += events_in(line, n);
		return;
	}
	/* the launcher reports the root's exit from waitpid, which also
	 * knows deaths by signal */
	if (n > d->root_exit_len && memcmp(line, d->root_exit, d->root_exit_len) == 0)
		return;
	if (!d->out_err && (fwrite(line, 1, n, d->out) != n || fputc('\n', d->out) == EOF))
		d->out_err = errno ? errno : EIO;
}

/* Copies every complete line now in the log. final: the workload is gone,
 * a remaining partial line is lost. */
static int drain_log(struct drain *d, int final)
{
	for (;;) {
		if (d->cap - d->len < 65536) {
			size_t ncap = d->cap ? d->cap * 2 : 1 << 18;
			char *nb = realloc(d->buf, ncap);
			if (!nb)
				return -ENOMEM;
			d->buf = nb;
			d->cap = ncap;
		}
		ssize_t got = read(d->fd, d->buf + d->len, d->cap - d->len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (got == 0)
			break;
		d->len += (size_t)got;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(d->buf + start, '\n', d->len - start);
			if (!nl)
				break;
			take_line(d, d->buf + start, (size_t)(nl - (d->buf + start)));
			start = (size_t)(nl - d->buf) + 1;
		}
		memmove(d->buf, d->buf + start, d->len - start);
		d->len -= start;
	}
	if (final && d->len) {
		d->lost += events_in(d->buf, d->len);
		d->len = 0;
	}
	if (!d->out_err && fflush(d->out) != 0)
		d->out_err = errno ? errno : EIO;
	return 0;
}

static void write_line(FILE *out, struct jline *j)
{
	if (!j->overflow)
		fputs(j->buf, out);
}

/* A private, empty log file with an absolute name (the library opens it by
 * name from any cwd). Returns a read descriptor, or -errno. */
static int make_log(char *path, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX];
	if (!tmp || !*tmp || !realpath(tmp, dir))
		snprintf(dir, sizeof(dir), "/tmp");
	if ((size_t)snprintf(path, n, "%s/roar-preload-XXXXXX.jsonl", dir) >= n)
		return -ENAMETOOLONG;
	int fd = mkostemps(path, 6, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fd;
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
			  const sigset_t *mask)
{
	signal(SIGPIPE, SIG_DFL);
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
	char lib[PATH_MAX], log[PATH_MAX], why[PATH_MAX + 128], line[512];
	struct jline j;
	int from_env, rc;

	FILE *out = tracer_open_events(a, PRELOAD_PROG);
	if (!out)
		return 125;
	if ((rc = library_locate(lib, sizeof(lib), &from_env)) < 0) {
		snprintf(why, sizeof(why), "preload library %s: %s", lib, strerror(-rc));
		return fail_early(out, why);
	}
	int logfd = make_log(log, sizeof(log));
	if (logfd < 0) {
		snprintf(why, sizeof(why), "cannot create the event log in %s: %s", log,
			 strerror(-logfd));
		return fail_early(out, why);
	}

	/* signals arrive on a descriptor, so the loop below needs no handlers */
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof(FORWARDED) / sizeof(FORWARDED[0]); i++)
		sigaddset(&mask, FORWARDED[i]);
	if (sigprocmask(SIG_BLOCK, &mask, &old) != 0) {
		unlink(log);
		snprintf(why, sizeof(why), "sigprocmask: %s", strerror(errno));
		return fail_early(out, why);
	}
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		unlink(log);
		snprintf(why, sizeof(why), "signalfd: %s", strerror(errno));
		return fail_early(out, why);
	}
	/* a closed events pipe must not kill the launcher and orphan the run */
	signal(SIGPIPE, SIG_IGN);

	pid_t root = fork();
	if (root < 0) {
		unlink(log);
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		return fail_early(out, why);
	}
	if (root == 0)
		exec_workload(a, lib, log, &old);

	struct drain d = { .fd = logfd, .out = out };
	d.root_exit_len = (size_t)snprintf(d.root_exit, sizeof(d.root_exit),
					   "{\"ev\":\"exit\",\"pid\":%d,", (int)root);
	jl_init_fixed(&j, line, sizeof(line));
	ev_start(&j, PRELOAD_TRACER, (int)root);
	write_line(out, &j);

	int status = -1, drain_err = 0;
	while (status < 0) {
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		int n = poll(&p, 1, DRAIN_MS);
		if (n < 0 && errno != EINTR) {
			drain_err = errno;
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
			n = 0;
		}
		int st;
		pid_t w = waitpid(root, &st, WNOHANG);
		if (w == root)
			status = st;
		else if (w < 0 && errno != EINTR) {
			drain_err = errno;
			break;
		}
		if ((rc = drain_log(&d, 0)) < 0)
			drain_err = -rc;
	}
	if (status < 0) {
		/* the loop broke on an error: still wait for the workload */
		while (waitpid(root, &status, 0) < 0 && errno == EINTR)
			;
	}
	if ((rc = drain_log(&d, 1)) < 0)
		drain_err = -rc;

	int code = exit_code_of(status);
	jl_init_fixed(&j, line, sizeof(line));
	ev_exit(&j, (int)root, WIFEXITED(status) ? WEXITSTATUS(status) : 0,
		WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	write_line(out, &j);
	if (drain_err)
		snprintf(why, sizeof(why), "reading the event log: %s", strerror(drain_err));
	char endbuf[PATH_MAX + 512];
	jl_init_fixed(&j, endbuf, sizeof(endbuf));
	ev_end(&j, PRELOAD_TRACER, d.lost, code, drain_err ? why : NULL);
	write_line(out, &j);

	if (fclose(out) != 0 || d.out_err)
		fprintf(stderr, "%s: writing events: %s\n", PRELOAD_PROG,
			strerror(d.out_err ? d.out_err : errno));
	free(d.buf);
	close(logfd);
	close(sfd);
	if (unlink(log) != 0)
		fprintf(stderr, "%s: removing %s: %s\n", PRELOAD_PROG, log, strerror(errno));
	return code;
}
