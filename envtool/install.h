/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Carrying out a solved transaction: every package fetched and extracted
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

/*
 * Apply t to prefix.  create: a new environment, built aside and renamed
 * into place; an environment already at prefix is replaced only then (the
 * old one stays until the new one is complete, and its kernel goes unless
 * the new one has ipykernel).  Otherwise prefix must be an environment.
 * specs are the user's specs as written (requested_spec, history).
 * Returns the exit status (messages printed).
 */
int et_install_apply(struct et_ctx *ctx, const char *prefix, const struct et_transaction *t,
		     const struct nbk_strvec *specs, bool create);

/* The package name a spec names ("conda-forge::numpy>=1.2" -> "numpy"). New string. */
char *et_spec_name(const char *spec);

#endif
