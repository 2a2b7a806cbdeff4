/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Carrying out the solver's solution: every package fetched and extracted
 * into the package cache first (pkgcache.h), then the prefix changed under
 * its lock (transaction.h), then the Jupyter kernel of an environment that
 * got ipykernel (kernel.h; --no-kernel opts out).  apply.c's
 * et_cmd_apply() is this.
 */
#ifndef ENVTOOL_INSTALL_H
#define ENVTOOL_INSTALL_H

#include "nbkit/strvec.h"
#include "cmd.h"
#include "solve.h"

enum et_apply_flags {
	ET_APPLY_CREATE = 1 << 0, /* a new environment (replacing one at prefix) */
	ET_APPLY_EXPLICIT =
		1
		<< 1, /* records from an @EXPLICIT file: the rest of each comes from its info/index.json */
};

/*
 * Apply sol (the solver's answer, solve.h) to prefix through a
 * transaction (transaction.h).  flags: enum et_apply_flags.
 * ET_APPLY_CREATE: a new environment, built aside and renamed into place;
 * an environment already at prefix is replaced only then (the old one
 * stays until the new one is complete, and its kernel goes unless the new
 * one has ipykernel).  Otherwise prefix must be an environment.
 * specs are the user's specs as written (requested_spec, history).
 * Returns the exit status (messages printed).
 */
int et_install_apply(struct et_ctx *ctx, const char *prefix, const struct et_solution *sol,
		     const struct nbk_strvec *specs, unsigned flags);

/* The package name a spec names ("conda-forge::numpy>=1.2" -> "numpy"). New string. */
char *et_spec_name(const char *spec);

#endif
