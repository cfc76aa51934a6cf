/* SPDX-License-Identifier: MIT */
/*
 * roar-tracer-ebpf: records the file and process activity of a command with
 * eBPF (DESIGN.md §3). Command line dispatch and the traced run.
 */
#define _GNU_SOURCE
#include "ebpf_tracer.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracer_cli.h"

/* exit status when the tracer itself fails (DESIGN §4 rule 4) */
#define EXIT_TRACER_FAILED 125

const char *errno_name(int err)
{
	switch (err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	default: {
		static char buf[32];
		snprintf(buf, sizeof(buf), "errno %d", err);
		return buf;
	}
	}
}

/* Setup failed before the workload ran: say why on stderr, and in the
 * events stream as an `end` with an error, then exit 125. */
static int setup_failed(struct ebpf_sink *sink, const char *what, int err, const char *why)
{
	char detail[768], msg[1024];

	if (why && why[0]) {
		snprintf(msg, sizeof(msg), "%s: %s", what, why);
	} else {
		ebpf_log_summary(detail, sizeof(detail));
		snprintf(msg, sizeof(msg), "%s: %s%s%s", what, strerror(err),
			 detail[0] ? ": " : "", detail);
	}
	fprintf(stderr, "%s: %s\n%s: the command was not run; `%s --preflight` explains why\n",
		EBPF_PROG, msg, EBPF_PROG, EBPF_PROG);
	if (sink->out) {
		sink_end(sink, 0, EXIT_TRACER_FAILED, msg);
		fflush(sink->out);
	}
	return EXIT_TRACER_FAILED;
}

static int run_workload(const struct tracer_args *a)
{
	struct ebpf_sink sink;
	struct ebpf_obj obj;
	struct launch l = { 0 };
	struct wait_opts w = { .timeout_ms = 0, .forward_signals = 1, .events = NULL };
	int rc, status = EXIT_TRACER_FAILED;
	char what[96];

	FILE *out = tracer_open_events(a, EBPF_PROG);
	if (!out)
		return EXIT_TRACER_FAILED;
	if ((rc = sink_init(&sink, out)) < 0) {
		sink.out = NULL;
		return setup_failed(&sink, "allocating the event buffer", -rc, NULL);
	}
	if ((rc = launch_block_signals()) < 0)
		return setup_failed(&sink, "blocking signals", -rc, NULL);

	/* 1. the workload, parked until it is tracked */
	if ((rc = launch_fork(&l, a->argv)) < 0)
		return setup_failed(&sink, "starting the command", -rc, NULL);
	/* After the fork, so the workload keeps its own disposition: if the
	 * events reader goes away, the tracer reports the write error instead
	 * of dying and taking the workload with it. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		launch_abort(&l);
		return setup_failed(&sink, "ignoring SIGPIPE", errno, NULL);
	}
	w.events = out;

	/* 2. programs loaded and attached, the workload's pid tracked */
	if ((rc = ebpf_open(&obj, getenv(EBPF_TEST_TP_ENV))) < 0 ||
	    (rc = ebpf_load_attach(&obj, sink_record, &sink)) < 0) {
		snprintf(what, sizeof(what), "eBPF %s failed", obj.stage ? obj.stage : "setup");
		launch_abort(&l);
		ebpf_close(&obj);
		return setup_failed(&sink, what, -rc, obj.why);
	}
	if ((rc = ebpf_track(&obj, l.pid)) < 0) {
		launch_abort(&l);
		ebpf_close(&obj);
		return setup_failed(&sink, "tracking the command's pid", -rc, NULL);
	}

	/* 3. go: everything it does from exec on is traced */
	sink_start(&sink, l.pid);
	if ((rc = launch_release(&l)) < 0) {
		launch_abort(&l);
		ebpf_close(&obj);
		return setup_failed(&sink, "releasing the command", -rc, NULL);
	}
	rc = launch_wait(&l, &obj, &w, &status);
	if (rc < 0)
		fprintf(stderr, "%s: waiting for the command: %s\n", EBPF_PROG, strerror(-rc));

	/* Descendants still running after the grace period: the run is
	 * complete up to now, but what they do next is not recorded. Say so. */
	char note[160] = "";
	unsigned long long lost = 0;
	int left = ebpf_tracked_count(&obj);
	int lrc = ebpf_lost(&obj, &lost);
	if (rc < 0)
		snprintf(note, sizeof(note), "the tracer lost track of the command: %s",
			 strerror(-rc));
	else if (lrc < 0)
		snprintf(note, sizeof(note), "cannot read the kernel's drop counters: %s",
			 strerror(-lrc));
	else if (left > 0)
		snprintf(note, sizeof(note), "%d process%s of the command %s still running when "
			 "tracing stopped; what %s next is not recorded", left,
			 left == 1 ? "" : "es", left == 1 ? "was" : "were",
			 left == 1 ? "it does" : "they do");
	ebpf_close(&obj);
	sink_end(&sink, lost, status, note[0] ? note : NULL);
	if (fflush(out) != 0 || ferror(out))
		fprintf(stderr, "%s: writing events: %s\n", EBPF_PROG, strerror(errno));
	if (fclose(out) != 0)
		fprintf(stderr, "%s: closing events: %s\n", EBPF_PROG, strerror(errno));
	sink_free(&sink);
	return status;
}

int main(int argc, char **argv)
{
	struct tracer_args a;
	int rc = tracer_cli_parse(argc, argv, EBPF_PROG, &a);

	if (rc != 0)
		return rc;
	ebpf_log_init();
	if (tracer_common_mode(&a, EBPF_PROG, &rc))
		return rc;
	switch (a.mode) {
	case MODE_PREFLIGHT:
		return preflight_main(a.json, a.command);
	case MODE_RUN:
		return run_workload(&a);
	default:
		tracer_cli_usage(stderr, EBPF_PROG);
		return 2;
	}
}
