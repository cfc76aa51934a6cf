/* SPDX-License-Identifier: MIT */
/* 100,000 open+close calls over 1,000 small files; prints its own loop time. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "openbench-tree";
	long n = argc > 2 ? atol(argv[2]) : 100000;
	char p[4096];
	struct timespec a, b;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "openbench: mkdir %s: %s\n", dir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(p, sizeof(p), "%s/f%d", dir, i);
		int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "openbench: create %s: %s\n", p, strerror(errno));
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/f%ld", dir, i % 1000);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "openbench: open %s: %s\n", p, strerror(errno));
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.3f\n", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	return 0;
}
