/* SPDX-License-Identifier: MIT */
/*
 * The contract between roar-tracer-preload (the launcher) and
 * libroar_preload.so (the interposer): environment variable names and the
 * library's file name. Both sides include this file and nothing else of
 * each other.
 */
#ifndef ROAR_PRELOAD_ENV_H
#define ROAR_PRELOAD_ENV_H

#include <stdint.h>

/* Absolute path of the events log. The library finds it by path in every
 * process, because programs close inherited descriptors. Next to it,
 * <path>.ring is the shared-memory ring (below); the log file itself takes
 * the lines of processes that cannot use the ring, one write(2) each. */
#define RP_ENV_EVENTS "ROAR_PRELOAD_EVENTS"
#define RP_RING_SUFFIX ".ring"

/* The pid that last ran exec through the library (or the launcher, for the
 * root). A new process image whose pid differs was created by a fork the
 * library did not see (posix_spawn, system(), popen(), raw clone), so its
 * constructor reports the fork itself. */
#define RP_ENV_PID "ROAR_PRELOAD_PID"

/* Launcher override for where the library is. */
#define RP_ENV_LIB "ROAR_PRELOAD_LIB"

#define RP_LIB_NAME "libroar_preload.so"

/* The library keeps its log descriptor at or above this number, out of the
 * way of programs that dup2() over low descriptors. */
#define RP_LOG_FD_MIN 900

/*
 * The ring: a file on tmpfs that every traced process maps shared. A
 * write(2) per event costs more than the open it reports (measured: 0.9 us
 * on tmpfs, 1.4 us on ext4, against 1.7 us for open+close), a store into
 * shared memory costs nothing, and a mapping cannot be closed or dup2()'ed
 * over by the program.
 *
 * Layout: a header page, then `size` bytes of records. Writers reserve
 * space by advancing `head` (compare-and-swap, never past `limit`), copy
 * the line, then publish the record's first word with a release store:
 *
 *   word = RP_REC_MARK | len << 8, then len bytes of the line ('\n'
 *   included), zero padding to a multiple of 8.
 *
 * Between reserving and publishing, the word is RP_REC_RESERVED | len << 8
 * (and zero for the few instructions before that store), so the reader can
 * step over the record of a writer that died before publishing it. The
 * line is JSON in UTF-8, which never contains the bytes 0xfe or 0xff, so
 * after a zero word the next record is found by looking for them. Space is used once (no wrap-around): the
 * space below `limit` is allocated (fallocate) before `limit` moves, so a
 * writer never faults on a full tmpfs (SIGBUS). The launcher allocates
 * ahead of its reading position `tail` and frees what it has read by
 * punching holes. A writer that finds no room allocates the next
 * RP_RING_STEP itself, as long as that stays within RP_RING_MAX_UNREAD of
 * `tail` (a starved or dead launcher cannot make the ring eat memory);
 * otherwise, or when tmpfs is full, it uses the log file.
 */
#define RP_RING_MAGIC 0x31474e4952524f52ULL /* "RORRING1" */
#define RP_RING_HDR_SIZE 4096
#define RP_RING_DATA_SIZE (4ULL << 30)      /* address space, not memory */
#define RP_REC_MARK 0xffULL
#define RP_REC_RESERVED 0xfeULL
#define RP_RING_STEP (4ULL << 20)
#define RP_RING_MAX_UNREAD (256ULL << 20)

struct rp_ring_hdr {
	uint64_t magic;
	uint64_t size;  /* bytes of record space after the header page */
	uint64_t head;  /* bytes reserved by writers */
	uint64_t limit; /* bytes allocated; head <= limit */
	uint64_t tail;  /* bytes the launcher has read */
};

#endif
