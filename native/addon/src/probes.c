/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "probes.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "host_facts.h"

#ifndef BPF_MAP_TYPE_RINGBUF_NUM
#define BPF_MAP_TYPE_RINGBUF_NUM 27 /* BPF_MAP_TYPE_RINGBUF, Linux 5.8 */
#endif

/* ---- names ---- */

static const char *const cap_names[] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner",
	"cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid",
	"cap_setpcap", "cap_linux_immutable", "cap_net_bind_service", "cap_net_broadcast",
	"cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace",
	"cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
	"cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod",
	"cap_lease", "cap_audit_write", "cap_audit_control", "cap_setfcap",
	"cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
	"cap_checkpoint_restore",
};

const char *probe_cap_name(int cap)
{
	if (cap < 0 || cap >= (int)(sizeof(cap_names) / sizeof(cap_names[0])))
		return NULL;
	return cap_names[cap];
}

const char *probe_errno_name(int err)
{
	switch (err) {
#define E(x) \
	case x: \
		return #x;
		E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC)
		E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY)
		E(EEXIST) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE)
		E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(EROFS) E(EMLINK) E(ERANGE)
		E(ENAMETOOLONG) E(ENOSYS) E(ELOOP) E(ENODATA) E(EOVERFLOW)
		E(EOPNOTSUPP) E(ELIBBAD) E(ECANCELED)
#undef E
	default:
		return NULL;
	}
}

const char *probe_elf_type_name(int type)
{
	switch (type) {
	case ET_REL:
		return "REL";
	case ET_EXEC:
		return "EXEC";
	case ET_DYN:
		return "DYN";
	case ET_CORE:
		return "CORE";
	default:
		return "OTHER";
	}
}

/* ---- capabilities ---- */

int probe_capabilities(struct probe_caps *c)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	long last = -1;

	memset(c, 0, sizeof(*c));
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0) {
		c->err = errno;
	} else {
		c->effective = data[0].effective | (uint64_t)data[1].effective << 32;
		c->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
		c->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	}
	if (read_long_file("/proc/sys/kernel/cap_last_cap", &last) != 0 || last < 0 || last > 63) {
		/* no /proc: ask the kernel bit by bit until it says EINVAL */
		for (last = 0; last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0; last++)
			;
	}
	c->last_cap = (int)last;
	for (int cap = 0; cap <= c->last_cap; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			c->bounding |= 1ULL << cap;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			c->ambient |= 1ULL << cap;
	}
	return c->err ? -c->err : 0;
}

/* ---- process ---- */

/* The integer after "Key:" in /proc/self/status, or -1. */
static int status_int(const char *status, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = status; line && *line;) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			return atoi(line + klen + 1);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

void probe_process_info(struct probe_process *p)
{
	char status[8192];

	p->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	p->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	p->seccomp_mode = -1;
	p->seccomp_filters = -1;
	if (read_small_file("/proc/self/status", status, sizeof(status)) == 0) {
		p->seccomp_mode = status_int(status, "Seccomp");
		p->seccomp_filters = status_int(status, "Seccomp_filters");
	}
	if (p->seccomp_mode < 0) {
		/* In filter mode this returns 2; strict mode would kill us,
		 * but a process in strict mode cannot be running Node. */
		p->seccomp_mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	}
	int tp = self_tracer_pid();
	p->tracer_pid = tp < 0 ? -1 : tp;
}

/* ---- bpf ---- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
#ifdef __NR_bpf
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
#else
	(void)cmd;
	(void)attr;
	errno = ENOSYS;
	return -1;
#endif
}

static void bpf_try(struct probe_result *r, int cmd, union bpf_attr *attr)
{
	int fd = sys_bpf(cmd, attr);
	r->tried = 1;
	r->ok = fd >= 0;
	r->err = fd >= 0 ? 0 : errno;
	if (fd >= 0)
		close(fd);
}

void probe_run_bpf(struct probe_bpf *b)
{
	union bpf_attr attr;
	long page = sysconf(_SC_PAGESIZE);

	memset(b, 0, sizeof(*b));

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	bpf_try(&b->array_map, BPF_MAP_CREATE, &attr);

	/* a ring buffer's size is a power-of-two multiple of the page size */
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_RINGBUF_NUM;
	attr.max_entries = (unsigned)(page > 0 ? page : 4096);
	bpf_try(&b->ringbuf_map, BPF_MAP_CREATE, &attr);

	/* r0 = 0; exit. A tracing program needs CAP_BPF + CAP_PERFMON (or
	 * CAP_SYS_ADMIN), the privilege the eBPF tracer's own load needs. */
	struct bpf_insn prog[2];
	memset(prog, 0, sizeof(prog));
	prog[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	prog[0].dst_reg = BPF_REG_0;
	prog[1].code = BPF_JMP | BPF_EXIT;
	static const char license[] = "GPL";
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insn_cnt = 2;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.license = (uint64_t)(uintptr_t)license;
	bpf_try(&b->tracing_prog, BPF_PROG_LOAD, &attr);

	b->btf_vmlinux = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	if (read_long_file("/proc/sys/kernel/unprivileged_bpf_disabled",
			   &b->unprivileged_bpf_disabled) != 0)
		b->unprivileged_bpf_disabled = -1;
}

/* ---- ptrace and seccomp, in a child ---- */

struct ptrace_child_report {
	int traceme_err;
	int seccomp_plain_err;
	int seccomp_nnp_err; /* -1: not tried */
};

static int install_allow_all(void)
{
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &insn };
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0 ? 0 : errno;
}

/* Runs in the forked child of a (possibly multithreaded) process: only
 * async-signal-safe calls, and never returns. */
static void __attribute__((noreturn)) ptrace_child(int wfd)
{
	struct ptrace_child_report rep = { 0, 0, -1 };

	rep.traceme_err = ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : errno;
	rep.seccomp_plain_err = install_allow_all();
	if (rep.seccomp_plain_err == EACCES) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
			rep.seccomp_nnp_err = install_allow_all();
		else
			rep.seccomp_nnp_err = errno;
	}
	if (write(wfd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(2);
	close(wfd);
	/* a traced child's stop is reported to us, its tracer */
	if (rep.traceme_err == 0)
		kill(getpid(), SIGSTOP);
	_exit(0);
}

static int wait_child(pid_t pid, int *status)
{
	for (;;) {
		if (waitpid(pid, status, __WALL) == pid)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int probe_run_ptrace(struct probe_ptrace *p)
{
	struct ptrace_child_report rep;
	int fds[2], status = 0;

	memset(p, 0, sizeof(*p));
	if (read_long_file("/proc/sys/kernel/yama/ptrace_scope", &p->yama_ptrace_scope) != 0)
		p->yama_ptrace_scope = -1;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = errno;
		close(fds[0]);
		close(fds[1]);
		return -err;
	}
	if (pid == 0) {
		close(fds[0]);
		ptrace_child(fds[1]);
	}
	close(fds[1]);
	ssize_t got;
	do
		got = read(fds[0], &rep, sizeof(rep));
	while (got < 0 && errno == EINTR);
	close(fds[0]);
	if (got != (ssize_t)sizeof(rep)) {
		/* the child died before it could report: no verdict */
		kill(pid, SIGKILL);
		wait_child(pid, &status);
		return -ECHILD;
	}

	p->traceme.tried = 1;
	p->traceme.err = rep.traceme_err;
	if (wait_child(pid, &status) == 0 && rep.traceme_err == 0) {
		p->traceme.ok = WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP;
		if (!p->traceme.ok)
			p->traceme.err = ECHILD;
		/* a stopped tracee dies on SIGKILL; reap it */
		kill(pid, SIGKILL);
		wait_child(pid, &status);
	}

	p->seccomp_filter.tried = 1;
	if (rep.seccomp_plain_err == 0) {
		p->seccomp_filter.ok = 1;
		/* An inherited no_new_privs lets the plain attempt through; the
		 * rule is NNP or CAP_SYS_ADMIN, so answer from the capability. */
		unsigned long long eff = 0;
		p->seccomp_needs_nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 &&
				       self_cap_eff(&eff) == 0 && !cap_has(eff, CAP_SYS_ADMIN);
	} else if (rep.seccomp_plain_err == EACCES) {
		p->seccomp_needs_nnp = 1;
		p->seccomp_filter.ok = rep.seccomp_nnp_err == 0;
		p->seccomp_filter.err = rep.seccomp_nnp_err;
	} else {
		p->seccomp_filter.err = rep.seccomp_plain_err;
	}
	return 0;
}

/* ---- ELF ---- */


/* Reads at most max bytes of a section into a fresh buffer. */
static unsigned char *section_bytes(int fd, const struct elf_facts *f, const char *name,
				    size_t max, size_t *len)
{
	const char *const want[] = { name, NULL };
	uint64_t off, size;
	if (elf_find_section(fd, f, want, NULL, &off, &size) != 0 || size == 0)
		return NULL;
	*len = size < max ? (size_t)size : max;
	unsigned char *buf = malloc(*len);
	if (buf && elf_pread_all(fd, buf, *len, off) != 0) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

static int uvarint(const unsigned char *p, size_t n, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; *pos < n && shift < 64; shift += 7) {
		unsigned char b = p[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static void copy_printable(char *dst, size_t n, const unsigned char *src, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < n; i++)
		if (src[i] >= 0x20 && src[i] < 0x7f)
			dst[k++] = (char)src[i];
	dst[k] = '\0';
}

/*
 * .go.buildinfo (Go >= 1.18): a 32-byte header "\xff Go buildinf:", pointer
 * size, flags (bit 1: strings inline), padding; then two varint-prefixed
 * strings, the runtime version and the module info, whose "path\t" line
 * names the main package. Older layouts hold pointers; only "go" is known.
 */
static void go_buildinfo(int fd, const struct elf_facts *f, struct probe_elf *e)
{
	static const char magic[] = "\xff Go buildinf:";
	size_t len = 0, pos = 32;
	uint64_t vlen, mlen;
	unsigned char *b = section_bytes(fd, f, ".go.buildinfo", 1 << 16, &len);

	if (!b)
		return;
	if (len > 32 && memcmp(b, magic, 14) == 0 && (b[15] & 2) &&
	    uvarint(b, len, &pos, &vlen) == 0 && vlen <= len - pos) {
		copy_printable(e->go_version, sizeof(e->go_version), b + pos, (size_t)vlen);
		pos += (size_t)vlen;
		/* module info sits between two 16-byte sentinels, the text
		 * ending in a newline just before the second one */
		if (uvarint(b, len, &pos, &mlen) == 0 && mlen <= len - pos && mlen >= 33 &&
		    b[pos + mlen - 17] == '\n') {
			const unsigned char *m = b + pos + 16, *end = b + pos + mlen - 16;
			for (const unsigned char *l = m; l < end;) {
				const unsigned char *nl = memchr(l, '\n', (size_t)(end - l));
				const unsigned char *le = nl ? nl : end;
				if (le - l > 5 && memcmp(l, "path\t", 5) == 0) {
					copy_printable(e->go_path, sizeof(e->go_path), l + 5,
						       (size_t)(le - l - 5));
					break;
				}
				l = le + 1;
			}
		}
	}
	free(b);
}

/* .note.go.buildid: one ELF note, name "Go", type 4, the build id as desc. */
static void go_build_id(int fd, const struct elf_facts *f, struct probe_elf *e)
{
	size_t len = 0;
	unsigned char *b = section_bytes(fd, f, ".note.go.buildid", 4096, &len);
	int be = f->big_endian;

	if (!b)
		return;
	if (len >= 12) {
		uint32_t namesz = (uint32_t)elf_field(b, 4, be), descsz = (uint32_t)elf_field(b + 4, 4, be);
		uint32_t type = (uint32_t)elf_field(b + 8, 4, be);
		size_t desc = 12 + (((size_t)namesz + 3) & ~(size_t)3);
		if (type == 4 && namesz >= 2 && namesz <= 4 && 12 + (size_t)namesz <= len &&
		    memcmp(b + 12, "Go", 2) == 0 && desc <= len && descsz <= len - desc)
			copy_printable(e->go_build_id, sizeof(e->go_build_id), b + desc, descsz);
	}
	free(b);
}

int probe_read_file_caps(const char *path, struct probe_file_caps *fc)
{
	unsigned char x[24];

	memset(fc, 0, sizeof(*fc));
	fc->rootid = -1;
	ssize_t n = getxattr(path, "security.capability", x, sizeof(x));
	if (n < 0)
		return errno == ENODATA || errno == ENOTSUP ? -ENODATA : -errno;
	if (n < 4)
		return -EINVAL;
	uint32_t magic = (uint32_t)elf_field(x, 4, 0);
	uint32_t rev = magic & VFS_CAP_REVISION_MASK;
	size_t words;
	if (rev == VFS_CAP_REVISION_1 && n >= (ssize_t)XATTR_CAPS_SZ_1) {
		fc->version = 1;
		words = 1;
	} else if (rev == VFS_CAP_REVISION_2 && n >= (ssize_t)XATTR_CAPS_SZ_2) {
		fc->version = 2;
		words = 2;
	} else if (rev == VFS_CAP_REVISION_3 && n >= (ssize_t)XATTR_CAPS_SZ_3) {
		fc->version = 3;
		words = 2;
		fc->rootid = (long long)elf_field(x + 20, 4, 0);
	} else {
		return -EINVAL;
	}
	for (size_t i = 0; i < words; i++) {
		fc->permitted |= elf_field(x + 4 + 8 * i, 4, 0) << (32 * i);
		fc->inheritable |= elf_field(x + 8 + 8 * i, 4, 0) << (32 * i);
	}
	fc->effective = !!(magic & VFS_CAP_FLAGS_EFFECTIVE);
	fc->present = 1;
	return 0;
}

int probe_elf_info(const char *path, struct probe_elf *e)
{
	char as_path[PATH_MAX];

	memset(e, 0, sizeof(*e));
	int rc = elf_read_facts(path, &e->facts);
	if (rc != 0) {
		e->err = -rc;
		return rc;
	}
	/* cmd_resolve derives static/libc/setuid/... for an ELF; a name
	 * without a slash must not be looked up on PATH */
	snprintf(as_path, sizeof(as_path), "%s%s", strchr(path, '/') ? "" : "./", path);
	cmd_resolve(as_path, &e->derived);
	e->executable = access(path, X_OK) == 0;
	e->native_machine = e->facts.machine == elf_native_machine();
	probe_read_file_caps(path, &e->file_caps);

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (e->facts.go) {
			go_buildinfo(fd, &e->facts, e);
			go_build_id(fd, &e->facts, e);
		}
		close(fd);
	}
	return 0;
}
