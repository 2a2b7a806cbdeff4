/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The environment a command works on: -n NAME, -p PREFIX, an environment
 * file's name: or $CONDA_PREFIX, chosen from the command's options.  The
 * engine's libconda/envs.c owns what a name means; this is the tool's side
 * (it reads the options and prints the error).
 */
#ifndef ENVTOOL_TARGET_H
#define ENVTOOL_TARGET_H

#include <stdbool.h>

#include "cmd.h"
#include "envs.h"

/*
 * The prefix a command works on: -n NAME (et_env_locate()), -p PREFIX
 * (made absolute), else file_name (an environment file's name:, create
 * only; may be NULL), else $CONDA_PREFIX (not for ET_ENV_NEW).  Prints the
 * error and returns -1 (*usage set when the exit status is 2); *out is a
 * new string.
 */
int et_env_resolve(struct et_ctx *ctx, enum et_env_want want, const char *file_name, char **out,
		   bool *usage);

#endif
