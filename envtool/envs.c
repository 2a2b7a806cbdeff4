/* SPDX-License-Identifier: Apache-2.0 */
/* Finding environments: see envs.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "envs.h"
#include "prefix.h"

int et_env_resolve(struct et_ctx *ctx, bool must_exist, char **out, bool *usage)
{
	const char *name = ctx->opts.name, *env;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	*usage = false;
	if (name && ctx->opts.prefix) {
		nbk_error("give -n NAME or -p PREFIX, not both");
		*usage = true;
		return -1;
	}
	if (ctx->opts.prefix) {
		char cwd[4096];
		_cleanup_free_ char *abs = NULL;

		if (ctx->opts.prefix[0] != '/') {
			if (!getcwd(cwd, sizeof(cwd))) {
				nbk_error("no current folder");
				return -1;
			}
			abs = nbk_xasprintf("%s/%s", cwd, ctx->opts.prefix);
		}
		if (et_prefix_path_check(ctx->opts.prefix, &err) < 0) {
			nbk_error("%s", err.msg);
			*usage = true;
			return -1;
		}
		*out = nbk_path_normalize(abs ? abs : ctx->opts.prefix);
	} else if (name) {
		if (et_env_name_check(name, &err) < 0) {
			nbk_error("%s", err.msg);
			*usage = true;
			return -1;
		}
		*out = NULL;
		if (!strcmp(name, "base")) {
			*out = nbk_xstrdup(ctx->cfg.root_prefix);
		} else {
			for (i = 0; i < ctx->cfg.envs_dirs.n && !*out; i++) {
				_cleanup_free_ char *p = nbk_xasprintf("%s/%s", ctx->cfg.envs_dirs.v[i], name);

				if (et_prefix_is_env(p))
					*out = nbk_steal_pointer(&p);
			}
			if (!*out && ctx->cfg.envs_dirs.n)
				*out = nbk_xasprintf("%s/%s", ctx->cfg.envs_dirs.v[0], name);
		}
		if (!*out) {
			nbk_error("no envs_dirs configured for -n '%s'", name);
			return -1;
		}
	} else if ((env = getenv(ET_ENV_CONDA_PREFIX)) && *env) {
		*out = nbk_xstrdup(env);
	} else {
		nbk_error("which environment? give -n NAME or -p PREFIX");
		*usage = true;
		return -1;
	}
	if (must_exist && !et_prefix_is_env(*out)) {
		nbk_error("environment '%s' does not exist (no '%s/conda-meta')",
			  name ? name : *out, *out);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

char *et_env_display_name(const struct et_ctx *ctx, const char *prefix)
{
	const char *s = strrchr(prefix, '/');

	if (ctx->cfg.root_prefix && !strcmp(prefix, ctx->cfg.root_prefix))
		return nbk_xstrdup("base");
	return nbk_xstrdup(s && s[1] ? s + 1 : prefix);
}

void et_env_known(const struct et_ctx *ctx, struct nbk_strvec *out)
{
	struct nbk_strvec txt = NBK_STRVEC_INIT, dirs = NBK_STRVEC_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	if (ctx->cfg.root_prefix && et_prefix_is_env(ctx->cfg.root_prefix))
		nbk_strvec_push(out, ctx->cfg.root_prefix);
	for (i = 0; i < ctx->cfg.envs_dirs.n; i++) {
		DIR *d = opendir(ctx->cfg.envs_dirs.v[i]);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			char *p;

			if (de->d_name[0] == '.')
				continue;
			p = nbk_xasprintf("%s/%s", ctx->cfg.envs_dirs.v[i], de->d_name);
			if (et_prefix_is_env(p))
				nbk_strvec_push_owned(&dirs, p);
			else
				free(p);
		}
		closedir(d);
	}
	nbk_strvec_sort(&dirs);
	for (i = 0; i < dirs.n; i++)
		if (nbk_strvec_find(out, dirs.v[i]) < 0)
			nbk_strvec_push(out, dirs.v[i]);
	if (et_environments_read(&txt, &err) < 0)
		nbk_warn("%s", err.msg);
	for (i = 0; i < txt.n; i++)
		if (et_prefix_is_env(txt.v[i]) && nbk_strvec_find(out, txt.v[i]) < 0)
			nbk_strvec_push(out, txt.v[i]);
	nbk_strvec_release(&txt);
	nbk_strvec_release(&dirs);
}
