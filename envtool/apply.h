/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Carrying out the solver's solution in a prefix (create, install, update
 * without --dry-run): the one call site the commands use.  apply.c asks
 * for confirmation on a terminal (unless -y/--yes) and hands over to
 * et_install_apply() (install.h).
 */
#ifndef ENVTOOL_APPLY_H
#define ENVTOOL_APPLY_H

#include <stdbool.h>

#include "cmd.h"
#include "solve.h"

/*
 * Ask "QUESTION [Y/n]" (default_yes) or "[y/N]" on stderr and read the
 * answer from the terminal.  -y/--yes answers yes; with --json or when
 * stdin is not a terminal nobody can answer and the default decides
 * (micromamba's rule).  An empty answer is the default.
 */
bool et_confirm(const struct et_ctx *ctx, const char *question, bool default_yes);

/*
 * Apply sol (the solver's answer, solve.h) to prefix.  flags: install.h's
 * enum et_apply_flags (create: a new environment, replacing the one at
 * prefix, which the caller confirmed).  specs are the user's specs as
 * written (for conda-meta/history).  Returns the exit status (messages
 * printed).
 */
int et_cmd_apply(struct et_ctx *ctx, const char *prefix, const struct et_solution *sol,
		 const struct nbk_strvec *specs, unsigned flags);

#endif
