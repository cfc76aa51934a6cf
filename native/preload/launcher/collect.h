/* SPDX-License-Identifier: MIT */
/*
 * The launcher's side of the events transport (preload_env.h): a private
 * directory holding the ring and the log file, and the copy of their lines
 * to the events destination, each line checked.
 */
#ifndef ROAR_PRELOAD_COLLECT_H
#define ROAR_PRELOAD_COLLECT_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "preload_env.h"

struct ring_reader {
	int fd;                   /* -1: no ring, every process uses the log file */
	struct rp_ring_hdr *hdr;
	const char *data;
	uint64_t rpos;            /* next record to read */
	uint64_t punched;         /* record space given back below this */
	uint64_t last_rpos;       /* rpos at the previous allocation */
	double stuck_since;       /* rpos waits for an unpublished record since */
};

struct collect {
	char dir[PATH_MAX - 32];
	char log[PATH_MAX];       /* what RP_ENV_EVENTS names */
	char ring[PATH_MAX + sizeof(RP_RING_SUFFIX)];
	int log_fd;               /* read side of the log file */
	struct ring_reader r;
	char *buf;                /* log bytes read, not yet copied */
	size_t len, cap;
	FILE *out;
	int out_err;              /* errno of the first failed write to out */
	unsigned long long lost;  /* events that arrived cut, merged or never */
	int busy;                 /* the last drain found much: drain sooner */
	char root_exit[64];       /* the library's own exit line of the root */
	size_t root_exit_len;
};

/* Makes the directory, the log file and (when possible) the ring, on
 * tmpfs if /dev/shm is usable, else in $TMPDIR or /tmp. 0, or -errno. */
int collect_create(struct collect *c, FILE *out);
/* The root's pid: its exit line comes from waitpid, not from the library. */
void collect_set_root(struct collect *c, pid_t root);
/* Copies what has arrived. final: the workload is gone; records still
 * unpublished after a short wait, and a partial last line, are lost.
 * 0, or -errno. */
int collect_drain(struct collect *c, int final);
/* Unmaps and removes everything. */
void collect_destroy(struct collect *c);

#endif
