/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding environments, the one owner of "which prefix does NAME mean"
 * (issue 10): NAME in the envs_dirs (conda's order, see et_env_locate()),
 * "base" the root prefix; and every known environment (the envs_dirs'
 * children and ~/.conda/environments.txt).  The tool's -n/-p/$CONDA_PREFIX
 * choice is envtool/target.c, built on these.
 */
#ifndef LIBCONDA_ENVS_H
#define LIBCONDA_ENVS_H

#include <stdbool.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "config.h"

/* What the prefix a command is given must be. */
enum et_env_want {
	/* an environment (PREFIX/conda-meta): install, update, remove, list,
	 * env export, run, kernel install */
	ET_ENV_EXISTING,
	/* an environment or not (kernel remove, remove --all of a link) */
	ET_ENV_ANY,
	/* the target of create: an existing environment of that name (to be
	 * replaced), else NAME in the first writable envs_dir; $CONDA_PREFIX
	 * is never the target */
	ET_ENV_NEW,
};

/*
 * The prefix of environment NAME, conda's order (conda/base/context.py
 * locate_prefix_by_name, then _first_writable_envs_dir):
 * - "base" (and "root") is cfg->root_prefix;
 * - else the first envs_dir that holds NAME as an environment;
 * - else, for ET_ENV_NEW, NAME in the first envs_dir that exists and may be
 *   written, or that does not exist yet and can be made (its nearest
 *   existing parent may be written); for ET_ENV_ANY, NAME in the first
 *   envs_dir.
 * NAME is checked first (et_env_name_check()).  Returns 0 with *out a new
 * string; -1 with err, the one "not found" message of every command:
 * "environment 'NAME' does not exist (no 'NAME' in envs_dirs 'D1', 'D2')".
 * *usage (may be NULL) is set when NAME itself is invalid.
 */
int et_env_locate(const struct et_config *cfg, const char *name, enum et_env_want want, char **out,
		  bool *usage, struct nbk_error *err);

/*
 * 0 when prefix is an environment (PREFIX/conda-meta is a folder); else
 * -1 with err in the same shape as et_env_locate()'s:
 * "environment 'PREFIX' does not exist (no 'PREFIX/conda-meta')".
 */
int et_env_check_exists(const char *prefix, struct nbk_error *err);

/* The name an environment is shown with: its folder's name, "base" for the root. */
char *et_env_display_name(const struct et_config *cfg, const char *prefix);

/* Every known environment, each once, in a stable order. */
void et_env_known(const struct et_config *cfg, struct nbk_strvec *out);

#endif
