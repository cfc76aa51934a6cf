/* SPDX-License-Identifier: MIT */
/*
 * The directory part of a ring-buffer record, the dentry names the kernel
 * walked (leaf first), as an absolute path. Joining it with the path the
 * process passed is common/path_norm.h's job, the same for every tracer.
 */
#include "ebpf_tracer.h"

#include <string.h>

#include "roar_ebpf.h"

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

int path_of_components(char *out, size_t cap, const char *comps, size_t comps_len,
		       unsigned ncomp)
{
	const char *starts[ROAR_DIR_STEPS];
	size_t lens[ROAR_DIR_STEPS], len = 0;
	unsigned n = 0;

	if (cap < 2)
		return -1;
	/* the components arrive leaf first; index them, then write root first */
	for (size_t off = 0; off < comps_len && n < ncomp && n < ROAR_DIR_STEPS;) {
		size_t l = strnlen(comps + off, comps_len - off);
		starts[n] = comps + off;
		lens[n] = l;
		n++;
		off += l + 1;
	}
	out[0] = '/';
	out[1] = '\0';
	for (unsigned i = n; i-- > 0;)
		if (append(out, cap, &len, starts[i], lens[i]) < 0)
			return -1;
	if (len == 0)
		len = 1; /* "/" */
	return n == ncomp ? 0 : -1; /* malformed: what there is, flagged */
}
