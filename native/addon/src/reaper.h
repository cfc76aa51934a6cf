/* SPDX-License-Identifier: MIT */
/*
 * Process control the engine needs around a traced run. Unlike probes.c
 * these change the calling process, deliberately.
 */
#ifndef ROAR_REAPER_H
#define ROAR_REAPER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Makes this process the subreaper of its descendants: when a tracer dies,
 * the workload processes it leaves behind are reparented here, where the
 * engine can stop them. 0, or -errno. */
int reaper_become_subreaper(void);

#ifdef __cplusplus
}
#endif

#endif
