/* SPDX-License-Identifier: Apache-2.0 */
/* Activation and deactivation as changes to an environment (activate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/yaml.h"
#include "activate.h"
#include "envs.h"

#define STATE_MAX (1024 * 1024)
#define SHLVL_MAX 1000

void et_activation_init(struct et_activation *a)
{
	nbk_strvec_init(&a->before);
	nbk_strvec_init(&a->unset);
	nbk_strvec_init(&a->set);
	nbk_strvec_init(&a->after);
}

void et_activation_release(struct et_activation *a)
{
	nbk_strvec_release(&a->before);
	nbk_strvec_release(&a->unset);
	nbk_strvec_release(&a->set);
	nbk_strvec_release(&a->after);
}

static void set(struct et_activation *a, const char *name, const char *value)
{
	long i = nbk_strvec_find(&a->unset, name);

	if (i >= 0)
		nbk_strvec_remove(&a->unset, (size_t)i);
	nbk_env_set(&a->set, name, value);
}

static void unset(struct et_activation *a, const char *name)
{
	nbk_env_unset(&a->set, name);
	if (nbk_strvec_find(&a->unset, name) < 0)
		nbk_strvec_push(&a->unset, name);
}

/* CONDA_SHLVL of env: 0 when unset or not a small number. */
static long shlvl(const struct nbk_strvec *env)
{
	const char *v = nbk_env_get(env, ET_ENV_CONDA_SHLVL);
	long n;

	if (!v || nbk_parse_long(v, 10, 0, SHLVL_MAX, &n) < 0)
		return 0;
	return n;
}

/* PREFIX/etc/conda/WHICH.d/ *.sh, in name order, into scripts (full paths). */
static int scripts(const char *prefix, const char *which, struct nbk_strvec *out,
		   struct nbk_error *err)
{
	static const char *const sh[] = { ".sh", NULL };
	_cleanup_free_ char *dir = nbk_xasprintf("%s/etc/conda/%s.d", prefix, which);
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	size_t i;

	if (nbk_dir_names(dir, sh, &names, err) < 0)
		return -1;
	for (i = 0; i < names.n; i++)
		nbk_strvec_pushf(out, "%s/%s", dir, names.v[i]);
	return 0;
}

/*
 * The env_vars of PREFIX/conda-meta/state ({"env_vars": {NAME: VALUE}}, as
 * `conda env config vars set` writes it) into vars as NAME=VALUE.  A name
 * that is no variable's is left out (the file is the user's to write).
 */
static int state_vars(const char *prefix, struct nbk_strvec *vars, struct nbk_error *err)
{
	_cleanup_free_ char *path = nbk_xasprintf("%s/conda-meta/state", prefix);
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *ev;
	size_t i;

	if (access(path, F_OK) < 0)
		return 0;
	if (nbk_yaml_load_file(path, STATE_MAX, &root, err) < 0)
		return -1;
	if (root->kind != NBK_NODE_MAP || !(ev = nbk_node_get(root, "env_vars")))
		return 0;
	if (ev->kind != NBK_NODE_MAP)
		return nbk_error_set(err, 0, "'%s': env_vars is not a mapping", path);
	for (i = 0; i < ev->n; i++)
		if (ev->items[i]->kind == NBK_NODE_SCALAR &&
		    nbk_env_name_valid(ev->keys[i], strlen(ev->keys[i])))
			nbk_env_set(vars, ev->keys[i], ev->items[i]->scalar);
	return 0;
}

/*
 * path (a PATH; NULL or "": no entries) with bin_old, a folder, taken out
 * (bin_new NULL) or replaced in its place by bin_new; bin_new first when
 * there is no bin_old in it.  Every other entry stays as it is, empty ones
 * too.  A new string.
 */
static char *path_edit(const char *path, const char *bin_old, const char *bin_new)
{
	_cleanup_strvec_ struct nbk_strvec parts = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec out = NBK_STRVEC_INIT;
	struct nbk_buf b = NBK_BUF_INIT;
	const char *p = path;
	ssize_t at = -1;
	size_t i;

	nbk_strvec_split(&parts, p, ':');
	if (bin_old)
		at = nbk_strvec_find(&parts, bin_old);
	if (bin_new && at < 0)
		nbk_strvec_push(&out, bin_new);
	for (i = 0; i < parts.n; i++) {
		if ((ssize_t)i != at)
			nbk_strvec_push(&out, parts.v[i]);
		else if (bin_new)
			nbk_strvec_push(&out, bin_new);
	}
	nbk_strvec_join(&out, ":", &b);
	return nbk_buf_detach(&b, NULL);
}

/* The value name will have once a is applied over env (NULL: unset). */
static const char *after(const struct et_activation *a, const struct nbk_strvec *env,
			 const char *name)
{
	const char *v = nbk_env_get(&a->set, name);

	if (v)
		return v;
	if (nbk_strvec_find(&a->unset, name) >= 0)
		return NULL;
	return nbk_env_get(env, name);
}

/* CONDA_PREFIX, CONDA_DEFAULT_ENV and the prompt's modifier for prefix. */
static void name_vars(const struct et_config *cfg, const char *prefix, struct et_activation *a)
{
	_cleanup_free_ char *name = et_env_display_name(cfg, prefix);
	_cleanup_free_ char *modifier = nbk_xasprintf("(%s) ", name);

	set(a, ET_ENV_CONDA_PREFIX, prefix);
	set(a, ET_ENV_CONDA_DEFAULT_ENV, name);
	set(a, ET_ENV_CONDA_PROMPT_MODIFIER, modifier);
}

int et_activate(const struct et_config *cfg, const struct nbk_strvec *env, const char *prefix,
		bool stack, struct et_activation *out, struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec vars = NBK_STRVEC_INIT;
	_cleanup_free_ char *bin = nbk_xasprintf("%s/bin", prefix);
	_cleanup_free_ char *old_bin = NULL;
	_cleanup_free_ char *path = NULL;
	long level = shlvl(env);
	const char *old = level ? nbk_env_get(env, ET_ENV_CONDA_PREFIX) : NULL;
	char num[24];
	size_t i;

	if (old && !*old)
		old = NULL;
	if (old && !strcmp(old, prefix))
		return 0;
	if (state_vars(prefix, &vars, err) < 0)
		return -1;
	/* switching: the environment left runs its deactivate.d first */
	if (old && !stack && scripts(old, "deactivate", &out->before, err) < 0)
		return -1;
	if (scripts(prefix, "activate", &out->after, err) < 0)
		return -1;
	if (old) {
		old_bin = nbk_xasprintf("%s/bin", old);
		_cleanup_free_ char *key = nbk_xasprintf(ET_ENV_CONDA_PREFIX "_%ld", level);

		set(out, key, old);
	}
	path = path_edit(nbk_env_get(env, "PATH"), stack ? NULL : old_bin, bin);
	set(out, "PATH", path);
	if (stack && old) {
		char key[48];

		snprintf(key, sizeof(key), "CONDA_STACKED_%ld", level + 1);
		set(out, key, "true");
	}
	name_vars(cfg, prefix, out);
	snprintf(num, sizeof(num), "%ld", level + 1);
	set(out, ET_ENV_CONDA_SHLVL, num);
	for (i = 0; i < vars.n; i++) {
		const char *eq = strchr(vars.v[i], '=');
		_cleanup_free_ char *k = nbk_xstrndup(vars.v[i], (size_t)(eq - vars.v[i]));
		const char *was = after(out, env, k);

		if (was) {
			_cleanup_free_ char *backup =
				nbk_xasprintf("__CONDA_SHLVL_%ld_%s", level, k);

			set(out, backup, was);
		}
		set(out, k, eq + 1);
	}
	return 0;
}

int et_deactivate(const struct et_config *cfg, const struct nbk_strvec *env,
		  struct et_activation *out, struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec vars = NBK_STRVEC_INIT;
	_cleanup_free_ char *bin = NULL, *back_bin = NULL, *path = NULL;
	_cleanup_free_ char *key_prev = NULL, *key_stacked = NULL;
	long level = shlvl(env);
	const char *prefix = nbk_env_get(env, ET_ENV_CONDA_PREFIX);
	const char *back = NULL;
	bool stacked;
	size_t i;

	if (!level || !prefix || !*prefix)
		return 0;
	key_prev = nbk_xasprintf(ET_ENV_CONDA_PREFIX "_%ld", level - 1);
	key_stacked = nbk_xasprintf("CONDA_STACKED_%ld", level);
	if (level > 1)
		back = nbk_env_get(env, key_prev);
	stacked = back && nbk_env_get(env, key_stacked);
	if (scripts(prefix, "deactivate", &out->before, err) < 0)
		return -1;
	/* the variables this level set, back to what they replaced */
	if (state_vars(prefix, &vars, err) < 0)
		return -1;
	for (i = 0; i < vars.n; i++) {
		const char *eq = strchr(vars.v[i], '=');
		_cleanup_free_ char *k = nbk_xstrndup(vars.v[i], (size_t)(eq - vars.v[i]));
		_cleanup_free_ char *backup = nbk_xasprintf("__CONDA_SHLVL_%ld_%s", level - 1, k);
		const char *was = nbk_env_get(env, backup);

		if (was)
			set(out, k, was);
		else
			unset(out, k);
		unset(out, backup);
	}
	bin = nbk_xasprintf("%s/bin", prefix);
	if (back && !stacked)
		back_bin = nbk_xasprintf("%s/bin", back);
	path = path_edit(nbk_env_get(env, "PATH"), bin, back_bin);
	set(out, "PATH", path);
	unset(out, key_stacked);
	if (back) {
		char num[24];

		name_vars(cfg, back, out);
		unset(out, key_prev);
		snprintf(num, sizeof(num), "%ld", level - 1);
		set(out, ET_ENV_CONDA_SHLVL, num);
		/* returning to an environment that was switched away from */
		if (!stacked && scripts(back, "activate", &out->after, err) < 0)
			return -1;
	} else {
		unset(out, ET_ENV_CONDA_PREFIX);
		unset(out, ET_ENV_CONDA_DEFAULT_ENV);
		unset(out, ET_ENV_CONDA_PROMPT_MODIFIER);
		unset(out, ET_ENV_CONDA_SHLVL);
	}
	return 1;
}
