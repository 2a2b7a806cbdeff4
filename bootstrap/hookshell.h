/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hookshell.c's internals, declared for its own definitions and for the
 * unit tests (tests/unit/test_bootstrap_hooks.c).  They are static outside
 * test builds (NBK_STATIC); what hooks.c uses is in bootstrap.h.
 */
#ifndef BOOTSTRAP_HOOKSHELL_H
#define BOOTSTRAP_HOOKSHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/buf.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"

/* The shell's reports to us (hookshell.c's header comment). */
enum bs_rec_kind {
	BS_REC_NONE,   /* nothing came */
	BS_REC_BAD,    /* something else than a record: a hook wrote to our descriptor */
	BS_REC_BATCH,  /* "s batch": ready, takes one line per hook */
	BS_REC_SINGLE, /* "s single": ready, sources "$0" on a go line */
	BS_REC_UNABLE, /* "s unable": bash too old for a batch; ending */
	BS_REC_READY,  /* "r STATUS BG": a hook is done, the shell waits */
	BS_REC_EXIT,   /* "x STATUS": the shell is ending (exit, set -e, or one hook done) */
};

struct bs_hook_record {
	enum bs_rec_kind kind;
	int status;      /* READY, EXIT: the hook's exit status */
	bool background; /* READY: it left a job in the background */
};

/*
 * Parse the record line[0..len) (one line, its newline included).  Fills
 * rec and returns its kind; BS_REC_BAD for anything that is not exactly one
 * record.
 */
NBK_STATIC enum bs_rec_kind bs_hook_record_parse(const char *line, size_t len,
						 struct bs_hook_record *rec);

/*
 * Append to out, in `env -0`'s shape ("NAME=VALUE\0" each), the variables
 * of bash's `declare -px` output data[0..len) that have a value, arrays
 * left out.  Returns 0, or -1 when data is not in that shape.
 */
NBK_STATIC int bs_declare_to_env0(const char *data, size_t len, struct nbk_buf *out);

/*
 * Apply to env the difference between two `env -0` dumps: keys new or
 * changed in after are set, keys of before missing from after are unset;
 * the shell's own variables (_, PWD, OLDPWD, SHLVL) and invalid names are
 * ignored.  The names set and unset are appended to set and unset (each may
 * be NULL; the vectors own copies).  Returns the number of changes.
 */
NBK_STATIC size_t bs_env_apply_diff(struct nbk_strvec *env, const char *before, size_t blen,
				    const char *after, size_t alen, struct nbk_strvec *set,
				    struct nbk_strvec *unset);

#endif
