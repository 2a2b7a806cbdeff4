/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hooks.c's internals, declared for its own definitions and for the unit
 * tests (tests/unit/test_bootstrap_hooks.c).  They are static outside test
 * builds (NBK_STATIC); the step itself is bs_hooks_run() in bootstrap.h.
 */
#ifndef BOOTSTRAP_HOOKS_H
#define BOOTSTRAP_HOOKS_H

#include <stddef.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"

enum bs_hook_kind {
	BS_HOOK_SOURCE,   /* *.sh: sourced, its environment changes are kept */
	BS_HOOK_EXEC,     /* another executable file: run */
	BS_HOOK_NOT_EXEC, /* a file neither *.sh nor executable: skipped */
	BS_HOOK_NOT_FILE, /* a folder, a device, a dangling link: skipped */
};

/*
 * Append to names the entries of dir in strcmp order, hidden names left
 * out.  Returns 0, 1 when dir does not exist or is not a folder, -1 with err
 * on another failure.
 */
NBK_STATIC int bs_hooks_list(const char *dir, struct nbk_strvec *names, struct nbk_error *err);

/* What to do with the entry at path (links followed). */
NBK_STATIC enum bs_hook_kind bs_hook_classify(const char *path);

#endif
