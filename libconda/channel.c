/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/str.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "channel.h"

/* The segment before Anaconda's channel names, "pkgs/main" (not the package cache's "pkgs"). */
#define ANACONDA_NAMESPACE "/pkgs/"

/* Longest channel spec accepted. */
#define MAX_CHANNEL_SPEC 4096

/* conda's KNOWN_SUBDIRS (conda/base/constants.py). */
static const char *const known_subdirs[] = {
	"noarch",        "emscripten-wasm32",
	"wasi-wasm32",   "freebsd-64",
	"linux-32",      "linux-64",
	"linux-aarch64", "linux-armv6l",
	"linux-armv7l",  "linux-ppc64",
	"linux-ppc64le", "linux-riscv64",
	"linux-s390x",   "osx-64",
	"osx-arm64",     "win-32",
	"win-64",        "win-arm64",
	"zos-z",         NULL,
};

bool et_subdir_known(const char *s)
{
	size_t i;

	for (i = 0; known_subdirs[i]; i++)
		if (!strcmp(s, known_subdirs[i]))
			return true;
	return false;
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8) || !strncmp(s, "file://", 7);
}

static void strip_slashes(char *s)
{
	s[nbk_str_rtrim_len(s, '/')] = '\0';
}

/* "a/b/linux-64" -> "a/b", *subdir = "linux-64"; untouched without one. */
static void split_subdir(char *s, char **subdir)
{
	char *slash = strrchr(s, '/');

	if (slash && et_subdir_known(slash + 1)) {
		*subdir = nbk_xstrdup(slash + 1);
		*slash = '\0';
	}
}

/* prefix is s's leading part followed by '/' or the end: the rest, else NULL. */
static const char *after_prefix(const char *s, const char *prefix)
{
	size_t n = nbk_str_rtrim_len(prefix, '/');

	if (n == 0 || strncmp(s, prefix, n) != 0)
		return NULL;
	if (s[n] == '/')
		return s + n + 1;
	return s[n] ? NULL : s + n;
}

/*
 * The name of one of default_channels, written as a URL (d, no trailing
 * '/'): its path from the last "pkgs" segment ("https://mirror/pkgs/main",
 * "file:///srv/mirror/pkgs/r": "pkgs/main", "pkgs/r"), else its last
 * segment ("https://mirror/conda/conda-forge": "conda-forge").  conda
 * names repo.anaconda.com's "pkgs/main" so; a mirror keeps that name
 * wherever it lives, a path included, so that "pkgs/main::python" and
 * the channel shown stay the same behind any mirror.  NULL: d is no
 * URL with a path.
 */
static char *default_channel_name(const char *d)
{
	const char *scheme = strstr(d, "://"), *path, *p, *found = NULL;

	if (!scheme || !(path = strchr(scheme + 3, '/')) || !path[1])
		return NULL;
	for (p = path; (p = strstr(p, ANACONDA_NAMESPACE)); p++)
		if (p[sizeof(ANACONDA_NAMESPACE) - 1])
			found = p + 1;
	return nbk_xstrdup(found ? found : strrchr(path, '/') + 1);
}

static char *canonical_name(const struct et_config *cfg, const char *url)
{
	const char *rest;
	size_t i;

	for (i = 0; i < cfg->default_channels.n; i++) {
		_cleanup_free_ char *d = nbk_xstrdup(cfg->default_channels.v[i]);
		char *name;

		strip_slashes(d);
		if (strcmp(d, url) != 0)
			continue;
		name = default_channel_name(d);
		return name ? name : nbk_xstrdup(url);
	}
	for (i = 0; i < cfg->custom_names.n; i++) {
		_cleanup_free_ char *base = nbk_xstrdup(cfg->custom_urls.v[i]);
		_cleanup_free_ char *full = NULL;

		strip_slashes(base);
		full = nbk_xasprintf("%s/%s", base, cfg->custom_names.v[i]);
		if (!strcmp(full, url))
			return nbk_xstrdup(cfg->custom_names.v[i]);
	}
	if (cfg->channel_alias && (rest = after_prefix(url, cfg->channel_alias)) && *rest)
		return nbk_xstrdup(rest);
	return nbk_xstrdup(url);
}

static bool valid_name(const char *s)
{
	const char *p;

	if (!*s || *s == '/' || strstr(s, "//") || strstr(s, ".."))
		return false;
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '/' || c == '+'))
			return false;
	}
	return true;
}

/*
 * Resolve spec, one channel as written, for platform: a URL is kept (it must
 * name a host unless file://); a path (/, ./, ../, ~, .) becomes a file://
 * URL of the normalised absolute path, '%' and ' ' percent-encoded; a name
 * (a safe grammar: no "..", no "//") joins its custom_channels URL or the
 * channel_alias.  A trailing "/SUBDIR" picks the subdir, else platform;
 * "noarch" is added after it.  out is cleared first, so et_channel_release()
 * is right after success and failure alike; the caller owns its strings.
 * Returns 0, or -1 with err (may be NULL) for an empty, over-long or
 * malformed spec, and for "defaults" (a list: et_channels_resolve()).
 */
int et_channel_parse(const struct et_config *cfg, const char *spec, const char *platform,
		     struct et_channel *out, struct nbk_error *err)
{
	_cleanup_free_ char *s = NULL;
	_cleanup_free_ char *subdir = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	nbk_strvec_init(&out->subdirs);
	if (!spec || !*spec)
		return nbk_error_set(err, 0, "empty channel name");
	if (strlen(spec) > MAX_CHANNEL_SPEC)
		return nbk_error_set(err, 0, "channel name longer than %d bytes", MAX_CHANNEL_SPEC);
	if (!strcmp(spec, ET_CHANNEL_DEFAULTS))
		return nbk_error_set(err, 0, "'defaults' is a list of channels, not one");
	s = nbk_xstrdup(spec);
	strip_slashes(s);
	if (!*s)
		return nbk_error_set(err, 0, "invalid channel '%s'", spec);
	split_subdir(s, &subdir);

	if (is_url(s)) {
		const char *host = strstr(s, "://") + 3;

		if (strncmp(s, "file://", 7) != 0 && (!*host || *host == '/'))
			return nbk_error_set(err, 0, "invalid channel '%s': no host", spec);
		out->url = nbk_xstrdup(s);
	} else if (s[0] == '/' || !strncmp(s, "./", 2) || !strncmp(s, "../", 3) || s[0] == '~' ||
		   !strcmp(s, ".")) {
		_cleanup_free_ char *abs = NULL;
		char *norm;

		if (s[0] == '~') {
			if (nbk_path_expand_user(s, getenv(ET_ENV_HOME), &abs, err) < 0)
				return nbk_error_prefix(err, "invalid channel '%s'", spec);
		} else if (s[0] != '/') {
			char cwd[4096];

			if (!getcwd(cwd, sizeof(cwd)))
				return nbk_error_set(
					err, 0, "invalid channel '%s': no current folder", spec);
			abs = nbk_xasprintf("%s/%s", cwd, s);
		} else {
			abs = nbk_xstrdup(s);
		}
		norm = nbk_path_normalize(abs);
		{
			/* a path's '%' and ' ' are percent-encoded: et_url_local_path() decodes */
			struct nbk_buf u = NBK_BUF_INIT;
			const char *q;

			nbk_buf_addstr(&u, "file://");
			for (q = norm; *q; q++) {
				if (*q == '%')
					nbk_buf_addstr(&u, "%25");
				else if (*q == ' ')
					nbk_buf_addstr(&u, "%20");
				else
					nbk_buf_addch(&u, *q);
			}
			out->url = nbk_buf_detach(&u, NULL);
		}
		free(norm);
		strip_slashes(out->url);
	} else {
		if (!valid_name(s))
			return nbk_error_set(err, 0, "invalid channel name '%s'", spec);
		for (i = 0; i < cfg->custom_names.n; i++) {
			if (!strcmp(cfg->custom_names.v[i], s)) {
				out->url = nbk_xasprintf("%s/%s", cfg->custom_urls.v[i], s);
				break;
			}
		}
		/* conda: default_channels are custom channels by their names ("pkgs/main") */
		for (i = 0; !out->url && i < cfg->default_channels.n; i++) {
			_cleanup_free_ char *d = nbk_xstrdup(cfg->default_channels.v[i]);
			_cleanup_free_ char *name = NULL;

			strip_slashes(d);
			name = default_channel_name(d);
			if (name && !strcmp(name, s))
				out->url = nbk_steal_pointer(&d);
		}
		if (!out->url)
			out->url = nbk_xasprintf("%s/%s",
						 cfg->channel_alias ? cfg->channel_alias
								    : ET_DEFAULT_CHANNEL_ALIAS,
						 s);
		/* a custom URL or an alias may end in '/': squeeze "//" after the host */
		{
			char *p = strstr(out->url, "://");

			p = p ? p + 3 : out->url;
			while ((p = strstr(p, "//")))
				memmove(p, p + 1, strlen(p));
		}
		strip_slashes(out->url);
	}
	out->name = canonical_name(cfg, out->url);
	nbk_strvec_push(&out->subdirs, subdir ? subdir : platform);
	if (strcmp(out->subdirs.v[0], "noarch") != 0)
		nbk_strvec_push(&out->subdirs, "noarch");
	return 0;
}

int et_channel_spec_urls(const struct et_config *cfg, const char *channel, struct nbk_strvec *urls,
			 struct nbk_error *err)
{
	struct et_channel ch;
	size_t i;

	if (!strcmp(channel, ET_CHANNEL_DEFAULTS)) {
		for (i = 0; i < cfg->default_channels.n; i++) {
			if (et_channel_parse(cfg, cfg->default_channels.v[i], cfg->platform, &ch,
					     err) < 0) {
				et_channel_release(&ch);
				return -1;
			}
			nbk_strvec_push_owned(urls, nbk_steal_pointer(&ch.url));
			et_channel_release(&ch);
		}
		return 0;
	}
	if (et_channel_parse(cfg, channel, cfg->platform, &ch, err) < 0) {
		et_channel_release(&ch);
		return -1;
	}
	nbk_strvec_push_owned(urls, nbk_steal_pointer(&ch.url));
	et_channel_release(&ch);
	return 0;
}

void et_channel_release(struct et_channel *c)
{
	free(c->name);
	free(c->url);
	nbk_strvec_release(&c->subdirs);
	memset(c, 0, sizeof(*c));
	nbk_strvec_init(&c->subdirs);
}

void et_channels_free(struct et_channel *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		et_channel_release(&v[i]);
	free(v);
}

static int add_channel(const struct et_config *cfg, const char *spec, const char *platform,
		       struct et_channel **v, size_t *n, size_t *alloc, struct nbk_error *err)
{
	struct et_channel c;
	size_t i;

	if (et_channel_parse(cfg, spec, platform, &c, err) < 0) {
		et_channel_release(&c);
		return -1;
	}
	for (i = 0; i < *n; i++) {
		if (!strcmp((*v)[i].url, c.url)) {
			et_channel_release(&c);
			return 0;
		}
	}
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 4;
		*v = nbk_xrealloc(*v, *alloc * sizeof(**v));
	}
	(*v)[(*n)++] = c;
	return 0;
}

int et_channels_order(const struct et_config *cfg, const struct et_channel_sources *src,
		      struct et_channel **out, size_t *n, struct nbk_error *err)
{
	const struct nbk_strvec *lists[4];
	struct et_channel *v = NULL;
	size_t nlists = 0, count = 0, alloc = 0, l, i, j;
	bool nodefaults = false;

	if (!src->specs_only) {
		lists[nlists++] = src->cli;
		lists[nlists++] = src->file;
		lists[nlists++] = cfg->override_channels ? NULL : &cfg->channels;
	}
	lists[nlists++] = src->specs;
	for (l = 0; l < nlists; l++)
		nodefaults = nodefaults ||
			     (lists[l] && nbk_strvec_find(lists[l], ET_CHANNEL_NODEFAULTS) >= 0);
	for (l = 0; l < nlists; l++) {
		for (i = 0; lists[l] && i < lists[l]->n; i++) {
			const char *c = lists[l]->v[i];

			if (!strcmp(c, ET_CHANNEL_NODEFAULTS))
				continue;
			if (!strcmp(c, ET_CHANNEL_DEFAULTS)) {
				for (j = 0; !nodefaults && j < cfg->default_channels.n; j++)
					if (add_channel(cfg, cfg->default_channels.v[j],
							cfg->platform, &v, &count, &alloc, err) < 0)
						goto fail;
				continue;
			}
			if (add_channel(cfg, c, cfg->platform, &v, &count, &alloc, err) < 0)
				goto fail;
		}
	}
	*out = v;
	*n = count;
	return 0;
fail:
	et_channels_free(v, count);
	return -1;
}

/*
 * RFC 3986 percent-decoding of a file URL's path ("/srv/my%20chan" ->
 * "/srv/my chan").  NULL for "%00" (no NUL in a path); a '%' not followed
 * by two hex digits is kept as is (conda's url_to_path does the same).
 */
static char *percent_decode(const char *p)
{
	char *out = nbk_xmalloc(strlen(p) + 1), *o = out;

	while (*p) {
		int hi, lo;

		if (p[0] == '%' && (hi = nbk_hex_digit(p[1])) >= 0 &&
		    (lo = nbk_hex_digit(p[2])) >= 0) {
			if (hi == 0 && lo == 0) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

char *et_url_local_path(const char *url)
{
	const char *p;

	if (strncmp(url, "file://", 7) != 0)
		return NULL;
	p = url + 7;
	/* file://localhost/path and file:///path */
	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/')
		return NULL;
	return percent_decode(p);
}
