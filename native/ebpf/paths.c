/* SPDX-License-Identifier: MIT */
/*
 * The directory part of a ring-buffer record, the dentry names the kernel
 * walked (leaf first), as an absolute path; and the directories kept per
 * thread slot. Joining a directory with the path the process passed is
 * common/path_norm.h's job, the same for every tracer.
 */
#include "ebpf_tracer.h"

#include <stdint.h>
#include <stdlib.h>
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

/* ---- working-directory slots ---- */

static size_t slot_home(const struct dir_slots *t, unsigned int key)
{
	return (size_t)(((uint32_t)key * 2654435761u) & (uint32_t)(t->cap - 1));
}

static struct dir_slot *slot_find(const struct dir_slots *t, unsigned int key)
{
	if (!t->cap)
		return NULL;
	for (size_t i = slot_home(t, key);; i = (i + 1) & (t->cap - 1)) {
		if (t->v[i].key == key)
			return &t->v[i];
		if (!t->v[i].key)
			return NULL;
	}
}

static int slots_grow(struct dir_slots *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct dir_slot *v = calloc(cap, sizeof(*v));
	if (!v)
		return -1;
	struct dir_slots n = { v, cap, 0 };
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->v[i].key)
			continue;
		size_t j = slot_home(&n, t->v[i].key);
		while (v[j].key)
			j = (j + 1) & (cap - 1);
		v[j] = t->v[i];
		n.used++;
	}
	free(t->v);
	*t = n;
	return 0;
}

int slots_put(struct dir_slots *t, unsigned int key, const char *path)
{
	char *copy = strdup(path);
	struct dir_slot *e;

	if (!key || !copy) {
		free(copy);
		slots_del(t, key);
		return -1;
	}
	if ((e = slot_find(t, key))) {
		free(e->path);
		e->path = copy;
		return 0;
	}
	/* at most half full, so probes stay short and always end */
	if ((t->used + 1) * 2 > t->cap && slots_grow(t) < 0) {
		free(copy);
		return -1;
	}
	size_t i = slot_home(t, key);
	while (t->v[i].key)
		i = (i + 1) & (t->cap - 1);
	t->v[i].key = key;
	t->v[i].path = copy;
	t->used++;
	return 0;
}

const char *slots_get(const struct dir_slots *t, unsigned int key)
{
	const struct dir_slot *e = slot_find(t, key);
	return e ? e->path : NULL;
}

void slots_del(struct dir_slots *t, unsigned int key)
{
	struct dir_slot *e = slot_find(t, key);
	if (!e)
		return;
	free(e->path);
	/* backward-shift deletion: no tombstones */
	size_t hole = (size_t)(e - t->v), mask = t->cap - 1;
	for (size_t i = (hole + 1) & mask; t->v[i].key; i = (i + 1) & mask) {
		size_t home = slot_home(t, t->v[i].key);
		/* move entry i into the hole unless its home lies in (hole, i] */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			t->v[hole] = t->v[i];
			hole = i;
		}
	}
	t->v[hole].key = 0;
	t->v[hole].path = NULL;
	t->used--;
}

void slots_free(struct dir_slots *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i].path);
	free(t->v);
	t->v = NULL;
	t->cap = t->used = 0;
}
