/* SPDX-License-Identifier: MIT */
/*
 * The loader side of roar-tracer-ebpf, one section per file:
 *   loader.c     open, configure, load, attach the BPF object; the ring buffer
 *   records.c    ring-buffer records -> roar.events/1 lines
 *   paths.c      the dentry names of a record -> a directory path
 *   launch.c     the workload: fork, handshake, wait, signals, drain
 *   preflight.c  --preflight
 *   main.c       command line dispatch
 */
#ifndef ROAR_EBPF_TRACER_H
#define ROAR_EBPF_TRACER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "json_line.h"

#define EBPF_PROG "roar-tracer-ebpf"
#define EBPF_TRACER "ebpf"

/* Test hook (tests only): ROAR_EBPF_TEST_MISSING_TRACEPOINT=<name> makes the
 * tracer also require the BTF tracepoint <name>, as if one of its programs
 * attached to it. Preflight then fails ebpf.tracepoints naming it, and a run
 * fails at load, before the workload starts. */
#define EBPF_TEST_TP_ENV "ROAR_EBPF_TEST_MISSING_TRACEPOINT"

/* ---- loader.c ---- */

struct roar_ebpf; /* the generated skeleton */
struct ring_buffer;

struct ebpf_obj {
	struct roar_ebpf *skel;
	struct ring_buffer *rb;
	int loaded;
	const char *stage;   /* what failed: "open", "configure", "load", "attach", "ring buffer" */
	double load_ms;      /* verifier + vmlinux BTF parse, inside libbpf */
	double attach_ms;
	char why[256];       /* what went wrong, when libbpf does not say */
};

/* Everything libbpf says goes to a capture buffer, never to stderr. */
void ebpf_log_init(void);
void ebpf_log_clear(void);
const char *ebpf_log_text(void);
/* The line of the capture that says what went wrong (for reports). */
void ebpf_log_summary(char *out, size_t n);

/* Opens the object and fills its rodata (syscall tables, pid namespace).
 * extra_tp: a tracepoint the object must also attach to (test hook), or NULL.
 * 0, or -errno with o->stage set. */
int ebpf_open(struct ebpf_obj *o, const char *extra_tp);
/* The tp_btf tracepoint names the programs need (without the test hook's,
 * which the caller knows). Returns the count. */
int ebpf_tracepoints(struct ebpf_obj *o, const char **names, int max);
/* Loads, attaches and sets up the ring buffer with fn(ctx, data, size). */
typedef int (*ebpf_record_fn)(void *ctx, void *data, size_t size);
int ebpf_load_attach(struct ebpf_obj *o, ebpf_record_fn fn, void *ctx);
int ebpf_track(struct ebpf_obj *o, pid_t pid);
/* 1 when no tracked process is left, 0 if some are, -errno on error. */
int ebpf_tracked_empty(struct ebpf_obj *o);
/* How many tracked processes are still alive, or -errno. */
int ebpf_tracked_count(struct ebpf_obj *o);
/* Events the kernel side could not deliver (drops, untracked children,
 * skipped program runs). 0, or -errno when the counters cannot be read. */
int ebpf_lost(struct ebpf_obj *o, unsigned long long *lost);
int ebpf_poll_fd(struct ebpf_obj *o);
int ebpf_drain(struct ebpf_obj *o);
void ebpf_close(struct ebpf_obj *o);

/* ---- paths.c: working-directory slots ---- */

/* The directories the kernel side keeps per thread (roar_ebpf.h): slot ->
 * absolute directory path. Open addressing; slot 0 is never used. */
struct dir_slot {
	unsigned int key;
	char *path;
};

struct dir_slots {
	struct dir_slot *v;
	size_t cap, used; /* cap: a power of two, or 0 */
};

/* 0, or -1 when out of memory (the slot is then left undefined). */
int slots_put(struct dir_slots *t, unsigned int key, const char *path);
const char *slots_get(const struct dir_slots *t, unsigned int key);
void slots_del(struct dir_slots *t, unsigned int key);
void slots_free(struct dir_slots *t);

/* ---- records.c ---- */

struct ebpf_sink {
	FILE *out;
	struct jline j;
	unsigned long long bad;    /* records that could not be decoded */
	unsigned long long events; /* lines written */
	struct dir_slots slots;
	char path1[16384], path2[16384], dir[8192];
};

int sink_init(struct ebpf_sink *s, FILE *out);
void sink_free(struct ebpf_sink *s);
/* ring_buffer callback: one record -> one line */
int sink_record(void *ctx, void *data, size_t size);
void sink_start(struct ebpf_sink *s, pid_t root);
void sink_end(struct ebpf_sink *s, unsigned long long lost, int status, const char *error);

/* ---- paths.c ---- */

/* out = "/" + the components (given leaf first), root first; "/" for none.
 * 0, or -1 when it does not fit or the components are malformed. */
int path_of_components(char *out, size_t cap, const char *comps, size_t comps_len,
		       unsigned ncomp);

/* ---- launch.c ---- */

struct launch {
	pid_t pid;
	int go_fd;        /* write end of the handshake pipe */
	int pidfd;
	/* preflight's probe: quiet stdio, own process group */
	const char *stderr_path;
};

/* Blocks the forwarded signals in this process (the child restores them). */
int launch_block_signals(void);
/* Forks the workload; it waits for launch_release() before exec. */
int launch_fork(struct launch *l, char **argv);
int launch_release(struct launch *l);
/* Kills and reaps a workload that was never released. */
void launch_abort(struct launch *l);

struct wait_opts {
	int timeout_ms;  /* 0: none; otherwise the workload is killed after it */
	int forward_signals;
	FILE *events;    /* flushed now and then, if not NULL */
};

/* Waits for the workload while draining events; after it exits, keeps
 * draining until every tracked process is gone (or a short grace period).
 * *status: exit code or 128+signal. 0, -ETIMEDOUT, or -errno. */
int launch_wait(struct launch *l, struct ebpf_obj *o, const struct wait_opts *w, int *status);

/* ---- preflight.c ---- */

int preflight_main(int json, char **command);

/* ---- main.c ---- */

const char *errno_name(int err);

#endif
