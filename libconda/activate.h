/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Activation, the one owner of "what does activating an environment
 * change": the shell's `activate`/`deactivate` (envtool shell), `envtool
 * run` and the kernels (which start through `envtool run`) all take their
 * changes from here.  What conda and micromamba do, as changes to a
 * process environment, computed from the current one:
 *
 * activate PREFIX (level L -> L+1):
 *   - PATH: PREFIX/bin first; replacing the active environment's bin in
 *     place unless stacked (then both stay);
 *   - CONDA_PREFIX=PREFIX, CONDA_SHLVL=L+1, CONDA_DEFAULT_ENV=its name,
 *     CONDA_PROMPT_MODIFIER="(name) "; the previous CONDA_PREFIX kept as
 *     CONDA_PREFIX_L, CONDA_STACKED_{L+1}=true when stacked;
 *   - the env_vars of PREFIX/conda-meta/state (`conda env config vars
 *     set`), a value they replace kept as __CONDA_SHLVL_L_NAME;
 *   - scripts: when switching (not stacked) the active environment's
 *     etc/conda/deactivate.d/ *.sh first, then PREFIX's activate.d/ *.sh
 *     after the variables are set.
 * deactivate (level L -> L-1): the reverse, exactly: PREFIX's deactivate.d
 * first, its env_vars back to what they replaced (or unset), PATH and the
 * CONDA_* variables as they were at level L-1 (unset at 0), and, when the
 * environment returned to had been switched away from, its activate.d.
 *
 * So activate then deactivate gives back the same environment, byte for
 * byte, as long as the scripts restore what they change (conda-forge's do).
 */
#ifndef LIBCONDA_ACTIVATE_H
#define LIBCONDA_ACTIVATE_H

#include <stdbool.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "config.h"

/* What an activation or a deactivation changes, in the order to apply it. */
struct et_activation {
	struct nbk_strvec before; /* scripts to source first (deactivate.d) */
	struct nbk_strvec unset;  /* variables to unset */
	struct nbk_strvec set;    /* NAME=VALUE to export */
	struct nbk_strvec after;  /* scripts to source last (activate.d) */
};

void et_activation_init(struct et_activation *a);
void et_activation_release(struct et_activation *a);

/*
 * Activate prefix (an environment) over the environment env (NAME=VALUE
 * strings, e.g. from environ).  Activating the active environment again
 * changes nothing.  Returns 0, or -1 with err (a broken conda-meta/state).
 */
int et_activate(const struct et_config *cfg, const struct nbk_strvec *env, const char *prefix,
		bool stack, struct et_activation *out, struct nbk_error *err);

/*
 * Deactivate the active environment of env.  Returns 1 when there was one,
 * 0 when none is active (nothing to change), -1 with err.
 */
int et_deactivate(const struct et_config *cfg, const struct nbk_strvec *env,
		  struct et_activation *out, struct nbk_error *err);

#endif
