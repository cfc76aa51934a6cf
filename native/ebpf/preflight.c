/* SPDX-License-Identifier: MIT */
/*
 * --preflight: proves, on this host, that the eBPF tracer works (DESIGN
 * §3.2), or says exactly why not and how to fix it. Check ids and codes are
 * stable API. Each check that depends on a failed one is reported as
 * skipped, so the report is always complete.
 *
 * The last two checks share one load of the BPF object: ebpf.load_attach
 * loads and attaches it, ebpf.oracle runs the probe under those very
 * programs, then the object is destroyed (that time is counted in
 * ebpf.load_attach). A second load would double the preflight's cost.
 */
#define _GNU_SOURCE
#include "ebpf_tracer.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "command_check.h"
#include "host_facts.h"
#include "oracle.h"
#include "report.h"

#ifndef CAP_SYS_ADMIN
#define CAP_SYS_ADMIN 21
#endif
#define CAP_PERFMON_ 38 /* not in older headers */
#define CAP_BPF_ 39

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define ORACLE_TIMEOUT_MS 5000
#define MAX_TP 8

struct pf_state {
	struct pf_report *r;
	struct btf *btf;
	struct ebpf_obj obj;
	int obj_open;
	struct ebpf_sink sink;
	char self[4096];
	/* which earlier checks failed, for the skips */
	const char *no_platform, *no_btf, *no_bpf, *no_caps, *no_tp, *no_ringbuf, *no_load;
};

static void skip(struct pf_report *r, const char *id, const char *because)
{
	struct pf_check *c = pf_begin(r, id, 1);
	pf_skip(c, "skipped: %s failed", because);
	pf_end(c);
}

static void fix_ptrace(struct pf_check *c)
{
	pf_fix(c, "Use the ptrace tracer instead (--tracer ptrace); it needs no privileges", NULL);
}

/* The three ways out of a privilege failure. */
static void fix_privileges(struct pf_check *c, const char *self)
{
	pf_fix(c, "Run as root", NULL);
	pf_fix(c, "Or grant this binary CAP_BPF and CAP_PERFMON. This is root-equivalent: anyone "
		  "who can run it can read kernel memory, so restrict who may execute it",
	       "setcap cap_bpf,cap_perfmon+ep %s", self);
	fix_ptrace(c);
}

static void check_platform(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.platform", 1);
	struct utsname u;

	if (uname(&u) != 0) {
		pf_fail(c, "ROAR_E_UNSUPPORTED_PLATFORM", "uname failed: %s", strerror(errno));
		s->no_platform = "ebpf.platform";
		goto out;
	}
	pf_observed(c, "%s %s", u.sysname, u.machine);
	pf_expected(c, "Linux x86_64 or aarch64");
#if defined(__x86_64__) || defined(__aarch64__)
	if (strcmp(u.sysname, "Linux") == 0) {
		pf_pass(c, "Linux %s on %s", u.release, u.machine);
		goto out;
	}
#endif
	pf_fail(c, "ROAR_E_UNSUPPORTED_PLATFORM", "the eBPF tracer supports Linux on x86_64 "
		"and aarch64; this is %s on %s", u.sysname, u.machine);
	fix_ptrace(c);
	s->no_platform = "ebpf.platform";
out:
	pf_end(c);
}

static void check_btf(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.btf", 1);
	struct stat st;

	pf_expected(c, "%s present and readable", BTF_PATH);
	if (stat(BTF_PATH, &st) != 0) {
		int e = errno;
		pf_observed(c, "%s: %s", BTF_PATH, errno_name(e));
		pf_fail(c, "ROAR_E_BTF_MISSING", "the kernel exposes no BTF type information (%s: %s)",
			BTF_PATH, strerror(e));
		pf_fix(c, "Boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution "
			  "kernels since 2020 are)", NULL);
		fix_ptrace(c);
		s->no_btf = "ebpf.btf";
		goto out;
	}
	s->btf = btf__load_vmlinux_btf();
	if (!s->btf) {
		int e = errno;
		pf_observed(c, "%s: %s", BTF_PATH, errno_name(e));
		pf_fail(c, "ROAR_E_BTF_MISSING", "%s could not be parsed: %s", BTF_PATH, strerror(e));
		pf_fix(c, "Boot a kernel built with CONFIG_DEBUG_INFO_BTF=y", NULL);
		fix_ptrace(c);
		s->no_btf = "ebpf.btf";
		goto out;
	}
	pf_observed(c, "%u types, %lld bytes", btf__type_cnt(s->btf), (long long)st.st_size);
	pf_pass(c, "kernel BTF present (%u types)", btf__type_cnt(s->btf));
out:
	pf_end(c);
}

/* A raw bpf(2) map creation: the real errno, which libbpf's probes hide. */
static int bpf_map_create_raw(enum bpf_map_type type, unsigned key, unsigned value,
			      unsigned entries)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key;
	attr.value_size = value;
	attr.max_entries = entries;
	int fd = (int)syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static void check_bpf_syscall(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.bpf_syscall", 1);
	long unpriv = -1;

	if (read_long_file("/proc/sys/kernel/unprivileged_bpf_disabled", &unpriv) == 0)
		pf_fingerprint(s->r, "unprivileged_bpf_disabled", "%ld", unpriv);
	int rc = bpf_map_create_raw(BPF_MAP_TYPE_ARRAY, 4, 4, 1);
	pf_expected(c, "bpf(BPF_MAP_CREATE) succeeds");
	if (rc == 0) {
		pf_observed(c, "ok");
		pf_pass(c, "bpf() works for this process");
		goto out;
	}
	pf_observed(c, "%s", errno_name(-rc));
	s->no_bpf = "ebpf.bpf_syscall";
	if (rc == -ENOSYS) {
		pf_fail(c, "ROAR_E_BPF_UNAVAILABLE", "this kernel has no bpf() system call "
			"(CONFIG_BPF_SYSCALL is off, or a seccomp policy blocks it)");
		fix_ptrace(c);
	} else if (rc == -EPERM || rc == -EACCES) {
		pf_fail(c, "ROAR_E_BPF_EPERM", "bpf() is not permitted for this process (%s%s)",
			errno_name(-rc), unpriv > 0 ? ", and unprivileged BPF is disabled" : "");
		fix_privileges(c, s->self);
	} else {
		pf_fail(c, "ROAR_E_BPF_UNAVAILABLE", "bpf(BPF_MAP_CREATE) failed: %s",
			strerror(-rc));
		fix_ptrace(c);
	}
out:
	pf_end(c);
}

static void cap_names(unsigned long long set, char *out, size_t n)
{
	static const struct { int cap; const char *name; } CAPS[] = {
		{ CAP_SYS_ADMIN, "cap_sys_admin" },
		{ CAP_BPF_, "cap_bpf" },
		{ CAP_PERFMON_, "cap_perfmon" },
	};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(CAPS) / sizeof(CAPS[0]); i++)
		if (cap_has(set, CAPS[i].cap) && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "," : "",
						CAPS[i].name);
	if (!out[0])
		snprintf(out, n, "none of cap_sys_admin, cap_bpf, cap_perfmon");
}

/* The file capabilities of this binary (security.capability), if any. */
static int file_caps(const char *path, unsigned long long *set, int *effective)
{
	unsigned char buf[24];
	ssize_t n = getxattr(path, "security.capability", buf, sizeof(buf));
	if (n < 8)
		return n < 0 ? -errno : -ENODATA;
	/* struct vfs_cap_data, little endian: magic_etc, then {permitted,
	 * inheritable} pairs of 32-bit words */
	unsigned magic = buf[0] | buf[1] << 8 | buf[2] << 16 | (unsigned)buf[3] << 24;
	unsigned lo = buf[4] | buf[5] << 8 | buf[6] << 16 | (unsigned)buf[7] << 24;
	unsigned hi = 0;
	if (n >= 20)
		hi = buf[12] | buf[13] << 8 | buf[14] << 16 | (unsigned)buf[15] << 24;
	*set = (unsigned long long)hi << 32 | lo;
	*effective = magic & 1; /* VFS_CAP_FLAGS_EFFECTIVE */
	return 0;
}

static void check_capabilities(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.capabilities", 1);
	unsigned long long eff = 0, fcaps = 0;
	int feff = 0, rc;
	char names[128], fnames[128], fdesc[4400];

	pf_expected(c, "CAP_BPF and CAP_PERFMON effective (or CAP_SYS_ADMIN)");
	if ((rc = self_cap_eff(&eff)) < 0) {
		pf_fail(c, "ROAR_E_BPF_CAPS", "cannot read CapEff from /proc/self/status: %s",
			strerror(-rc));
		s->no_caps = "ebpf.capabilities";
		goto out;
	}
	cap_names(eff, names, sizeof(names));
	fdesc[0] = '\0';
	if (file_caps(s->self, &fcaps, &feff) == 0) {
		cap_names(fcaps, fnames, sizeof(fnames));
		snprintf(fdesc, sizeof(fdesc), "; file capabilities on %s: %s%s", s->self, fnames,
			 feff ? " (+ep)" : " (not effective)");
	}
	pf_observed(c, "euid %u, effective: %s%s", (unsigned)geteuid(), names, fdesc);
	if (cap_has(eff, CAP_SYS_ADMIN) || (cap_has(eff, CAP_BPF_) && cap_has(eff, CAP_PERFMON_))) {
		pf_pass(c, "effective %s", names);
		goto out;
	}
	s->no_caps = "ebpf.capabilities";
	if (fdesc[0] && feff && cap_has(fcaps, CAP_BPF_) && cap_has(fcaps, CAP_PERFMON_))
		pf_fail(c, "ROAR_E_BPF_CAPS", "the binary has cap_bpf,cap_perfmon but they are not "
			"effective (a nosuid mount, or no_new_privs set by the caller?)");
	else
		pf_fail(c, "ROAR_E_BPF_CAPS", "loading tracing programs needs CAP_BPF and "
			"CAP_PERFMON (or CAP_SYS_ADMIN); this process has %s", names);
	fix_privileges(c, s->self);
out:
	pf_end(c);
}

static void check_tracepoints(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.tracepoints", 1);
	const char *names[MAX_TP];
	char missing[512] = "", all[512] = "";
	size_t ml = 0, al = 0;
	int rc, n, nmissing = 0;

	rc = ebpf_open(&s->obj, getenv(EBPF_TEST_TP_ENV));
	if (!s->obj.skel) {
		pf_fail(c, "ROAR_E_BPF_LOAD", "cannot open the embedded BPF object: %s",
			strerror(-rc));
		s->no_tp = "ebpf.tracepoints";
		goto out;
	}
	s->obj_open = 1;
	/* stage "load" is the test hook's target not being found: that is
	 * this check's to report, below */
	if (rc < 0 && strcmp(s->obj.stage, "load") != 0) {
		pf_fail(c, "ROAR_E_BPF_LOAD", "cannot configure the BPF object (%s): %s",
			s->obj.stage, strerror(-rc));
		s->no_tp = "ebpf.tracepoints";
		goto out;
	}
	n = ebpf_tracepoints(&s->obj, names, MAX_TP);
	/* set_attach_target of the test hook fails on a missing target; the
	 * hook's name is then not in the object's list, so add it here */
	const char *extra = getenv(EBPF_TEST_TP_ENV);
	if (extra && *extra && n < MAX_TP) {
		int dup = 0;
		for (int i = 0; i < n; i++)
			dup |= !strcmp(names[i], extra);
		if (!dup)
			names[n++] = extra;
	}
	for (int i = 0; i < n; i++) {
		char tname[160];
		snprintf(tname, sizeof(tname), "btf_trace_%s", names[i]);
		al += (size_t)snprintf(all + al, sizeof(all) - al, "%s%s", al ? ", " : "", names[i]);
		if (al >= sizeof(all))
			al = sizeof(all) - 1;
		if (btf__find_by_name_kind(s->btf, tname, BTF_KIND_TYPEDEF) > 0)
			continue;
		nmissing++;
		ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "",
				       names[i]);
		if (ml >= sizeof(missing))
			ml = sizeof(missing) - 1;
	}
	pf_expected(c, "BTF tracepoints %s", all);
	if (nmissing) {
		pf_observed(c, "missing: %s", missing);
		pf_fail(c, "ROAR_E_TRACEPOINT_MISSING", "this kernel lacks the BTF tracepoint%s %s "
			"(no btf_trace_<name> type in %s)", nmissing > 1 ? "s" : "", missing,
			BTF_PATH);
		pf_fix(c, "Use a newer kernel (5.13 or later) with these tracepoints", NULL);
		fix_ptrace(c);
		s->no_tp = "ebpf.tracepoints";
	} else {
		pf_observed(c, "all %d present", n);
		pf_pass(c, "%s", all);
	}
out:
	pf_end(c);
}

static void check_ringbuf(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.ringbuf", 1);
	long page = sysconf(_SC_PAGESIZE);
	int rc = bpf_map_create_raw(BPF_MAP_TYPE_RINGBUF, 0, 0, page > 0 ? (unsigned)page : 4096);

	pf_expected(c, "a BPF ring buffer map can be created");
	if (rc == 0) {
		pf_observed(c, "ok");
		pf_pass(c, "ring buffer maps supported");
	} else {
		pf_observed(c, "%s", errno_name(-rc));
		pf_fail(c, "ROAR_E_RINGBUF_UNSUPPORTED", "cannot create a BPF ring buffer (%s): "
			"the kernel is older than 5.8 or lacks it", strerror(-rc));
		pf_fix(c, "Use a kernel 5.13 or later (the tracer's minimum)", NULL);
		fix_ptrace(c);
		s->no_ringbuf = "ebpf.ringbuf";
	}
	pf_end(c);
}

/* Whether the running kernel's release is below major.minor. */
static int kernel_older_than(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma < major || (ma == major && mi < minor);
}

static struct pf_check *check_load_attach(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.load_attach", 1);
	char why[768];
	int rc;

	ebpf_log_clear();
	pf_expected(c, "the tracer's programs load and attach");
	if ((rc = sink_init(&s->sink, NULL)) < 0 ||
	    (rc = ebpf_load_attach(&s->obj, sink_record, &s->sink)) < 0) {
		int attach = s->obj.stage && !strcmp(s->obj.stage, "attach");
		if (s->obj.why[0])
			snprintf(why, sizeof(why), "%s", s->obj.why);
		else
			ebpf_log_summary(why, sizeof(why));
		pf_observed(c, "%s: %s", s->obj.stage ? s->obj.stage : "setup", errno_name(-rc));
		pf_fail(c, attach ? "ROAR_E_BPF_ATTACH" : "ROAR_E_BPF_LOAD", "%s failed: %s%s%s",
			s->obj.stage ? s->obj.stage : "setup", strerror(-rc), why[0] ? ": " : "", why);
		if (!attach && kernel_older_than(5, 13))
			pf_fix(c, "Use a kernel 5.13 or later: the programs need "
				  "bpf_get_current_task_btf (5.11) and task local storage in "
				  "tracing programs (5.13)", NULL);
		fix_ptrace(c);
		s->no_load = "ebpf.load_attach";
		return c;
	}
	pf_observed(c, "load %.1f ms, attach %.1f ms", s->obj.load_ms, s->obj.attach_ms);
	pf_pass(c, "loaded and attached (load %.1f ms, attach %.1f ms)", s->obj.load_ms,
		s->obj.attach_ms);
	return c; /* ended after the oracle, with the detach time */
}

/* The oracle probe (common/oracle.h) run under the programs loaded above,
 * through the same launch path as a real run. */
static void check_oracle(struct pf_state *s)
{
	struct pf_check *c = pf_begin(s->r, "ebpf.oracle", 1);
	struct oracle o;
	struct launch l = { 0 };
	struct wait_opts w = { .timeout_ms = ORACLE_TIMEOUT_MS, .forward_signals = 0 };
	int rc, status = -1;
	FILE *out = NULL;

	pf_expected(c, "all 10 probe events (open-read, open-write, rename, mkdir, rmdir, "
		       "unlink, fork, exec, open-after-exec, exit)");
	if ((rc = oracle_prepare(&o)) < 0) {
		pf_fail(c, "ROAR_E_ORACLE_SETUP", "could not create the probe directory: %s",
			strerror(-rc));
		pf_fix(c, "Make TMPDIR (or /tmp) writable", NULL);
		pf_end(c);
		return;
	}
	if (!(out = fopen(o.events, "we"))) {
		pf_fail(c, "ROAR_E_ORACLE_SETUP", "could not create %s: %s", o.events,
			strerror(errno));
		goto done;
	}
	s->sink.out = out;
	char *argv[] = { o.self, "--oracle-probe", o.dir, NULL };
	l.stderr_path = o.stderr_path;
	if ((rc = launch_fork(&l, argv)) < 0 || (rc = ebpf_track(&s->obj, l.pid)) < 0) {
		launch_abort(&l);
		pf_fail(c, "ROAR_E_ORACLE_SPAWN", "could not start the traced probe: %s",
			strerror(-rc));
		goto done;
	}
	sink_start(&s->sink, l.pid);
	if ((rc = launch_release(&l)) < 0 || (rc = launch_wait(&l, &s->obj, &w, &status)) < 0) {
		if (rc == -ETIMEDOUT) {
			pf_fail(c, "ROAR_E_ORACLE_TIMEOUT", "the traced probe did not finish within "
				"%d ms", ORACLE_TIMEOUT_MS);
			pf_observed(c, "no exit after %d ms", ORACLE_TIMEOUT_MS);
		} else {
			launch_abort(&l);
			pf_fail(c, "ROAR_E_ORACLE_SPAWN", "running the traced probe: %s",
				strerror(-rc));
		}
		goto done;
	}
	unsigned long long lost = 0;
	if ((rc = ebpf_lost(&s->obj, &lost)) < 0) {
		pf_fail(c, "ROAR_E_ORACLE_NO_EVENTS", "cannot read the kernel's drop counters: %s",
			strerror(-rc));
		goto done;
	}
	lost += s->sink.bad;
	sink_end(&s->sink, lost, status, NULL);
	s->sink.out = NULL;
	if (fclose(out) != 0) {
		out = NULL;
		pf_fail(c, "ROAR_E_ORACLE_NO_EVENTS", "writing %s: %s", o.events, strerror(errno));
		goto done;
	}
	out = NULL;
	oracle_judge(c, &o, status, lost);
done:
	s->sink.out = NULL;
	if (out)
		fclose(out);
	oracle_cleanup(&o);
	pf_end(c);
}

int preflight_main(int json, char **command)
{
	struct pf_report r;
	struct pf_state s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.r = &r;
	pf_init(&r, EBPF_TRACER);
	host_fingerprint(&r);
	pf_fingerprint(&r, "libbpf", "%u.%u", libbpf_major_version(), libbpf_minor_version());
	if ((rc = self_exe(s.self, sizeof(s.self))) < 0)
		snprintf(s.self, sizeof(s.self), "/proc/self/exe");

	check_platform(&s);
	if (command)
		preflight_command(&r, EBPF_TRACER, command);
	if (s.no_platform) {
		static const char *rest[] = { "ebpf.btf", "ebpf.bpf_syscall", "ebpf.capabilities",
					      "ebpf.tracepoints", "ebpf.ringbuf", "ebpf.load_attach",
					      "ebpf.oracle" };
		for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
			skip(&r, rest[i], s.no_platform);
		goto report;
	}
	check_btf(&s);
	check_bpf_syscall(&s);
	check_capabilities(&s);
	if (s.no_btf)
		skip(&r, "ebpf.tracepoints", s.no_btf);
	else
		check_tracepoints(&s);
	if (s.no_bpf)
		skip(&r, "ebpf.ringbuf", s.no_bpf);
	else
		check_ringbuf(&s);

	const char *blocker = s.no_btf ? s.no_btf : s.no_bpf ? s.no_bpf : s.no_caps ? s.no_caps
			    : s.no_tp ? s.no_tp : s.no_ringbuf;
	if (blocker) {
		skip(&r, "ebpf.load_attach", blocker);
		skip(&r, "ebpf.oracle", blocker);
		goto report;
	}
	struct pf_check *la = check_load_attach(&s);
	if (s.no_load) {
		pf_end(la);
		skip(&r, "ebpf.oracle", s.no_load);
	} else {
		/* la stays open: its time includes the detach after the oracle */
		double la_ms = mono_ms() - la->t0;
		check_oracle(&s);
		double t0 = mono_ms();
		ebpf_close(&s.obj);
		s.obj_open = 0;
		la->ms = la_ms + (mono_ms() - t0);
	}
report:
	if (s.obj_open)
		ebpf_close(&s.obj);
	sink_free(&s.sink);
	btf__free(s.btf);
	return pf_finish(&r, json);
}
