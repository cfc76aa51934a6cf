/* SPDX-License-Identifier: MIT */
/*
 * What exec(2) will really run for a command: PATH search as execvp does,
 * symlinks resolved, "#!" chains followed (including /usr/bin/env NAME) to
 * the final ELF, and the facts about that ELF that decide whether a tracer
 * can see it: machine, static or dynamic, loader, Go, setuid/setgid, file
 * capabilities.
 */
#ifndef ROAR_COMMAND_INFO_H
#define ROAR_COMMAND_INFO_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define CMD_MAX_CHAIN 5 /* the kernel follows at most 4 interpreters */

enum cmd_kind { CMD_MISSING, CMD_ELF, CMD_SCRIPT, CMD_OTHER };

struct elf_facts {
	int valid;
	int elf_class;     /* 32 or 64 */
	int big_endian;
	int machine;       /* e_machine */
	int type;          /* e_type */
	int has_interp;    /* PT_INTERP present: dynamically linked */
	int has_dynamic;   /* PT_DYNAMIC present */
	int go;            /* Go build id / build info sections */
	char interp[PATH_MAX];
};

struct cmd_info {
	char argv0[PATH_MAX];
	char resolved[PATH_MAX];   /* realpath of what exec runs first */
	enum cmd_kind kind;        /* of resolved */
	int err;                   /* errno when missing or not executable */
	int executable;            /* regular file with execute permission */
	char chain[CMD_MAX_CHAIN][PATH_MAX]; /* resolved, then each interpreter */
	int chain_len;
	char final_elf[PATH_MAX];  /* last element of the chain if it is an ELF */
	char interpreter[PATH_MAX];/* scripts: final ELF; ELFs: their loader */
	char loader[PATH_MAX];     /* PT_INTERP of the final ELF */
	char machine[16];          /* x86_64, aarch64, i386, ... */
	int elf_class;             /* 32 or 64, of the final ELF; 0 if none */
	const char *libc;          /* glibc, musl, none, unknown */
	int is_static;
	int static_pie;
	int go;
	int setuid, setgid;        /* on the final ELF */
	int file_caps;             /* security.capability on the final ELF */
};

/* Resolves argv0 as execvp would. Always fills info; returns 0 when the
 * target exists and is executable, else -errno (also in info->err). */
int cmd_resolve(const char *argv0, struct cmd_info *info);

/* An integer field of `size` bytes at p, in the file's byte order. */
uint64_t elf_field(const unsigned char *p, int size, int big_endian);
/* pread of exactly n bytes. 0, -errno, or -ENOEXEC when the file is short. */
int elf_pread_all(int fd, void *buf, size_t n, uint64_t off);
/* The first section (not SHT_NOBITS) whose name is in the NULL-terminated
 * list `names`: its file offset and size, and *which (its index in names,
 * if which is not NULL). 0, -ENOENT, -ENOEXEC or -ENOMEM. */
int elf_find_section(int fd, const struct elf_facts *f, const char *const *names, int *which,
		     uint64_t *off, uint64_t *size);

/* Parses ELF facts from path. 0, or -errno (-ENOEXEC: not ELF). */
int elf_read_facts(const char *path, struct elf_facts *f);

const char *elf_machine_name(int machine);
const char *cmd_kind_name(enum cmd_kind k);
/* e_machine of the running build (EM_X86_64, EM_AARCH64, ...). */
int elf_native_machine(void);

#endif
