/* SPDX-License-Identifier: MIT */
#include "events.h"

#include <fcntl.h>

const char *ev_mode_from_flags(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		return "w";
	case O_RDWR:
		return "rw";
	default:
		return "r";
	}
}

static void begin(struct jline *j, const char *ev, int pid)
{
	jl_reset(j);
	jl_obj_begin(j);
	jl_key_str(j, "ev", ev);
	jl_key_int(j, "pid", pid);
}

static void finish(struct jline *j, int truncated)
{
	if (truncated)
		jl_key_bool(j, "truncated", 1);
	jl_obj_end(j);
	jl_newline(j);
}

void ev_start(struct jline *j, const char *tracer, int root_pid)
{
	begin(j, "start", root_pid);
	jl_key_str(j, "schema", ROAR_EVENTS_SCHEMA);
	jl_key_str(j, "tracer", tracer);
	finish(j, 0);
}

void ev_exec(struct jline *j, int pid, const char *path, long ret)
{
	begin(j, "exec", pid);
	jl_key_str(j, "path", path);
	jl_key_int(j, "ret", ret);
	finish(j, 0);
}

void ev_fork(struct jline *j, int pid, int ppid)
{
	begin(j, "fork", pid);
	jl_key_int(j, "ppid", ppid);
	finish(j, 0);
}

void ev_exit(struct jline *j, int pid, int code, int signal)
{
	begin(j, "exit", pid);
	if (signal)
		jl_key_int(j, "signal", signal);
	else
		jl_key_int(j, "code", code);
	finish(j, 0);
}

void ev_open(struct jline *j, int pid, const char *path, const char *mode, long ret,
	     int truncated)
{
	begin(j, "open", pid);
	jl_key_str(j, "path", path);
	jl_key_str(j, "mode", mode);
	jl_key_int(j, "ret", ret);
	finish(j, truncated);
}

void ev_path1(struct jline *j, const char *ev, int pid, const char *path, long ret,
	      int truncated)
{
	begin(j, ev, pid);
	jl_key_str(j, "path", path);
	jl_key_int(j, "ret", ret);
	finish(j, truncated);
}

void ev_path2(struct jline *j, const char *ev, int pid, const char *path,
	      const char *path2, long ret, int truncated)
{
	begin(j, ev, pid);
	jl_key_str(j, "path", path);
	jl_key_str(j, "path2", path2);
	jl_key_int(j, "ret", ret);
	finish(j, truncated);
}

void ev_end(struct jline *j, const char *tracer, unsigned long long lost, int status,
	    const char *error)
{
	jl_reset(j);
	jl_obj_begin(j);
	jl_key_str(j, "ev", "end");
	jl_key_str(j, "tracer", tracer);
	jl_key_uint(j, "lost", lost);
	jl_key_int(j, "status", status);
	if (error)
		jl_key_str(j, "error", error);
	jl_obj_end(j);
	jl_newline(j);
}
