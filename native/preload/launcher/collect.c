/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "collect.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "host_facts.h"

/* Space allocated ahead of the reader, so writers rarely have to allocate
 * themselves. It follows the event rate, from a start that costs about a
 * millisecond to allocate up to a bound on the memory a run holds. */
#define RING_AHEAD_MIN (4ULL << 20)
#define RING_AHEAD_MAX (64ULL << 20)
/* Allocation and hole punching work in these steps. */
#define RING_CHUNK (2ULL << 20)
/* How long an unpublished record may hold up the reader: a writer is
 * between two stores, unless it died there. */
#define RING_STUCK_MS 2000.0
#define RING_FINAL_MS 300.0
/* No line of ours is longer (two PATH_MAX paths, escaped). */
#define RING_MAX_LINE (1u << 20)

static const char TAG[] = "{\"ev\":\"";

/* ---- lines ---------------------------------------------------------------- */

/* Events in a bad line: a write cut short (disk full) leaves a partial
 * line that the next one is appended to. */
static unsigned long long events_in(const char *line, size_t n)
{
	unsigned long long k = 0;
	for (const char *p = line; (p = memmem(p, n - (size_t)(p - line), TAG, sizeof(TAG) - 1));
	     p++)
		k++;
	return k ? k : 1;
}

/* line: without its '\n' */
static void take_line(struct collect *c, const char *line, size_t n)
{
	/* ours: one object, no second object inside (a path cannot hold an
	 * unescaped quote, so the tag cannot appear in a string) */
	if (n < sizeof(TAG) || memcmp(line, TAG, sizeof(TAG) - 1) != 0 || line[n - 1] != '}' ||
	    memmem(line + 1, n - 1, TAG, sizeof(TAG) - 1)) {
		c->lost += events_in(line, n);
		return;
	}
	if (c->root_exit_len && n > c->root_exit_len &&
	    memcmp(line, c->root_exit, c->root_exit_len) == 0)
		return;
	if (!c->out_err && (fwrite(line, 1, n, c->out) != n || fputc('\n', c->out) == EOF))
		c->out_err = errno ? errno : EIO;
}

/* ---- the ring ------------------------------------------------------------- */

static void ring_close(struct ring_reader *r)
{
	if (r->hdr)
		munmap(r->hdr, RP_RING_HDR_SIZE + RP_RING_DATA_SIZE);
	if (r->fd >= 0)
		close(r->fd);
	r->hdr = NULL;
	r->fd = -1;
}

/* Allocates space ahead of the reader and frees what it has read. A
 * failure (tmpfs full) only stops `limit` from moving: writers then use
 * the log file. */
static void ring_advance(struct ring_reader *r)
{
	uint64_t base = r->rpos & ~(RING_CHUNK - 1);
	/* room for eight times what arrived since the last call */
	uint64_t ahead = 8 * (r->rpos - r->last_rpos);
	if (ahead < RING_AHEAD_MIN)
		ahead = RING_AHEAD_MIN;
	if (ahead > RING_AHEAD_MAX)
		ahead = RING_AHEAD_MAX;
	r->last_rpos = r->rpos;
	uint64_t want = base + ahead;
	if (want > RP_RING_DATA_SIZE)
		want = RP_RING_DATA_SIZE;
	__atomic_store_n(&r->hdr->tail, r->rpos, __ATOMIC_RELEASE);
	/* writers extend the ring too (preload_env.h) */
	uint64_t lim = __atomic_load_n(&r->hdr->limit, __ATOMIC_ACQUIRE);
	if (want > lim &&
	    fallocate(r->fd, 0, (off_t)(RP_RING_HDR_SIZE + lim), (off_t)(want - lim)) == 0)
		while (lim < want && !__atomic_compare_exchange_n(&r->hdr->limit, &lim, want, 0,
								  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
	if (base > r->punched &&
	    fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(RP_RING_HDR_SIZE + r->punched), (off_t)(base - r->punched)) == 0)
		r->punched = base;
}

static int ring_open(struct ring_reader *r, const char *path)
{
	r->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (r->fd < 0)
		return -errno;
	if (ftruncate(r->fd, (off_t)(RP_RING_HDR_SIZE + RP_RING_DATA_SIZE)) != 0) {
		int err = errno;
		ring_close(r);
		return -err;
	}
	void *m = mmap(NULL, RP_RING_HDR_SIZE + RP_RING_DATA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, r->fd, 0);
	if (m == MAP_FAILED) {
		int err = errno;
		ring_close(r);
		return -err;
	}
	r->hdr = m;
	r->data = (const char *)m + RP_RING_HDR_SIZE;
	r->hdr->size = RP_RING_DATA_SIZE;
	r->hdr->head = 0;
	r->hdr->limit = 0;
	r->hdr->tail = 0;
	ring_advance(r);
	if (r->hdr->limit == 0) {
		ring_close(r);
		return -ENOSPC;
	}
	/* last: a process that maps the ring before this sees no magic and
	 * uses the log file */
	__atomic_store_n(&r->hdr->magic, RP_RING_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

static uint64_t word_at(const struct ring_reader *r, uint64_t pos)
{
	return __atomic_load_n((const uint64_t *)(r->data + pos), __ATOMIC_ACQUIRE);
}

static int is_header(uint64_t w, uint64_t pos, uint64_t head)
{
	uint64_t tag = w & 0xff, len = w >> 8;
	return (tag == RP_REC_MARK || tag == RP_REC_RESERVED) && len > 0 &&
	       len <= RING_MAX_LINE && pos + 8 + len <= head;
}

/* After a record that never got even its length: the next record starts
 * at the next word that is a header (payload bytes are never 0xfe/0xff). */
static uint64_t ring_resync(const struct ring_reader *r, uint64_t pos, uint64_t head)
{
	for (pos += 8; pos < head; pos += 8)
		if (is_header(word_at(r, pos), pos, head))
			return pos;
	return head;
}

static void ring_drain(struct collect *c, int final)
{
	struct ring_reader *r = &c->r;
	if (!r->hdr)
		return;
	uint64_t head = __atomic_load_n(&r->hdr->head, __ATOMIC_ACQUIRE);
	while (r->rpos < head) {
		uint64_t w = word_at(r, r->rpos);
		uint64_t len = w >> 8, rec = 8 + ((len + 7) & ~(uint64_t)7);
		if ((w & 0xff) == RP_REC_MARK && is_header(w, r->rpos, head)) {
			const char *line = r->data + r->rpos + 8;
			take_line(c, line, line[len - 1] == '\n' ? len - 1 : len);
			r->rpos += rec;
			r->stuck_since = 0;
			continue;
		}
		if (w != 0 && !is_header(w, r->rpos, head)) {
			/* not a record: should not happen; find the next one */
			c->lost++;
			r->rpos = ring_resync(r, r->rpos, head);
			continue;
		}
		/* reserved, not yet published */
		double now = mono_ms();
		if (!r->stuck_since)
			r->stuck_since = now;
		if (now - r->stuck_since < (final ? RING_FINAL_MS : RING_STUCK_MS)) {
			if (!final)
				break;
			struct timespec ts = { 0, 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		/* its writer died between reserving and publishing */
		c->lost++;
		r->rpos = w ? r->rpos + rec : ring_resync(r, r->rpos, head);
		r->stuck_since = 0;
	}
	ring_advance(r);
}

/* ---- the log file and the whole ------------------------------------------- */

/* Reads what the log file has now; complete lines stay in c->buf until
 * the ring has been copied (see collect_drain). */
static int log_read(struct collect *c)
{
	for (;;) {
		if (c->cap - c->len < 65536) {
			size_t ncap = c->cap ? c->cap * 2 : 1 << 18;
			char *nb = realloc(c->buf, ncap);
			if (!nb)
				return -ENOMEM;
			c->buf = nb;
			c->cap = ncap;
		}
		ssize_t got = read(c->log_fd, c->buf + c->len, c->cap - c->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			return 0;
		c->len += (size_t)got;
	}
}

static void log_copy(struct collect *c, int final)
{
	size_t start = 0;
	for (;;) {
		char *nl = memchr(c->buf + start, '\n', c->len - start);
		if (!nl)
			break;
		take_line(c, c->buf + start, (size_t)(nl - (c->buf + start)));
		start = (size_t)(nl - c->buf) + 1;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
	if (final && c->len) {
		c->lost += events_in(c->buf, c->len);
		c->len = 0;
	}
}

/*
 * A process that falls back from the ring to the log file never goes back,
 * so reading the file first and the ring second, then copying the ring's
 * lines before the file's, keeps each process's events in order.
 */
int collect_drain(struct collect *c, int final)
{
	uint64_t before = c->r.rpos;
	int rc = log_read(c);
	ring_drain(c, final);
	c->busy = c->r.rpos - before >= RING_CHUNK / 4;
	log_copy(c, final);
	if (!c->out_err && fflush(c->out) != 0)
		c->out_err = errno ? errno : EIO;
	return rc;
}

static int on_tmpfs(const char *dir)
{
	struct statfs s;
	return statfs(dir, &s) == 0 && s.f_type == TMPFS_MAGIC && access(dir, W_OK | X_OK) == 0;
}

int collect_create(struct collect *c, FILE *out)
{
	const char *tmp = getenv("TMPDIR");
	char base[PATH_MAX];
	int rc;

	memset(c, 0, sizeof(*c));
	c->out = out;
	c->log_fd = -1;
	c->r.fd = -1;
	/* the ring wants memory, not a disk; the library needs absolute names */
	if (on_tmpfs("/dev/shm"))
		snprintf(base, sizeof(base), "/dev/shm");
	else if (!tmp || !*tmp || !realpath(tmp, base))
		snprintf(base, sizeof(base), "/tmp");
	if ((size_t)snprintf(c->dir, sizeof(c->dir), "%s/roar-preload-XXXXXX", base) >=
	    sizeof(c->dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(c->dir)) {
		rc = -errno;
		c->dir[0] = '\0';
		return rc;
	}
	snprintf(c->log, sizeof(c->log), "%s/events.jsonl", c->dir);
	snprintf(c->ring, sizeof(c->ring), "%s" RP_RING_SUFFIX, c->log);
	int wfd = open(c->log, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (wfd < 0) {
		rc = -errno;
		collect_destroy(c);
		return rc;
	}
	close(wfd);
	c->log_fd = open(c->log, O_RDONLY | O_CLOEXEC);
	if (c->log_fd < 0) {
		rc = -errno;
		collect_destroy(c);
		return rc;
	}
	/* without a ring every event takes the log file: slower, complete */
	if (ring_open(&c->r, c->ring) < 0)
		unlink(c->ring);
	return 0;
}

void collect_set_root(struct collect *c, pid_t root)
{
	c->root_exit_len = (size_t)snprintf(c->root_exit, sizeof(c->root_exit),
					    "{\"ev\":\"exit\",\"pid\":%d,", (int)root);
}

void collect_destroy(struct collect *c)
{
	ring_close(&c->r);
	if (c->log_fd >= 0)
		close(c->log_fd);
	c->log_fd = -1;
	free(c->buf);
	c->buf = NULL;
	if (c->dir[0]) {
		unlink(c->ring);
		unlink(c->log);
		rmdir(c->dir);
		c->dir[0] = '\0';
	}
}
