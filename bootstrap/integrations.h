/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal functions of integrations.c, visible to
 * tests/unit/test_bootstrap_integrations.c (NBK_STATIC: static in the
 * program, extern in test builds).  Only integrations.c and its test include
 * this header.
 */
#ifndef BOOTSTRAP_INTEGRATIONS_H
#define BOOTSTRAP_INTEGRATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"

/* Largest *_file secret and env_file we read. */
#define BS_SECRET_FILE_MAX (64UL * 1024)
#define BS_ENV_FILE_MAX (1024UL * 1024)

/*
 * Read a *_file secret: at most BS_SECRET_FILE_MAX bytes, trailing newlines
 * ("\n", "\r\n") removed.  Returns 0 with *out (caller frees; may be ""), -1
 * with err naming the file, never its contents (a NUL byte, which no
 * environment value can hold, is refused).
 */
NBK_STATIC int bs_integrations_read_secret(const char *path, char **out, struct nbk_error *err);

/*
 * Parse an env_file's text (name is used in errors only: "NAME:LINE: ...",
 * never the line itself, since every value is a secret).  Accepted lines:
 * blank, "# comment", "KEY=VALUE", "export KEY=VALUE"; blanks around KEY and
 * VALUE are dropped; a VALUE wholly in matching '...' or "..." loses the
 * quotes (no escapes are interpreted inside).  A later KEY replaces an
 * earlier one.  Appends "KEY=VALUE" to out; returns 0, or -1 with err.
 */
NBK_STATIC int bs_integrations_parse_env_file(const char *name, const char *text, size_t len,
					      struct nbk_strvec *out, struct nbk_error *err);

/*
 * Look a variable up for ${VAR} expansion: its value or NULL when undefined;
 * *secret says whether the value is a secret.
 */
typedef const char *(*bs_lookup_fn)(void *data, const char *name, bool *secret);

/*
 * Expand ${VAR} and $VAR in text ("$$" is a "$"; a "$" not followed by a
 * name or "{" stays as it is; an undefined VAR expands to "").  *secret is
 * set when a secret value went in.  key names the variable in errors
 * ("integrations.env.KEY: unterminated '${'").  *out: caller frees.
 */
NBK_STATIC int bs_integrations_expand(const char *key, const char *text, bs_lookup_fn lookup,
				      void *data, char **out, bool *secret, struct nbk_error *err);

#endif
