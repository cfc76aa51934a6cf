/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "host_facts.h"
#include "json_line.h"

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static void set_str(char **dst, char *s)
{
	free(*dst);
	*dst = s;
}

void pf_init(struct pf_report *r, const char *tracer)
{
	memset(r, 0, sizeof(*r));
	r->tracer = tracer;
	r->t0 = mono_ms();
}

void pf_free(struct pf_report *r)
{
	for (int i = 0; i < r->nchecks; i++) {
		struct pf_check *c = &r->checks[i];
		free(c->observed);
		free(c->expected);
		free(c->detail);
		for (int k = 0; k < c->nfixes; k++) {
			free(c->fixes[k].title);
			free(c->fixes[k].command);
		}
	}
	for (int i = 0; i < r->nfp; i++)
		free(r->fp[i].value);
	r->nchecks = r->nfp = 0;
}

struct pf_check *pf_begin(struct pf_report *r, const char *id, int required)
{
	static struct pf_check overflow;
	struct pf_check *c;

	if (r->nchecks >= PF_MAX_CHECKS) {
		/* a programming error; keep going rather than crash */
		memset(&overflow, 0, sizeof(overflow));
		return &overflow;
	}
	c = &r->checks[r->nchecks++];
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->required = required;
	c->status = PF_PASS;
	c->t0 = mono_ms();
	return c;
}

void pf_end(struct pf_check *c)
{
	c->ms = mono_ms() - c->t0;
}

#define SET_FROM_FMT(dst, fmt)          \
	do {                            \
		va_list ap;             \
		va_start(ap, fmt);      \
		set_str(dst, vfmt(fmt, ap)); \
		va_end(ap);             \
	} while (0)

void pf_pass(struct pf_check *c, const char *fmt, ...)
{
	c->status = PF_PASS;
	SET_FROM_FMT(&c->detail, fmt);
}

void pf_warn(struct pf_check *c, const char *code, const char *fmt, ...)
{
	c->status = PF_WARN;
	snprintf(c->code, sizeof(c->code), "%s", code ? code : "");
	SET_FROM_FMT(&c->detail, fmt);
}

void pf_fail(struct pf_check *c, const char *code, const char *fmt, ...)
{
	c->status = PF_FAIL;
	snprintf(c->code, sizeof(c->code), "%s", code ? code : "");
	SET_FROM_FMT(&c->detail, fmt);
}

void pf_skip(struct pf_check *c, const char *fmt, ...)
{
	c->status = PF_SKIP;
	SET_FROM_FMT(&c->detail, fmt);
}

void pf_observed(struct pf_check *c, const char *fmt, ...)
{
	SET_FROM_FMT(&c->observed, fmt);
}

void pf_expected(struct pf_check *c, const char *fmt, ...)
{
	SET_FROM_FMT(&c->expected, fmt);
}

void pf_fix(struct pf_check *c, const char *title, const char *command_fmt, ...)
{
	if (c->nfixes >= PF_MAX_FIXES)
		return;
	struct pf_fix *f = &c->fixes[c->nfixes++];
	f->title = strdup(title);
	f->command = NULL;
	if (command_fmt)
		SET_FROM_FMT(&f->command, command_fmt);
}

void pf_fingerprint(struct pf_report *r, const char *key, const char *fmt, ...)
{
	if (r->nfp >= PF_MAX_FP)
		return;
	struct pf_kv *kv = &r->fp[r->nfp++];
	snprintf(kv->key, sizeof(kv->key), "%s", key);
	kv->value = NULL;
	SET_FROM_FMT(&kv->value, fmt);
}

int pf_ok(const struct pf_report *r)
{
	for (int i = 0; i < r->nchecks; i++) {
		const struct pf_check *c = &r->checks[i];
		if (c->required && (c->status == PF_FAIL || c->status == PF_SKIP))
			return 0;
	}
	return 1;
}

int pf_failed(const struct pf_report *r)
{
	return !pf_ok(r);
}

const struct pf_check *pf_first_failure(const struct pf_report *r)
{
	for (int i = 0; i < r->nchecks; i++)
		if (r->checks[i].required && r->checks[i].status == PF_FAIL)
			return &r->checks[i];
	for (int i = 0; i < r->nchecks; i++)
		if (r->checks[i].required && r->checks[i].status == PF_SKIP)
			return &r->checks[i];
	return NULL;
}

static int degraded(const struct pf_report *r)
{
	for (int i = 0; i < r->nchecks; i++)
		if (r->checks[i].status == PF_WARN)
			return 1;
	return 0;
}

static const char *status_name(enum pf_status s)
{
	switch (s) {
	case PF_PASS:
		return "pass";
	case PF_WARN:
		return "warn";
	case PF_FAIL:
		return "fail";
	default:
		return "skip";
	}
}

static void summary(const struct pf_report *r, char *buf, size_t n)
{
	const struct pf_check *f = pf_first_failure(r);
	if (f)
		snprintf(buf, n, "%s tracer not usable: %s (%s)", r->tracer,
			 f->detail ? f->detail : "check failed", f->id);
	else if (degraded(r))
		snprintf(buf, n, "%s tracer ready, with limits (see warnings)", r->tracer);
	else
		snprintf(buf, n, "%s tracer ready", r->tracer);
}

static void command_json(struct jline *j, const struct cmd_info *c)
{
	jl_key_obj_begin(j, "command");
	jl_key_str(j, "argv0", c->argv0);
	jl_key_str(j, "resolved", c->resolved[0] ? c->resolved : NULL);
	jl_key_str(j, "kind", cmd_kind_name(c->kind));
	jl_key_str(j, "interpreter", c->interpreter[0] ? c->interpreter : NULL);
	jl_key_bool(j, "static", c->is_static);
	jl_key_bool(j, "setuid", c->setuid || c->setgid);
	jl_key_bool(j, "file_caps", c->file_caps);
	jl_key_bool(j, "go", c->go);
	jl_key_str(j, "machine", c->machine[0] ? c->machine : NULL);
	jl_key_bool(j, "executable", c->executable);
	if (c->err)
		jl_key_int(j, "errno", c->err);
	jl_key_arr_begin(j, "chain");
	for (int i = 0; i < c->chain_len; i++)
		jl_str(j, c->chain[i]);
	jl_arr_end(j);
	jl_obj_end(j);
}

void pf_print_json(const struct pf_report *r, FILE *out)
{
	struct jline j;
	char sum[1024];

	if (jl_init_heap(&j, 8192) < 0) {
		fputs("{\"schema\":\"roar.preflight/1\",\"ok\":false,\"summary\":\"out of memory\"}\n",
		      out);
		return;
	}
	summary(r, sum, sizeof(sum));
	jl_obj_begin(&j);
	jl_key_str(&j, "schema", ROAR_PREFLIGHT_SCHEMA);
	jl_key_str(&j, "tracer", r->tracer);
	jl_key_bool(&j, "ok", pf_ok(r));
	jl_key_bool(&j, "degraded", pf_ok(r) && degraded(r));
	jl_key_str(&j, "summary", sum);
	if (r->has_command)
		command_json(&j, &r->command);
	else
		jl_key_null(&j, "command");
	jl_key_arr_begin(&j, "checks");
	for (int i = 0; i < r->nchecks; i++) {
		const struct pf_check *c = &r->checks[i];
		jl_obj_begin(&j);
		jl_key_str(&j, "id", c->id);
		jl_key_str(&j, "status", status_name(c->status));
		jl_key_bool(&j, "required", c->required);
		if (c->observed)
			jl_key_str(&j, "observed", c->observed);
		if (c->expected)
			jl_key_str(&j, "expected", c->expected);
		jl_key_str(&j, "detail", c->detail ? c->detail : "");
		if (c->code[0])
			jl_key_str(&j, "code", c->code);
		jl_key_arr_begin(&j, "fixes");
		for (int k = 0; k < c->nfixes; k++) {
			jl_obj_begin(&j);
			jl_key_str(&j, "title", c->fixes[k].title);
			if (c->fixes[k].command)
				jl_key_str(&j, "command", c->fixes[k].command);
			jl_obj_end(&j);
		}
		jl_arr_end(&j);
		jl_key_ms(&j, "ms", c->ms);
		jl_obj_end(&j);
	}
	jl_arr_end(&j);
	jl_key_obj_begin(&j, "fingerprint");
	for (int i = 0; i < r->nfp; i++)
		jl_key_str(&j, r->fp[i].key, r->fp[i].value ? r->fp[i].value : "");
	jl_obj_end(&j);
	jl_key_ms(&j, "ms", mono_ms() - r->t0);
	jl_obj_end(&j);
	jl_newline(&j);
	if (j.overflow)
		fputs("{\"schema\":\"roar.preflight/1\",\"ok\":false,\"summary\":\"report too large\"}\n",
		      out);
	else
		fputs(j.buf, out);
	jl_free(&j);
}

void pf_print_human(const struct pf_report *r, FILE *out)
{
	static const char *mark[] = { [PF_PASS] = "ok  ", [PF_WARN] = "warn",
				      [PF_FAIL] = "FAIL", [PF_SKIP] = "skip" };
	char sum[1024];

	summary(r, sum, sizeof(sum));
	fprintf(out, "%s preflight %s: %s\n", r->tracer, pf_ok(r) ? "passed" : "failed", sum);
	if (r->has_command)
		fprintf(out, "  command: %s -> %s (%s)\n", r->command.argv0,
			r->command.resolved[0] ? r->command.resolved : "?",
			cmd_kind_name(r->command.kind));
	for (int i = 0; i < r->nchecks; i++) {
		const struct pf_check *c = &r->checks[i];
		fprintf(out, "  [%s] %-24s %s (%.1f ms)\n", mark[c->status], c->id,
			c->detail ? c->detail : "", c->ms);
		for (int k = 0; k < c->nfixes; k++)
			fprintf(out, "         fix: %s%s%s\n", c->fixes[k].title,
				c->fixes[k].command ? ": " : "",
				c->fixes[k].command ? c->fixes[k].command : "");
	}
}

int pf_finish(struct pf_report *r, int json)
{
	if (json)
		pf_print_json(r, stdout);
	else
		pf_print_human(r, stdout);
	int ok = pf_ok(r);
	pf_free(r);
	/* a report that could not be written is no pass */
	if (fflush(stdout) != 0)
		return 1;
	return ok ? 0 : 1;
}
