/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scratch folder of a unit test program: tmpdir, made by
 * unit_tmpdir_setup() and removed with everything in it by
 * unit_tmpdir_teardown() (cmocka group setup and teardown).
 */
#ifndef NBKIT_UNIT_TMPDIR_H
#define NBKIT_UNIT_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

#include "nbkit/error.h"
#include "nbkit/path.h"

static char tmpdir[64];

static inline int unit_tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/nbk-unit-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int unit_tmpdir_teardown(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	return nbk_remove_tree(tmpdir, &err);
}

#endif
