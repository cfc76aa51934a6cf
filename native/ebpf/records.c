/* SPDX-License-Identifier: MIT */
/*
 * Ring-buffer records -> roar.events/1 lines (common/events.h), written to
 * the events stream. Runs on the loader's single thread, from
 * ring_buffer__consume, in the order the kernel produced the records.
 */
#define _GNU_SOURCE
#include "ebpf_tracer.h"

#include <fcntl.h>
#include <string.h>

#include "events.h"
#include "path_norm.h"
#include "roar_ebpf.h"

#ifndef AT_REMOVEDIR
#define AT_REMOVEDIR 0x200
#endif

int sink_init(struct ebpf_sink *s, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	return jl_init_heap(&s->j, 8192);
}

void sink_free(struct ebpf_sink *s)
{
	jl_free(&s->j);
	slots_free(&s->slots);
}

static void put_line(struct ebpf_sink *s)
{
	if (s->j.overflow) {
		s->bad++;
		return;
	}
	fwrite(s->j.buf, 1, s->j.len, s->out);
	s->events++;
}

/* events.h has no truncated flag for exec; add it to the finished line
 * (which ends in "}\n") rather than lose the information. */
static void mark_truncated(struct jline *j)
{
	static const char tail[] = ",\"truncated\":true}\n";
	if (j->overflow || j->len < 2 || j->buf[j->len - 2] != '}')
		return;
	if (j->len - 2 + sizeof(tail) > j->cap) {
		j->overflow = 1;
		return;
	}
	memcpy(j->buf + j->len - 2, tail, sizeof(tail));
	j->len += sizeof(tail) - 1 - 2;
}

/* One path of a record as an absolute, normalised path in out.
 * Returns 1 when the path is incomplete (truncated, or its directory
 * unknown), 0 when exact. */
static int resolve(struct ebpf_sink *s, const struct roar_rec *r, int slot, const char *rel,
		   const char *dir, char *out, size_t cap)
{
	__u16 trunc = slot ? ROAR_F_TRUNC2 : ROAR_F_TRUNC1;
	__u16 nodir = slot ? ROAR_F_NODIR2 : ROAR_F_NODIR1;
	__u16 fault = slot ? ROAR_F_FAULT2 : ROAR_F_FAULT1;
	/* only path1 uses the thread's kept working directory */
	__u16 ref = slot ? 0 : ROAR_F_DIRREF1;
	int incomplete = (r->flags & (trunc | fault)) != 0;
	const char *base = NULL;

	if (rel[0] != '/') {
		if (r->flags & nodir) {
			/* a bad dirfd: nothing to anchor the path to */
			snprintf(out, cap, "%s", rel);
			return 1;
		}
		if (r->flags & ref) {
			/* the thread's kept working directory */
			base = slots_get(&s->slots, r->aux);
			if (!base) {
				/* never defined, or its definition was bad */
				s->bad++;
				snprintf(out, cap, "%s", rel);
				return 1;
			}
		} else {
			if (path_of_components(s->dir, sizeof(s->dir), dir, r->len[slot * 2 + 1],
					       r->ncomp[slot]) < 0)
				incomplete = 1;
			base = s->dir;
		}
	}
	if (path_join_normalize(base, rel, out, cap) < 0)
		incomplete = 1;
	return incomplete;
}

/* A record that defines its thread's kept working directory: keep it for
 * the records that will refer to it, whatever this record reports. */
static void define_slot(struct ebpf_sink *s, const struct roar_rec *r, const char *dir)
{
	if (path_of_components(s->dir, sizeof(s->dir), dir, r->len[1], r->ncomp[0]) < 0 ||
	    slots_put(&s->slots, r->aux, s->dir) < 0) {
		/* later references find nothing and are counted */
		slots_del(&s->slots, r->aux);
	}
}

static const char *call_event(const struct roar_rec *r)
{
	switch (r->sys) {
	case ROAR_SYS_OPEN:
	case ROAR_SYS_CREAT:
	case ROAR_SYS_OPENAT:
	case ROAR_SYS_OPENAT2:
		return "open";
	case ROAR_SYS_RENAME:
	case ROAR_SYS_RENAMEAT:
	case ROAR_SYS_RENAMEAT2:
		return "rename";
	case ROAR_SYS_UNLINK:
		return "unlink";
	case ROAR_SYS_UNLINKAT:
		return r->oflags & AT_REMOVEDIR ? "rmdir" : "unlink";
	case ROAR_SYS_MKDIR:
	case ROAR_SYS_MKDIRAT:
		return "mkdir";
	case ROAR_SYS_RMDIR:
		return "rmdir";
	case ROAR_SYS_LINK:
	case ROAR_SYS_LINKAT:
		return "link";
	case ROAR_SYS_SYMLINK:
	case ROAR_SYS_SYMLINKAT:
		return "symlink";
	case ROAR_SYS_CHDIR:
	case ROAR_SYS_FCHDIR:
		return "chdir";
	case ROAR_SYS_EXECVE:
	case ROAR_SYS_EXECVEAT:
		return "exec";
	default:
		return NULL;
	}
}

static void on_call(struct ebpf_sink *s, const struct roar_rec *r, const char *data)
{
	const char *ev = call_event(r);
	const char *p1 = data, *d1 = p1 + r->len[0];
	const char *p2 = d1 + r->len[1], *d2 = p2 + r->len[2];
	int pid = (int)r->pid, inc = 0;
	long ret = (long)r->ret;

	if (r->flags & ROAR_F_DIRDEF1)
		define_slot(s, r, d1);
	if (!ev) {
		s->bad++;
		return;
	}
	/* A failed call with an unreadable path (EFAULT) or a bad dirfd
	 * (EBADF): nothing happened, and there is no absolute path to report. */
	if (ret < 0 && (r->flags & (ROAR_F_FAULT1 | ROAR_F_FAULT2 | ROAR_F_NODIR1 | ROAR_F_NODIR2)))
		return;

	if (r->sys == ROAR_SYS_SYMLINK || r->sys == ROAR_SYS_SYMLINKAT) {
		/* the target is the link's content, kept as written */
		snprintf(s->path1, sizeof(s->path1), "%s", p1);
		inc = (r->flags & (ROAR_F_TRUNC1 | ROAR_F_FAULT1)) != 0;
	} else {
		inc = resolve(s, r, 0, p1, d1, s->path1, sizeof(s->path1));
	}
	if (r->len[2])
		inc |= resolve(s, r, 1, p2, d2, s->path2, sizeof(s->path2));

	if (!strcmp(ev, "open")) {
		ev_open(&s->j, pid, s->path1, ev_mode_from_flags((int)r->oflags), ret, inc);
	} else if (!strcmp(ev, "exec")) {
		ev_exec(&s->j, pid, s->path1, ret);
		if (inc)
			mark_truncated(&s->j);
	} else if (r->len[2]) {
		ev_path2(&s->j, ev, pid, s->path1, s->path2, ret, inc);
	} else {
		ev_path1(&s->j, ev, pid, s->path1, ret, inc);
	}
	put_line(s);
}

int sink_record(void *ctx, void *data, size_t size)
{
	struct ebpf_sink *s = ctx;
	const struct roar_rec *r = data;
	const char *parts = (const char *)(r + 1);

	if (size < sizeof(*r) ||
	    (size_t)r->len[0] + r->len[1] + r->len[2] + r->len[3] > size - sizeof(*r)) {
		s->bad++;
		return 0;
	}
	switch (r->kind) {
	case ROAR_REC_CALL:
		on_call(s, r, parts);
		break;
	case ROAR_REC_EXEC: {
		int inc = resolve(s, r, 0, parts, parts + r->len[0], s->path1, sizeof(s->path1));
		ev_exec(&s->j, (int)r->pid, s->path1, 0);
		if (inc)
			mark_truncated(&s->j);
		put_line(s);
		break;
	}
	case ROAR_REC_FORK:
		ev_fork(&s->j, (int)r->pid, (int)r->aux);
		put_line(s);
		break;
	case ROAR_REC_DIRFREE:
		slots_del(&s->slots, r->aux);
		break;
	case ROAR_REC_EXIT: {
		/* exit_code is a wait status: signal in the low 7 bits */
		int st = (int)r->ret;
		ev_exit(&s->j, (int)r->pid, (st >> 8) & 0xff, st & 0x7f);
		put_line(s);
		break;
	}
	default:
		s->bad++;
	}
	return 0;
}

void sink_start(struct ebpf_sink *s, pid_t root)
{
	ev_start(&s->j, EBPF_TRACER, (int)root);
	put_line(s);
}

void sink_end(struct ebpf_sink *s, unsigned long long lost, int status, const char *error)
{
	ev_end(&s->j, EBPF_TRACER, lost + s->bad, status, error);
	put_line(s);
}
