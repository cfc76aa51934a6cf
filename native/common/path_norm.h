/* SPDX-License-Identifier: MIT */
#ifndef ROAR_PATH_NORM_H
#define ROAR_PATH_NORM_H

#include <stddef.h>

/* Joins base (absolute) and path (absolute or relative) and normalises the
 * result lexically: repeated slashes, "." and ".." (never above "/").
 * Returns the length, or -1 if it does not fit in n. */
long path_join_normalize(const char *base, const char *path, char *out, size_t n);

#endif
