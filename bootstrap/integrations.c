/* SPDX-License-Identifier: Apache-2.0 */
/*
 * integrations: the MLflow and S3/MinIO variables of DESIGN.md, the extra
 * variables of integrations.env and the KEY=VALUE files of
 * integrations.env_files.
 *
 * Where a value comes from, strongest first:
 *
 *   1. the container's environment (the pod spec, the spawner): never
 *      replaced;
 *   2. the *_file secrets (mlflow.username_file, password_file, token_file,
 *      s3.access_key_file, secret_key_file);
 *   3. integrations.env_files, a later file over an earlier one;
 *   4. integrations.env (the explicit escape hatch, so it beats 5);
 *   5. the literal keys (mlflow.tracking_uri, s3.endpoint, ...) and what
 *      derives from them (MLFLOW_S3_ENDPOINT_URL defaults to s3.endpoint).
 *
 * Every file is read before anything is set, so an unreadable secret stops
 * the start with one line that names the key and the file and nothing half
 * done.  Secret values (every *_file and env_file value, any variable whose
 * name holds SECRET, PASSWORD, TOKEN or KEY, and any integrations.env value
 * built from a secret) go through bs_mark_secret(): the logger masks them and
 * --print-env shows "***".  A file value the container overrides is still
 * registered with the logger, since it is a secret all the same.
 *
 * ${VAR} and $VAR in integrations.env expand to the value the command will
 * see: the container's variable, else what this step sets from the files,
 * an earlier integrations.env key or the literal keys.  An undefined VAR is
 * "" (as in sh), "$$" is a "$".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "integrations.h"

#define STEP "integrations"

#define BS_ENV_MLFLOW_TRACKING_URI "MLFLOW_TRACKING_URI"
#define BS_ENV_MLFLOW_S3_ENDPOINT_URL "MLFLOW_S3_ENDPOINT_URL"
#define BS_ENV_MLFLOW_EXPERIMENT_NAME "MLFLOW_EXPERIMENT_NAME"
#define BS_ENV_MLFLOW_TRACKING_USERNAME "MLFLOW_TRACKING_USERNAME"
#define BS_ENV_MLFLOW_TRACKING_PASSWORD "MLFLOW_TRACKING_PASSWORD"
#define BS_ENV_MLFLOW_TRACKING_TOKEN "MLFLOW_TRACKING_TOKEN"
#define BS_ENV_MLFLOW_TRACKING_INSECURE_TLS "MLFLOW_TRACKING_INSECURE_TLS"
#define BS_ENV_AWS_ACCESS_KEY_ID "AWS_ACCESS_KEY_ID"
#define BS_ENV_AWS_SECRET_ACCESS_KEY "AWS_SECRET_ACCESS_KEY"
#define BS_ENV_AWS_ENDPOINT_URL "AWS_ENDPOINT_URL"
#define BS_ENV_AWS_ENDPOINT_URL_S3 "AWS_ENDPOINT_URL_S3"
#define BS_ENV_FSSPEC_S3_ENDPOINT_URL "FSSPEC_S3_ENDPOINT_URL"
#define BS_ENV_AWS_DEFAULT_REGION "AWS_DEFAULT_REGION"
#define BS_ENV_AWS_REGION "AWS_REGION"
#define BS_ENV_AWS_CA_BUNDLE "AWS_CA_BUNDLE"

/* The layers of the precedence list above, weakest first (1 is ctx->env). */
enum layer { L_LITERAL, L_EXTRA, L_ENV_FILES, L_SECRET_FILES, L_COUNT };

struct integrations {
	struct bs_ctx *ctx;
	struct nbk_strvec layer[L_COUNT];
	struct nbk_strvec extra_secret; /* integrations.env keys built from a secret */
};

static bool nonempty(const char *s)
{
	return s && *s;
}

NBK_STATIC int bs_integrations_read_secret(const char *path, char **out, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;

	if (nbk_read_file(path, BS_SECRET_FILE_MAX, &b, err) < 0)
		return -1;
	if (memchr(b.data, '\0', b.len)) {
		/* Wipe what was read: it is a secret, even a malformed one. */
		memset(b.data, 0, b.len);
		return nbk_error_set(err, 0, "cannot use '%s': it holds a NUL byte", path);
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	*out = nbk_buf_detach(&b, NULL);
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parse len bytes of an env_file's text (the grammar is in integrations.h)
 * into "KEY=VALUE" entries of out, the caller's vector (a later KEY replaces
 * an earlier one, in out too).  name appears in messages, never a line's
 * text: every value is a secret.  Returns 0, or -1 with err "NAME:LINE:
 * problem" (a NUL byte, no '=', a bad name, an unterminated quote, text
 * after a closing quote); out then holds the lines before the bad one, and
 * the caller drops it.
 */
NBK_STATIC int bs_integrations_parse_env_file(const char *name, const char *text, size_t len,
					      struct nbk_strvec *out, struct nbk_error *err)
{
	const char *p = text;
	const char *end = text + len;
	unsigned lineno = 0;

	if (memchr(text, '\0', len))
		return nbk_error_set(err, 0, "%s: holds a NUL byte, not KEY=VALUE lines", name);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		const char *key, *keyend, *val, *valend;

		lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		while (p < le && is_blank(*p))
			p++;
		if (p == le || *p == '#')
			goto next;
		if ((size_t)(le - p) > 7 && !strncmp(p, "export", 6) && is_blank(p[6])) {
			p += 7;
			while (p < le && is_blank(*p))
				p++;
		}
		key = p;
		while (p < le && *p != '=')
			p++;
		if (p == le)
			return nbk_error_set(err, 0, "%s:%u: expected KEY=VALUE", name, lineno);
		keyend = p;
		while (keyend > key && is_blank(keyend[-1]))
			keyend--;
		if (!nbk_env_name_valid(key, (size_t)(keyend - key)))
			return nbk_error_set(err, 0, "%s:%u: not a valid variable name before '='",
					     name, lineno);
		val = p + 1;
		valend = le;
		while (val < valend && is_blank(*val))
			val++;
		while (valend > val && is_blank(valend[-1]))
			valend--;
		if (val < valend && (*val == '"' || *val == '\'')) {
			const char *close = memchr(val + 1, *val, (size_t)(valend - val - 1));

			if (!close)
				return nbk_error_set(err, 0, "%s:%u: unterminated quote", name,
						     lineno);
			if (close + 1 != valend)
				return nbk_error_set(err, 0, "%s:%u: text after the closing quote",
						     name, lineno);
			val++;
			valend = close;
		}
		{
			_cleanup_free_ char *k = nbk_xstrndup(key, (size_t)(keyend - key));
			_cleanup_free_ char *v = nbk_xstrndup(val, (size_t)(valend - val));

			nbk_env_set(out, k, v);
		}
next:
		p = eol ? eol + 1 : end;
	}
	return 0;
}

NBK_STATIC int bs_integrations_expand(const char *key, const char *text, bs_lookup_fn lookup,
				      void *data, char **out, bool *secret, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
	const char *p = text;

	*secret = false;
	while (*p) {
		const char *name;
		size_t nlen;

		if (*p != '$') {
			size_t run = strcspn(p, "$");

			nbk_buf_add(&b, p, run);
			p += run;
			continue;
		}
		if (p[1] == '$') {
			nbk_buf_addch(&b, '$');
			p += 2;
			continue;
		}
		if (p[1] == '{') {
			const char *close = strchr(p + 2, '}');

			if (!close)
				return nbk_error_set(err, 0,
						     "integrations.env.%s: unterminated '${'", key);
			name = p + 2;
			nlen = (size_t)(close - name);
			if (!nbk_env_name_valid(name, nlen))
				return nbk_error_set(
					err, 0,
					"integrations.env.%s: '${%.*s}' is not a variable "
					"name (only ${NAME} and $NAME are expanded)",
					key, (int)(nlen > 64 ? 64 : nlen), name);
			p = close + 1;
		} else {
			name = p + 1;
			nlen = 0;
			while (nbk_env_name_valid(name, nlen + 1))
				nlen++;
			if (!nlen) {
				nbk_buf_addch(&b, '$');
				p++;
				continue;
			}
			p = name + nlen;
		}
		{
			_cleanup_free_ char *n = nbk_xstrndup(name, nlen);
			bool s = false;
			const char *v = lookup(data, n, &s);

			if (v) {
				nbk_buf_addstr(&b, v);
				*secret = *secret || (s && *v);
			}
		}
	}
	*out = nbk_buf_detach(&b, NULL);
	return 0;
}

/* Whether the value of name in layer l is a secret. */
static bool layer_secret(const struct integrations *in, int l, const char *name)
{
	return l >= L_ENV_FILES || bs_env_name_is_secret(name) ||
	       (l == L_EXTRA && nbk_strvec_find(&in->extra_secret, name) >= 0);
}

/* The strongest layer that holds name, or -1. */
static int top_layer(const struct integrations *in, const char *name)
{
	int l;

	for (l = L_COUNT - 1; l >= 0; l--)
		if (nbk_env_get(&in->layer[l], name))
			return l;
	return -1;
}

/* The value the command will see for name, as far as this step knows it. */
static const char *effective(void *data, const char *name, bool *secret)
{
	struct integrations *in = data;
	const char *v = nbk_env_get(&in->ctx->env, name);
	int l;

	if (v) {
		*secret = bs_is_secret(in->ctx, name);
		return v;
	}
	l = top_layer(in, name);
	if (l < 0) {
		*secret = false;
		return NULL;
	}
	*secret = layer_secret(in, l, name);
	return nbk_env_get(&in->layer[l], name);
}

/* Expand a path's leading "~" with the user's home. */
static int expand_path(const struct bs_ctx *ctx, const char *what, const char *path, char **out,
		       struct nbk_error *err)
{
	const char *home = nonempty(ctx->home) ? ctx->home : ctx->cfg.home;

	if (nbk_path_expand_user(path, home, out, err) < 0)
		return nbk_error_prefix(err, "%s", what);
	return 0;
}

static void set_literal(struct integrations *in, const char *key, const char *value)
{
	if (nonempty(value))
		nbk_env_set(&in->layer[L_LITERAL], key, value);
}

int bs_read_as_owner(const struct bs_ctx *ctx, const char *what, const char *path, char **value,
		     struct nbk_buf *text, struct nbk_error *err)
{
	bool users = bs_path_in_home(ctx, path);
	_cleanup_free_ char *step = NULL;
	struct bs_userfs as_user;
	int r;

	if (users && bs_userfs_enter(ctx, &as_user, err) < 0)
		return nbk_error_prefix(err, "%s", what);
	if (value)
		r = bs_integrations_read_secret(path, value, err);
	else
		r = nbk_read_file(path, BS_ENV_FILE_MAX, text, err);
	if (users)
		bs_userfs_leave(&as_user);
	if (r == 0)
		return 1;
	if (!users)
		return nbk_error_prefix(err, "%s", what);
	/* the step is the key's section: integrations, tls */
	step = nbk_xstrndup(what, strcspn(what, "."));
	nbk_log(NBK_LOG_WARN, step, "%s: %s, as uid %u: skipped", what, err->msg,
		(unsigned)ctx->cfg.uid);
	nbk_error_clear(err);
	return 0;
}

/* Read every *_file secret into L_SECRET_FILES. */
static int read_secret_files(struct integrations *in, struct nbk_error *err)
{
	const struct bs_config *cfg = &in->ctx->cfg;
	const struct {
		const char *what;
		const char *path;
		const char *var;
	} files[] = {
		{ "integrations.mlflow.username_file", cfg->mlflow.username_file,
		  BS_ENV_MLFLOW_TRACKING_USERNAME },
		{ "integrations.mlflow.password_file", cfg->mlflow.password_file,
		  BS_ENV_MLFLOW_TRACKING_PASSWORD },
		{ "integrations.mlflow.token_file", cfg->mlflow.token_file,
		  BS_ENV_MLFLOW_TRACKING_TOKEN },
		{ "integrations.s3.access_key_file", cfg->s3.access_key_file,
		  BS_ENV_AWS_ACCESS_KEY_ID },
		{ "integrations.s3.secret_key_file", cfg->s3.secret_key_file,
		  BS_ENV_AWS_SECRET_ACCESS_KEY },
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *value = NULL;

		if (!nonempty(files[i].path))
			continue;
		if (expand_path(in->ctx, files[i].what, files[i].path, &path, err) < 0)
			return -1;
		r = bs_read_as_owner(in->ctx, files[i].what, path, &value, NULL, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (!*value) {
			nbk_log(NBK_LOG_WARN, STEP, "%s '%s' is empty: %s not set", files[i].what,
				path, files[i].var);
			continue;
		}
		nbk_log_add_secret(value);
		nbk_env_set(&in->layer[L_SECRET_FILES], files[i].var, value);
	}
	return 0;
}

/* Read every env_file, in order, into L_ENV_FILES. */
static int read_env_files(struct integrations *in, struct nbk_error *err)
{
	const struct nbk_strvec *files = &in->ctx->cfg.env_files;
	size_t i, j;
	int r;

	for (i = 0; i < files->n; i++) {
		_cleanup_free_ char *path = NULL;
		_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
		_cleanup_strvec_ struct nbk_strvec vars = NBK_STRVEC_INIT;

		if (expand_path(in->ctx, "integrations.env_files", files->v[i], &path, err) < 0)
			return -1;
		r = bs_read_as_owner(in->ctx, "integrations.env_files", path, NULL, &text, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (bs_integrations_parse_env_file(path, text.data, text.len, &vars, err) < 0)
			return nbk_error_prefix(err, "integrations.env_files");
		memset(text.data, 0, text.len);
		for (j = 0; j < vars.n; j++) {
			const char *eq = strchr(vars.v[j], '=');
			_cleanup_free_ char *k = nbk_xstrndup(vars.v[j], (size_t)(eq - vars.v[j]));

			nbk_log_add_secret(eq + 1);
			nbk_env_set(&in->layer[L_ENV_FILES], k, eq + 1);
		}
	}
	return 0;
}

/* integrations.env, expanded, in config order, into L_EXTRA. */
static int expand_extra(struct integrations *in, struct nbk_error *err)
{
	const struct nbk_strvec *extra = &in->ctx->cfg.extra_env;
	size_t i;

	for (i = 0; i < extra->n; i++) {
		const char *eq = strchr(extra->v[i], '=');
		_cleanup_free_ char *key = NULL;
		_cleanup_free_ char *value = NULL;
		bool secret = false;

		if (!eq || !nbk_env_name_valid(extra->v[i], (size_t)(eq - extra->v[i])))
			return nbk_error_set(
				err, 0, "integrations.env: '%.*s' is not a valid variable name",
				(int)(eq ? eq - extra->v[i] : 64), extra->v[i]);
		key = nbk_xstrndup(extra->v[i], (size_t)(eq - extra->v[i]));
		if (bs_integrations_expand(key, eq + 1, effective, in, &value, &secret, err) < 0)
			return -1;
		nbk_env_set(&in->layer[L_EXTRA], key, value);
		if (secret && nbk_strvec_find(&in->extra_secret, key) < 0)
			nbk_strvec_push(&in->extra_secret, key);
		else if (!secret && nbk_strvec_find(&in->extra_secret, key) >= 0)
			nbk_strvec_remove(&in->extra_secret,
					  (size_t)nbk_strvec_find(&in->extra_secret, key));
	}
	return 0;
}

/* MLflow accepts only "true" and "false"; map the usual spellings onto them. */
static const char *tls_spelling(const char *v)
{
	static const char *const yes[] = { "true", "1", "yes", "on", "y", "t" };
	static const char *const no[] = { "false", "0", "no", "off", "n", "f", "" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcasecmp(v, yes[i]))
			return "true";
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(v, no[i]))
			return "false";
	return NULL;
}

/*
 * MLFLOW_TRACKING_INSECURE_TLS whenever MLflow is in use: the config's
 * boolean, or a value from the other layers normalised; a container value
 * spelled another way is normalised too (its meaning wins, its spelling
 * would make MLflow fail).
 */
static int insecure_tls(struct integrations *in, struct nbk_strvec *normalised,
			struct nbk_error *err)
{
	const struct bs_config *cfg = &in->ctx->cfg;
	const char *env = nbk_env_get(&in->ctx->env, BS_ENV_MLFLOW_TRACKING_INSECURE_TLS);
	bool secret;
	bool in_use = cfg->mlflow.insecure_tls || env ||
		      top_layer(in, BS_ENV_MLFLOW_TRACKING_INSECURE_TLS) >= 0 ||
		      effective(in, BS_ENV_MLFLOW_TRACKING_URI, &secret);
	int l;

	if (!in_use)
		return 0;
	if (env) {
		const char *canon = tls_spelling(env);

		if (!canon) {
			nbk_log(NBK_LOG_WARN, STEP,
				"%s='%s' from the environment is neither true nor false: "
				"MLflow will refuse it",
				BS_ENV_MLFLOW_TRACKING_INSECURE_TLS, env);
		} else if (strcmp(canon, env)) {
			nbk_env_set(&in->ctx->env, BS_ENV_MLFLOW_TRACKING_INSECURE_TLS, canon);
			nbk_strvec_push(normalised, BS_ENV_MLFLOW_TRACKING_INSECURE_TLS);
		}
		return 0;
	}
	for (l = L_EXTRA; l < L_COUNT; l++) {
		const char *v = nbk_env_get(&in->layer[l], BS_ENV_MLFLOW_TRACKING_INSECURE_TLS);
		const char *canon;

		if (!v)
			continue;
		canon = tls_spelling(v);
		if (!canon)
			/* No value in the message: it may come from a secret file. */
			return nbk_error_set(err, 0, "%s from %s must be true or false",
					     BS_ENV_MLFLOW_TRACKING_INSECURE_TLS,
					     l == L_EXTRA ? "integrations.env"
							  : "integrations.env_files");
		nbk_env_set(&in->layer[l], BS_ENV_MLFLOW_TRACKING_INSECURE_TLS, canon);
	}
	nbk_env_set(&in->layer[L_LITERAL], BS_ENV_MLFLOW_TRACKING_INSECURE_TLS,
		    cfg->mlflow.insecure_tls ? "true" : "false");
	return 0;
}

static void collect_literals(struct integrations *in)
{
	const struct bs_config *cfg = &in->ctx->cfg;
	const char *endpoint = cfg->s3.endpoint;

	set_literal(in, BS_ENV_MLFLOW_TRACKING_URI, cfg->mlflow.tracking_uri);
	set_literal(in, BS_ENV_MLFLOW_EXPERIMENT_NAME, cfg->mlflow.experiment_name);
	set_literal(in, BS_ENV_MLFLOW_S3_ENDPOINT_URL,
		    nonempty(cfg->mlflow.s3_endpoint_url) ? cfg->mlflow.s3_endpoint_url : endpoint);
	set_literal(in, BS_ENV_AWS_ENDPOINT_URL, endpoint);
	set_literal(in, BS_ENV_AWS_ENDPOINT_URL_S3, endpoint);
	set_literal(in, BS_ENV_FSSPEC_S3_ENDPOINT_URL, endpoint);
	set_literal(in, BS_ENV_AWS_DEFAULT_REGION, cfg->s3.region);
	set_literal(in, BS_ENV_AWS_REGION, cfg->s3.region);
}

static int collect_ca_bundle(struct integrations *in, struct nbk_error *err)
{
	const char *bundle = in->ctx->cfg.s3.ca_bundle;
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (!nonempty(bundle))
		return 0;
	if (expand_path(in->ctx, "integrations.s3.ca_bundle", bundle, &path, err) < 0)
		return -1;
	/* A missing bundle is the client's error to report, at its first request; say it now. */
	if (stat(path, &st) < 0)
		nbk_log(NBK_LOG_WARN, STEP, "integrations.s3.ca_bundle '%s': %s", path,
			strerror(errno));
	set_literal(in, BS_ENV_AWS_CA_BUNDLE, path);
	return 0;
}

static void add_names(struct nbk_buf *b, const char *label, const struct nbk_strvec *names)
{
	if (!names->n)
		return;
	nbk_buf_addf(b, "%s%s ", b->len ? "; " : "", label);
	nbk_strvec_join(names, ", ", b);
}

static void integrations_release(struct integrations *in)
{
	int l;

	for (l = 0; l < L_COUNT; l++)
		nbk_strvec_release(&in->layer[l]);
	nbk_strvec_release(&in->extra_secret);
}

int bs_integrations_apply(struct bs_ctx *ctx, struct nbk_error *err)
{
	struct integrations in;
	_cleanup_strvec_ struct nbk_strvec merged = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec set = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec kept = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec normalised = NBK_STRVEC_INIT;
	_cleanup_buf_ struct nbk_buf line = NBK_BUF_INIT;
	size_t i;
	int l, ret = -1;

	memset(&in, 0, sizeof(in));
	in.ctx = ctx;
	for (l = 0; l < L_COUNT; l++)
		nbk_strvec_init(&in.layer[l]);
	nbk_strvec_init(&in.extra_secret);

	/* Files first: an unreadable one stops the start before anything is set. */
	if (read_secret_files(&in, err) < 0 || read_env_files(&in, err) < 0)
		goto out;
	collect_literals(&in);
	if (collect_ca_bundle(&in, err) < 0 || expand_extra(&in, err) < 0 ||
	    insecure_tls(&in, &normalised, err) < 0)
		goto out;

	/* Weakest first: a stronger layer replaces the value, keeping the first position. */
	for (l = 0; l < L_COUNT; l++)
		for (i = 0; i < in.layer[l].n; i++) {
			const char *eq = strchr(in.layer[l].v[i], '=');
			_cleanup_free_ char *k =
				nbk_xstrndup(in.layer[l].v[i], (size_t)(eq - in.layer[l].v[i]));

			nbk_env_set(&merged, k, eq + 1);
		}
	for (i = 0; i < merged.n; i++) {
		const char *eq = strchr(merged.v[i], '=');
		_cleanup_free_ char *k = nbk_xstrndup(merged.v[i], (size_t)(eq - merged.v[i]));

		if (!bs_env_set_default(ctx, k, eq + 1)) {
			nbk_strvec_push(&kept, k);
			continue;
		}
		nbk_strvec_push(&set, k);
		if (layer_secret(&in, top_layer(&in, k), k))
			bs_mark_secret(ctx, k, eq + 1);
	}

	add_names(&line, "set", &set);
	add_names(&line, "kept from the environment:", &kept);
	add_names(&line, "normalised to true/false:", &normalised);
	bs_step_log(ctx, STEP, "%s", line.len ? line.data : "nothing to set");
	ret = 0;
out:
	integrations_release(&in);
	return ret;
}
