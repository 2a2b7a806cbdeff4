/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool env list [--json]: the known environments (envs_dirs and
 * ~/.conda/environments.txt).
 * envtool env export -n|-p [--explicit]: environment.yml (name, channels,
 * dependencies NAME=VERSION=BUILD), or an @EXPLICIT lock file of URL#SHA256
 * lines (md5 when a record has no sha256) that `create -f` reads back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "nbkit/url.h"
#include "cmd.h"
#include "envs.h"
#include "target.h"
#include "prefix.h"

static int env_list(struct et_ctx *ctx)
{
	struct nbk_strvec envs = NBK_STRVEC_INIT;
	size_t i;

	et_env_known(&ctx->cfg, &envs);
	if (ctx->opts.json) {
		struct nbk_buf b = NBK_BUF_INIT;
		struct nbk_json w;

		nbk_json_init(&w, &b, NBK_JSON_LINE);
		nbk_json_object_begin(&w);
		nbk_json_key_strvec(&w, "envs", &envs);
		nbk_json_object_end(&w);
		nbk_buf_addch(&b, '\n');
		fputs(b.data, stdout);
		nbk_buf_release(&b);
	} else {
		const char *cur = getenv(ET_ENV_CONDA_PREFIX);

		printf("# conda environments:\n#\n");
		for (i = 0; i < envs.n; i++) {
			_cleanup_free_ char *name = et_env_display_name(&ctx->cfg, envs.v[i]);

			printf("%-24s %s  %s\n", name, cur && !strcmp(cur, envs.v[i]) ? "*" : " ",
			       envs.v[i]);
		}
	}
	nbk_strvec_release(&envs);
	return ET_EXIT_OK;
}

/* The channel a record came from, for environment.yml (URL without the subdir). */
static char *channel_of(const struct et_record *r)
{
	const char *c = r->channel;
	size_t n = strlen(c);
	size_t sl = strlen(r->subdir);

	if (sl && n > sl + 1 && c[n - sl - 1] == '/' && !strcmp(c + n - sl, r->subdir))
		return nbk_xstrndup(c, n - sl - 1);
	return nbk_xstrdup(c);
}

/*
 * `env export`: the target environment on stdout as an environment.yml
 * (name, channels, dependencies as NAME=VERSION=BUILD), or with
 * --explicit as an @EXPLICIT file of URL#sha256 lines (URLs without
 * credentials, auth.h).  Returns an ET_EXIT_* code; errors go to the log.
 */
static int env_export(struct et_ctx *ctx)
{
	_cleanup_free_ char *prefix = NULL, *name = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_prefix p = ET_PREFIX_INIT;
	struct nbk_strvec chans = NBK_STRVEC_INIT;
	bool usage;
	size_t i;
	int ret = ET_EXIT_FAIL;

	if (et_env_resolve(ctx, ET_ENV_EXISTING, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	if (et_prefix_load(prefix, &p, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	name = et_env_display_name(&ctx->cfg, prefix);
	if (ctx->opts.explicit_) {
		printf("# This file may be used to create an environment using:\n"
		       "# $ envtool create --name <env> --file <this file>\n"
		       "# platform: %s\n@EXPLICIT\n",
		       ctx->cfg.platform);
		for (i = 0; i < p.n; i++) {
			const struct et_record *r = &p.v[i].rec;

			if (!*r->url) {
				nbk_warn("'%s' has no URL in conda-meta: left out", p.v[i].dist);
				continue;
			}
			_cleanup_free_ char *url = nbk_url_strip_credentials(r->url);

			if (*r->sha256)
				printf("%s#%s\n", url, r->sha256);
			else if (*r->md5)
				printf("%s#%s\n", url, r->md5);
			else
				printf("%s\n", url);
		}
		ret = ET_EXIT_OK;
		goto out;
	}
	for (i = 0; i < p.n; i++) {
		char *c = channel_of(&p.v[i].rec);

		if (*c && nbk_strvec_find(&chans, c) < 0)
			nbk_strvec_push_owned(&chans, c);
		else
			free(c);
	}
	printf("name: %s\nchannels:\n", name);
	for (i = 0; i < chans.n; i++)
		printf("  - %s\n", chans.v[i]);
	printf("dependencies:\n");
	for (i = 0; i < p.n; i++)
		/* a record without build (prefix.h): NAME=VERSION, a spec that reads back */
		printf("  - %s=%s%s%s\n", p.v[i].rec.name, p.v[i].rec.version,
		       *p.v[i].rec.build ? "=" : "", p.v[i].rec.build);
	/* what pip installed, as conda exports it (create -f installs it with pip) */
	{
		struct et_pip_pkg *pip = NULL;
		size_t npip = 0;

		et_prefix_pip(prefix, &p, &pip, &npip);
		if (npip)
			printf("  - pip:\n");
		for (i = 0; i < npip; i++)
			printf("    - %s==%s\n", pip[i].name, pip[i].version);
		et_pip_pkgs_free(pip, npip);
	}
	printf("prefix: %s\n", prefix);
	ret = ET_EXIT_OK;
out:
	nbk_strvec_release(&chans);
	et_prefix_release(&p);
	return ret;
}

/*
 * `env create` and `env remove` are the create and remove commands, with
 * their own options (main.c dispatches them, et_env_subcommand()):
 * conda's defaults applied here.  Returns -1 to go on, or an exit status.
 */
int et_env_subcommand_defaults(struct et_ctx *ctx, const struct et_cmd *cmd)
{
	if (cmd == &et_cmd_create && !ctx->opts.files.n) {
		if (access("environment.yml", F_OK) < 0) {
			nbk_error("env create: which file? -f FILE (no environment.yml here)");
			return ET_EXIT_USAGE;
		}
		nbk_strvec_push(&ctx->opts.files, "environment.yml");
	}
	if (cmd == &et_cmd_remove)
		ctx->opts.all = true;
	return -1;
}

const struct et_cmd *et_env_subcommand(const char *sub)
{
	if (!strcmp(sub, "create"))
		return &et_cmd_create;
	if (!strcmp(sub, "remove"))
		return &et_cmd_remove;
	return NULL;
}

static int cmd_env(struct et_ctx *ctx)
{
	const char *sub = ctx->opts.args.n ? ctx->opts.args.v[0] : "";

	if (!strcmp(sub, "list") && ctx->opts.args.n == 1)
		return env_list(ctx);
	if (!strcmp(sub, "export") && ctx->opts.args.n == 1)
		return env_export(ctx);
	nbk_error(
		"usage: %s env list | env export -n NAME|-p PREFIX [--explicit] | "
		"env create [-f FILE] [-n NAME] | env remove -n NAME",
		ctx->prog);
	return ET_EXIT_USAGE;
}

static const struct et_cmd_opt env_opts[] = {
	{ ET_OPT_NAME, "env export: the environment called NAME" },
	{ ET_OPT_PREFIX, "env export: the environment at PREFIX" },
	{ ET_OPT_JSON, "env list: as JSON" },
	{ ET_OPT_EXPLICIT, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_env = {
	.name = "env",
	.fn = cmd_env,
	.synopsis =
		"list [--json] | export -n NAME | -p PREFIX [--explicit] | create [-f FILE] | "
		"remove -n NAME",
	.summary = "env list | env export [--explicit] | env create | env remove",
	.opts = env_opts,
};
