/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Channel credentials, one owner: where a request's credentials come
 * from, and how they are sent.  Sources, first match wins:
 *   1. the URL itself: "scheme://user:password@host/..." or anaconda.org's
 *      "/t/TOKEN/" segment (sent as they are);
 *   2. the authentication file (rattler's and pixi's credentials.json
 *      shape), named by RATTLER_AUTH_FILE (bootstrap sets it from
 *      envs.auth_file, a mounted secret): an object whose keys are a host,
 *      a host and path prefix, or "*.domain", each holding one of
 *        {"BearerToken": "TOKEN"}          Authorization: Bearer TOKEN
 *        {"BasicHTTP": {"username": "U", "password": "P"}}
 *        {"CondaToken": "TOKEN"}           "/t/TOKEN" after the host
 *      (the longest matching key wins);
 *   3. ~/.netrc (or $NETRC), read by libcurl for the host.
 * Every secret of the file is registered with the logger (nbk_log masks
 * it); messages show URLs through nbk_url_redact() (nbkit/url.h, which
 * also strips them from what is recorded).
 */
#ifndef LIBCONDA_AUTH_H
#define LIBCONDA_AUTH_H

#include <stddef.h>

#include "nbkit/error.h"

enum et_auth_kind { ET_AUTH_BEARER, ET_AUTH_BASIC, ET_AUTH_CONDA_TOKEN };

struct et_auth_entry {
	char *key; /* "host", "host/path" or "*.domain" */
	enum et_auth_kind kind;
	char *token;    /* BEARER, CONDA_TOKEN */
	char *username; /* BASIC */
	char *password; /* BASIC */
};

struct et_auth {
	char *path; /* the file read; NULL: none */
	struct et_auth_entry *v;
	size_t n;
};

/*
 * Read the authentication file at path (at most 1 MiB) into a, which is
 * zeroed first.  Returns 0, or -1 with err naming the file and what is
 * wrong in it (never a secret).  Release a with et_auth_release().
 */
int et_auth_load(struct et_auth *a, const char *path, struct nbk_error *err);
void et_auth_release(struct et_auth *a);

/* The entry for url (longest matching key), or NULL. */
const struct et_auth_entry *et_auth_find(const struct et_auth *a, const char *url);

/*
 * url with anaconda.org's "/t/TOKEN" put right after the host (a new
 * string), for a CondaToken entry.
 */
char *et_url_with_token(const char *url, const char *token);

#endif
