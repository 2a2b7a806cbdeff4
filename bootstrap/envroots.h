/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal functions of envroots.c, visible to tests/unit/test_bootstrap_config.c
 * (NBK_STATIC: static in the program, extern in test builds).  Only
 * envroots.c and its test include this header.
 */
#ifndef BOOTSTRAP_ENVROOTS_H
#define BOOTSTRAP_ENVROOTS_H

#include "nbkit/error.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"

/*
 * Merge the managed keys (envs_dirs: envs_dir, a ':' list as
 * CONDA_ENVS_DIRS holds it; pkgs_dirs, channels; ssl_verify when
 * not NULL: the trust bundle, which replaces the user's value) into the
 * .condarc at path.  Returns 1 when the file was written, 0 when it was
 * already right or was left untouched (*why set), -1 with err.
 */
NBK_STATIC int bs_condarc_update(const char *path, const char *envs_dir, const char *pkgs_dir,
				 const struct nbk_strvec *channels, const char *ssl_verify,
				 const char **why, struct nbk_error *err);

#endif
