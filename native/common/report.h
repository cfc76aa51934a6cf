/* SPDX-License-Identifier: MIT */
/*
 * roar.preflight/1 report builder. A tracer's preflight adds checks in
 * order; each check is timed from pf_begin() to pf_end(). Check ids and
 * codes are stable API (docs/checks.md); detail text is for people.
 */
#ifndef ROAR_REPORT_H
#define ROAR_REPORT_H

#include <stdio.h>
#include "command_info.h"

#define ROAR_PREFLIGHT_SCHEMA "roar.preflight/1"
#define PF_MAX_CHECKS 40
#define PF_MAX_FIXES 3
#define PF_MAX_FP 24

enum pf_status { PF_PASS, PF_WARN, PF_FAIL, PF_SKIP };

struct pf_fix {
	char *title;
	char *command; /* may be NULL */
};

struct pf_check {
	char id[64];
	enum pf_status status;
	int required;
	char *observed;
	char *expected;
	char *detail;
	char code[64];
	struct pf_fix fixes[PF_MAX_FIXES];
	int nfixes;
	double t0;
	double ms;
};

struct pf_kv {
	char key[32];
	char *value; /* rendered as a JSON string */
};

struct pf_report {
	const char *tracer;
	double t0;
	int has_command;
	struct cmd_info command;
	struct pf_check checks[PF_MAX_CHECKS];
	int nchecks;
	struct pf_kv fp[PF_MAX_FP];
	int nfp;
};

void pf_init(struct pf_report *r, const char *tracer);
void pf_free(struct pf_report *r);

/* Starts a check (status PASS until told otherwise) and its timer. */
struct pf_check *pf_begin(struct pf_report *r, const char *id, int required);
void pf_end(struct pf_check *c);

void pf_pass(struct pf_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pf_warn(struct pf_check *c, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pf_fail(struct pf_check *c, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pf_skip(struct pf_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pf_observed(struct pf_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pf_expected(struct pf_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* command may be NULL; otherwise a printf format for the exact command */
void pf_fix(struct pf_check *c, const char *title, const char *command_fmt, ...)
	__attribute__((format(printf, 3, 4)));

void pf_fingerprint(struct pf_report *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Did any required check fail? Skipped required checks do not pass. */
int pf_ok(const struct pf_report *r);
int pf_failed(const struct pf_report *r);
/* Is there a failed check at all (required or not)? */
const struct pf_check *pf_first_failure(const struct pf_report *r);

void pf_print_json(const struct pf_report *r, FILE *out);
/* Prints the report to stdout (JSON or text), frees it, and returns the
 * preflight exit code: 0 pass, 1 fail. */
int pf_finish(struct pf_report *r, int json);
void pf_print_human(const struct pf_report *r, FILE *out);

#endif
