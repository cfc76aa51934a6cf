/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "command_info.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

const char *cmd_kind_name(enum cmd_kind k)
{
	switch (k) {
	case CMD_ELF:
		return "elf";
	case CMD_SCRIPT:
		return "script";
	case CMD_OTHER:
		return "other";
	default:
		return "missing";
	}
}

const char *elf_machine_name(int m)
{
	switch (m) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_RISCV:
		return "riscv";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	case EM_MIPS:
		return "mips";
	case EM_LOONGARCH:
		return "loongarch";
	default:
		return "unknown";
	}
}

int elf_native_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#elif defined(__i386__)
	return EM_386;
#elif defined(__riscv)
	return EM_RISCV;
#else
	return EM_NONE;
#endif
}

/* Field readers that honour the file's class and byte order. */
uint64_t elf_field(const unsigned char *p, int size, int be)
{
	uint64_t v = 0;
	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
	return v;
}

int elf_pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t got = pread(fd, buf, n, (off_t)off);
	if (got < 0)
		return -errno;
	return (size_t)got == n ? 0 : -ENOEXEC;
}

int elf_find_section(int fd, const struct elf_facts *f, const char *const *want, int *which,
		     uint64_t *off, uint64_t *size)
{
	unsigned char eh[64], sh[64];
	int be = f->big_endian, is64 = f->elf_class == 64;
	int rc = -ENOENT;

	if (elf_pread_all(fd, eh, is64 ? 64 : 52, 0) < 0)
		return -ENOEXEC;
	uint64_t shoff = is64 ? elf_field(eh + 0x28, 8, be) : elf_field(eh + 0x20, 4, be);
	unsigned shentsize = (unsigned)elf_field(eh + (is64 ? 0x3a : 0x2e), 2, be);
	unsigned shnum = (unsigned)elf_field(eh + (is64 ? 0x3c : 0x30), 2, be);
	unsigned shstrndx = (unsigned)elf_field(eh + (is64 ? 0x3e : 0x32), 2, be);
	if (!shoff || !shnum || shstrndx >= shnum || shentsize > sizeof(sh) ||
	    shentsize < (is64 ? 64u : 40u))
		return -ENOENT;
	/* the section-name string table */
	if (elf_pread_all(fd, sh, shentsize, shoff + (uint64_t)shstrndx * shentsize) < 0)
		return -ENOENT;
	uint64_t stroff = is64 ? elf_field(sh + 0x18, 8, be) : elf_field(sh + 0x10, 4, be);
	uint64_t strsize = is64 ? elf_field(sh + 0x20, 8, be) : elf_field(sh + 0x14, 4, be);
	if (strsize == 0 || strsize > (1u << 22))
		return -ENOENT;
	char *names = malloc(strsize + 1);
	if (!names)
		return -ENOMEM;
	if (elf_pread_all(fd, names, strsize, stroff) == 0) {
		names[strsize] = '\0';
		for (unsigned i = 0; i < shnum && rc != 0; i++) {
			if (elf_pread_all(fd, sh, shentsize, shoff + (uint64_t)i * shentsize) < 0)
				break;
			uint32_t name = (uint32_t)elf_field(sh, 4, be);
			uint32_t type = (uint32_t)elf_field(sh + 4, 4, be);
			if (name >= strsize || type == SHT_NOBITS)
				continue;
			for (int k = 0; want[k]; k++) {
				if (strcmp(names + name, want[k]) != 0)
					continue;
				*off = is64 ? elf_field(sh + 0x18, 8, be) : elf_field(sh + 0x10, 4, be);
				*size = is64 ? elf_field(sh + 0x20, 8, be) : elf_field(sh + 0x14, 4, be);
				if (which)
					*which = k;
				rc = 0;
				break;
			}
		}
	}
	free(names);
	return rc;
}

/* Go's linker writes one of these; stripped binaries keep .go.buildinfo. */
static int section_is_go(int fd, const struct elf_facts *f)
{
	static const char *const go[] = { ".note.go.buildid", ".go.buildinfo", ".gopclntab", NULL };
	uint64_t off, size;
	return elf_find_section(fd, f, go, NULL, &off, &size) == 0;
}

int elf_read_facts(const char *path, struct elf_facts *f)
{
	unsigned char eh[64];
	int rc;

	memset(f, 0, sizeof(*f));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t got = read(fd, eh, sizeof(eh));
	if (got < 0) {
		rc = -errno;
		goto out;
	}
	if (got < 52 || memcmp(eh, ELFMAG, SELFMAG) != 0) {
		rc = -ENOEXEC;
		goto out;
	}
	f->elf_class = eh[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	f->big_endian = eh[EI_DATA] == ELFDATA2MSB;
	int be = f->big_endian, is64 = f->elf_class == 64;
	if (is64 && got < 64) {
		rc = -ENOEXEC;
		goto out;
	}
	f->type = (int)elf_field(eh + 0x10, 2, be);
	f->machine = (int)elf_field(eh + 0x12, 2, be);
	uint64_t phoff = is64 ? elf_field(eh + 0x20, 8, be) : elf_field(eh + 0x1c, 4, be);
	unsigned phentsize = (unsigned)elf_field(eh + (is64 ? 0x36 : 0x2a), 2, be);
	unsigned phnum = (unsigned)elf_field(eh + (is64 ? 0x38 : 0x2c), 2, be);
	f->valid = 1;

	unsigned char ph[64];
	if (phentsize > sizeof(ph) || phnum > 1024)
		phnum = 0;
	for (unsigned i = 0; i < phnum; i++) {
		if (elf_pread_all(fd, ph, phentsize, phoff + (uint64_t)i * phentsize) < 0)
			break;
		uint32_t type = (uint32_t)elf_field(ph, 4, be);
		if (type == PT_DYNAMIC)
			f->has_dynamic = 1;
		if (type == PT_INTERP) {
			uint64_t off = is64 ? elf_field(ph + 0x08, 8, be) : elf_field(ph + 0x04, 4, be);
			uint64_t sz = is64 ? elf_field(ph + 0x20, 8, be) : elf_field(ph + 0x10, 4, be);
			if (sz > 0 && sz < sizeof(f->interp) &&
			    elf_pread_all(fd, f->interp, sz, off) == 0) {
				f->interp[sz] = '\0';
				f->has_interp = 1;
			}
		}
	}
	f->go = section_is_go(fd, f);
	rc = 0;
out:
	close(fd);
	return rc;
}

/* execvp's search: the first PATH entry holding an executable regular file;
 * an entry that exists but is not executable is remembered as EACCES. */
static int path_search(const char *name, char *out, size_t n)
{
	const char *path = getenv("PATH");
	int saw_eacces = 0;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		char cand[PATH_MAX];
		struct stat st;
		if (len == 0)
			snprintf(cand, sizeof(cand), "%s", name); /* empty entry = cwd */
		else
			snprintf(cand, sizeof(cand), "%.*s/%s", (int)len, p, name);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				snprintf(out, n, "%s", cand);
				return 0;
			}
			saw_eacces = 1;
			if (!out[0])
				snprintf(out, n, "%s", cand);
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	return saw_eacces ? -EACCES : -ENOENT;
}

/* Parses "#!interp [arg]" from the first line of path. */
static int read_shebang(const char *path, char *interp, size_t ni, char *arg, size_t na)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t got = read(fd, buf, sizeof(buf) - 1);
	int saved = errno;
	close(fd);
	if (got < 0)
		return -saved;
	buf[got] = '\0';
	if (got < 2 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	char *line = buf + 2, *nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	char *end = line;
	while (*end && *end != ' ' && *end != '\t')
		end++;
	snprintf(interp, ni, "%.*s", (int)(end - line), line);
	while (*end == ' ' || *end == '\t')
		end++;
	/* the kernel passes the rest of the line as one argument */
	size_t alen = strlen(end);
	while (alen && (end[alen - 1] == ' ' || end[alen - 1] == '\t' || end[alen - 1] == '\r'))
		alen--;
	snprintf(arg, na, "%.*s", (int)alen, end);
	return interp[0] ? 0 : -ENOEXEC;
}

/* For "#!/usr/bin/env [-S] [-opts] [VAR=x] NAME ...": the NAME. */
static int env_target(const char *arg, char *name, size_t n)
{
	const char *p = arg;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t len = (size_t)(p - w);
		if (len == 0)
			break;
		if (w[0] == '-' || memchr(w, '=', len))
			continue;
		snprintf(name, n, "%.*s", (int)len, w);
		return 0;
	}
	return -ENOENT;
}

static const char *libc_of(const struct elf_facts *f)
{
	if (!f->has_interp)
		return "none";
	if (strstr(f->interp, "musl"))
		return "musl";
	if (strstr(f->interp, "ld-linux") || strstr(f->interp, "ld64.so"))
		return "glibc";
	return "unknown";
}

static void elf_into(struct cmd_info *info, const char *path, const struct elf_facts *f)
{
	struct stat st;
	snprintf(info->final_elf, sizeof(info->final_elf), "%s", path);
	snprintf(info->machine, sizeof(info->machine), "%s", elf_machine_name(f->machine));
	info->elf_class = f->elf_class;
	snprintf(info->loader, sizeof(info->loader), "%s", f->has_interp ? f->interp : "");
	info->is_static = !f->has_interp;
	info->static_pie = !f->has_interp && f->type == ET_DYN && f->has_dynamic;
	info->go = f->go;
	info->libc = libc_of(f);
	if (stat(path, &st) == 0) {
		info->setuid = !!(st.st_mode & S_ISUID);
		info->setgid = (st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP);
	}
	info->file_caps = getxattr(path, "security.capability", NULL, 0) > 0;
}

int cmd_resolve(const char *argv0, struct cmd_info *info)
{
	char found[PATH_MAX] = "";
	struct stat st;
	int rc;

	memset(info, 0, sizeof(*info));
	info->libc = "unknown";
	snprintf(info->argv0, sizeof(info->argv0), "%s", argv0);

	if (!argv0[0]) {
		info->err = ENOENT;
		return -ENOENT;
	}
	if (strchr(argv0, '/')) {
		snprintf(found, sizeof(found), "%s", argv0);
		if (stat(found, &st) != 0) {
			info->err = errno;
			return -info->err;
		}
		if (!S_ISREG(st.st_mode) || access(found, X_OK) != 0)
			info->err = EACCES;
	} else {
		rc = path_search(argv0, found, sizeof(found));
		if (rc == -ENOENT) {
			info->err = ENOENT;
			return rc;
		}
		if (rc == -EACCES)
			info->err = EACCES;
	}
	if (!realpath(found, info->resolved))
		snprintf(info->resolved, sizeof(info->resolved), "%s", found);
	info->executable = info->err == 0;

	/* follow the interpreter chain as the kernel's binfmt handlers do */
	char cur[PATH_MAX];
	snprintf(cur, sizeof(cur), "%s", info->resolved);
	for (int depth = 0; depth < CMD_MAX_CHAIN; depth++) {
		struct elf_facts f;
		snprintf(info->chain[info->chain_len++], PATH_MAX, "%s", cur);
		rc = elf_read_facts(cur, &f);
		if (rc == 0) {
			if (depth == 0)
				info->kind = CMD_ELF;
			elf_into(info, cur, &f);
			if (depth == 0)
				snprintf(info->interpreter, sizeof(info->interpreter), "%s", info->loader);
			else
				snprintf(info->interpreter, sizeof(info->interpreter), "%s", cur);
			break;
		}
		char interp[PATH_MAX], arg[PATH_MAX], next[PATH_MAX];
		if (read_shebang(cur, interp, sizeof(interp), arg, sizeof(arg)) != 0) {
			if (depth == 0)
				info->kind = rc == -ENOEXEC ? CMD_OTHER : CMD_MISSING;
			break;
		}
		if (depth == 0)
			info->kind = CMD_SCRIPT;
		const char *base = strrchr(interp, '/');
		base = base ? base + 1 : interp;
		if (!strcmp(base, "env")) {
			/* env itself is an ELF, but what matters is what it execs */
			char name[PATH_MAX] = "", where[PATH_MAX] = "";
			if (env_target(arg, name, sizeof(name)) == 0) {
				if (strchr(name, '/'))
					snprintf(where, sizeof(where), "%s", name);
				else if (path_search(name, where, sizeof(where)) != 0)
					where[0] = '\0';
			}
			if (!where[0]) {
				snprintf(next, sizeof(next), "%s", interp);
			} else {
				if (info->chain_len < CMD_MAX_CHAIN)
					snprintf(info->chain[info->chain_len++], PATH_MAX, "%s", interp);
				snprintf(next, sizeof(next), "%s", where);
			}
		} else {
			snprintf(next, sizeof(next), "%s", interp);
		}
		if (!realpath(next, cur)) {
			/* a broken interpreter: exec fails with ENOENT */
			if (info->chain_len < CMD_MAX_CHAIN)
				snprintf(info->chain[info->chain_len++], PATH_MAX, "%s", next);
			info->err = ENOENT;
			info->executable = 0;
			break;
		}
		if (info->chain_len >= CMD_MAX_CHAIN)
			break;
	}
	return info->err ? -info->err : 0;
}
