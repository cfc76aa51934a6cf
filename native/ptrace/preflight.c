/* SPDX-License-Identifier: MIT */
/*
 * Strict preflight for the ptrace tracer. Every check is something a run
 * needs; the last one runs the real tracer on its own probe and checks
 * that every expected event came out.
 */
#define _GNU_SOURCE
#include "preflight.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command_check.h"
#include "host_facts.h"
#include "oracle.h"
#include "seccomp_filter.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_SYS_PTRACE_BIT 19
#define ORACLE_TIMEOUT_MS 5000

static void check_platform(struct pf_report *r)
{
	struct pf_check *c = pf_begin(r, "ptrace.platform", 1);
	pf_expected(c, "Linux on x86_64 or aarch64");
	struct utsname u;
	if (uname(&u) != 0) {
		pf_fail(c, "ROAR_E_UNSUPPORTED_PLATFORM", "uname failed: %s", strerror(errno));
	} else if (strcmp(u.sysname, "Linux") != 0) {
		pf_fail(c, "ROAR_E_UNSUPPORTED_PLATFORM", "ptrace tracing needs Linux, this is %s",
			u.sysname);
	} else {
		pf_observed(c, "%s %s %s", u.sysname, u.release, u.machine);
		pf_pass(c, "Linux %s on %s", u.release, u.machine);
	}
	pf_end(c);
}

static void check_not_traced(struct pf_report *r)
{
	struct pf_check *c = pf_begin(r, "ptrace.not_traced", 1);
	int tp = self_tracer_pid();
	if (tp < 0) {
		pf_fail(c, "ROAR_E_PROC_UNREADABLE", "cannot read /proc/self/status: %s",
			strerror(-tp));
	} else if (tp > 0) {
		char path[64], comm[64] = "?";
		snprintf(path, sizeof(path), "/proc/%d/comm", tp);
		read_small_file(path, comm, sizeof(comm));
		pf_fail(c, "ROAR_E_ALREADY_TRACED",
			"roar is itself being traced by pid %d (%s); a process can have only one "
			"ptrace tracer", tp, comm);
		pf_observed(c, "TracerPid %d (%s)", tp, comm);
		pf_expected(c, "TracerPid 0");
		pf_fix(c, "Run roar outside strace, gdb or another tracer", NULL);
		pf_fix(c, "Use the eBPF tracer, which does not use ptrace", "roar run --tracer ebpf -- ...");
	} else {
		pf_observed(c, "TracerPid 0");
		pf_pass(c, "not traced by another process");
	}
	pf_end(c);
}

static void check_yama(struct pf_report *r, unsigned long long caps)
{
	struct pf_check *c = pf_begin(r, "ptrace.yama", 1);
	long scope;
	int rc = read_long_file("/proc/sys/kernel/yama/ptrace_scope", &scope);
	if (rc == -ENOENT) {
		pf_fingerprint(r, "yama_ptrace_scope", "absent");
		pf_observed(c, "Yama not enabled");
		pf_pass(c, "Yama LSM is not enabled; no extra ptrace restriction");
	} else if (rc < 0) {
		pf_fail(c, "ROAR_E_PROC_UNREADABLE", "cannot read kernel.yama.ptrace_scope: %s",
			strerror(-rc));
	} else {
		pf_fingerprint(r, "yama_ptrace_scope", "%ld", scope);
		pf_observed(c, "kernel.yama.ptrace_scope = %ld", scope);
		if (scope >= 3) {
			pf_fail(c, "ROAR_E_YAMA_SCOPE",
				"kernel.yama.ptrace_scope is 3: ptrace is disabled until reboot");
			pf_expected(c, "0, 1 or 2 (2 needs CAP_SYS_PTRACE)");
			pf_fix(c, "Use the eBPF tracer", "roar run --tracer ebpf -- ...");
			pf_fix(c, "Allow ptrace (takes effect after a reboot, as scope 3 is sticky)",
				"echo 'kernel.yama.ptrace_scope = 1' | sudo tee /etc/sysctl.d/10-ptrace.conf");
		} else if (scope == 2 && !cap_has(caps, CAP_SYS_PTRACE_BIT)) {
			pf_fail(c, "ROAR_E_YAMA_SCOPE",
				"kernel.yama.ptrace_scope is 2: only CAP_SYS_PTRACE may trace");
			pf_expected(c, "scope 0 or 1, or CAP_SYS_PTRACE");
			pf_fix(c, "Lower the scope for this boot", "sudo sysctl kernel.yama.ptrace_scope=1");
			pf_fix(c, "Use the eBPF tracer", "roar run --tracer ebpf -- ...");
		} else {
			pf_pass(c, "ptrace_scope %ld allows tracing our own children", scope);
		}
	}
	pf_end(c);
}

static void check_seccomp(struct pf_report *r)
{
	struct pf_check *c = pf_begin(r, "ptrace.seccomp", 1);
	pf_expected(c, "seccomp(SECCOMP_SET_MODE_FILTER) succeeds in a child");
	int pfd[2];
	if (pipe(pfd) != 0) {
		pf_fail(c, "ROAR_E_INTERNAL", "pipe: %s", strerror(errno));
		pf_end(c);
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		pf_fail(c, "ROAR_E_INTERNAL", "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		pf_end(c);
		return;
	}
	if (pid == 0) {
		int nnp = 0, res[2];
		close(pfd[0]);
		res[0] = seccomp_install_allow_filter(&nnp);
		res[1] = nnp;
		if (write(pfd[1], res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	int res[2] = { -EIO, 0 }, st;
	ssize_t got = read(pfd[0], res, sizeof(res));
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof(res)) {
		pf_fail(c, "ROAR_E_SECCOMP_UNAVAILABLE", "the seccomp probe child died");
	} else if (res[0] == -EINVAL) {
		pf_fail(c, "ROAR_E_SECCOMP_UNAVAILABLE",
			"this kernel has no seccomp filter support (CONFIG_SECCOMP_FILTER)");
		pf_observed(c, "seccomp(SET_MODE_FILTER): EINVAL");
		pf_fix(c, "Use the eBPF or preload tracer", "roar run --tracer preload -- ...");
	} else if (res[0] < 0) {
		pf_fail(c, "ROAR_E_SECCOMP_DENIED", "installing a seccomp filter failed: %s",
			strerror(-res[0]));
		pf_observed(c, "seccomp(SET_MODE_FILTER): %s", strerrorname_np(-res[0]));
	} else {
		pf_observed(c, "filter installed%s", res[1] ? " with no_new_privs" : "");
		pf_pass(c, "seccomp filter installable%s",
			res[1] ? " (unprivileged: needs no_new_privs, so setuid programs lose "
				 "their privilege)" : "");
	}
	pf_end(c);
}

/* PTRACE_TRACEME in a child, then PTRACE_GET_SYSCALL_INFO on it. */
static void check_attach_and_info(struct pf_report *r)
{
	struct pf_check *ca = pf_begin(r, "ptrace.attach", 1);
	pf_expected(ca, "PTRACE_TRACEME succeeds in a child");
	pid_t pid = fork();
	if (pid < 0) {
		pf_fail(ca, "ROAR_E_INTERNAL", "fork: %s", strerror(errno));
		pf_end(ca);
		return;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(10 + (errno & 0x3f) % 100);
		raise(SIGSTOP);
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFSTOPPED(st)) {
		int code = WIFEXITED(st) ? WEXITSTATUS(st) - 10 : -1;
		pf_fail(ca, "ROAR_E_PTRACE_DENIED", "PTRACE_TRACEME failed: %s",
			code > 0 ? strerror(code) : "probe child died");
		pf_observed(ca, "PTRACE_TRACEME: %s", code > 0 ? strerrorname_np(code) : "?");
		pf_fix(ca, "In a container, allow ptrace (e.g. docker --cap-add SYS_PTRACE, or a "
			   "seccomp profile that permits ptrace)", NULL);
		pf_fix(ca, "Use the eBPF or preload tracer", "roar run --tracer preload -- ...");
		pf_end(ca);
		struct pf_check *ci = pf_begin(r, "ptrace.syscall_info", 1);
		pf_skip(ci, "not checked: ptrace itself is not available");
		pf_end(ci);
		return;
	}
	pf_pass(ca, "a child can be traced (PTRACE_TRACEME)");
	pf_end(ca);

	struct pf_check *ci = pf_begin(r, "ptrace.syscall_info", 1);
	struct __ptrace_syscall_info si;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(si), &si);
	if (n <= 0) {
		int e = errno;
		pf_fail(ci, "ROAR_E_NO_SYSCALL_INFO",
			"PTRACE_GET_SYSCALL_INFO is not available (needs Linux 5.3 or later): %s",
			strerror(e));
		pf_observed(ci, "%s", strerrorname_np(e));
		pf_expected(ci, "kernel >= 5.3");
		pf_fix(ci, "Use the eBPF or preload tracer", "roar run --tracer preload -- ...");
	} else {
		pf_pass(ci, "PTRACE_GET_SYSCALL_INFO available");
	}
	pf_end(ci);
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* setuid or file-caps targets silently lose their privilege under
 * no_new_privs, which an unprivileged seccomp filter requires. */
static void check_target_privilege(struct pf_report *r, unsigned long long caps)
{
	const struct cmd_info *ci = &r->command;
	struct pf_check *c = pf_begin(r, "ptrace.target_privilege", 1);
	int privileged = cap_has(caps, CAP_SYS_ADMIN_BIT);
	if (!ci->final_elf[0]) {
		pf_skip(c, "no program to inspect");
	} else if ((ci->setuid || ci->setgid || ci->file_caps) && !privileged) {
		pf_fail(c, "ROAR_E_TARGET_PRIVILEGE_DROPPED",
			"%s is %s, and tracing it unprivileged sets no_new_privs, so it would run "
			"without that privilege and behave differently",
			ci->final_elf, ci->file_caps ? "file-capability enabled" : "setuid/setgid");
		pf_observed(c, "%s%s, tracer without CAP_SYS_ADMIN",
			    ci->setuid || ci->setgid ? "setuid/setgid" : "",
			    ci->file_caps ? " file caps" : "");
		pf_expected(c, "an unprivileged target, or a privileged tracer");
		pf_fix(c, "Run roar as root", NULL);
		pf_fix(c, "Use the eBPF tracer", "roar run --tracer ebpf -- ...");
	} else {
		pf_pass(c, "%s", privileged ? "tracer is privileged; target privilege is kept"
					    : "target needs no privilege");
	}
	pf_end(c);
}

void ptrace_preflight(struct pf_report *r, char **command)
{
	unsigned long long caps = 0;
	self_cap_eff(&caps);
	host_fingerprint(r);

	check_platform(r);
	check_not_traced(r);
	check_yama(r, caps);
	check_seccomp(r);
	check_attach_and_info(r);
	if (preflight_command(r, "ptrace", command))
		check_target_privilege(r, caps);

	if (pf_ok(r)) {
		oracle_check(r, "ptrace.oracle", ORACLE_TIMEOUT_MS);
	} else {
		struct pf_check *c = pf_begin(r, "ptrace.oracle", 1);
		pf_skip(c, "not run: an earlier required check failed");
		pf_end(c);
	}
}
