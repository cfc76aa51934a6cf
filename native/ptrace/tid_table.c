/* SPDX-License-Identifier: MIT */
#include "tid_table.h"

#include <stdlib.h>

#define NBUCKETS (sizeof(((struct tid_table *)0)->buckets) / sizeof(struct tstate *))

static struct tstate **slot(struct tid_table *t, pid_t tid)
{
	return &t->buckets[(unsigned)tid % NBUCKETS];
}

struct tstate *tid_get(struct tid_table *t, pid_t tid)
{
	for (struct tstate *s = *slot(t, tid); s; s = s->next)
		if (s->tid == tid)
			return s;
	return NULL;
}

struct tstate *tid_add(struct tid_table *t, pid_t tid)
{
	struct tstate *s = tid_get(t, tid);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->tid = tid;
	s->tgid = tid;
	s->next = *slot(t, tid);
	*slot(t, tid) = s;
	t->count++;
	return s;
}

void tid_del(struct tid_table *t, pid_t tid)
{
	for (struct tstate **pp = slot(t, tid); *pp; pp = &(*pp)->next) {
		if ((*pp)->tid == tid) {
			struct tstate *s = *pp;
			*pp = s->next;
			free(s->p);
			free(s);
			t->count--;
			return;
		}
	}
}
