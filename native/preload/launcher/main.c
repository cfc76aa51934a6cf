/* SPDX-License-Identifier: MIT */
/*
 * roar-tracer-preload: runs a command with libroar_preload.so preloaded
 * and turns the library's log into the roar.events/1 stream, or proves
 * (--preflight) that this works on this host for this command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_facts.h"
#include "launcher.h"
#include "preload_env.h"

int library_locate(char *path, size_t n, int *from_env)
{
	const char *env = getenv(RP_ENV_LIB);
	struct stat st;

	*from_env = env && *env;
	if (*from_env) {
		/* LD_PRELOAD needs an absolute path: a relative one would be
		 * looked up on the library path, or against each workload's cwd */
		if (!realpath(env, path)) {
			int err = errno;
			snprintf(path, n, "%s", env);
			return -err;
		}
	} else {
		char self[PATH_MAX];
		int rc = self_exe(self, sizeof(self));
		if (rc < 0) {
			snprintf(path, n, "(next to the launcher) " RP_LIB_NAME);
			return rc;
		}
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		if ((size_t)snprintf(path, n, "%s/" RP_LIB_NAME, self) >= n)
			return -ENAMETOOLONG;
	}
	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EISDIR;
	return 0;
}

int main(int argc, char **argv)
{
	struct tracer_args a;
	int rc = tracer_cli_parse(argc, argv, PRELOAD_PROG, &a);
	if (rc != 0)
		return rc;

	if (tracer_common_mode(&a, PRELOAD_PROG, &rc))
		return rc;
	switch (a.mode) {
	case MODE_PREFLIGHT:
		return preflight_main(&a);
	case MODE_RUN:
		return run_main(&a);
	default:
		break;
	}
	tracer_cli_usage(stderr, PRELOAD_PROG);
	return 2;
}
