/* SPDX-License-Identifier: MIT */
/*
 * The in-process probes of the roar addon, in plain C: no N-API here, so
 * they build and run without Node (binding.cc only converts). Each probe
 * fills a struct and never changes the calling process: anything that
 * would (a ptrace stop, a seccomp filter) happens in a short-lived child.
 */
#ifndef ROAR_PROBES_H
#define ROAR_PROBES_H

#include <limits.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "command_info.h"

/* Bumped whenever a struct or a field's meaning changes; the engine
 * refuses an addon built for another version (a stale build). */
#define PROBE_ABI 1

/* One attempted operation: tried and ok, or tried and failed with err. */
struct probe_result {
	int tried;
	int ok;
	int err;
};

struct probe_caps {
	uint64_t effective, permitted, inheritable, bounding, ambient;
	int last_cap; /* highest capability number the kernel knows */
	int err;      /* capget's errno; 0 on success */
};

struct probe_process {
	int no_new_privs;    /* -1: unknown */
	int seccomp_mode;    /* 0 disabled, 1 strict, 2 filter; -1 unknown */
	int seccomp_filters; /* filters attached; -1 unknown (kernel < 5.9) */
	int tracer_pid;      /* -1: unknown */
	int dumpable;        /* -1: unknown */
};

struct probe_bpf {
	struct probe_result array_map;   /* BPF_MAP_TYPE_ARRAY create */
	struct probe_result ringbuf_map; /* BPF_MAP_TYPE_RINGBUF create */
	struct probe_result tracing_prog;/* trivial BPF_PROG_TYPE_TRACEPOINT load */
	int btf_vmlinux;                 /* /sys/kernel/btf/vmlinux readable */
	long unprivileged_bpf_disabled;  /* the sysctl; -1 when absent */
};

struct probe_ptrace {
	/* fork a child that calls PTRACE_TRACEME and stops itself */
	struct probe_result traceme;
	/* in that child: install an allow-all seccomp filter, with
	 * no_new_privs set first only if the plain attempt was refused */
	struct probe_result seccomp_filter;
	int seccomp_needs_nnp;
	long yama_ptrace_scope; /* -1 when Yama is absent */
};

/* Decoded security.capability xattr (VFS_CAP_REVISION_2 or _3). */
struct probe_file_caps {
	int present;
	int version; /* 2 or 3 */
	int effective;
	uint64_t permitted, inheritable;
	long long rootid; /* v3 only; -1 otherwise */
};

struct probe_elf {
	int err; /* 0, or errno (ENOEXEC: not an ELF file) */
	struct elf_facts facts;
	/* the facts cmd_resolve derives (static, libc, setuid, ...) */
	struct cmd_info derived;
	int executable;
	int native_machine; /* e_machine is this process's architecture */
	struct probe_file_caps file_caps;
	char go_version[64];  /* from .go.buildinfo (Go >= 1.18 layout) */
	char go_path[256];    /* main package path from the same section */
	char go_build_id[256];/* from .note.go.buildid */
};

int probe_capabilities(struct probe_caps *c);
void probe_process_info(struct probe_process *p);
void probe_run_bpf(struct probe_bpf *b);
/* 0, or -errno when the probe child could not be started. */
int probe_run_ptrace(struct probe_ptrace *p);
/* 0 when path is an ELF file, else -errno (also in e->err). */
int probe_elf_info(const char *path, struct probe_elf *e);
/* 0 when the xattr is present and parsed, -ENODATA when absent, -errno. */
int probe_read_file_caps(const char *path, struct probe_file_caps *fc);

/* "cap_sys_admin"; NULL for numbers this build does not name. */
const char *probe_cap_name(int cap);
/* "EPERM"; NULL for numbers this build does not name. */
const char *probe_errno_name(int err);
/* "EXEC", "DYN", ... for e_type. */
const char *probe_elf_type_name(int type);

#ifdef __cplusplus
}
#endif

#endif
