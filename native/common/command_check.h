/* SPDX-License-Identifier: MIT */
#ifndef ROAR_COMMAND_CHECK_H
#define ROAR_COMMAND_CHECK_H

struct pf_report;
struct cmd_info;

/* Adds the "<tracer>.command" check: the target resolves the way exec will
 * and is executable on this machine. Fills r->command. Returns the info,
 * or NULL when no command was given. */
const struct cmd_info *preflight_command(struct pf_report *r, const char *tracer, char **argv);

#endif
