/* SPDX-License-Identifier: MIT */
#include "reaper.h"

#include <errno.h>
#include <sys/prctl.h>

int reaper_become_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		return -errno;
	return 0;
}
