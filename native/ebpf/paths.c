/* SPDX-License-Identifier: MIT */
/*
 * Turns the parts of a ring-buffer record into one absolute path: the
 * directory's dentry names (leaf first, as the kernel walked them), then the
 * path the process passed, normalised lexically ("." and ".." and repeated
 * slashes), the same way for every tracer.
 */
#include "ebpf_tracer.h"

#include <string.h>

/* Appends "/name" unless it does not fit. */
static int append(char *out, size_t cap, size_t *len, const char *name, size_t n)
{
	if (*len + 1 + n + 1 > cap)
		return -1;
	out[(*len)++] = '/';
	memcpy(out + *len, name, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

int path_join_dir(char *out, size_t cap, const char *comps, size_t comps_len, unsigned ncomp,
		  const char *rel)
{
	const char *starts[256];
	size_t lens[256], len = 0;
	unsigned n = 0;
	int rc = 0;

	if (cap < 2)
		return -1;
	/* the components arrive leaf first; index them, then write root first */
	for (size_t off = 0; off < comps_len && n < ncomp && n < 256;) {
		size_t l = strnlen(comps + off, comps_len - off);
		starts[n] = comps + off;
		lens[n] = l;
		n++;
		off += l + 1;
	}
	if (n != ncomp)
		rc = -1; /* malformed: report what we have, flagged */
	out[0] = '\0';
	for (unsigned i = n; i-- > 0;)
		if (append(out, cap, &len, starts[i], lens[i]) < 0)
			return -1;
	if (rel && rel[0] && append(out, cap, &len, rel, strlen(rel)) < 0)
		return -1;
	if (len == 0) {
		out[0] = '/';
		out[1] = '\0';
	}
	return rc;
}

void path_normalize(char *p)
{
	/* In place (the result is never longer). Only absolute paths: a
	 * relative one has no anchor for "..", so it is left as it is. */
	const char *r = p;
	size_t w = 1;

	if (p[0] != '/')
		return;
	while (*r) {
		while (*r == '/')
			r++;
		if (!*r)
			break;
		const char *end = strchr(r, '/');
		size_t n = end ? (size_t)(end - r) : strlen(r);
		if (n == 1 && r[0] == '.') {
			/* adds nothing */
		} else if (n == 2 && r[0] == '.' && r[1] == '.') {
			/* drop the last component; ".." of "/" is "/" */
			while (w > 1 && p[w - 1] != '/')
				w--;
			if (w > 1)
				w--;
		} else {
			if (w > 1)
				p[w++] = '/';
			memmove(p + w, r, n);
			w += n;
		}
		r += n;
	}
	p[w] = '\0';
}
