/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding environments: -n NAME in the envs_dirs (conda's order: the first
 * envs_dir holding NAME, else the first one), -p PREFIX made absolute,
 * "base" the root prefix, else $CONDA_PREFIX; and every known environment
 * (the envs_dirs' children and ~/.conda/environments.txt).
 */
#ifndef ENVTOOL_ENVS_H
#define ENVTOOL_ENVS_H

#include <stdbool.h>

#include "nbkit/strvec.h"
#include "cmd.h"

/*
 * The prefix named by -n / -p (or $CONDA_PREFIX).  When must_exist, it
 * must be an environment.  Prints the error and returns -1 (usage: 2 is
 * the caller's exit status when *usage is set).  *out is a new string.
 */
int et_env_resolve(struct et_ctx *ctx, bool must_exist, char **out, bool *usage);

/* The name an environment is shown with: its folder's name, "base" for the root. */
char *et_env_display_name(const struct et_ctx *ctx, const char *prefix);

/* Every known environment, each once, in a stable order. */
void et_env_known(const struct et_ctx *ctx, struct nbk_strvec *out);

#endif
