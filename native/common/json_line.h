/* SPDX-License-Identifier: MIT */
/*
 * A small JSON writer into a caller-owned buffer.
 *
 * Used for both event lines (roar.events/1) and the preflight report.
 * Strings are written as UTF-8; bytes that are not valid UTF-8 are
 * escaped as lone surrogates \udc80..\udcff (Python's "surrogateescape"),
 * so a Linux path made of arbitrary bytes survives the round trip and the
 * engine can turn it back into the exact bytes.
 */
#ifndef ROAR_JSON_LINE_H
#define ROAR_JSON_LINE_H

#include <stddef.h>

#define JL_MAX_DEPTH 8

struct jline {
	char *buf;
	size_t len;
	size_t cap;
	int growable;    /* buf came from malloc and may be realloc'ed */
	int overflow;    /* something did not fit; the line is unusable */
	int depth;
	int need_comma[JL_MAX_DEPTH];
};

/* Fixed buffer (no allocation; safe in the preload library). */
void jl_init_fixed(struct jline *j, char *buf, size_t cap);
/* Heap buffer that grows; jl_free() releases it. */
int jl_init_heap(struct jline *j, size_t initial);
void jl_free(struct jline *j);
void jl_reset(struct jline *j);

void jl_obj_begin(struct jline *j);          /* top level or array element */
void jl_obj_end(struct jline *j);
void jl_key_obj_begin(struct jline *j, const char *key);
void jl_key_arr_begin(struct jline *j, const char *key);
void jl_arr_end(struct jline *j);

void jl_key_str(struct jline *j, const char *key, const char *s); /* NULL -> null */
void jl_key_strn(struct jline *j, const char *key, const char *s, size_t n);
void jl_key_int(struct jline *j, const char *key, long long v);
void jl_key_uint(struct jline *j, const char *key, unsigned long long v);
void jl_key_bool(struct jline *j, const char *key, int v);
void jl_key_null(struct jline *j, const char *key);
void jl_key_ms(struct jline *j, const char *key, double ms); /* 3 decimals */
void jl_str(struct jline *j, const char *s); /* array element */
void jl_newline(struct jline *j);

/* Escape s[0..n) as the body of a JSON string (no quotes) into out.
 * Returns the length written, or -1 if it does not fit. */
long jl_escape(char *out, size_t cap, const char *s, size_t n);

#endif
