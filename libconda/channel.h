/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Channels as conda names them (conda/models/channel.py):
 * - a name ("conda-forge", "pkgs/main") is channel_alias/NAME, unless
 *   custom_channels maps it (then CUSTOM_URL/NAME) or it is the name of
 *   one of default_channels (then that URL);
 * - "defaults" expands to default_channels;
 * - a URL (http://, https://, file://) is taken as is; when it starts with
 *   channel_alias or is one of default_channels, its canonical name is the
 *   short one ("conda-forge"; a default channel's from its last "pkgs/"
 *   segment, "pkgs/main", even behind a mirror or on a path, else its
 *   last segment), otherwise the URL itself;
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
	char *name;                /* canonical name, or the URL */
	char *url;                 /* base URL without a trailing slash */
	struct nbk_strvec subdirs; /* the platform's, then "noarch" */
};

/*
 * Resolve one channel as written (spec) for platform (a subdir such as
 * "linux-64").  Fills out (not initialised; release with
 * et_channel_release()); "defaults" is refused here: use
 * et_channels_order().  -1 with err for an empty or malformed spec.
 */
int et_channel_parse(const struct et_config *cfg, const char *spec, const char *platform,
		     struct et_channel *out, struct nbk_error *err);
void et_channel_release(struct et_channel *c);

/*
 * The base URLs that a spec's channel stands for ("conda-forge::numpy",
 * "defaults::python", "numpy[channel=pkgs/main]"): for "defaults", those
 * of default_channels; else et_channel_parse()'s one URL.  The one owner
 * of that question, for the solver and `search` alike: a record matches
 * when its channel's base URL is one of them.  Appends to urls; -1 with
 * err when a channel does not parse.
 */
int et_channel_spec_urls(const struct et_config *cfg, const char *channel, struct nbk_strvec *urls,
			 struct nbk_error *err);

/* Where a request's channels come from; NULL: none from there. */
struct et_channel_sources {
	const struct nbk_strvec *cli;   /* -c, as given */
	const struct nbk_strvec *file;  /* an environment file's channels */
	const struct nbk_strvec *specs; /* the channels named in specs ("conda-forge::numpy") */
	bool specs_only;                /* search CHANNEL::NAME: those alone */
};

/* The word for cfg->default_channels, and the one that drops it (conda's and mamba's). */
#define ET_CHANNEL_DEFAULTS "defaults"
#define ET_CHANNEL_NODEFAULTS "nodefaults"

/*
 * The request's channels, resolved for cfg->platform, in priority order
 * (first = highest): the one place that decides it, for fetching (index.h),
 * the solver's channel priority and `envtool info` alike.  The order: -c,
 * then the environment file's, then the configured ones (cfg->channels:
 * CONDA_CHANNELS, then the .condarc files; none with
 * cfg->override_channels), then those named in specs.  "defaults" stands
 * for cfg->default_channels where it is written; "nodefaults" anywhere
 * drops every "defaults" and is no channel itself.  A channel met again
 * (the same URL) keeps its first place.  *out is a new array of *n
 * channels (free with et_channels_free()); -1 with err naming a channel
 * that does not parse.
 */
int et_channels_order(const struct et_config *cfg, const struct et_channel_sources *src,
		      struct et_channel **out, size_t *n, struct nbk_error *err);
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
