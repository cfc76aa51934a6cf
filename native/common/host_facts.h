/* SPDX-License-Identifier: MIT */
/* Facts about this host and process that every preflight reads. */
#ifndef ROAR_HOST_FACTS_H
#define ROAR_HOST_FACTS_H

#include <stddef.h>

struct pf_report;

/* CLOCK_MONOTONIC in milliseconds. */
double mono_ms(void);

/* Reads a small file, strips the trailing newline. 0, or -errno. */
int read_small_file(const char *path, char *buf, size_t n);
/* Reads an integer sysctl-style file. 0, or -errno (-EINVAL if not a number). */
int read_long_file(const char *path, long *out);

/* TracerPid of this process from /proc/self/status; -errno on error. */
int self_tracer_pid(void);
/* CapEff of this process. 0 on success, -errno. */
int self_cap_eff(unsigned long long *out);
int cap_has(unsigned long long set, int cap);

/* realpath of /proc/self/exe. 0, or -errno. */
int self_exe(char *buf, size_t n);

/* kernel, arch, boot_id, euid, cap_eff into the report's fingerprint. */
void host_fingerprint(struct pf_report *r);

#endif
