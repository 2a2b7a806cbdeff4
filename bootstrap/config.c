/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootstrap's configuration: the main YAML file, the drop-ins in name order
 * (later keys win, lists are replaced), then the docker-stacks NB_*
 * variables.  Every key is optional; unknown keys and wrong types are
 * errors with file:line:column, so a typo never silently falls back to a
 * default.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/conda_names.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/url.h"
#include "nbkit/yaml.h"

/* A config file larger than this is a mistake (or an attack), not a config. */
#define BS_CONFIG_MAX_BYTES (1024 * 1024)
#define BS_MAX_ID 4294967294L
/* The longest user name: useradd's and utmp's limit. */
#define BS_USER_NAME_MAX 32

/* The schema of bootstrap.yaml: one key a line (clang-format would pack some). */
/* clang-format off */
static const struct nbk_schema schema_user[] = {
	{ "name", NBK_SCHEMA_SCALAR, NULL },
	{ "uid", NBK_SCHEMA_SCALAR, NULL },
	{ "gid", NBK_SCHEMA_SCALAR, NULL },
	{ "home", NBK_SCHEMA_SCALAR, NULL },
	{ "umask", NBK_SCHEMA_SCALAR, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_home[] = {
	{ "skeleton", NBK_SCHEMA_SCALAR, NULL },
	{ "directories", NBK_SCHEMA_SEQ, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_envs[] = {
	{ "root", NBK_SCHEMA_SCALAR, NULL },
	{ "condarc", NBK_SCHEMA_SCALAR, NULL },
	{ "channels", NBK_SCHEMA_SEQ, NULL },
	{ "pip_index_url", NBK_SCHEMA_SCALAR, NULL },
	{ "pip_username_file", NBK_SCHEMA_SCALAR, NULL },
	{ "pip_password_file", NBK_SCHEMA_SCALAR, NULL },
	{ "pip_trusted_host", NBK_SCHEMA_SCALAR, NULL },
	{ "auth_file", NBK_SCHEMA_SCALAR, NULL },
	{ "shared_dirs", NBK_SCHEMA_SEQ, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_tls[] = {
	{ "ca_files", NBK_SCHEMA_SEQ, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_mlflow[] = {
	{ "tracking_uri", NBK_SCHEMA_SCALAR, NULL },
	{ "s3_endpoint_url", NBK_SCHEMA_SCALAR, NULL },
	{ "experiment_name", NBK_SCHEMA_SCALAR, NULL },
	{ "username_file", NBK_SCHEMA_SCALAR, NULL },
	{ "password_file", NBK_SCHEMA_SCALAR, NULL },
	{ "token_file", NBK_SCHEMA_SCALAR, NULL },
	{ "insecure_tls", NBK_SCHEMA_SCALAR, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_s3[] = {
	{ "endpoint", NBK_SCHEMA_SCALAR, NULL },
	{ "region", NBK_SCHEMA_SCALAR, NULL },
	{ "access_key_file", NBK_SCHEMA_SCALAR, NULL },
	{ "secret_key_file", NBK_SCHEMA_SCALAR, NULL },
	{ "ca_bundle", NBK_SCHEMA_SCALAR, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_integrations[] = {
	{ "mlflow", NBK_SCHEMA_MAP, schema_mlflow },
	{ "s3", NBK_SCHEMA_MAP, schema_s3 },
	{ "env", NBK_SCHEMA_ANY_MAP, NULL },
	{ "env_files", NBK_SCHEMA_SEQ, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_gpu[] = {
	{ "mode", NBK_SCHEMA_SCALAR, NULL },
	{ "driver_dirs", NBK_SCHEMA_SEQ, NULL },
	{ "probe_timeout", NBK_SCHEMA_SCALAR, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_threads[] = {
	{ "mode", NBK_SCHEMA_SCALAR, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_hooks[] = {
	{ "dirs", NBK_SCHEMA_SEQ, NULL },
	{ "user_dirs", NBK_SCHEMA_SEQ, NULL },
	{ "timeout", NBK_SCHEMA_SCALAR, NULL },
	{ "on_error", NBK_SCHEMA_SCALAR, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_supervise[] = {
	{ "stop_timeout", NBK_SCHEMA_SCALAR, NULL },
	{ "unset_env", NBK_SCHEMA_SEQ, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema_command[] = {
	{ "default", NBK_SCHEMA_SEQ, NULL },
	{ "hub", NBK_SCHEMA_SEQ, NULL },
	{ NULL, 0, NULL },
};
NBK_STATIC const struct nbk_schema bs_config_schema[] = {
	{ "user", NBK_SCHEMA_MAP, schema_user },
	{ "home", NBK_SCHEMA_MAP, schema_home },
	{ "envs", NBK_SCHEMA_MAP, schema_envs },
	{ "tls", NBK_SCHEMA_MAP, schema_tls },
	{ "integrations", NBK_SCHEMA_MAP, schema_integrations },
	{ "gpu", NBK_SCHEMA_MAP, schema_gpu },
	{ "threads", NBK_SCHEMA_MAP, schema_threads },
	{ "hooks", NBK_SCHEMA_MAP, schema_hooks },
	{ "supervise", NBK_SCHEMA_MAP, schema_supervise },
	{ "command", NBK_SCHEMA_MAP, schema_command },
	{ NULL, 0, NULL },
};
/* clang-format on */

static void set_list(struct nbk_strvec *dst, const char *const *v)
{
	nbk_strvec_release(dst);
	nbk_strvec_pushv(dst, v);
}

/*
 * Every key's default (docs/bootstrap.md, "Configuration reference"), the
 * lists empty or the image's usual ones; cfg is then ready for the layers
 * (bs_config_load()) and must be released with bs_config_release().
 */
void bs_config_init(struct bs_config *cfg)
{
	static const char *const home_dirs[] = { ".local/share/jupyter/kernels", NULL };
	static const char *const driver_dirs[] = { "/usr/local/nvidia/lib64",
						   "/usr/local/nvidia/lib",
						   "/usr/lib/x86_64-linux-gnu", NULL };
	static const char *const hook_dirs[] = { "/usr/local/bin/start-notebook.d",
						 "/usr/local/bin/before-notebook.d",
						 "/etc/bootstrap/before-start.d", NULL };
	static const char *const hook_user_dirs[] = { "~/.config/bootstrap/before-start.d", NULL };
	static const char *const cmd_default[] = { "jupyter", "lab", NULL };
	static const char *const cmd_hub[] = { "jupyterhub-singleuser", NULL };

	memset(cfg, 0, sizeof(*cfg));
	nbk_strvec_init(&cfg->home_dirs);
	nbk_strvec_init(&cfg->channels);
	nbk_strvec_init(&cfg->shared_dirs);
	nbk_strvec_init(&cfg->tls_ca_files);
	nbk_strvec_init(&cfg->extra_env);
	nbk_strvec_init(&cfg->env_files);
	nbk_strvec_init(&cfg->driver_dirs);
	nbk_strvec_init(&cfg->hook_dirs);
	nbk_strvec_init(&cfg->hook_user_dirs);
	nbk_strvec_init(&cfg->unset_env);
	nbk_strvec_init(&cfg->cmd_default);
	nbk_strvec_init(&cfg->cmd_hub);
	nbk_strvec_init(&cfg->sources);

	nbk_str_set(&cfg->user_name, "jovyan");
	cfg->uid = 1000;
	cfg->gid = 100;
	nbk_str_set(&cfg->home, "/home/jovyan");
	cfg->umask = 022;
	nbk_str_set(&cfg->skeleton, "/etc/skel");
	set_list(&cfg->home_dirs, home_dirs);
	nbk_str_set(&cfg->envs_root, "~/" NBK_CONDA_ROOT_DIR);
	nbk_str_set(&cfg->condarc, "~/" NBK_CONDARC_FILE);
	nbk_str_set(&cfg->pip_index_url, "");
	nbk_str_set(&cfg->pip_username_file, "");
	nbk_str_set(&cfg->pip_password_file, "");
	nbk_str_set(&cfg->auth_file, "");
	nbk_str_set(&cfg->mlflow.tracking_uri, "");
	nbk_str_set(&cfg->mlflow.s3_endpoint_url, "");
	nbk_str_set(&cfg->mlflow.experiment_name, "");
	nbk_str_set(&cfg->mlflow.username_file, "");
	nbk_str_set(&cfg->mlflow.password_file, "");
	nbk_str_set(&cfg->mlflow.token_file, "");
	nbk_str_set(&cfg->s3.endpoint, "");
	nbk_str_set(&cfg->s3.region, "");
	nbk_str_set(&cfg->s3.access_key_file, "");
	nbk_str_set(&cfg->s3.secret_key_file, "");
	nbk_str_set(&cfg->s3.ca_bundle, "");
	cfg->gpu_mode = BS_GPU_AUTO;
	set_list(&cfg->driver_dirs, driver_dirs);
	cfg->gpu_probe_timeout_ms = 5000;
	cfg->threads_mode = BS_THREADS_AUTO;
	set_list(&cfg->hook_dirs, hook_dirs);
	set_list(&cfg->hook_user_dirs, hook_user_dirs);
	cfg->hook_timeout_s = 120;
	cfg->on_error = BS_ON_ERROR_CONTINUE;
	cfg->stop_timeout_s = 25;
	set_list(&cfg->cmd_default, cmd_default);
	set_list(&cfg->cmd_hub, cmd_hub);
}

void bs_config_release(struct bs_config *cfg)
{
	char **strs[] = { &cfg->user_name,
			  &cfg->image_user,
			  &cfg->home,
			  &cfg->skeleton,
			  &cfg->envs_root,
			  &cfg->condarc,
			  &cfg->pip_index_url,
			  &cfg->pip_username_file,
			  &cfg->pip_password_file,
			  &cfg->auth_file,
			  &cfg->mlflow.tracking_uri,
			  &cfg->mlflow.s3_endpoint_url,
			  &cfg->mlflow.experiment_name,
			  &cfg->mlflow.username_file,
			  &cfg->mlflow.password_file,
			  &cfg->mlflow.token_file,
			  &cfg->s3.endpoint,
			  &cfg->s3.region,
			  &cfg->s3.access_key_file,
			  &cfg->s3.secret_key_file,
			  &cfg->s3.ca_bundle };
	struct nbk_strvec *vecs[] = { &cfg->tls_ca_files, &cfg->home_dirs,   &cfg->channels,
				      &cfg->shared_dirs,  &cfg->extra_env,   &cfg->env_files,
				      &cfg->driver_dirs,  &cfg->hook_dirs,   &cfg->hook_user_dirs,
				      &cfg->unset_env,    &cfg->cmd_default, &cfg->cmd_hub,
				      &cfg->sources };
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		nbk_strvec_release(vecs[i]);
}

/*
 * Ids and umasks are plain digits, at most max_digits of them (issue 9):
 * strtol alone would take " 4242" and "+4242", so what the admin reads
 * would not be what is used; more digits, even leading zeros, is not an id.
 */
static int parse_plain(const char *text, int base, size_t max_digits, long max, long *out)
{
	if (strlen(text) > max_digits)
		return -1;
	return nbk_parse_long(text, base, 0, max, out);
}

/* Parse an id (uid/gid): 1 to 10 decimal digits (10 hold BS_MAX_ID). */
NBK_STATIC int bs_parse_id(const char *text, const char *what, long *out, struct nbk_error *err)
{
	if (parse_plain(text, 10, 10, BS_MAX_ID, out) < 0)
		return nbk_error_set(err, 0, "%s: expected a number from 0 to %ld, found '%s'",
				     what, BS_MAX_ID, text);
	return 0;
}

/* An octal umask: 1 to 4 octal digits, nothing else, at most 0777. */
NBK_STATIC int bs_parse_umask(const char *text, const char *what, mode_t *out,
			      struct nbk_error *err)
{
	long v;

	if (parse_plain(text, 8, 4, 0777, &v) < 0)
		return nbk_error_set(err, 0, "%s: expected an octal umask such as 0022, found '%s'",
				     what, text);
	*out = (mode_t)v;
	return 0;
}

bool bs_user_name_valid(const char *name)
{
	size_t i;

	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return false;
	for (i = 1; name[i]; i++) {
		char c = name[i];

		if (i >= BS_USER_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	return true;
}

#define BS_USER_NAME_RULE                                                                 \
	"a lowercase letter or '_', then at most 31 lowercase letters, digits, '_', '.' " \
	"or '-'"

/*
 * A home: absolute, no "." or ".." part (the lexical and the real folder
 * could differ), not "/", no ':' (the passwd field separator) and no control
 * character (a newline would add a passwd line).  Returns NULL when valid,
 * else what is wrong with it.
 */
static const char *home_problem(const char *home)
{
	_cleanup_free_ char *norm = NULL;
	const char *p;

	if (home[0] != '/')
		return "must be an absolute path";
	for (p = home; *p; p++)
		if (*p == ':' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return "must not hold ':' or a control character";
	for (p = home; (p = strstr(p, "/.")); p++)
		if (p[2] == '\0' || p[2] == '/' || (p[2] == '.' && (p[3] == '\0' || p[3] == '/')))
			return "must not have a '.' or '..' part";
	norm = nbk_path_normalize(home);
	if (!strcmp(norm, "/"))
		return "must not be '/'";
	return NULL;
}

int bs_user_may_take(const struct bs_config *cfg, struct nbk_error *err)
{
	const struct passwd *pw;

	if (cfg->image_user && !strcmp(cfg->user_name, cfg->image_user))
		return 0;
	errno = 0;
	pw = getpwnam(cfg->user_name);
	if (!pw) {
		/* "not found" is 0, ENOENT, ESRCH, EBADF or EPERM (getpwnam(3)) */
		if (errno && errno != ENOENT && errno != ESRCH && errno != EBADF && errno != EPERM)
			return nbk_error_set(err, errno, "cannot look up the user '%s'",
					     cfg->user_name);
		return 0;
	}
	if (pw->pw_uid == cfg->uid)
		return 0;
	return nbk_error_set(err, 0,
			     "NB_USER: '%s' is an existing account (uid %u), not the image's user "
			     "'%s': refusing to give its passwd entry uid %u",
			     cfg->user_name, (unsigned)pw->pw_uid,
			     cfg->image_user ? cfg->image_user : "", (unsigned)cfg->uid);
}

/* Each get_* reads one key when present and leaves the default otherwise. */
static int get_str(const struct nbk_node *root, const char *path, char **dst, struct nbk_error *err)
{
	const struct nbk_node *n = nbk_node_path(root, path);
	const char *v;

	if (!n)
		return 0;
	if (nbk_node_as_string(n, path, &v, err) < 0)
		return -1;
	nbk_str_set(dst, v);
	return 0;
}

static int get_list(const struct nbk_node *root, const char *path, struct nbk_strvec *dst,
		    struct nbk_error *err)
{
	const struct nbk_node *n = nbk_node_path(root, path);

	if (!n)
		return 0;
	nbk_strvec_release(dst);
	return nbk_node_as_strvec(n, path, dst, err);
}

static int get_uint(const struct nbk_node *root, const char *path, long min, long max,
		    unsigned *dst, struct nbk_error *err)
{
	const struct nbk_node *n = nbk_node_path(root, path);
	long v;

	if (!n)
		return 0;
	if (nbk_node_as_long(n, path, min, max, &v, err) < 0)
		return -1;
	*dst = (unsigned)v;
	return 0;
}

/* An enumerated value: *dst = index of the word in words. */
static int get_enum(const struct nbk_node *root, const char *path, const char *const *words,
		    int *dst, struct nbk_error *err)
{
	const struct nbk_node *n = nbk_node_path(root, path);
	struct nbk_buf allowed = NBK_BUF_INIT;
	const char *v;
	int i;

	if (!n)
		return 0;
	if (nbk_node_as_string(n, path, &v, err) < 0)
		return -1;
	for (i = 0; words[i]; i++) {
		if (!strcmp(v, words[i])) {
			*dst = i;
			nbk_buf_release(&allowed);
			return 0;
		}
		nbk_buf_addf(&allowed, "%s%s", i ? ", " : "", words[i]);
	}
	nbk_node_error(n, err, path, "expected one of %s, found '%s'", allowed.data, v);
	nbk_buf_release(&allowed);
	return -1;
}

static int get_id(const struct nbk_node *root, const char *path, long *dst, struct nbk_error *err)
{
	const struct nbk_node *n = nbk_node_path(root, path);

	if (!n)
		return 0;
	if (nbk_node_as_long(n, path, 0, BS_MAX_ID, dst, err) < 0)
		return -1;
	/* YAML's int reads "+4242" as 4242: an id is plain digits */
	if (parse_plain(n->scalar, 10, 10, BS_MAX_ID, dst) < 0)
		return nbk_node_error(n, err, path, "expected plain digits, found '%s'", n->scalar);
	return 0;
}

/*
 * Copy the merged, schema-checked configuration tree root into cfg, which
 * bs_config_init() filled with the defaults: a key that is absent keeps its
 * default, a list that is present replaces the default list.  Strings are
 * copied into cfg (bs_config_release() frees them); root stays the caller's.
 * Checks what the schema cannot: number ranges, ids as plain digits, the
 * umask, the enumerations, variable names in integrations.env, user.name's
 * grammar, user.home's shape, non-empty commands.  Returns 0, or -1 with err
 * naming the key and its position; cfg is then partly filled and must only
 * be released.
 */
NBK_STATIC int bs_config_from_tree(struct bs_config *cfg, const struct nbk_node *root,
				   struct nbk_error *err)
{
	static const char *const gpu_modes[] = { "auto", "off", "required", NULL };
	static const char *const threads_modes[] = { "auto", "off", NULL };
	static const char *const on_errors[] = { "continue", "abort", NULL };
	const struct nbk_node *n;
	const char *why;
	long id;
	int e;

	if (get_str(root, "user.name", &cfg->user_name, err) < 0 ||
	    get_str(root, "user.home", &cfg->home, err) < 0 ||
	    get_str(root, "home.skeleton", &cfg->skeleton, err) < 0 ||
	    get_list(root, "home.directories", &cfg->home_dirs, err) < 0 ||
	    get_str(root, "envs.root", &cfg->envs_root, err) < 0 ||
	    get_str(root, "envs.condarc", &cfg->condarc, err) < 0 ||
	    get_list(root, "envs.channels", &cfg->channels, err) < 0 ||
	    get_list(root, "envs.shared_dirs", &cfg->shared_dirs, err) < 0 ||
	    get_list(root, "tls.ca_files", &cfg->tls_ca_files, err) < 0 ||
	    get_str(root, "envs.pip_index_url", &cfg->pip_index_url, err) < 0 ||
	    get_str(root, "envs.pip_username_file", &cfg->pip_username_file, err) < 0 ||
	    get_str(root, "envs.pip_password_file", &cfg->pip_password_file, err) < 0 ||
	    get_str(root, "envs.auth_file", &cfg->auth_file, err) < 0 ||
	    get_str(root, "integrations.mlflow.tracking_uri", &cfg->mlflow.tracking_uri, err) < 0 ||
	    get_str(root, "integrations.mlflow.s3_endpoint_url", &cfg->mlflow.s3_endpoint_url,
		    err) < 0 ||
	    get_str(root, "integrations.mlflow.experiment_name", &cfg->mlflow.experiment_name,
		    err) < 0 ||
	    get_str(root, "integrations.mlflow.username_file", &cfg->mlflow.username_file, err) <
		    0 ||
	    get_str(root, "integrations.mlflow.password_file", &cfg->mlflow.password_file, err) <
		    0 ||
	    get_str(root, "integrations.mlflow.token_file", &cfg->mlflow.token_file, err) < 0 ||
	    get_str(root, "integrations.s3.endpoint", &cfg->s3.endpoint, err) < 0 ||
	    get_str(root, "integrations.s3.region", &cfg->s3.region, err) < 0 ||
	    get_str(root, "integrations.s3.access_key_file", &cfg->s3.access_key_file, err) < 0 ||
	    get_str(root, "integrations.s3.secret_key_file", &cfg->s3.secret_key_file, err) < 0 ||
	    get_str(root, "integrations.s3.ca_bundle", &cfg->s3.ca_bundle, err) < 0 ||
	    get_list(root, "integrations.env_files", &cfg->env_files, err) < 0 ||
	    get_list(root, "gpu.driver_dirs", &cfg->driver_dirs, err) < 0 ||
	    get_list(root, "hooks.dirs", &cfg->hook_dirs, err) < 0 ||
	    get_list(root, "hooks.user_dirs", &cfg->hook_user_dirs, err) < 0 ||
	    get_uint(root, "hooks.timeout", 1, 86400, &cfg->hook_timeout_s, err) < 0 ||
	    get_uint(root, "supervise.stop_timeout", 0, 86400, &cfg->stop_timeout_s, err) < 0 ||
	    get_list(root, "supervise.unset_env", &cfg->unset_env, err) < 0 ||
	    get_list(root, "command.default", &cfg->cmd_default, err) < 0 ||
	    get_list(root, "command.hub", &cfg->cmd_hub, err) < 0)
		return -1;

	if (get_id(root, "user.uid", &id, err) < 0)
		return -1;
	if (nbk_node_path(root, "user.uid"))
		cfg->uid = (uid_t)id;
	if (get_id(root, "user.gid", &id, err) < 0)
		return -1;
	if (nbk_node_path(root, "user.gid"))
		cfg->gid = (gid_t)id;
	if ((n = nbk_node_path(root, "user.umask"))) {
		const char *v;

		if (nbk_node_as_string(n, "user.umask", &v, err) < 0)
			return -1;
		if (bs_parse_umask(v, "user.umask", &cfg->umask, err) < 0)
			return nbk_node_error(
				n, err, "user.umask",
				"expected an octal umask such as \"0022\", found '%s'", v);
	}
	if ((n = nbk_node_path(root, "envs.pip_trusted_host")) &&
	    nbk_node_as_bool(n, "envs.pip_trusted_host", &cfg->pip_trusted_host, err) < 0)
		return -1;
	if ((n = nbk_node_path(root, "integrations.mlflow.insecure_tls")) &&
	    nbk_node_as_bool(n, "integrations.mlflow.insecure_tls", &cfg->mlflow.insecure_tls,
			     err) < 0)
		return -1;
	if ((n = nbk_node_path(root, "gpu.probe_timeout"))) {
		unsigned s = 0;

		if (get_uint(root, "gpu.probe_timeout", 1, 600, &s, err) < 0)
			return -1;
		cfg->gpu_probe_timeout_ms = s * 1000;
	}
	e = (int)cfg->gpu_mode;
	if (get_enum(root, "gpu.mode", gpu_modes, &e, err) < 0)
		return -1;
	cfg->gpu_mode = (enum bs_gpu_mode)e;
	e = (int)cfg->threads_mode;
	if (get_enum(root, "threads.mode", threads_modes, &e, err) < 0)
		return -1;
	cfg->threads_mode = (enum bs_threads_mode)e;
	e = (int)cfg->on_error;
	if (get_enum(root, "hooks.on_error", on_errors, &e, err) < 0)
		return -1;
	cfg->on_error = (enum bs_on_error)e;

	if ((n = nbk_node_path(root, "integrations.env")) && n->kind == NBK_NODE_MAP) {
		size_t i;

		nbk_strvec_release(&cfg->extra_env);
		for (i = 0; i < n->n; i++) {
			const char *v;

			if (!nbk_env_name_valid(n->keys[i], strlen(n->keys[i])))
				return nbk_node_error(n->key_nodes[i] ? n->key_nodes[i] : n, err,
						      "integrations.env",
						      "'%s' is not a valid variable name",
						      n->keys[i]);
			if (nbk_node_as_string(n->items[i], "integrations.env", &v, err) < 0)
				return -1;
			nbk_strvec_pushf(&cfg->extra_env, "%s=%s", n->keys[i], v);
		}
	}
	if (!bs_user_name_valid(cfg->user_name)) {
		n = nbk_node_path(root, "user.name");
		return nbk_node_error(n, err, "user.name",
				      "'%s' is not a valid user name (" BS_USER_NAME_RULE ")",
				      cfg->user_name);
	}
	if ((why = home_problem(cfg->home)))
		return nbk_node_error(nbk_node_path(root, "user.home"), err, "user.home",
				      "%s, found '%s'", why, cfg->home);
	if (!cfg->cmd_default.n || !cfg->cmd_hub.n)
		return nbk_error_set(err, 0, "command.default and command.hub must not be empty");
	/* shared environment folders: absolute, and each one entry of CONDA_ENVS_DIRS */
	for (size_t i = 0; i < cfg->shared_dirs.n; i++)
		if (cfg->shared_dirs.v[i][0] != '/' || strchr(cfg->shared_dirs.v[i], ':'))
			return nbk_error_set(
				err, 0,
				"envs.shared_dirs: '%s' must be an absolute path without ':'",
				cfg->shared_dirs.v[i]);
	/* pip's index: the credentials come as two files (a basic-auth secret) or not at all */
	if (!*cfg->pip_username_file != !*cfg->pip_password_file)
		return nbk_error_set(
			err, 0,
			"envs.pip_username_file and envs.pip_password_file go together: "
			"set both or neither");
	if (!*cfg->pip_index_url && (*cfg->pip_username_file || cfg->pip_trusted_host))
		return nbk_error_set(
			err, 0,
			"envs.pip_username_file, pip_password_file and pip_trusted_host "
			"need envs.pip_index_url");
	if (*cfg->pip_username_file && nbk_url_has_credentials(cfg->pip_index_url))
		return nbk_error_set(
			err, 0,
			"envs.pip_index_url already holds credentials: give them either "
			"there or in envs.pip_username_file and pip_password_file");
	return 0;
}

static int load_one(const char *path, struct nbk_node **merged, struct nbk_error *err)
{
	struct nbk_node *tree = NULL;

	if (nbk_yaml_load_file(path, BS_CONFIG_MAX_BYTES, &tree, err) < 0)
		return -1;
	if (nbk_schema_check(tree, bs_config_schema, err) < 0) {
		nbk_node_free(tree);
		return -1;
	}
	if (tree->kind == NBK_NODE_NULL) {
		nbk_node_free(tree);
		return 0;
	}
	*merged = nbk_node_merge(*merged, tree);
	return 0;
}

/* Apply NB_USER, NB_UID, NB_GID, NB_UMASK: docker-stacks' variables win over files. */
static int apply_overrides(struct bs_config *cfg, const struct nbk_strvec *env,
			   struct nbk_error *err)
{
	const char *v;
	long id;

	if ((v = nbk_env_get(env, BS_ENV_NB_USER)) && *v) {
		if (!bs_user_name_valid(v))
			return nbk_error_set(
				err, 0,
				"NB_USER: '%s' is not a valid user name (" BS_USER_NAME_RULE ")",
				v);
		nbk_str_set(&cfg->user_name, v);
	}
	if ((v = nbk_env_get(env, BS_ENV_NB_UID)) && *v) {
		if (bs_parse_id(v, BS_ENV_NB_UID, &id, err) < 0)
			return -1;
		cfg->uid = (uid_t)id;
	}
	if ((v = nbk_env_get(env, BS_ENV_NB_GID)) && *v) {
		if (bs_parse_id(v, BS_ENV_NB_GID, &id, err) < 0)
			return -1;
		cfg->gid = (gid_t)id;
	}
	if ((v = nbk_env_get(env, BS_ENV_NB_UMASK)) && *v &&
	    bs_parse_umask(v, BS_ENV_NB_UMASK, &cfg->umask, err) < 0)
		return -1;
	return 0;
}

/*
 * Merge every *.yaml of the folder dir (NULL or "": none; missing: none)
 * into *merged in name order, hidden files skipped, each added to
 * cfg->sources.  Kubernetes' ConfigMap mounts name their files through
 * symlinks (..data/NAME): a link is followed, as for the main file.
 */
static int load_dropins(struct bs_config *cfg, const char *dir, struct nbk_node **merged,
			struct nbk_error *err)
{
	static const char *const yaml[] = { ".yaml", NULL };
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	size_t i;

	if (!dir || !*dir)
		return 0;
	if (nbk_dir_names(dir, yaml, &names, err) < 0)
		return nbk_error_prefix(err, "drop-ins");
	for (i = 0; i < names.n; i++) {
		_cleanup_free_ char *path = nbk_xasprintf("%s/%s", dir, names.v[i]);

		if (load_one(path, merged, err) < 0)
			return -1;
		nbk_strvec_push(&cfg->sources, path);
	}
	return 0;
}

int bs_config_load(struct bs_config *cfg, const struct bs_config_sources *src,
		   const struct nbk_strvec *env, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *merged = NULL;

	if (load_dropins(cfg, src->image_dir, &merged, err) < 0)
		return -1;
	if (access(src->main, F_OK) == 0 || !src->main_is_default) {
		if (load_one(src->main, &merged, err) < 0)
			return -1;
		nbk_strvec_push(&cfg->sources, src->main);
	}
	if (load_dropins(cfg, src->dropin_dir, &merged, err) < 0)
		return -1;
	if (merged && bs_config_from_tree(cfg, merged, err) < 0)
		return -1;
	nbk_str_set(&cfg->image_user, cfg->user_name);
	if (apply_overrides(cfg, env, err) < 0)
		return -1;
	return bs_user_may_take(cfg, err);
}

static void plan_list(struct nbk_buf *b, const struct nbk_strvec *v)
{
	if (!v->n)
		nbk_buf_addstr(b, "(none)");
	nbk_strvec_join(v, ", ", b);
}

static void plan_opt(struct nbk_buf *b, const char *label, const char *v)
{
	if (*v)
		nbk_buf_addf(b, " %s=%s", label, v);
}

/*
 * Write the plan that --check shows, the ten steps bootstrap would take with
 * cfg, to fd in one write(); the values of integrations.env variables whose
 * names look secret (bs_env_name_is_secret()) are written as "***".  Reads
 * cfg only; allocates nothing that outlives the call.  A failed write (stdout
 * closed) is ignored: the caller's exit status says how --check went.
 */
void bs_config_print_plan(const struct bs_config *cfg, int fd)
{
	static const char *const gpu_modes[] = { "auto", "off", "required" };
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	nbk_buf_addstr(&b, "configuration: ");
	plan_list(&b, &cfg->sources);
	nbk_buf_addf(&b, "\n1. user and home: %s uid=%u gid=%u home=%s umask=%04o", cfg->user_name,
		     (unsigned)cfg->uid, (unsigned)cfg->gid, cfg->home, (unsigned)cfg->umask);
	nbk_buf_addf(&b, "; skeleton %s; directories: ", *cfg->skeleton ? cfg->skeleton : "(none)");
	plan_list(&b, &cfg->home_dirs);
	nbk_buf_addf(&b,
		     "\n2. environment roots: " NBK_CONDARC_ENVS_DIRS "=%s/" NBK_CONDA_ENVS_DIR
		     " " NBK_CONDARC_PKGS_DIRS "=%s/" NBK_CONDA_PKGS_DIR
		     ", merged into %s; channels: ",
		     cfg->envs_root, cfg->envs_root, cfg->condarc);
	plan_list(&b, &cfg->channels);
	{
		_cleanup_free_ char *shown = nbk_url_redact(cfg->pip_index_url);

		plan_opt(&b, "pip_index_url", shown);
	}
	plan_opt(&b, "pip_username_file", cfg->pip_username_file);
	plan_opt(&b, "pip_password_file", cfg->pip_password_file);
	if (cfg->pip_trusted_host)
		nbk_buf_addstr(&b, " pip_trusted_host=true");
	plan_opt(&b, "auth_file", cfg->auth_file);
	if (cfg->shared_dirs.n) {
		nbk_buf_addstr(&b, "; shared environments (read-only, a kernel each): ");
		plan_list(&b, &cfg->shared_dirs);
	}
	if (cfg->tls_ca_files.n) {
		nbk_buf_addstr(&b, "; trust: the system's CAs and ");
		plan_list(&b, &cfg->tls_ca_files);
	}
	nbk_buf_addstr(&b, "\n3. integrations:");
	plan_opt(&b, "mlflow.tracking_uri", cfg->mlflow.tracking_uri);
	plan_opt(&b, "mlflow.s3_endpoint_url", cfg->mlflow.s3_endpoint_url);
	plan_opt(&b, "mlflow.experiment_name", cfg->mlflow.experiment_name);
	plan_opt(&b, "mlflow.username_file", cfg->mlflow.username_file);
	plan_opt(&b, "mlflow.password_file", cfg->mlflow.password_file);
	plan_opt(&b, "mlflow.token_file", cfg->mlflow.token_file);
	nbk_buf_addf(&b, " mlflow.insecure_tls=%s", cfg->mlflow.insecure_tls ? "true" : "false");
	plan_opt(&b, "s3.endpoint", cfg->s3.endpoint);
	plan_opt(&b, "s3.region", cfg->s3.region);
	plan_opt(&b, "s3.access_key_file", cfg->s3.access_key_file);
	plan_opt(&b, "s3.secret_key_file", cfg->s3.secret_key_file);
	plan_opt(&b, "s3.ca_bundle", cfg->s3.ca_bundle);
	for (i = 0; i < cfg->extra_env.n; i++) {
		const char *eq = strchr(cfg->extra_env.v[i], '=');
		_cleanup_free_ char *name =
			nbk_xstrndup(cfg->extra_env.v[i], (size_t)(eq - cfg->extra_env.v[i]));

		nbk_buf_addf(&b, " env.%s=%s", name, bs_env_name_is_secret(name) ? "***" : eq + 1);
	}
	if (cfg->env_files.n) {
		nbk_buf_addstr(&b, " env_files: ");
		plan_list(&b, &cfg->env_files);
	}
	nbk_buf_addf(&b, "\n4. gpu: %s, probe timeout %u ms, driver folders: ",
		     gpu_modes[cfg->gpu_mode], cfg->gpu_probe_timeout_ms);
	plan_list(&b, &cfg->driver_dirs);
	nbk_buf_addf(&b, "\n5. threads: %s",
		     cfg->threads_mode == BS_THREADS_AUTO ? "auto (from the cgroup CPU limit)"
							  : "off");
	nbk_buf_addf(&b, "\n6. root-phase hooks (timeout %us, on error %s): ", cfg->hook_timeout_s,
		     cfg->on_error == BS_ON_ERROR_ABORT ? "abort" : "continue");
	plan_list(&b, &cfg->hook_dirs);
	nbk_buf_addf(&b, "\n7. privilege drop to uid %u gid %u", (unsigned)cfg->uid,
		     (unsigned)cfg->gid);
	nbk_buf_addstr(&b, "\n8. user-phase hooks: ");
	plan_list(&b, &cfg->hook_user_dirs);
	nbk_buf_addstr(&b, "\n9. unset: ");
	plan_list(&b, &cfg->unset_env);
	nbk_buf_addf(&b, "\n10. command (stop timeout %us): default [", cfg->stop_timeout_s);
	plan_list(&b, &cfg->cmd_default);
	nbk_buf_addstr(&b, "], under JupyterHub [");
	plan_list(&b, &cfg->cmd_hub);
	nbk_buf_addstr(&b, "]\n");
	if (write(fd, b.data, b.len) < 0) {
		/* stdout closed: nothing useful to do */
	}
	nbk_buf_release(&b);
}
