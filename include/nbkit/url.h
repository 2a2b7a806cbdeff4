/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The credentials a URL may carry, with one owner for envtool's channels
 * and bootstrap's pip index: the userinfo of "scheme://user:password@host"
 * and the TOKEN of a "/t/TOKEN/" segment (anaconda.org's and Artifactory's
 * conda token form).  Every function returns a new string.
 */
#ifndef NBKIT_URL_H
#define NBKIT_URL_H

#include <stdbool.h>

/* Where the host (with its port) starts and ends in url, after any userinfo. */
void nbk_url_host_span(const char *url, const char **host, const char **end);

/* url for a message: the userinfo and each token become "***". */
char *nbk_url_redact(const char *url);

/*
 * url without its credentials, as conda records it: no user:password@ and
 * no "/t/TOKEN" segment.  For what is written to disk or printed as data
 * (conda-meta records, --json, env export, @EXPLICIT).
 */
char *nbk_url_strip_credentials(const char *url);

/* Does url carry its own credentials (user:password@ or /t/TOKEN/)? */
bool nbk_url_has_credentials(const char *url);

/*
 * url with "user:password@" before its host, both percent-encoded, so that
 * any ':', '@', '/' or '%' in them survives.  url has no userinfo yet.
 */
char *nbk_url_with_userinfo(const char *url, const char *user, const char *password);

#endif
