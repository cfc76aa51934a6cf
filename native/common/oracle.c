/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "oracle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_facts.h"
#include "report.h"

static int write_file(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	return w < 0 ? -saved : 0;
}

int oracle_prepare(struct oracle *o)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = self_exe(o->self, sizeof(o->self))) < 0)
		return rc;
	snprintf(tmpl, sizeof(tmpl), "%s/roar-oracle-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		return -errno;
	/* the tracers report resolved paths, so compare against the real one */
	char real[PATH_MAX];
	errno = 0;
	if (!realpath(tmpl, real) || strlen(real) >= sizeof(o->dir)) {
		rc = errno ? -errno : -ENAMETOOLONG;
		rmdir(tmpl);
		return rc;
	}
	memcpy(o->dir, real, strlen(real) + 1);
	snprintf(o->events, sizeof(o->events), "%s/events.jsonl", o->dir);
	snprintf(o->stderr_path, sizeof(o->stderr_path), "%s/stderr.txt", o->dir);
	if ((rc = write_file(o->dir, "oracle-in.txt", "roar oracle input\n")) < 0 ||
	    (rc = write_file(o->dir, "oracle-exec.txt", "roar oracle exec input\n")) < 0) {
		oracle_cleanup(o);
		return rc;
	}
	return 0;
}

void oracle_cleanup(struct oracle *o)
{
	static const char *names[] = { "oracle-in.txt", "oracle-exec.txt", "oracle-tmp.txt",
				       "oracle-out.txt", "events.jsonl", "stderr.txt" };
	char p[PATH_MAX];
	if (!o->dir[0])
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", o->dir, names[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/oracle-sub", o->dir);
	rmdir(p);
	rmdir(o->dir);
	o->dir[0] = '\0';
}

#define PROBE_FAIL(what)                                                          \
	do {                                                                      \
		fprintf(stderr, "oracle probe: %s: %s\n", what, strerror(errno)); \
		return 3;                                                         \
	} while (0)

int oracle_probe_main(const char *dir)
{
	char buf[64], self[PATH_MAX];
	int fd, dfd;

	if (self_exe(self, sizeof(self)) < 0)
		PROBE_FAIL("readlink /proc/self/exe");
	if (chdir(dir) != 0)
		PROBE_FAIL("chdir");
	if ((fd = open("oracle-in.txt", O_RDONLY | O_CLOEXEC)) < 0)
		PROBE_FAIL("open oracle-in.txt");
	if (read(fd, buf, sizeof(buf)) < 0)
		PROBE_FAIL("read oracle-in.txt");
	close(fd);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		PROBE_FAIL("open dir");
	if ((fd = openat(dfd, "oracle-tmp.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		PROBE_FAIL("openat oracle-tmp.txt");
	if (write(fd, "out\n", 4) != 4)
		PROBE_FAIL("write oracle-tmp.txt");
	close(fd);
	close(dfd);
	if (rename("oracle-tmp.txt", "oracle-out.txt") != 0)
		PROBE_FAIL("rename");
	if (mkdir("oracle-sub", 0755) != 0)
		PROBE_FAIL("mkdir");
	if (rmdir("oracle-sub") != 0)
		PROBE_FAIL("rmdir");
	if (unlink("oracle-out.txt") != 0)
		PROBE_FAIL("unlink");

	pid_t child = fork();
	if (child < 0)
		PROBE_FAIL("fork");
	if (child == 0) {
		execl(self, self, "--oracle-exec", dir, (char *)NULL);
		fprintf(stderr, "oracle probe: exec %s: %s\n", self, strerror(errno));
		_exit(4);
	}
	int st;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			PROBE_FAIL("waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "oracle probe: exec child failed (status %d)\n", st);
		return 5;
	}
	return 0;
}

int oracle_exec_main(const char *dir)
{
	char p[PATH_MAX], buf[64];
	snprintf(p, sizeof(p), "%s/oracle-exec.txt", dir);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		PROBE_FAIL("open oracle-exec.txt");
	if (read(fd, buf, sizeof(buf)) < 0)
		PROBE_FAIL("read oracle-exec.txt");
	close(fd);
	return 0; /* a normal exit, so preload destructors run too */
}

int oracle_run_traced(struct oracle *o, int timeout_ms, int *status)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(o->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int nul = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			close(nul);
		}
		setpgid(0, 0); /* so a timeout can kill the whole tree */
		execl(o->self, o->self, "--events", o->events, "--", o->self, "--oracle-probe",
		      o->dir, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	double deadline = mono_ms() + timeout_ms;
	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return 0;
		}
		if (w < 0 && errno != EINTR)
			return -errno;
		if (mono_ms() > deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		struct timespec ts = { 0, 500 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int json_line_get_str(const char *line, const char *key, char *out, size_t n)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *p = strstr(line, pat);
	if (!p || n == 0)
		return -1;
	p += strlen(pat);
	size_t o = 0;
	while (*p && *p != '"') {
		char c = *p++;
		if (c == '\\' && *p) {
			char e = *p++;
			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4 && *p; i++, p++)
					v = v * 16 + (unsigned)(*p >= 'a' ? *p - 'a' + 10 :
								  *p >= 'A' ? *p - 'A' + 10 : *p - '0');
				c = (char)(v >= 0xdc80 && v <= 0xdcff ? v - 0xdc00 : v);
				break;
			}
			default:
				c = e;
			}
		}
		if (o + 1 < n)
			out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

struct expect {
	const char *name;
	const char *ev;
	const char *file;  /* path relative to the dir, or NULL */
	const char *file2;
	const char *mode;
	int self;          /* path must be the probe binary */
};

static const struct expect EXPECT[] = {
	{ "open-read", "open", "oracle-in.txt", NULL, "r", 0 },
	{ "open-write", "open", "oracle-tmp.txt", NULL, "w", 0 },
	{ "rename", "rename", "oracle-tmp.txt", "oracle-out.txt", NULL, 0 },
	{ "mkdir", "mkdir", "oracle-sub", NULL, NULL, 0 },
	{ "rmdir", "rmdir", "oracle-sub", NULL, NULL, 0 },
	{ "unlink", "unlink", "oracle-out.txt", NULL, NULL, 0 },
	{ "fork", "fork", NULL, NULL, NULL, 0 },
	{ "exec", "exec", NULL, NULL, NULL, 1 },
	{ "open-after-exec", "open", "oracle-exec.txt", NULL, "r", 0 },
	{ "exit", "exit", NULL, NULL, NULL, 0 },
};
#define NEXPECT (int)(sizeof(EXPECT) / sizeof(EXPECT[0]))

static int line_matches(const struct oracle *o, const char *line, const struct expect *e)
{
	char v[PATH_MAX], want[PATH_MAX];
	if (json_line_get_str(line, "ev", v, sizeof(v)) != 0 || strcmp(v, e->ev) != 0)
		return 0;
	if (e->file) {
		snprintf(want, sizeof(want), "%s/%s", o->dir, e->file);
		if (json_line_get_str(line, "path", v, sizeof(v)) != 0 || strcmp(v, want) != 0)
			return 0;
	}
	if (e->file2) {
		snprintf(want, sizeof(want), "%s/%s", o->dir, e->file2);
		if (json_line_get_str(line, "path2", v, sizeof(v)) != 0 || strcmp(v, want) != 0)
			return 0;
	}
	if (e->mode && (json_line_get_str(line, "mode", v, sizeof(v)) != 0 || strcmp(v, e->mode) != 0))
		return 0;
	if (e->self && (json_line_get_str(line, "path", v, sizeof(v)) != 0 || strcmp(v, o->self) != 0))
		return 0;
	if (!strcmp(e->ev, "open") && strstr(line, "\"ret\":-"))
		return 0;
	return 1;
}

int oracle_verify(const struct oracle *o, const char *events_path, char *missing, size_t n,
		  int *found, int *expected)
{
	int seen[NEXPECT] = { 0 };
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(events_path, "re");

	*found = 0;
	*expected = NEXPECT;
	missing[0] = '\0';
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0)
		for (int i = 0; i < NEXPECT; i++)
			if (!seen[i] && line_matches(o, line, &EXPECT[i]))
				seen[i] = 1;
	free(line);
	fclose(f);
	size_t len = 0;
	for (int i = 0; i < NEXPECT; i++) {
		if (seen[i]) {
			(*found)++;
			continue;
		}
		int w = snprintf(missing + len, n - len, "%s%s", len ? ", " : "", EXPECT[i].name);
		if (w > 0 && (size_t)w < n - len)
			len += (size_t)w;
	}
	return 0;
}

static void first_line(const char *path, char *out, size_t n)
{
	out[0] = '\0';
	if (read_small_file(path, out, n) == 0) {
		char *nl = strchr(out, '\n');
		if (nl)
			*nl = '\0';
	}
}

void oracle_judge(struct pf_check *c, const struct oracle *o, int status, unsigned long long lost)
{
	char missing[512], err[512];
	int rc, found = 0, expected = 0;

	if (status != 0) {
		first_line(o->stderr_path, err, sizeof(err));
		pf_fail(c, "ROAR_E_ORACLE_EXIT", "the traced probe exited with status %d%s%s",
			status, err[0] ? ": " : "", err);
		pf_observed(c, "exit status %d", status);
		return;
	}
	if ((rc = oracle_verify(o, o->events, missing, sizeof(missing), &found, &expected)) < 0) {
		pf_fail(c, "ROAR_E_ORACLE_NO_EVENTS", "the tracer wrote no events file: %s",
			strerror(-rc));
		return;
	}
	pf_observed(c, "%d/%d probe events, %llu lost", found, expected, lost);
	if (found != expected)
		pf_fail(c, "ROAR_E_ORACLE_MISSING_EVENTS",
			"the tracer ran but did not report: %s", missing);
	else
		pf_pass(c, "all %d probe events arrived", expected);
}

void oracle_check(struct pf_report *r, const char *id, int timeout_ms)
{
	struct pf_check *c = pf_begin(r, id, 1);
	struct oracle o;
	int rc, status = -1;

	pf_expected(c, "all %d probe events (open-read, open-write, rename, mkdir, rmdir, "
		       "unlink, fork, exec, open-after-exec, exit)", 10);
	if ((rc = oracle_prepare(&o)) < 0) {
		pf_fail(c, "ROAR_E_ORACLE_SETUP", "could not create the probe directory: %s",
			strerror(-rc));
		pf_fix(c, "Make TMPDIR (or /tmp) writable", NULL);
		goto done;
	}
	rc = oracle_run_traced(&o, timeout_ms, &status);
	if (rc == -ETIMEDOUT) {
		pf_fail(c, "ROAR_E_ORACLE_TIMEOUT",
			"the traced probe did not finish within %d ms", timeout_ms);
		pf_observed(c, "no exit after %d ms", timeout_ms);
		goto done;
	}
	if (rc < 0) {
		pf_fail(c, "ROAR_E_ORACLE_SPAWN", "could not start the traced probe: %s",
			strerror(-rc));
		goto done;
	}
	oracle_judge(c, &o, status, 0);
done:
	oracle_cleanup(&o);
	pf_end(c);
}
