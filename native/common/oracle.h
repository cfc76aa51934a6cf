/* SPDX-License-Identifier: MIT */
/*
 * The oracle probe: the tracer's own binary, in probe mode, performs known
 * file and process operations under the real tracing path, and preflight
 * checks that every expected event arrived. "The tracer ran" is not a pass.
 *
 * Probe actions (in a fresh private directory D, after chdir(D)):
 *   open  "oracle-in.txt" O_RDONLY (relative: proves cwd resolution)
 *   openat(D fd, "oracle-tmp.txt", O_WRONLY|O_CREAT|O_TRUNC), write
 *   rename "oracle-tmp.txt" -> "oracle-out.txt"
 *   mkdir, rmdir "oracle-sub"; unlink "oracle-out.txt"
 *   fork; the child execs <self> --oracle-exec D, which opens
 *   D/oracle-exec.txt for reading and exits 0.
 */
#ifndef ROAR_ORACLE_H
#define ROAR_ORACLE_H

#include <limits.h>
#include <stddef.h>

struct pf_report;
struct pf_check;

struct oracle {
	char dir[PATH_MAX - 64]; /* room for the file names below it */
	char events[PATH_MAX];
	char stderr_path[PATH_MAX];
	char self[PATH_MAX];
};

/* Makes the private directory and its input files. 0, or -errno. */
int oracle_prepare(struct oracle *o);
void oracle_cleanup(struct oracle *o);

/* Entry points of the hidden probe modes. Return an exit code. */
int oracle_probe_main(const char *dir);
int oracle_exec_main(const char *dir);

/* Runs "<self> --events <o->events> -- <self> --oracle-probe <dir>" and
 * waits at most timeout_ms (then kills it). Returns 0 when it ran to the
 * end (*status: its exit code, 128+sig), -ETIMEDOUT, or -errno. */
int oracle_run_traced(struct oracle *o, int timeout_ms, int *status);

/* Reads an events file and checks each expected event is there.
 * missing gets a comma-separated list of what is not. */
int oracle_verify(const struct oracle *o, const char *events_path, char *missing,
		  size_t n, int *found, int *expected);

/* The verdict on a probe run that finished with `status`: its exit status,
 * then every expected event in o->events. `lost` (events the tracer says it
 * dropped) is shown in the observed value. Sets c's status. */
void oracle_judge(struct pf_check *c, const struct oracle *o, int status, unsigned long long lost);

/* The whole oracle as one check with id `id` (prepare, run, verify). */
void oracle_check(struct pf_report *r, const char *id, int timeout_ms);

/* Extracts the string value of "key" from one of our own JSON lines. */
int json_line_get_str(const char *line, const char *key, char *out, size_t n);

#endif
