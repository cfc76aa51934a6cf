/* SPDX-License-Identifier: MIT */
#include "path_norm.h"

#include <string.h>

/* Appends one component, handling "." and "..". */
static int push(char *out, size_t *len, size_t n, const char *c, size_t clen)
{
	if (clen == 0 || (clen == 1 && c[0] == '.'))
		return 0;
	if (clen == 2 && c[0] == '.' && c[1] == '.') {
		while (*len > 1 && out[*len - 1] != '/')
			(*len)--;
		if (*len > 1)
			(*len)--; /* the slash too, except the root's */
		out[*len] = '\0';
		return 0;
	}
	size_t need = *len + (*len > 1 ? 1 : 0) + clen + 1;
	if (need > n)
		return -1;
	if (*len > 1)
		out[(*len)++] = '/';
	memcpy(out + *len, c, clen);
	*len += clen;
	out[*len] = '\0';
	return 0;
}

static int push_all(char *out, size_t *len, size_t n, const char *p)
{
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		if (push(out, len, n, p, (size_t)(e - p)) < 0)
			return -1;
		p = e;
	}
	return 0;
}

long path_join_normalize(const char *base, const char *path, char *out, size_t n)
{
	size_t len = 1;
	if (n < 2)
		return -1;
	out[0] = '/';
	out[1] = '\0';
	if (path[0] != '/' && base && push_all(out, &len, n, base) < 0)
		return -1;
	if (push_all(out, &len, n, path) < 0)
		return -1;
	return (long)len;
}
