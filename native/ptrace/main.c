/* SPDX-License-Identifier: MIT */
/* roar-tracer-ptrace: the CLI of DESIGN §3 over the ptrace tracer. */
#include <stdio.h>
#include <stdlib.h>

#include "preflight.h"
#include "trace_run.h"
#include "tracer_cli.h"

#define PROG "roar-tracer-ptrace"

int main(int argc, char **argv)
{
	struct tracer_args a;
	int rc = tracer_cli_parse(argc, argv, PROG, &a);
	if (rc != 0)
		return rc;

	if (tracer_common_mode(&a, PROG, &rc))
		return rc;
	switch (a.mode) {
	case MODE_PREFLIGHT: {
		static struct pf_report r;
		pf_init(&r, "ptrace");
		ptrace_preflight(&r, a.command);
		return pf_finish(&r, a.json);
	}
	case MODE_RUN: {
		FILE *ev = tracer_open_events(&a, PROG);
		if (!ev)
			return 125;
		rc = ptrace_trace_run(a.argv, ev);
		fclose(ev);
		return rc;
	}
	default:
		tracer_cli_usage(stderr, PROG);
		return 2;
	}
}
