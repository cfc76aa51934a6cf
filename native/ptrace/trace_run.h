/* SPDX-License-Identifier: MIT */
#ifndef ROAR_PTRACE_TRACE_RUN_H
#define ROAR_PTRACE_TRACE_RUN_H

#include <stdio.h>

/* Runs argv under the tracer, writing roar.events/1 to events. Returns
 * the exit code to exit with: the workload's code or 128+signal; 127/126
 * when it could not be executed; 125 when tracing could not start. */
int ptrace_trace_run(char **argv, FILE *events);

#endif
