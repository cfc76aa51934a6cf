/* SPDX-License-Identifier: MIT */
#ifndef ROAR_PTRACE_PREFLIGHT_H
#define ROAR_PTRACE_PREFLIGHT_H

#include "report.h"

/* Fills r with the checks of DESIGN §3.2 (ptrace), ending with the oracle.
 * command may be NULL. */
void ptrace_preflight(struct pf_report *r, char **command);

#endif
