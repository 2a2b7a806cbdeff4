/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Carrying out a solved transaction in a prefix (create, install, update
 * without --dry-run).  Part 2 (issue 4) implements it; until then
 * apply_stub.c refuses.  This is the one call site the commands use.
 */
#ifndef ENVTOOL_APPLY_H
#define ENVTOOL_APPLY_H

#include "cmd.h"
#include "solve.h"

/*
 * Apply t to prefix (create: a new environment).  specs are the user's
 * specs as written (for conda-meta/history).  Returns the exit status.
 */
int et_cmd_apply(struct et_ctx *ctx, const char *prefix, const struct et_transaction *t,
		 const struct nbk_strvec *specs);

#endif
