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

/* Verifier statistics lines, which end every log and explain nothing. */
static int is_verifier_stats(const char *line)
{
	return !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
	       !strncmp(line, "stack depth", 11);
}

void ebpf_log_summary(char *out, size_t n)
{
	const char *first = NULL, *last = NULL, *verifier = NULL, *cause = NULL;
	int in_log = 0;

	out[0] = '\0';
	for (const char *p = g_log; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (len > 0) {
			/* the memlock bump message precedes the real cause; skip it */
			if (!first && !in_log && !strstr(line, "RLIMIT_MEMLOCK") &&
			    (strcasestr(line, "fail") || strcasestr(line, "error") ||
			     strcasestr(line, "not permitted") || strcasestr(line, "invalid")))
				first = p;
			/* inside the verifier's log, its last words before the
			 * statistics say why it refused the program */
			if (strstr(line, "-- BEGIN PROG LOAD LOG --")) {
				in_log = 1;
				cause = NULL;
			} else if (strstr(line, "-- END PROG LOAD LOG --")) {
				in_log = 0;
				verifier = verifier ? verifier : cause;
			} else if (in_log && !is_verifier_stats(line)) {
				cause = p;
			}
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
	{ __NR_unshare, ROAR_SYS_UNSHARE },
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
	{ 358, ROAR_SYS_EXECVEAT }, { 437, ROAR_SYS_OPENAT2 },  { 310, ROAR_SYS_UNSHARE },
};
#endif

/* The inode of the initial pid namespace (PROC_PID_INIT_INO): fixed. */
#define INIT_PIDNS_INO 0xEFFFFFFCu

/* The inode of this process's pid namespace, or 0 for the initial one,
 * where the BPF side can use the kernel's own pids directly. */
static int pidns_of_self(unsigned int *ino)
{
	struct stat st;
	*ino = 0;
	if (stat("/proc/self/ns/pid", &st) != 0)
		return -errno;
	if (st.st_ino != INIT_PIDNS_INO)
		*ino = (unsigned int)st.st_ino;
	return 0;
}

/* ---- object lifecycle ---- */

int ebpf_open(struct ebpf_obj *o, const char *extra_tp)
{
	unsigned int ino;
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
	if ((rc = pidns_of_self(&ino)) < 0) {
		snprintf(o->why, sizeof(o->why), "cannot stat /proc/self/ns/pid: %s", strerror(-rc));
		return rc;
	}
	o->skel->rodata->roar_pidns_ino = ino;

	if (extra_tp && *extra_tp) {
		/* the test hook: a program that needs this tracepoint, so a
		 * kernel without it fails here exactly as a real one would */
		struct bpf_program *p = o->skel->progs.roar_required_probe;
		if ((rc = bpf_program__set_attach_target(p, 0, extra_tp)) < 0) {
			o->stage = "load";
			snprintf(o->why, sizeof(o->why), "the kernel has no BTF tracepoint '%s' "
				 "(btf_trace_%s)", extra_tp, extra_tp);
			return rc;
		}
		if ((rc = bpf_program__set_autoload(p, true)) < 0)
			return rc;
	}
	return 0;
}

int ebpf_tracepoints(struct ebpf_obj *o, const char **names, int max)
{
	struct bpf_program *p;
	int n = 0;

	bpf_object__for_each_program(p, o->skel->obj) {
		const char *sec = bpf_program__section_name(p);
		/* the test hook's real target is not its section name */
		if (!bpf_program__autoload(p) || p == o->skel->progs.roar_required_probe ||
		    n >= max)
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

int ebpf_tracked_count(struct ebpf_obj *o)
{
	__u32 key, next;
	int n = 0;
	const __u32 *prev = NULL;

	while (bpf_map__get_next_key(o->skel->maps.tracked, prev, &next, sizeof(next)) == 0) {
		key = next;
		prev = &key;
		if (++n >= 65536)
			break;
	}
	return errno == ENOENT || n >= 65536 ? n : -errno;
}

/* Runs of our programs the kernel skipped because another was already
 * running on the CPU (bpf_prog_info.recursion_misses, kernel 5.12+; older
 * kernels report 0). Each would be a silently missing event. */
static unsigned long long recursion_misses(struct ebpf_obj *o)
{
	struct bpf_program *p;
	unsigned long long total = 0;

	bpf_object__for_each_program(p, o->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);
		memset(&info, 0, sizeof(info));
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			total += info.recursion_misses;
	}
	return total;
}

int ebpf_lost(struct ebpf_obj *o, unsigned long long *lost)
{
	int ncpu = libbpf_num_possible_cpus();
	int rc = 0;

	*lost = 0;
	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	__u64 *vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 k = 0; k < ROAR_CNT_MAX && rc == 0; k++) {
		if (bpf_map__lookup_elem(o->skel->maps.counters, &k, sizeof(k), vals,
					 sizeof(*vals) * (size_t)ncpu, 0) < 0) {
			rc = -errno;
			break;
		}
		for (int c = 0; c < ncpu; c++)
			*lost += vals[c];
	}
	free(vals);
	*lost += recursion_misses(o);
	return rc;
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
