/* SPDX-License-Identifier: MIT */
#include "json_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HEX[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and values past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

long jl_escape(char *out, size_t cap, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t o = 0;

#define PUT(ch)                       \
	do {                          \
		if (o >= cap)         \
			return -1;    \
		out[o++] = (char)(ch); \
	} while (0)

	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			PUT('\\');
			PUT(c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			PUT('\\');
			PUT('u');
			PUT('0');
			PUT('0');
			PUT(HEX[c >> 4]);
			PUT(HEX[c & 15]);
			i++;
		} else if (c < 0x80) {
			PUT(c);
			i++;
		} else {
			size_t len = utf8_seq_len(s + i, n - i);
			if (len == 0) {
				/* surrogateescape: byte 0xXY -> \udcXY */
				PUT('\\');
				PUT('u');
				PUT('d');
				PUT('c');
				PUT(HEX[c >> 4]);
				PUT(HEX[c & 15]);
				i++;
			} else {
				for (size_t k = 0; k < len; k++)
					PUT(s[i + k]);
				i += len;
			}
		}
	}
#undef PUT
	return (long)o;
}

void jl_init_fixed(struct jline *j, char *buf, size_t cap)
{
	memset(j, 0, sizeof(*j));
	j->buf = buf;
	j->cap = cap;
}

int jl_init_heap(struct jline *j, size_t initial)
{
	memset(j, 0, sizeof(*j));
	j->buf = malloc(initial);
	if (!j->buf)
		return -1;
	j->cap = initial;
	j->growable = 1;
	return 0;
}

void jl_free(struct jline *j)
{
	if (j->growable)
		free(j->buf);
	j->buf = NULL;
	j->cap = j->len = 0;
}

void jl_reset(struct jline *j)
{
	j->len = 0;
	j->overflow = 0;
	j->depth = 0;
	j->need_comma[0] = 0;
}

static int reserve(struct jline *j, size_t more)
{
	if (j->overflow)
		return -1;
	if (j->len + more + 1 <= j->cap)
		return 0;
	if (!j->growable) {
		j->overflow = 1;
		return -1;
	}
	size_t ncap = j->cap ? j->cap : 256;
	while (ncap < j->len + more + 1)
		ncap *= 2;
	char *nb = realloc(j->buf, ncap);
	if (!nb) {
		j->overflow = 1;
		return -1;
	}
	j->buf = nb;
	j->cap = ncap;
	return 0;
}

static void put(struct jline *j, const char *s, size_t n)
{
	if (reserve(j, n) < 0)
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct jline *j, const char *s)
{
	put(j, s, strlen(s));
}

static void put_quoted(struct jline *j, const char *s, size_t n)
{
	/* escape into the space there is; grow (or give up) only if it did not fit */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (reserve(j, n + 2) < 0)
			return;
		size_t room = j->cap - j->len - 1; /* keep the NUL */
		long w = jl_escape(j->buf + j->len + 1, room - 2, s, n);
		if (w >= 0) {
			j->buf[j->len] = '"';
			j->len += (size_t)w + 1;
			j->buf[j->len++] = '"';
			j->buf[j->len] = '\0';
			return;
		}
		/* worst case: every byte becomes a 6-byte escape */
		if (attempt == 0 && reserve(j, n * 6 + 2) < 0)
			return;
	}
	j->overflow = 1;
}

/* Decimal without snprintf: this runs for every event. */
static size_t fmt_u64(char *out, unsigned long long v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static void comma(struct jline *j)
{
	if (j->need_comma[j->depth])
		put(j, ",", 1);
	j->need_comma[j->depth] = 1;
}

static void key(struct jline *j, const char *k)
{
	comma(j);
	put_quoted(j, k, strlen(k));
	put(j, ":", 1);
}

static void push(struct jline *j, const char *open)
{
	puts_(j, open);
	if (j->depth + 1 >= JL_MAX_DEPTH) {
		j->overflow = 1;
		return;
	}
	j->depth++;
	j->need_comma[j->depth] = 0;
}

static void pop(struct jline *j, const char *close)
{
	if (j->depth > 0)
		j->depth--;
	puts_(j, close);
}

void jl_obj_begin(struct jline *j)
{
	comma(j);
	push(j, "{");
}

void jl_obj_end(struct jline *j)
{
	pop(j, "}");
}

void jl_key_obj_begin(struct jline *j, const char *k)
{
	key(j, k);
	push(j, "{");
}

void jl_key_arr_begin(struct jline *j, const char *k)
{
	key(j, k);
	push(j, "[");
}

void jl_arr_end(struct jline *j)
{
	pop(j, "]");
}

void jl_key_str(struct jline *j, const char *k, const char *s)
{
	if (!s) {
		jl_key_null(j, k);
		return;
	}
	jl_key_strn(j, k, s, strlen(s));
}

void jl_key_strn(struct jline *j, const char *k, const char *s, size_t n)
{
	key(j, k);
	put_quoted(j, s, n);
}

void jl_key_int(struct jline *j, const char *k, long long v)
{
	char tmp[32];
	size_t n = 0;
	if (v < 0) {
		tmp[n++] = '-';
		n += fmt_u64(tmp + n, 0ULL - (unsigned long long)v);
	} else {
		n = fmt_u64(tmp, (unsigned long long)v);
	}
	key(j, k);
	put(j, tmp, n);
}

void jl_key_uint(struct jline *j, const char *k, unsigned long long v)
{
	char tmp[32];
	size_t n = fmt_u64(tmp, v);
	key(j, k);
	put(j, tmp, n);
}

void jl_key_bool(struct jline *j, const char *k, int v)
{
	key(j, k);
	puts_(j, v ? "true" : "false");
}

void jl_key_null(struct jline *j, const char *k)
{
	key(j, k);
	puts_(j, "null");
}

void jl_key_ms(struct jline *j, const char *k, double ms)
{
	char tmp[48];
	if (ms < 0)
		ms = 0;
	int n = snprintf(tmp, sizeof(tmp), "%.3f", ms);
	key(j, k);
	put(j, tmp, (size_t)n);
}

void jl_str(struct jline *j, const char *s)
{
	comma(j);
	put_quoted(j, s, strlen(s));
}

void jl_newline(struct jline *j)
{
	put(j, "\n", 1);
}
