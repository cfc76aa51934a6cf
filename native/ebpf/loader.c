/* SPDX-License-Identifier: MIT */
/*
 * The BPF object: open, configure (syscall numbers, pid namespace), load,
 * attach, ring buffer, and the maps the loader reads. libbpf's messages are
 * captured, never printed: the tracer's stderr belongs to the workload.
 */
#define _GNU_SOURCE
#include "ebpf_tracer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "host_facts.h"
#include "roar_ebpf.h"
#include "roar_ebpf.skel.h"

/* ---- libbpf log capture ---- */

static char g_log[16384];
static size_t g_log_len;

static int log_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || g_log_len >= sizeof(g_log) - 1)
		return 0;
	int n = vsnprintf(g_log + g_log_len, sizeof(g_log) - g_log_len, fmt, ap);
	if (n > 0)
		g_log_len += (size_t)n < sizeof(g_log) - g_log_len ? (size_t)n
								  : sizeof(g_log) - 1 - g_log_len;
	return 0;
}

void ebpf_log_init(void)
{
	libbpf_set_print(log_capture);
}

void ebpf_log_clear(void)
{
	g_log_len = 0;
	g_log[0] = '\0';
}

const char *ebpf_log_text(void)
{
	return g_log;
}

/* Copies the line at p (without "libbpf: " and the newline) to out. */
static void copy_line(char *out, size_t n, const char *p)
{
	const char *end = strchr(p, '\n');
	size_t len = end ? (size_t)(end - p) : strlen(p);
	if (!strncmp(p, "libbpf: ", 8)) {
		p += 8;
		len -= len >= 8 ? 8 : len;
	}
	snprintf(out, n, "%.*s", (int)len, p);
}

void ebpf_log_summary(char *out, size_t n)
{
	const char *first = NULL, *last = NULL, *verifier = NULL;

	out[0] = '\0';
	for (const char *p = g_log; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (len > 0) {
			/* the memlock bump message precedes the real cause; skip it */
			if (!first && !strstr(line, "RLIMIT_MEMLOCK") &&
			    (strcasestr(line, "fail") || strcasestr(line, "error") ||
			     strcasestr(line, "not permitted") || strcasestr(line, "invalid")))
				first = p;
			if (strstr(line, "-- END PROG LOAD LOG --") && last)
				verifier = last;
			last = p;
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (!first)
		first = last;
	if (!first)
		return;
	copy_line(out, n, first);
	if (verifier && verifier != first) {
		size_t used = strlen(out);
		if (used + 16 < n) {
			memcpy(out + used, "; verifier: ", 13);
			copy_line(out + used + 12, n - used - 12, verifier);
		}
	}
}

/* ---- syscall tables ---- */

struct nr_map {
	long nr;
	unsigned char sys;
};

/* Native numbers from <sys/syscall.h>; the legacy calls (open, rename, ...)
 * do not exist on arm64, hence the #ifdefs. */
static const struct nr_map NATIVE[] = {
#ifdef __NR_open
	{ __NR_open, ROAR_SYS_OPEN },
#endif
#ifdef __NR_creat
	{ __NR_creat, ROAR_SYS_CREAT },
#endif
	{ __NR_openat, ROAR_SYS_OPENAT },
#ifdef __NR_openat2
	{ __NR_openat2, ROAR_SYS_OPENAT2 },
#endif
#ifdef __NR_rename
	{ __NR_rename, ROAR_SYS_RENAME },
#endif
#ifdef __NR_renameat
	{ __NR_renameat, ROAR_SYS_RENAMEAT },
#endif
#ifdef __NR_renameat2
	{ __NR_renameat2, ROAR_SYS_RENAMEAT2 },
#endif
#ifdef __NR_unlink
	{ __NR_unlink, ROAR_SYS_UNLINK },
#endif
	{ __NR_unlinkat, ROAR_SYS_UNLINKAT },
#ifdef __NR_mkdir
	{ __NR_mkdir, ROAR_SYS_MKDIR },
#endif
	{ __NR_mkdirat, ROAR_SYS_MKDIRAT },
#ifdef __NR_rmdir
	{ __NR_rmdir, ROAR_SYS_RMDIR },
#endif
#ifdef __NR_link
	{ __NR_link, ROAR_SYS_LINK },
#endif
	{ __NR_linkat, ROAR_SYS_LINKAT },
#ifdef __NR_symlink
	{ __NR_symlink, ROAR_SYS_SYMLINK },
#endif
	{ __NR_symlinkat, ROAR_SYS_SYMLINKAT },
	{ __NR_chdir, ROAR_SYS_CHDIR },
	{ __NR_fchdir, ROAR_SYS_FCHDIR },
	{ __NR_execve, ROAR_SYS_EXECVE },
#ifdef __NR_execveat
	{ __NR_execveat, ROAR_SYS_EXECVEAT },
#endif
};

#if defined(__x86_64__)
/* i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl, a stable ABI) for
 * 32-bit programs on an x86_64 kernel. <sys/syscall.h> has only one ABI. */
static const struct nr_map IA32[] = {
	{ 5, ROAR_SYS_OPEN },	    { 8, ROAR_SYS_CREAT },	{ 9, ROAR_SYS_LINK },
	{ 10, ROAR_SYS_UNLINK },    { 11, ROAR_SYS_EXECVE },	{ 12, ROAR_SYS_CHDIR },
	{ 38, ROAR_SYS_RENAME },    { 39, ROAR_SYS_MKDIR },	{ 40, ROAR_SYS_RMDIR },
	{ 83, ROAR_SYS_SYMLINK },   { 133, ROAR_SYS_FCHDIR },	{ 295, ROAR_SYS_OPENAT },
	{ 296, ROAR_SYS_MKDIRAT },  { 301, ROAR_SYS_UNLINKAT }, { 302, ROAR_SYS_RENAMEAT },
	{ 303, ROAR_SYS_LINKAT },   { 304, ROAR_SYS_SYMLINKAT }, { 353, ROAR_SYS_RENAMEAT2 },
	{ 358, ROAR_SYS_EXECVEAT }, { 437, ROAR_SYS_OPENAT2 },
};
#endif

/* The pid namespace this process runs in: its depth (0 = the initial one)
 * and inode. The BPF side reports pids as this process sees them. */
static int pidns_of_self(unsigned int *level, unsigned int *ino)
{
	char buf[4096];
	struct stat st;
	int rc = read_small_file("/proc/self/status", buf, sizeof(buf));

	*level = 0;
	*ino = 0;
	if (rc < 0)
		return rc;
	const char *p = strstr(buf, "\nNSpid:");
	if (p) {
		unsigned int fields = 0;
		for (p += 7; *p && *p != '\n'; p++)
			if ((*p == '\t' || *p == ' ') && p[1] >= '0' && p[1] <= '9')
				fields++;
		*level = fields ? fields - 1 : 0;
	}
	if (stat("/proc/self/ns/pid", &st) != 0)
		return *level ? -errno : 0;
	*ino = (unsigned int)st.st_ino;
	return 0;
}

/* ---- object lifecycle ---- */

int ebpf_open(struct ebpf_obj *o, const char *extra_tp)
{
	unsigned int level, ino;
	int rc;

	memset(o, 0, sizeof(*o));
	o->stage = "open";
	o->skel = roar_ebpf__open();
	if (!o->skel)
		return errno ? -errno : -EINVAL;

	o->stage = "configure";
	for (size_t i = 0; i < sizeof(NATIVE) / sizeof(NATIVE[0]); i++)
		if (NATIVE[i].nr >= 0 && NATIVE[i].nr < ROAR_NR_MAX)
			o->skel->rodata->roar_sys_of_nr[NATIVE[i].nr] = NATIVE[i].sys;
#if defined(__x86_64__)
	for (size_t i = 0; i < sizeof(IA32) / sizeof(IA32[0]); i++)
		o->skel->rodata->roar_sys_of_nr32[IA32[i].nr] = IA32[i].sys;
#endif
	if ((rc = pidns_of_self(&level, &ino)) < 0)
		return rc;
	o->skel->rodata->roar_pidns_level = level;
	o->skel->rodata->roar_pidns_ino = ino;

	if (extra_tp && *extra_tp) {
		/* the test hook: a program that needs this tracepoint, so a
		 * kernel without it fails here exactly as a real one would */
		struct bpf_program *p = o->skel->progs.roar_required_probe;
		if ((rc = bpf_program__set_autoload(p, true)) < 0)
			return rc;
		if ((rc = bpf_program__set_attach_target(p, 0, extra_tp)) < 0) {
			o->stage = "load";
			return rc;
		}
	}
	return 0;
}

int ebpf_tracepoints(struct ebpf_obj *o, const char **names, int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, o->skel->obj) {
		const char *sec = bpf_program__section_name(p);
		if (!bpf_program__autoload(p) || n >= max)
			continue;
		if (!strncmp(sec, "?", 1))
			sec++;
		if (!strncmp(sec, "tp_btf/", 7))
			names[n++] = sec + 7;
	}
	return n;
}

int ebpf_load_attach(struct ebpf_obj *o, ebpf_record_fn fn, void *ctx)
{
	double t0 = mono_ms();
	int rc;

	o->stage = "load";
	if ((rc = roar_ebpf__load(o->skel)) < 0)
		return rc;
	o->loaded = 1;
	o->load_ms = mono_ms() - t0;

	t0 = mono_ms();
	o->stage = "attach";
	if ((rc = roar_ebpf__attach(o->skel)) < 0)
		return rc;
	o->attach_ms = mono_ms() - t0;

	o->stage = "ring buffer";
	o->rb = ring_buffer__new(bpf_map__fd(o->skel->maps.events), fn, ctx, NULL);
	if (!o->rb)
		return errno ? -errno : -EINVAL;
	o->stage = NULL;
	return 0;
}

int ebpf_track(struct ebpf_obj *o, pid_t pid)
{
	__u32 key = (__u32)pid;
	__u8 one = 1;
	if (bpf_map__update_elem(o->skel->maps.tracked, &key, sizeof(key), &one, sizeof(one),
				 BPF_ANY) < 0)
		return -errno;
	return 0;
}

int ebpf_tracked_empty(struct ebpf_obj *o)
{
	__u32 key;
	if (bpf_map__get_next_key(o->skel->maps.tracked, NULL, &key, sizeof(key)) == 0)
		return 0;
	return errno == ENOENT ? 1 : -errno;
}

unsigned long long ebpf_lost(struct ebpf_obj *o)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long total = 0;

	if (ncpu <= 0)
		return 0;
	__u64 *vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	for (__u32 k = 0; k < ROAR_CNT_MAX; k++) {
		if (bpf_map__lookup_elem(o->skel->maps.counters, &k, sizeof(k), vals,
					 sizeof(*vals) * (size_t)ncpu, 0) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			total += vals[c];
	}
	free(vals);
	return total;
}

int ebpf_poll_fd(struct ebpf_obj *o)
{
	return ring_buffer__epoll_fd(o->rb);
}

int ebpf_drain(struct ebpf_obj *o)
{
	/* consume, not poll: wakeups are batched, so data can be waiting
	 * without the epoll fd ever becoming ready */
	return ring_buffer__consume(o->rb);
}

void ebpf_close(struct ebpf_obj *o)
{
	ring_buffer__free(o->rb);
	o->rb = NULL;
	roar_ebpf__destroy(o->skel);
	o->skel = NULL;
	o->loaded = 0;
}
