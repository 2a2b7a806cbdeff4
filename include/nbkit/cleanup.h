/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound release of locals with __attribute__((cleanup)), the way crun
 * and bubblewrap do it.  Hand ownership over with nbk_steal_pointer() /
 * nbk_steal_fd().
 */
#ifndef NBKIT_CLEANUP_H
#define NBKIT_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>

void nbk_cleanup_freep(void *p);
void nbk_cleanup_closep(int *fd);
void nbk_cleanup_fclosep(FILE **f);

#define _cleanup_free_ __attribute__((cleanup(nbk_cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(nbk_cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(nbk_cleanup_fclosep)))

static inline void *nbk_steal_pointer(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}

static inline int nbk_steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
