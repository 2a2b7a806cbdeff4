/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STUB until issue 4 (installing) lands: delete this file and implement
 * et_cmd_apply() (apply.h) for real.  create/install/update without
 * --dry-run reach here after a successful solve.
 */
#include <stdio.h>

#include "apply.h"

int et_cmd_apply(struct et_ctx *ctx, const char *prefix, const struct et_transaction *t,
		 const struct nbk_strvec *specs)
{
	(void)ctx;
	(void)prefix;
	(void)t;
	(void)specs;
	fprintf(stderr, "envtool: installing is not available yet: use --dry-run\n");
	return ET_EXIT_FAIL;
}
