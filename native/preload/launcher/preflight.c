/* SPDX-License-Identifier: MIT */
/*
 * Preflight of the preload tracer (DESIGN §3.2). Check ids and codes are
 * stable API:
 *
 *   preload.platform        Linux with glibc            ROAR_E_UNSUPPORTED_PLATFORM
 *   preload.library         found, right machine, dlopen() works
 *                           ROAR_E_PRELOAD_LIBRARY_MISSING, ROAR_E_PRELOAD_LIBRARY_UNLOADABLE
 *   with --command:
 *   preload.command         (common/command_check.c)
 *   preload.target_static   ROAR_E_TARGET_STATIC
 *   preload.target_setuid   ROAR_E_TARGET_SETUID, warn ROAR_W_TARGET_SETUID
 *   preload.target_file_caps ROAR_E_TARGET_FILE_CAPS
 *   preload.target_go       ROAR_E_TARGET_GO
 *   preload.target_arch     ROAR_E_TARGET_ARCH
 *   preload.target_libc     ROAR_E_TARGET_LIBC, warn ROAR_W_TARGET_LIBC
 *   preload.coverage        always warn ROAR_W_PRELOAD_PARTIAL (not required)
 *   preload.oracle          (common/oracle.c)
 *
 * Every check is always present: when one it depends on failed, it is
 * skipped with the reason, so a report is complete.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command_check.h"
#include "command_info.h"
#include "host_facts.h"
#include "launcher.h"
#include "oracle.h"
#include "preload_env.h"
#include "report.h"

#define ORACLE_TIMEOUT_MS 5000

static const char *const TARGET_CHECKS[] = {
	"preload.target_static", "preload.target_setuid", "preload.target_file_caps",
	"preload.target_go",     "preload.target_arch",   "preload.target_libc",
};
#define NTARGET (sizeof(TARGET_CHECKS) / sizeof(TARGET_CHECKS[0]))

static int native_class(void)
{
	return (int)(sizeof(void *) * 8);
}

static void fix_other_tracers(struct pf_check *c, char **argv)
{
	const char *cmd = argv && argv[0] ? argv[0] : "CMD";
	pf_fix(c, "Use the ptrace tracer (it sees static, Go and setuid-free programs)",
	       "roar run --tracer ptrace -- %s", cmd);
	pf_fix(c, "Or the ebpf tracer (sees every program; needs root or CAP_BPF+CAP_PERFMON)",
	       "roar run --tracer ebpf -- %s", cmd);
}

static int check_platform(struct pf_report *r)
{
	struct pf_check *c = pf_begin(r, "preload.platform", 1);
	struct utsname u;
	int ok = 0;

	if (uname(&u) != 0)
		snprintf(u.sysname, sizeof(u.sysname), "unknown");
	pf_expected(c, "Linux with glibc");
#if defined(__linux__) && defined(__GLIBC__)
	pf_observed(c, "%s %s, glibc %s", u.sysname, u.machine, gnu_get_libc_version());
	pf_pass(c, "%s %s with glibc %s", u.sysname, u.machine, gnu_get_libc_version());
	ok = 1;
#else
	pf_observed(c, "%s %s without glibc", u.sysname, u.machine);
	pf_fail(c, "ROAR_E_UNSUPPORTED_PLATFORM",
		"the preload tracer interposes glibc on Linux; this build is for another C library");
	pf_fix(c, "Use the ptrace tracer", "roar run --tracer ptrace -- CMD");
#endif
	pf_end(c);
	return ok;
}

/* dlopen() in a child: a broken library must not take the preflight down,
 * and the child's exit leaves this process's link map as it was. */
static int try_dlopen(const char *path, char *err, size_t n)
{
	int pfd[2];
	err[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, n, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		/* inert: with no log configured the library only passes calls on */
		unsetenv(RP_ENV_EVENTS);
		if (!dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
			const char *e = dlerror();
			if (e && write(pfd[1], e, strlen(e)) < 0)
				_exit(2);
			_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	size_t len = 0;
	for (;;) {
		ssize_t got = read(pfd[0], err + len, n - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len >= n - 1)
			break;
	}
	err[len] = '\0';
	close(pfd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, n, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (!err[0] && WIFSIGNALED(st))
		snprintf(err, n, "loading it crashed (%s)", strsignal(WTERMSIG(st)));
	else if (!err[0])
		snprintf(err, n, "the loading child ended with status %d", exit_code_of(st));
	return -1;
}

static void fix_library(struct pf_check *c)
{
	pf_fix(c, "Rebuild the native tracers", "npm run build");
	pf_fix(c, "Or point ROAR_PRELOAD_LIB at a built library",
	       "export ROAR_PRELOAD_LIB=/path/to/" RP_LIB_NAME);
}

static int check_library(struct pf_report *r, char *lib, size_t n, struct elf_facts *lf)
{
	struct pf_check *c = pf_begin(r, "preload.library", 1);
	char err[1024];
	int from_env, rc = library_locate(lib, n, &from_env);
	int ok = 0;

	pf_expected(c, "%s for %s (%d-bit), loadable", from_env ? "$" RP_ENV_LIB : RP_LIB_NAME
		    " next to the launcher", elf_machine_name(elf_native_machine()), native_class());
	if (rc < 0) {
		pf_observed(c, "%s: %s", lib, strerror(-rc));
		pf_fail(c, "ROAR_E_PRELOAD_LIBRARY_MISSING", "preload library not found: %s (%s)", lib,
			strerror(-rc));
		fix_library(c);
		goto out;
	}
	pf_observed(c, "%s", lib);
	/* LD_PRELOAD splits its list on spaces and colons */
	if (strpbrk(lib, " :")) {
		pf_fail(c, "ROAR_E_PRELOAD_LIBRARY_UNLOADABLE",
			"the library path contains a space or a colon, which LD_PRELOAD cannot carry: %s",
			lib);
		pf_fix(c, "Install roar under a path without spaces or colons", NULL);
		goto out;
	}
	if ((rc = elf_read_facts(lib, lf)) < 0) {
		pf_fail(c, "ROAR_E_PRELOAD_LIBRARY_UNLOADABLE", "cannot read %s as an ELF library: %s",
			lib, strerror(-rc));
		fix_library(c);
		goto out;
	}
	if (lf->machine != elf_native_machine() || lf->elf_class != native_class()) {
		pf_observed(c, "%s: %s %d-bit", lib, elf_machine_name(lf->machine), lf->elf_class);
		pf_fail(c, "ROAR_E_PRELOAD_LIBRARY_UNLOADABLE",
			"the library is built for %s %d-bit, this launcher is %s %d-bit", 
			elf_machine_name(lf->machine), lf->elf_class,
			elf_machine_name(elf_native_machine()), native_class());
		fix_library(c);
		goto out;
	}
	if (try_dlopen(lib, err, sizeof(err)) != 0) {
		pf_fail(c, "ROAR_E_PRELOAD_LIBRARY_UNLOADABLE", "dlopen failed: %s", err);
		fix_library(c);
		goto out;
	}
	pf_pass(c, "%s loads (%s, %d-bit)", lib, elf_machine_name(lf->machine), lf->elf_class);
	ok = 1;
out:
	pf_end(c);
	return ok;
}

static void check_static(struct pf_report *r, const struct cmd_info *ci, char **argv)
{
	struct pf_check *c = pf_begin(r, "preload.target_static", 1);
	pf_expected(c, "dynamically linked (has a program interpreter)");
	if (ci->is_static) {
		pf_observed(c, "%s", ci->static_pie ? "static-pie" : "static");
		pf_fail(c, "ROAR_E_TARGET_STATIC",
			"%s is statically linked%s: no dynamic loader runs, so LD_PRELOAD is never applied",
			ci->final_elf, ci->static_pie ? " (static-pie)" : "");
		fix_other_tracers(c, argv);
	} else {
		pf_observed(c, "dynamic, loader %s", ci->loader);
		pf_pass(c, "%s is dynamically linked (%s)", ci->final_elf, ci->loader);
	}
	pf_end(c);
}

/*
 * The loader runs a program in secure mode (AT_SECURE, which drops
 * LD_PRELOAD of non-system paths) when exec changes its real and effective
 * ids. A setuid file owned by our own (real = effective) uid changes
 * nothing for us, but would for anyone else: a warning, not a failure.
 */
static void check_setuid(struct pf_report *r, const struct cmd_info *ci, char **argv)
{
	struct pf_check *c = pf_begin(r, "preload.target_setuid", 1);
	struct stat st;
	pf_expected(c, "no setuid/setgid bit, or one that changes no id for this user");
	if (!ci->setuid && !ci->setgid) {
		pf_observed(c, "no setuid/setgid bit");
		pf_pass(c, "%s is neither setuid nor setgid", ci->final_elf);
		goto out;
	}
	if (stat(ci->final_elf, &st) != 0) {
		pf_observed(c, "%s%s", ci->setuid ? "setuid" : "", ci->setgid ? " setgid" : "");
		pf_fail(c, "ROAR_E_TARGET_SETUID", "%s is setuid/setgid and cannot be examined: %s",
			ci->final_elf, strerror(errno));
		fix_other_tracers(c, argv);
		goto out;
	}
	pf_observed(c, "%s%s%s, owner %u:%u; we are uid %u/%u gid %u/%u",
		    ci->setuid ? "setuid" : "", ci->setuid && ci->setgid ? "+" : "",
		    ci->setgid ? "setgid" : "", (unsigned)st.st_uid, (unsigned)st.st_gid,
		    (unsigned)getuid(), (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());
	int changes_ids = (ci->setuid && st.st_uid != getuid()) ||
			  (ci->setgid && st.st_gid != getgid()) || getuid() != geteuid() ||
			  getgid() != getegid();
	if (changes_ids) {
		pf_fail(c, "ROAR_E_TARGET_SETUID",
			"%s is %s: the loader runs it in secure mode and ignores LD_PRELOAD",
			ci->final_elf, ci->setuid ? "setuid" : "setgid");
		fix_other_tracers(c, argv);
	} else {
		pf_warn(c, "ROAR_W_TARGET_SETUID",
			"%s is %s to our own id, so it is traced for this user; for any other user "
			"it would run untraced", ci->final_elf, ci->setuid ? "setuid" : "setgid");
	}
out:
	pf_end(c);
}

static void check_file_caps(struct pf_report *r, const struct cmd_info *ci, char **argv)
{
	struct pf_check *c = pf_begin(r, "preload.target_file_caps", 1);
	pf_expected(c, "no file capabilities");
	if (ci->file_caps) {
		pf_observed(c, "security.capability set");
		/* the kernel skips secure mode only for a real root user (whose
		 * capabilities cannot grow); roar does not count on that */
		pf_fail(c, "ROAR_E_TARGET_FILE_CAPS",
			"%s has file capabilities: exec runs it in secure mode (AT_SECURE), which "
			"drops LD_PRELOAD, for every user but root", ci->final_elf);
		fix_other_tracers(c, argv);
	} else {
		pf_observed(c, "none");
		pf_pass(c, "%s has no file capabilities", ci->final_elf);
	}
	pf_end(c);
}

static void check_go(struct pf_report *r, const struct cmd_info *ci, char **argv)
{
	struct pf_check *c = pf_begin(r, "preload.target_go", 1);
	pf_expected(c, "a program that calls the file system through libc");
	if (ci->go) {
		pf_observed(c, "Go build sections");
		pf_fail(c, "ROAR_E_TARGET_GO",
			"%s is a Go program: Go makes system calls directly, so LD_PRELOAD sees none "
			"of its file access", ci->final_elf);
		fix_other_tracers(c, argv);
	} else {
		pf_observed(c, "not Go");
		pf_pass(c, "%s is not a Go program", ci->final_elf);
	}
	pf_end(c);
}

static void check_arch(struct pf_report *r, const struct cmd_info *ci,
		       const struct elf_facts *lf, char **argv)
{
	struct pf_check *c = pf_begin(r, "preload.target_arch", 1);
	struct elf_facts tf;
	int lm = lf ? lf->machine : elf_native_machine();
	int lc = lf ? lf->elf_class : native_class();
	int rc = elf_read_facts(ci->final_elf, &tf);

	pf_expected(c, "%s %d-bit, like the library", elf_machine_name(lm), lc);
	if (rc < 0) {
		pf_fail(c, "ROAR_E_TARGET_ARCH", "cannot read %s: %s", ci->final_elf, strerror(-rc));
		goto out;
	}
	pf_observed(c, "%s %d-bit", elf_machine_name(tf.machine), tf.elf_class);
	if (tf.machine != lm || tf.elf_class != lc) {
		pf_fail(c, "ROAR_E_TARGET_ARCH",
			"%s is %s %d-bit; the preload library is %s %d-bit and cannot be loaded into it",
			ci->final_elf, elf_machine_name(tf.machine), tf.elf_class,
			elf_machine_name(lm), lc);
		fix_other_tracers(c, argv);
	} else {
		pf_pass(c, "%s %d-bit, like the library", elf_machine_name(tf.machine), tf.elf_class);
	}
out:
	pf_end(c);
}

/* The loader of the launcher itself: the glibc the library was proven
 * against by the dlopen() in preload.library. */
static void own_loader(char *out, size_t n)
{
	struct elf_facts f;
	out[0] = '\0';
	if (elf_read_facts("/proc/self/exe", &f) == 0 && f.has_interp && !realpath(f.interp, out))
		snprintf(out, n, "%s", f.interp);
}

static void check_libc(struct pf_report *r, const struct cmd_info *ci, char **argv)
{
	struct pf_check *c = pf_begin(r, "preload.target_libc", 1);
	char ours[PATH_MAX], theirs[PATH_MAX];

	pf_expected(c, "glibc");
	pf_observed(c, "%s%s%s", ci->libc, ci->loader[0] ? ", loader " : "", ci->loader);
	if (!strcmp(ci->libc, "none")) {
		pf_skip(c, "statically linked: no C library is loaded (see preload.target_static)");
	} else if (!strcmp(ci->libc, "musl")) {
		pf_fail(c, "ROAR_E_TARGET_LIBC",
			"%s uses musl (%s); the preload library is built for glibc", ci->final_elf,
			ci->loader);
		fix_other_tracers(c, argv);
	} else if (strcmp(ci->libc, "glibc") != 0) {
		pf_warn(c, "ROAR_W_TARGET_LIBC",
			"%s uses an unrecognised loader (%s); the library may not load into it",
			ci->final_elf, ci->loader);
	} else {
		own_loader(ours, sizeof(ours));
		if (!realpath(ci->loader, theirs))
			snprintf(theirs, sizeof(theirs), "%s", ci->loader);
		if (ours[0] && strcmp(ours, theirs) != 0)
			pf_warn(c, "ROAR_W_TARGET_LIBC",
				"%s uses its own glibc loader %s; the library was proven against %s",
				ci->final_elf, theirs, ours);
		else
			pf_pass(c, "glibc (%s)", ci->loader);
	}
	pf_end(c);
}

static void check_target(struct pf_report *r, char **argv, const struct elf_facts *lf)
{
	const struct cmd_info *ci = preflight_command(r, PRELOAD_TRACER, argv);
	if (!ci)
		return;
	if (!ci->final_elf[0]) {
		for (size_t i = 0; i < NTARGET; i++) {
			struct pf_check *c = pf_begin(r, TARGET_CHECKS[i], 1);
			pf_skip(c, "no program to examine (see preload.command)");
			pf_end(c);
		}
		return;
	}
	check_static(r, ci, argv);
	check_setuid(r, ci, argv);
	check_file_caps(r, ci, argv);
	check_go(r, ci, argv);
	check_arch(r, ci, lf, argv);
	check_libc(r, ci, argv);
}

static void check_coverage(struct pf_report *r)
{
	struct pf_check *c = pf_begin(r, "preload.coverage", 0);
	pf_expected(c, "every file access of the workload");
	pf_observed(c, "calls through glibc's exported functions only");
	pf_warn(c, "ROAR_W_PRELOAD_PARTIAL",
		"LD_PRELOAD sees the calls a program makes through glibc's exported functions; "
		"opens inside glibc (glob, scandir, nftw, fts, __open_nocancel), libraries loaded by "
		"ld.so or dlopen, and raw system calls are not seen");
	pf_fix(c, "For complete capture use the ebpf or ptrace tracer",
	       "roar tracer check ebpf");
	pf_end(c);
}

static void fingerprint(struct pf_report *r, const char *lib, int lib_found)
{
	struct stat st;
	host_fingerprint(r);
#ifdef __GLIBC__
	pf_fingerprint(r, "glibc", "%s", gnu_get_libc_version());
#endif
	pf_fingerprint(r, "preload_lib", "%s", lib);
	/* a rebuilt library must invalidate a cached answer */
	if (lib_found && stat(lib, &st) == 0)
		pf_fingerprint(r, "preload_lib_stat", "%llu:%llu:%lld.%09ld",
			       (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int preflight_main(const struct tracer_args *a)
{
	struct pf_report r;
	struct elf_facts lf;
	char lib[PATH_MAX];

	pf_init(&r, PRELOAD_TRACER);
	int platform_ok = check_platform(&r);
	int lib_ok = check_library(&r, lib, sizeof(lib), &lf);
	if (a->command)
		check_target(&r, a->command, lib_ok ? &lf : NULL);
	check_coverage(&r);
	if (platform_ok && lib_ok) {
		oracle_check(&r, "preload.oracle", ORACLE_TIMEOUT_MS);
	} else {
		struct pf_check *c = pf_begin(&r, "preload.oracle", 1);
		pf_skip(c, "needs a loadable preload library on a supported platform "
			   "(see preload.platform, preload.library)");
		pf_end(c);
	}
	fingerprint(&r, lib, lib_ok);

	return pf_finish(&r, a->json);
}
