/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool's configuration: .condarc files in conda's search order (conda's
 * context.py SEARCH_PATH, $CONDARC last), then CONDA_* variables, then the
 * command line (main.c writes those fields after et_config_load()).
 *
 * Merging follows conda: a scalar from a later source wins; a list from a
 * later source comes first and the lists are concatenated without
 * duplicates (so ~/.condarc's channels rank above /etc/conda's); maps
 * (custom_channels, proxy_servers) merge key by key, later wins.
 *
 * Ownership: every string and vector is owned by the config and freed by
 * et_config_release().
 */
#ifndef LIBCONDA_CONFIG_H
#define LIBCONDA_CONFIG_H

#include <stdbool.h>

#include "nbkit/conda_names.h"
#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "auth.h"

/* Environment variables read here (conda's names; those bootstrap sets are
 * in nbkit/conda_names.h). */
#define ET_ENV_CONDARC "CONDARC"
#define ET_ENV_CONDA_ROOT "CONDA_ROOT"
#define ET_ENV_XDG_CONFIG_HOME "XDG_CONFIG_HOME"
#define ET_ENV_HOME "HOME"
#define ET_ENV_ROOT_PREFIX "ENVTOOL_ROOT_PREFIX"
/* The active environment's variables (conda's names). */
#define ET_ENV_CONDA_PREFIX "CONDA_PREFIX"
#define ET_ENV_CONDA_SHLVL "CONDA_SHLVL"
#define ET_ENV_CONDA_DEFAULT_ENV "CONDA_DEFAULT_ENV"
#define ET_ENV_CONDA_PROMPT_MODIFIER "CONDA_PROMPT_MODIFIER"

#define ET_DEFAULT_CHANNEL_ALIAS "https://conda.anaconda.org"
/* conda's remote_connect_timeout_secs and remote_read_timeout_secs */
#define ET_DEFAULT_CONNECT_TIMEOUT 9.15
#define ET_DEFAULT_READ_TIMEOUT 60.0
#define ET_DEFAULT_MAX_RETRIES 3
#define ET_DEFAULT_BACKOFF 0.5
/* Largest repodata.json accepted, after decoding (conda-forge's linux-64 is ~300 MB). */
#define ET_DEFAULT_REPODATA_MAX_BYTES (1L << 30)

enum et_ssl_verify { ET_SSL_VERIFY_OFF, ET_SSL_VERIFY_ON };

struct et_config {
	char *root_prefix;                  /* -r; default ~/.conda */
	struct nbk_strvec channels;         /* as written: names, URLs, paths */
	struct nbk_strvec default_channels; /* what "defaults" expands to */
	char *channel_alias;
	struct nbk_strvec custom_names; /* custom_channels, parallel vectors */
	struct nbk_strvec custom_urls;
	struct nbk_strvec pkgs_dirs; /* first writable one holds the cache */
	struct nbk_strvec envs_dirs;
	struct nbk_strvec pinned_packages;
	char *channel_priority; /* "strict", "flexible", "disabled" */
	char *platform;         /* the subdir next to noarch */
	enum et_ssl_verify ssl_verify;
	char *ca_bundle;     /* ssl_verify: PATH, SSL_CERT_FILE ... ; NULL: curl's default */
	struct et_auth auth; /* channel credentials: RATTLER_AUTH_FILE's (auth.h) */
	char *proxy_http;    /* proxy_servers.http */
	char *proxy_https;   /* proxy_servers.https */
	double connect_timeout_s;
	double read_timeout_s;
	long max_retries;
	double backoff_factor;
	long repodata_max_bytes; /* repodata_max_bytes (envtool's key) */
	long local_repodata_ttl; /* 1: honour Cache-Control; 0: always revalidate; N: seconds */
	bool offline;
	bool override_channels;
	bool add_pip_as_python_dependency; /* conda's and mamba's key, default true */
	struct nbk_strvec rc_files;        /* the .condarc files read, in order */
};

/* Which .condarc files to read. */
enum et_config_flags {
	ET_CONFIG_NO_RC = 1 << 0, /* none (micromamba's --no-rc) */
};

/*
 * Fill cfg (not initialised) from the .condarc search path (or only
 * rc_file when it is not NULL) and the environment.  Returns 0, or -1 with
 * err naming the file and position of a bad value.  cfg is usable (and
 * must be released) either way.
 */
int et_config_load(struct et_config *cfg, unsigned flags, const char *rc_file,
		   struct nbk_error *err);
void et_config_release(struct et_config *cfg);

/*
 * Settle what depends on options given after loading: root_prefix and the
 * default pkgs_dirs / envs_dirs (ROOT/pkgs, ROOT/envs) when none was set.
 */
void et_config_finish(struct et_config *cfg);

/* The host's conda subdir ("linux-64", "linux-aarch64", "osx-arm64" ...). */
const char *et_host_subdir(void);

#endif
