/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/conda_names.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/yaml.h"
#include "config.h"

/* Largest .condarc read. */
#define MAX_RC_SIZE (1 << 20)

/* dst = src (first) + dst, without duplicates: conda's list merge. */
static void merge_front(struct nbk_strvec *dst, const struct nbk_strvec *src)
{
	struct nbk_strvec out = NBK_STRVEC_INIT;
	size_t i;

	for (i = 0; i < src->n; i++)
		if (nbk_strvec_find(&out, src->v[i]) < 0)
			nbk_strvec_push(&out, src->v[i]);
	for (i = 0; i < dst->n; i++)
		if (nbk_strvec_find(&out, dst->v[i]) < 0)
			nbk_strvec_push(&out, dst->v[i]);
	nbk_strvec_release(dst);
	*dst = out;
}

static void split_into(struct nbk_strvec *out, const char *s, const char *seps)
{
	_cleanup_free_ char *copy = nbk_xstrdup(s);
	char *save = NULL, *tok;

	for (tok = strtok_r(copy, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok)
			nbk_strvec_push(out, tok);
	}
}

static void set_custom(struct et_config *cfg, const char *name, const char *url)
{
	long i = nbk_strvec_find(&cfg->custom_names, name);

	if (i >= 0) {
		free(cfg->custom_urls.v[i]);
		cfg->custom_urls.v[i] = nbk_xstrdup(url);
		return;
	}
	nbk_strvec_push(&cfg->custom_names, name);
	nbk_strvec_push(&cfg->custom_urls, url);
}

static int apply_list(const struct nbk_node *node, const char *key, struct nbk_strvec *dst,
		      struct nbk_error *err)
{
	struct nbk_strvec v = NBK_STRVEC_INIT;

	if (node->kind == NBK_NODE_NULL)
		return 0;
	if (nbk_node_as_strvec(node, key, &v, err) < 0) {
		nbk_strvec_release(&v);
		return -1;
	}
	merge_front(dst, &v);
	nbk_strvec_release(&v);
	return 0;
}

static int apply_string(const struct nbk_node *node, const char *key, char **dst,
			struct nbk_error *err)
{
	const char *s;

	if (node->kind == NBK_NODE_NULL)
		return 0;
	if (nbk_node_as_string(node, key, &s, err) < 0)
		return -1;
	nbk_str_set(dst, s);
	return 0;
}

static int apply_ssl_verify(struct et_config *cfg, const struct nbk_node *node,
			    struct nbk_error *err)
{
	bool b;

	if (node->kind != NBK_NODE_SCALAR)
		return nbk_node_error(node, err, NBK_CONDARC_SSL_VERIFY,
				      "expected true, false or a CA bundle path");
	if (!node->quoted && nbk_node_as_bool(node, NBK_CONDARC_SSL_VERIFY, &b, NULL) == 0) {
		cfg->ssl_verify = b ? ET_SSL_VERIFY_ON : ET_SSL_VERIFY_OFF;
		if (b)
			nbk_str_set(&cfg->ca_bundle, NULL);
		return 0;
	}
	cfg->ssl_verify = ET_SSL_VERIFY_ON;
	nbk_str_set(&cfg->ca_bundle, node->scalar);
	return 0;
}

static int apply_map(const struct nbk_node *node, const char *key, struct et_config *cfg,
		     bool proxies, struct nbk_error *err)
{
	size_t i;
	const char *v;

	if (node->kind == NBK_NODE_NULL)
		return 0;
	if (node->kind != NBK_NODE_MAP)
		return nbk_node_error(node, err, key, "expected a mapping");
	for (i = 0; i < node->n; i++) {
		if (node->items[i]->kind == NBK_NODE_NULL)
			continue;
		if (nbk_node_as_string(node->items[i], node->keys[i], &v, err) < 0)
			return -1;
		if (!proxies)
			set_custom(cfg, node->keys[i], v);
		else if (strcmp(node->keys[i], "http") == 0)
			nbk_str_set(&cfg->proxy_http, v);
		else if (strcmp(node->keys[i], "https") == 0)
			nbk_str_set(&cfg->proxy_https, v);
	}
	return 0;
}

/* Apply one .condarc document; unknown keys are ignored, as conda does. */
static int apply_rc(struct et_config *cfg, const struct nbk_node *root, struct nbk_error *err)
{
	size_t i;
	bool b;
	int r = 0;

	if (root->kind == NBK_NODE_NULL)
		return 0;
	if (root->kind != NBK_NODE_MAP)
		return nbk_node_error(root, err, "condarc", "expected a mapping at the top");
	for (i = 0; i < root->n && r == 0; i++) {
		const char *k = root->keys[i];
		const struct nbk_node *v = root->items[i];

		if (!strcmp(k, NBK_CONDARC_CHANNELS))
			r = apply_list(v, k, &cfg->channels, err);
		else if (!strcmp(k, "default_channels"))
			r = apply_list(v, k, &cfg->default_channels, err);
		else if (!strcmp(k, NBK_CONDARC_PKGS_DIRS))
			r = apply_list(v, k, &cfg->pkgs_dirs, err);
		else if (!strcmp(k, NBK_CONDARC_ENVS_DIRS))
			r = apply_list(v, k, &cfg->envs_dirs, err);
		else if (!strcmp(k, "pinned_packages"))
			r = apply_list(v, k, &cfg->pinned_packages, err);
		else if (!strcmp(k, "channel_alias"))
			r = apply_string(v, k, &cfg->channel_alias, err);
		else if (!strcmp(k, "channel_priority"))
			r = apply_string(v, k, &cfg->channel_priority, err);
		else if (!strcmp(k, "subdir"))
			r = apply_string(v, k, &cfg->platform, err);
		else if (!strcmp(k, "root_prefix"))
			r = apply_string(v, k, &cfg->root_prefix, err);
		else if (!strcmp(k, "custom_channels"))
			r = apply_map(v, k, cfg, false, err);
		else if (!strcmp(k, "proxy_servers"))
			r = apply_map(v, k, cfg, true, err);
		else if (!strcmp(k, NBK_CONDARC_SSL_VERIFY))
			r = apply_ssl_verify(cfg, v, err);
		else if (!strcmp(k, "remote_connect_timeout_secs"))
			r = nbk_node_as_double(v, k, 0.001, 3600, &cfg->connect_timeout_s, err);
		else if (!strcmp(k, "remote_read_timeout_secs"))
			r = nbk_node_as_double(v, k, 0.001, 86400, &cfg->read_timeout_s, err);
		else if (!strcmp(k, "remote_max_retries"))
			r = nbk_node_as_long(v, k, 0, 100, &cfg->max_retries, err);
		else if (!strcmp(k, "remote_backoff_factor"))
			r = nbk_node_as_double(v, k, 0, 60, &cfg->backoff_factor, err);
		else if (!strcmp(k, "repodata_max_bytes"))
			r = nbk_node_as_long(v, k, 1L << 20, 1L << 36, &cfg->repodata_max_bytes,
					     err);
		else if (!strcmp(k, "local_repodata_ttl"))
			r = nbk_node_as_long(v, k, 0, 1L << 40, &cfg->local_repodata_ttl, err);
		else if (!strcmp(k, "offline")) {
			r = nbk_node_as_bool(v, k, &b, err);
			if (r == 0)
				cfg->offline = b;
		} else if (!strcmp(k, "add_pip_as_python_dependency")) {
			r = nbk_node_as_bool(v, k, &b, err);
			if (r == 0)
				cfg->add_pip_as_python_dependency = b;
		}
	}
	return r;
}

static int read_rc(struct et_config *cfg, const char *path, bool must_exist, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	struct stat st;

	if (stat(path, &st) < 0) {
		if (must_exist)
			return nbk_error_set(err, errno, "cannot read '%s'", path);
		return 0;
	}
	/*
	 * A folder is not a .condarc (conda skips it too); any other kind of
	 * file (a FIFO would hang a reader) is refused by nbk_read_file with a
	 * clear message, whatever it became since the stat.
	 */
	if (S_ISDIR(st.st_mode))
		return 0;
	if (nbk_yaml_load_file(path, MAX_RC_SIZE, &root, err) < 0)
		return -1;
	nbk_strvec_push(&cfg->rc_files, path);
	return apply_rc(cfg, root, err);
}

/* DIR/condarc.d/: every *.yml and *.yaml, in name order. */
static int read_rc_dir(struct et_config *cfg, const char *dir, struct nbk_error *err)
{
	static const char *const yaml[] = { ".yml", ".yaml", NULL };
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	size_t i;

	if (nbk_dir_names(dir, yaml, &names, err) < 0)
		return -1;
	for (i = 0; i < names.n; i++) {
		_cleanup_free_ char *path = nbk_xasprintf("%s/%s", dir, names.v[i]);

		if (read_rc(cfg, path, false, err) < 0)
			return -1;
	}
	return 0;
}

/* The three entries conda reads for a folder: .condarc, condarc, condarc.d/. */
static int read_rc_triple(struct et_config *cfg, const char *base, struct nbk_error *err)
{
	_cleanup_free_ char *a = nbk_xasprintf("%s/" NBK_CONDARC_FILE, base);
	_cleanup_free_ char *b = nbk_xasprintf("%s/condarc", base);
	_cleanup_free_ char *c = nbk_xasprintf("%s/condarc.d", base);

	if (read_rc(cfg, a, false, err) < 0 || read_rc(cfg, b, false, err) < 0)
		return -1;
	return read_rc_dir(cfg, c, err);
}

static int read_search_path(struct et_config *cfg, struct nbk_error *err)
{
	const char *home = getenv(ET_ENV_HOME);
	const char *root = getenv(ET_ENV_CONDA_ROOT);
	const char *xdg = getenv(ET_ENV_XDG_CONFIG_HOME);
	const char *prefix = getenv(ET_ENV_CONDA_PREFIX);
	const char *condarc = getenv(ET_ENV_CONDARC);
	_cleanup_free_ char *p = NULL;

	if (read_rc_triple(cfg, "/etc/conda", err) < 0 ||
	    read_rc_triple(cfg, "/var/lib/conda", err) < 0)
		return -1;
	if (root && *root && read_rc_triple(cfg, root, err) < 0)
		return -1;
	if (xdg && *xdg) {
		p = nbk_xasprintf("%s/conda", xdg);
		if (read_rc_triple(cfg, p, err) < 0)
			return -1;
		free(nbk_steal_pointer(&p));
	}
	if (home && *home) {
		p = nbk_xasprintf("%s/.config/conda", home);
		if (read_rc_triple(cfg, p, err) < 0)
			return -1;
		free(nbk_steal_pointer(&p));
		p = nbk_xasprintf("%s/" NBK_CONDA_ROOT_DIR, home);
		if (read_rc_triple(cfg, p, err) < 0)
			return -1;
		free(nbk_steal_pointer(&p));
		p = nbk_xasprintf("%s/" NBK_CONDARC_FILE, home);
		if (read_rc(cfg, p, false, err) < 0)
			return -1;
	}
	if (prefix && *prefix && read_rc_triple(cfg, prefix, err) < 0)
		return -1;
	if (condarc && *condarc) {
		struct stat st;

		if (stat(condarc, &st) == 0 && S_ISDIR(st.st_mode))
			return read_rc_dir(cfg, condarc, err);
		return read_rc(cfg, condarc, false, err);
	}
	return 0;
}

static int env_double(const char *name, double min, double max, double *out, struct nbk_error *err)
{
	const char *s = getenv(name);

	if (!s || !*s)
		return 0;
	if (nbk_parse_double(s, min, max, out) < 0)
		return nbk_error_set(err, 0, "%s: expected a number from %g to %g, got '%s'", name,
				     min, max, s);
	return 0;
}

static int env_long(const char *name, long min, long max, long *out, struct nbk_error *err)
{
	const char *s = getenv(name);

	if (!s || !*s)
		return 0;
	if (nbk_parse_long(s, 10, min, max, out) < 0)
		return nbk_error_set(err, 0, "%s: expected an integer from %ld to %ld, got '%s'",
				     name, min, max, s);
	return 0;
}

static int env_bool(const char *name, bool *out, struct nbk_error *err)
{
	const char *s = getenv(name);

	if (!s || !*s)
		return 0;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1") ||
	    !strcasecmp(s, "on"))
		*out = true;
	else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0") ||
		 !strcasecmp(s, "off"))
		*out = false;
	else
		return nbk_error_set(err, 0, "%s: expected true or false, got '%s'", name, s);
	return 0;
}

static void env_list(const char *name, const char *seps, struct nbk_strvec *dst)
{
	struct nbk_strvec v = NBK_STRVEC_INIT;
	const char *s = getenv(name);

	if (!s || !*s)
		return;
	split_into(&v, s, seps);
	merge_front(dst, &v);
	nbk_strvec_release(&v);
}

static void env_str(const char *name, char **dst)
{
	const char *s = getenv(name);

	if (s && *s)
		nbk_str_set(dst, s);
}

/* CONDA_* variables: above every file, below the command line. */
static int read_env(struct et_config *cfg, struct nbk_error *err)
{
	const char *s;

	env_list("CONDA_CHANNELS", ",", &cfg->channels);
	env_list("CONDA_DEFAULT_CHANNELS", ",", &cfg->default_channels);
	/* conda splits path lists on os.pathsep and pinned_packages on '&' */
	env_list(NBK_ENV_CONDA_PKGS_DIRS, ":", &cfg->pkgs_dirs);
	env_list(NBK_ENV_CONDA_ENVS_DIRS, ":", &cfg->envs_dirs);
	env_list("CONDA_PINNED_PACKAGES", "&", &cfg->pinned_packages);
	env_str("CONDA_CHANNEL_ALIAS", &cfg->channel_alias);
	env_str("CONDA_CHANNEL_PRIORITY", &cfg->channel_priority);
	env_str("CONDA_SUBDIR", &cfg->platform);
	s = getenv("CONDA_SSL_VERIFY");
	if (s && *s) {
		if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no")) {
			cfg->ssl_verify = ET_SSL_VERIFY_OFF;
		} else if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes")) {
			cfg->ssl_verify = ET_SSL_VERIFY_ON;
		} else {
			cfg->ssl_verify = ET_SSL_VERIFY_ON;
			nbk_str_set(&cfg->ca_bundle, s);
		}
	}
	if (env_double("CONDA_REMOTE_CONNECT_TIMEOUT_SECS", 0.001, 3600, &cfg->connect_timeout_s,
		       err) < 0 ||
	    env_double("CONDA_REMOTE_READ_TIMEOUT_SECS", 0.001, 86400, &cfg->read_timeout_s, err) <
		    0 ||
	    env_long("CONDA_REMOTE_MAX_RETRIES", 0, 100, &cfg->max_retries, err) < 0 ||
	    env_double("CONDA_REMOTE_BACKOFF_FACTOR", 0, 60, &cfg->backoff_factor, err) < 0 ||
	    env_long("CONDA_LOCAL_REPODATA_TTL", 0, 1L << 40, &cfg->local_repodata_ttl, err) < 0 ||
	    env_bool("CONDA_OFFLINE", &cfg->offline, err) < 0 ||
	    env_bool("CONDA_ADD_PIP_AS_PYTHON_DEPENDENCY", &cfg->add_pip_as_python_dependency,
		     err) < 0)
		return -1;
	/* the channel credentials' file (auth.h): an unreadable one is an error */
	if ((s = getenv(NBK_ENV_AUTH_FILE)) && *s && et_auth_load(&cfg->auth, s, err) < 0)
		return -1;
	/* The CA bundle variables of requests and OpenSSL, when the config names none. */
	if (cfg->ssl_verify == ET_SSL_VERIFY_ON && !cfg->ca_bundle) {
		if ((s = getenv("REQUESTS_CA_BUNDLE")) && *s)
			nbk_str_set(&cfg->ca_bundle, s);
		else if ((s = getenv("SSL_CERT_FILE")) && *s)
			nbk_str_set(&cfg->ca_bundle, s);
	}
	return 0;
}

static void config_init(struct et_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	nbk_strvec_init(&cfg->channels);
	nbk_strvec_init(&cfg->default_channels);
	nbk_strvec_init(&cfg->custom_names);
	nbk_strvec_init(&cfg->custom_urls);
	nbk_strvec_init(&cfg->pkgs_dirs);
	nbk_strvec_init(&cfg->envs_dirs);
	nbk_strvec_init(&cfg->pinned_packages);
	nbk_strvec_init(&cfg->rc_files);
	cfg->ssl_verify = ET_SSL_VERIFY_ON;
	cfg->add_pip_as_python_dependency = true;
	cfg->connect_timeout_s = ET_DEFAULT_CONNECT_TIMEOUT;
	cfg->read_timeout_s = ET_DEFAULT_READ_TIMEOUT;
	cfg->max_retries = ET_DEFAULT_MAX_RETRIES;
	cfg->backoff_factor = ET_DEFAULT_BACKOFF;
	cfg->repodata_max_bytes = ET_DEFAULT_REPODATA_MAX_BYTES;
	cfg->local_repodata_ttl = 1;
}

int et_config_load(struct et_config *cfg, unsigned flags, const char *rc_file,
		   struct nbk_error *err)
{
	config_init(cfg);
	if (rc_file) {
		if (read_rc(cfg, rc_file, true, err) < 0)
			return -1;
	} else if (!(flags & ET_CONFIG_NO_RC)) {
		if (read_search_path(cfg, err) < 0)
			return -1;
	}
	return read_env(cfg, err);
}

static void expand_dirs(struct nbk_strvec *dirs, const char *home)
{
	size_t i;

	for (i = 0; i < dirs->n; i++) {
		char *out = NULL;

		if (dirs->v[i][0] == '~' && home &&
		    nbk_path_expand_user(dirs->v[i], home, &out, NULL) == 0) {
			free(dirs->v[i]);
			dirs->v[i] = out;
		}
	}
}

void et_config_finish(struct et_config *cfg)
{
	const char *home = getenv(ET_ENV_HOME);
	const char *env_root = getenv(ET_ENV_ROOT_PREFIX);

	if (!cfg->root_prefix) {
		if (env_root && *env_root)
			cfg->root_prefix = nbk_xstrdup(env_root);
		else
			cfg->root_prefix = nbk_xasprintf("%s/" NBK_CONDA_ROOT_DIR,
							 home && *home ? home : "/tmp");
	}
	if (cfg->root_prefix[0] == '~' && home) {
		char *out = NULL;

		if (nbk_path_expand_user(cfg->root_prefix, home, &out, NULL) == 0) {
			free(cfg->root_prefix);
			cfg->root_prefix = out;
		}
	}
	if (!cfg->pkgs_dirs.n)
		nbk_strvec_pushf(&cfg->pkgs_dirs, "%s/" NBK_CONDA_PKGS_DIR, cfg->root_prefix);
	if (!cfg->envs_dirs.n)
		nbk_strvec_pushf(&cfg->envs_dirs, "%s/" NBK_CONDA_ENVS_DIR, cfg->root_prefix);
	expand_dirs(&cfg->pkgs_dirs, home);
	expand_dirs(&cfg->envs_dirs, home);
	if (!cfg->channel_alias)
		cfg->channel_alias = nbk_xstrdup(ET_DEFAULT_CHANNEL_ALIAS);
	if (!cfg->default_channels.n) {
		nbk_strvec_push(&cfg->default_channels, "https://repo.anaconda.com/pkgs/main");
		nbk_strvec_push(&cfg->default_channels, "https://repo.anaconda.com/pkgs/r");
	}
	if (!cfg->channel_priority)
		cfg->channel_priority = nbk_xstrdup("strict");
	if (!cfg->platform)
		cfg->platform = nbk_xstrdup(et_host_subdir());
}

void et_config_release(struct et_config *cfg)
{
	et_auth_release(&cfg->auth);
	free(cfg->root_prefix);
	nbk_strvec_release(&cfg->channels);
	nbk_strvec_release(&cfg->default_channels);
	free(cfg->channel_alias);
	nbk_strvec_release(&cfg->custom_names);
	nbk_strvec_release(&cfg->custom_urls);
	nbk_strvec_release(&cfg->pkgs_dirs);
	nbk_strvec_release(&cfg->envs_dirs);
	nbk_strvec_release(&cfg->pinned_packages);
	free(cfg->channel_priority);
	free(cfg->platform);
	free(cfg->ca_bundle);
	free(cfg->proxy_http);
	free(cfg->proxy_https);
	nbk_strvec_release(&cfg->rc_files);
	memset(cfg, 0, sizeof(*cfg));
}

const char *et_host_subdir(void)
{
	static char subdir[160];
	struct utsname u;
	const char *arch;

	if (subdir[0])
		return subdir;
	if (uname(&u) < 0)
		return "linux-64";
	if (!strcmp(u.machine, "x86_64"))
		arch = "64";
	else if (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64"))
		arch = strcmp(u.sysname, "Darwin") ? "aarch64" : "arm64";
	else if (!strcmp(u.machine, "ppc64le"))
		arch = "ppc64le";
	else if (!strcmp(u.machine, "s390x"))
		arch = "s390x";
	else if (u.machine[0] == 'i' && !strcmp(u.machine + 2, "86"))
		arch = "32";
	else
		arch = u.machine;
	snprintf(subdir, sizeof(subdir), "%s-%s", !strcmp(u.sysname, "Darwin") ? "osx" : "linux",
		 arch);
	return subdir;
}
