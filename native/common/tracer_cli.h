/* SPDX-License-Identifier: MIT */
/*
 * The command line shared by every roar-tracer-* binary (DESIGN §3):
 *   --preflight [--json] [--command ARGV0 [ARGS...]]     exit 0 pass, 1 fail, 2 usage
 *   (--events-fd N | --events PATH) [--] CMD [ARGS...]   exit = the workload's status
 *   --version
 * Hidden probe modes: --oracle-probe DIR, --oracle-exec DIR.
 */
#ifndef ROAR_TRACER_CLI_H
#define ROAR_TRACER_CLI_H

#include <stdio.h>

#define ROAR_VERSION "0.1.0"

enum tracer_mode { MODE_NONE, MODE_PREFLIGHT, MODE_RUN, MODE_ORACLE_PROBE, MODE_ORACLE_EXEC,
		   MODE_VERSION };

struct tracer_args {
	enum tracer_mode mode;
	int json;
	char **command;      /* --command argv, NULL-terminated (points into argv) */
	int command_argc;
	int events_fd;       /* -1 if not given */
	const char *events_path;
	char **argv;         /* workload argv, NULL-terminated */
	int argc;
	const char *oracle_dir;
};

/* 0 on success; on a usage error prints usage to stderr and returns 2. */
int tracer_cli_parse(int argc, char **argv, const char *prog, struct tracer_args *a);
void tracer_cli_usage(FILE *out, const char *prog);

/* --version and the hidden probe modes, the same for every tracer.
 * Returns 1 and sets *exit_code when a.mode was one of them. */
int tracer_common_mode(const struct tracer_args *a, const char *prog, int *exit_code);

/* The events destination as a fully buffered, close-on-exec stream; the
 * inherited descriptor is closed so the workload never sees it. */
FILE *tracer_open_events(const struct tracer_args *a, const char *prog);

/* waitpid status -> exit code (code, or 128+signal). */
int exit_code_of(int wait_status);

#endif
