/* SPDX-License-Identifier: MIT */
#include "command_check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "command_info.h"
#include "report.h"

const struct cmd_info *preflight_command(struct pf_report *r, const char *tracer, char **argv)
{
	char id[64];
	if (!argv || !argv[0])
		return NULL;
	snprintf(id, sizeof(id), "%s.command", tracer);
	struct pf_check *c = pf_begin(r, id, 1);
	struct cmd_info *ci = &r->command;
	int rc = cmd_resolve(argv[0], ci);
	r->has_command = 1;
	pf_expected(c, "an executable program or #! script for %s",
		    elf_machine_name(elf_native_machine()));

	if (rc == -ENOENT && ci->kind == CMD_SCRIPT) {
		pf_fail(c, "ROAR_E_COMMAND_INTERPRETER_MISSING",
			"the script's interpreter does not exist: %s",
			ci->chain[ci->chain_len - 1]);
		pf_observed(c, "#! %s", ci->chain[ci->chain_len - 1]);
		pf_fix(c, "Install the interpreter or fix the script's #! line", NULL);
	} else if (rc == -ENOENT || ci->kind == CMD_MISSING) {
		pf_fail(c, "ROAR_E_COMMAND_NOT_FOUND", "command not found: %s", argv[0]);
		pf_observed(c, "not on PATH");
		pf_fix(c, "Check the spelling, or give the full path to the program", NULL);
	} else if (rc == -EACCES || !ci->executable) {
		pf_fail(c, "ROAR_E_COMMAND_NOT_EXECUTABLE", "not executable: %s", ci->resolved);
		pf_observed(c, "no execute permission");
		pf_fix(c, "Make it executable", "chmod +x '%s'", ci->resolved);
	} else if (ci->kind == CMD_OTHER) {
		pf_fail(c, "ROAR_E_COMMAND_NOT_EXECUTABLE",
			"neither an ELF program nor a #! script: %s", ci->resolved);
		pf_observed(c, "not ELF, no #! line");
		pf_fix(c, "Run it through its interpreter, e.g. `sh FILE`", NULL);
	} else if (ci->final_elf[0] && strcmp(ci->machine, elf_machine_name(elf_native_machine()))) {
		pf_fail(c, "ROAR_E_COMMAND_ARCH", "%s is built for %s, this machine runs %s",
			ci->final_elf, ci->machine, elf_machine_name(elf_native_machine()));
		pf_observed(c, "%s", ci->machine);
		pf_expected(c, "%s", elf_machine_name(elf_native_machine()));
	} else {
		pf_pass(c, "%s -> %s (%s%s%s)", argv[0], ci->resolved, cmd_kind_name(ci->kind),
			ci->kind == CMD_SCRIPT ? ", runs " : "",
			ci->kind == CMD_SCRIPT ? ci->interpreter : "");
	}
	pf_end(c);
	return ci;
}
