/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "tracee.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "path_norm.h"

#define PAGE 4096UL

int tracee_read_mem(pid_t tid, unsigned long addr, void *buf, size_t n)
{
	struct iovec local = { buf, n }, remote = { (void *)addr, n };
	ssize_t got = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (got < 0)
		return -errno;
	return (size_t)got == n ? 0 : -EFAULT;
}

long tracee_read_str(pid_t tid, unsigned long addr, char *buf, size_t n, int *truncated)
{
	size_t len = 0;
	*truncated = 0;
	if (!addr)
		return -EFAULT;
	while (len < n - 1) {
		/* never cross a page in one read: the next page may be unmapped */
		size_t chunk = PAGE - ((addr + len) % PAGE);
		if (chunk > n - 1 - len)
			chunk = n - 1 - len;
		struct iovec local = { buf + len, chunk }, remote = { (void *)(addr + len), chunk };
		ssize_t got = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (got <= 0)
			return got < 0 ? -errno : -EFAULT;
		char *nul = memchr(buf + len, '\0', (size_t)got);
		if (nul)
			return (long)(nul - buf);
		len += (size_t)got;
	}
	buf[n - 1] = '\0';
	*truncated = 1;
	return (long)(n - 1);
}

int tracee_fd_path(pid_t tid, int fd, char *out, size_t n)
{
	char link[64];
	if (fd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", tid, fd);
	ssize_t len = readlink(link, out, n - 1);
	if (len < 0)
		return -errno;
	out[len] = '\0';
	return 0;
}

int tracee_path_at(pid_t tid, int dirfd, unsigned long addr, char *out, size_t n,
		   int *truncated)
{
	char raw[PATH_MAX], base[PATH_MAX];
	long len = tracee_read_str(tid, addr, raw, sizeof(raw), truncated);
	if (len < 0)
		return (int)len;
	if (raw[0] != '/') {
		/* an unreadable base leaves the path relative: better than a guess */
		if (tracee_fd_path(tid, dirfd, base, sizeof(base)) < 0 || base[0] != '/') {
			snprintf(out, n, "%s", raw);
			return 0;
		}
		if (path_join_normalize(base, raw, out, n) < 0)
			*truncated = 1;
		return 0;
	}
	if (path_join_normalize(NULL, raw, out, n) < 0)
		*truncated = 1;
	return 0;
}
