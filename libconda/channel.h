/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Channels as conda names them (conda/models/channel.py):
 * - a name ("conda-forge", "pkgs/main") is channel_alias/NAME, unless
 *   custom_channels maps it (then CUSTOM_URL/NAME);
 * - "defaults" expands to default_channels;
 * - a URL (http://, https://, file://) is taken as is; when it starts with
 *   channel_alias or is one of default_channels, its canonical name is the
 *   short one ("conda-forge", "pkgs/main"), otherwise the URL itself;
 * - an absolute path ("/srv/chan"), or "./x", "~/x", is file:///abs/path;
 * - a trailing known subdir ("conda-forge/linux-64") restricts the channel
 *   to that subdir (and noarch).
 * A channel's subdirs are the platform's plus noarch.
 */
#ifndef LIBCONDA_CHANNEL_H
#define LIBCONDA_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "config.h"

struct et_channel {
	char *name;                 /* canonical name, or the URL */
	char *url;                  /* base URL without a trailing slash */
	struct nbk_strvec subdirs;  /* the platform's, then "noarch" */
};

/*
 * Resolve one channel as written (spec) for platform (a subdir such as
 * "linux-64").  Fills out (not initialised; release with
 * et_channel_release()); "defaults" is refused here: use
 * et_channels_resolve().  -1 with err for an empty or malformed spec.
 */
int et_channel_parse(const struct et_config *cfg, const char *spec, const char *platform,
		     struct et_channel *out, struct nbk_error *err);
void et_channel_release(struct et_channel *c);

/*
 * Resolve a list of channels in priority order: "defaults" expanded,
 * duplicates (same URL) dropped.  *out is a new array of *n channels (free
 * with et_channels_free()).
 */
int et_channels_resolve(const struct et_config *cfg, const struct nbk_strvec *specs,
			const char *platform, struct et_channel **out, size_t *n,
			struct nbk_error *err);
void et_channels_free(struct et_channel *v, size_t n);

/* true when s is one of conda's known subdirs. */
bool et_subdir_known(const char *s);

/*
 * For a file:// URL, a new string with the local path, percent-decoded
 * ("file:///srv/my%20chan" -> "/srv/my chan"); NULL for any other scheme
 * or a "%00".
 */
char *et_url_local_path(const char *url);

#endif
