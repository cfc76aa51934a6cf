/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "tracer_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oracle.h"

void tracer_cli_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"usage: %s --preflight [--json] [--command CMD [ARGS...]]\n"
		"       %s (--events-fd N | --events PATH) [--] CMD [ARGS...]\n"
		"       %s --version\n",
		prog, prog, prog);
}

static int usage_error(const char *prog, const char *why, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", prog, why, arg ? ": " : "", arg ? arg : "");
	tracer_cli_usage(stderr, prog);
	return 2;
}

static int parse_fd(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > 1 << 20)
		return -1;
	*out = (int)v;
	return 0;
}

int tracer_cli_parse(int argc, char **argv, const char *prog, struct tracer_args *a)
{
	memset(a, 0, sizeof(*a));
	a->events_fd = -1;
	if (argc < 2)
		return usage_error(prog, "missing arguments", NULL);

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--preflight")) {
			a->mode = MODE_PREFLIGHT;
		} else if (!strcmp(s, "--json")) {
			a->json = 1;
		} else if (!strcmp(s, "--version")) {
			a->mode = MODE_VERSION;
		} else if (!strcmp(s, "--command")) {
			if (i + 1 >= argc)
				return usage_error(prog, "--command needs a command", NULL);
			a->command = &argv[i + 1];
			a->command_argc = argc - i - 1;
			break; /* the rest is the command */
		} else if (!strcmp(s, "--events-fd")) {
			if (i + 1 >= argc || parse_fd(argv[i + 1], &a->events_fd) < 0)
				return usage_error(prog, "--events-fd needs a descriptor number",
						   i + 1 < argc ? argv[i + 1] : NULL);
			i++;
		} else if (!strcmp(s, "--events")) {
			if (i + 1 >= argc || !argv[i + 1][0])
				return usage_error(prog, "--events needs a path", NULL);
			a->events_path = argv[++i];
		} else if (!strcmp(s, "--oracle-probe") || !strcmp(s, "--oracle-exec")) {
			if (i + 1 >= argc)
				return usage_error(prog, "probe mode needs a directory", NULL);
			a->mode = s[9] == 'p' ? MODE_ORACLE_PROBE : MODE_ORACLE_EXEC;
			a->oracle_dir = argv[++i];
			return 0;
		} else if (!strcmp(s, "--")) {
			a->argv = &argv[i + 1];
			a->argc = argc - i - 1;
			break;
		} else if (s[0] == '-') {
			return usage_error(prog, "unknown option", s);
		} else {
			a->argv = &argv[i];
			a->argc = argc - i;
			break;
		}
	}

	if (a->mode == MODE_VERSION)
		return 0;
	if (a->mode == MODE_PREFLIGHT) {
		if (a->argv || a->events_fd >= 0 || a->events_path)
			return usage_error(prog, "--preflight takes no workload", NULL);
		return 0;
	}
	if (a->command || a->json)
		return usage_error(prog, "--command and --json go with --preflight", NULL);
	if ((a->events_fd >= 0) == (a->events_path != NULL))
		return usage_error(prog, "give exactly one of --events-fd and --events", NULL);
	if (!a->argv || a->argc < 1)
		return usage_error(prog, "missing the command to trace", NULL);
	a->mode = MODE_RUN;
	return 0;
}

FILE *tracer_open_events(const struct tracer_args *a, const char *prog)
{
	int fd;
	if (a->events_path) {
		fd = open(a->events_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "%s: cannot open events file %s: %s\n", prog,
				a->events_path, strerror(errno));
			return NULL;
		}
	} else {
		/* move it out of the way and close the inherited one */
		fd = fcntl(a->events_fd, F_DUPFD_CLOEXEC, 10);
		if (fd < 0) {
			fprintf(stderr, "%s: events fd %d is not open: %s\n", prog, a->events_fd,
				strerror(errno));
			return NULL;
		}
		close(a->events_fd);
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "%s: fdopen events: %s\n", prog, strerror(errno));
		close(fd);
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

int tracer_common_mode(const struct tracer_args *a, const char *prog, int *exit_code)
{
	switch (a->mode) {
	case MODE_VERSION:
		printf("%s %s\n", prog, ROAR_VERSION);
		*exit_code = 0;
		return 1;
	case MODE_ORACLE_PROBE:
		*exit_code = oracle_probe_main(a->oracle_dir);
		return 1;
	case MODE_ORACLE_EXEC:
		*exit_code = oracle_exec_main(a->oracle_dir);
		return 1;
	default:
		return 0;
	}
}

int exit_code_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 125;
}
