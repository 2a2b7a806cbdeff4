/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scratch folder of a unit test program: tmpdir, made by
 * unit_tmpdir_setup() and removed with everything in it by
 * unit_tmpdir_teardown() (cmocka group setup and teardown), and
 * unit_tmpdir_write() to put a file in it.
 */
#ifndef NBKIT_UNIT_TMPDIR_H
#define NBKIT_UNIT_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/path.h"

static char tmpdir[64];

static inline int unit_tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nbk-unit-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

/* Write text to tmpdir/name (its folder must exist); returns the path (caller frees). */
static inline char *unit_tmpdir_write(const char *name, const char *text)
{
	char *path = nbk_xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write '%s'\n", path);
		abort();
	}
	return path;
}

static inline int unit_tmpdir_teardown(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	return nbk_remove_tree(tmpdir, &err);
}

#endif
