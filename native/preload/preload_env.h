/* SPDX-License-Identifier: MIT */
/*
 * The contract between roar-tracer-preload (the launcher) and
 * libroar_preload.so (the interposer): environment variable names and the
 * library's file name. Both sides include this file and nothing else of
 * each other.
 */
#ifndef ROAR_PRELOAD_ENV_H
#define ROAR_PRELOAD_ENV_H

/* Absolute path of the events log. The library opens it by path in every
 * process (O_APPEND), because programs close inherited descriptors. */
#define RP_ENV_EVENTS "ROAR_PRELOAD_EVENTS"

/* The pid that last ran exec through the library (or the launcher, for the
 * root). A new process image whose pid differs was created by a fork the
 * library did not see (posix_spawn, system(), popen(), raw clone), so its
 * constructor reports the fork itself. */
#define RP_ENV_PID "ROAR_PRELOAD_PID"

/* Launcher override for where the library is. */
#define RP_ENV_LIB "ROAR_PRELOAD_LIB"

#define RP_LIB_NAME "libroar_preload.so"

/* The library keeps its log descriptor at or above this number, out of the
 * way of programs that dup2() over low descriptors. */
#define RP_LOG_FD_MIN 900

#endif
