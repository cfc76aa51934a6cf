/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "host_facts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

double mono_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int read_small_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t got = read(fd, buf, n - 1);
	int saved = errno;
	close(fd);
	if (got < 0)
		return -saved;
	buf[got] = '\0';
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = '\0';
	return 0;
}

int read_long_file(const char *path, long *out)
{
	char buf[64], *end;
	int rc = read_small_file(path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Finds "Key:\t<value>" in /proc/self/status. */
static int status_field(const char *key, char *val, size_t n)
{
	char buf[8192];
	int rc = read_small_file("/proc/self/status", buf, sizeof(buf));
	if (rc < 0)
		return rc;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(val, n, "%s", v);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int self_tracer_pid(void)
{
	char v[32];
	int rc = status_field("TracerPid", v, sizeof(v));
	if (rc < 0)
		return rc;
	return atoi(v);
}

int self_cap_eff(unsigned long long *out)
{
	char v[32];
	int rc = status_field("CapEff", v, sizeof(v));
	if (rc < 0)
		return rc;
	*out = strtoull(v, NULL, 16);
	return 0;
}

int cap_has(unsigned long long set, int cap)
{
	return (set >> cap) & 1ULL;
}

int self_exe(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	if (len < 0)
		return -errno;
	if ((size_t)len >= n - 1)
		return -ENAMETOOLONG;
	buf[len] = '\0';
	return 0;
}

void host_fingerprint(struct pf_report *r)
{
	struct utsname u;
	char boot[64];
	unsigned long long caps = 0;

	if (uname(&u) == 0) {
		pf_fingerprint(r, "kernel", "%s", u.release);
		pf_fingerprint(r, "arch", "%s", u.machine);
	}
	if (read_small_file("/proc/sys/kernel/random/boot_id", boot, sizeof(boot)) == 0)
		pf_fingerprint(r, "boot_id", "%s", boot);
	pf_fingerprint(r, "euid", "%u", (unsigned)geteuid());
	if (self_cap_eff(&caps) == 0)
		pf_fingerprint(r, "cap_eff", "%016llx", caps);
}
