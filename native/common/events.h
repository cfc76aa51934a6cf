/* SPDX-License-Identifier: MIT */
/*
 * roar.events/1: one JSON object per line, the same vocabulary for every
 * tracer. Each function renders exactly one line (with '\n') into j; the
 * caller decides how to write it (stdio for the tracers, one write(2) in
 * the preload library). See docs/events.md for the field reference.
 */
#ifndef ROAR_EVENTS_H
#define ROAR_EVENTS_H

#include <stddef.h>
#include "json_line.h"

#define ROAR_EVENTS_SCHEMA "roar.events/1"

/* Open access mode, from O_ACCMODE. */
const char *ev_mode_from_flags(int flags);

void ev_start(struct jline *j, const char *tracer, int root_pid);
void ev_exec(struct jline *j, int pid, const char *path, long ret);
void ev_fork(struct jline *j, int pid, int ppid);
/* signal != 0: killed by that signal; otherwise code is the exit code */
void ev_exit(struct jline *j, int pid, int code, int signal);
void ev_open(struct jline *j, int pid, const char *path, const char *mode, long ret,
	     int truncated);
/* unlink, mkdir, rmdir, chdir */
void ev_path1(struct jline *j, const char *ev, int pid, const char *path, long ret,
	      int truncated);
/* rename, link, symlink: path is the source (or link target), path2 the new name */
void ev_path2(struct jline *j, const char *ev, int pid, const char *path,
	      const char *path2, long ret, int truncated);
/* status: what the tracer exits with (workload code, or 128+signal) */
void ev_end(struct jline *j, const char *tracer, unsigned long long lost, int status,
	    const char *error);

#endif
