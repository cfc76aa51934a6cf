/* SPDX-License-Identifier: MIT */
/* roar-tracer-preload: the launcher of libroar_preload.so. */
#ifndef ROAR_PRELOAD_LAUNCHER_H
#define ROAR_PRELOAD_LAUNCHER_H

#include <stddef.h>

#include "tracer_cli.h"

#define PRELOAD_PROG "roar-tracer-preload"
#define PRELOAD_TRACER "preload"

/* Where the library is: $ROAR_PRELOAD_LIB, else libroar_preload.so next to
 * the launcher (realpath of /proc/self/exe). Fills path even on failure
 * (with what was looked for); *from_env tells which. 0, or -errno (-ENOENT
 * when the file is not there). */
int library_locate(char *path, size_t n, int *from_env);

/* The run mode (DESIGN §3): returns the workload's status. */
int run_main(const struct tracer_args *a);

/* The preflight mode: 0 pass, 1 fail. */
int preflight_main(const struct tracer_args *a);

#endif
