/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool info: the configuration as envtool sees it (micromamba info's
 * keys with --json): version, platform, roots, the config files read, the
 * request's channels (CHANNEL_URL/SUBDIR), package caches, envs dirs, the
 * virtual packages (virtual.h: "__glibc=2.36=0", as micromamba lists them,
 * CONDA_OVERRIDE_* applied).  Nothing is fetched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "channel.h"
#include "cmd.h"
#include "virtual.h"

struct item {
	const char *key;
	const char *value;             /* a scalar, or NULL */
	const struct nbk_strvec *list; /* a list, or NULL */
};

static void print_json(const struct item *items, size_t n)
{
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_json w;
	size_t i;

	/* one key a line, each list on its line */
	nbk_json_init(&w, &out, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	for (i = 0; i < n; i++) {
		nbk_json_key(&w, items[i].key);
		if (items[i].list) {
			nbk_json_layout(&w, NBK_JSON_LINE);
			nbk_json_strvec(&w, items[i].list);
		} else if (!strcmp(items[i].value, "true") || !strcmp(items[i].value, "false")) {
			nbk_json_bool(&w, !strcmp(items[i].value, "true"));
		} else {
			nbk_json_string(&w, items[i].value);
		}
	}
	nbk_json_object_end(&w);
	nbk_buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	nbk_buf_release(&out);
}

static void print_human(const struct item *items, size_t n)
{
	size_t i, j, w = 0;

	for (i = 0; i < n; i++)
		if (strlen(items[i].key) > w)
			w = strlen(items[i].key);
	for (i = 0; i < n; i++) {
		if (!items[i].list) {
			printf("%*s : %s\n", (int)w, items[i].key, items[i].value);
			continue;
		}
		if (!items[i].list->n)
			printf("%*s :\n", (int)w, items[i].key);
		for (j = 0; j < items[i].list->n; j++)
			printf("%*s %s %s\n", (int)w, j ? "" : items[i].key, j ? " " : ":",
			       items[i].list->v[j]);
	}
}

/*
 * envtool info: print the settings in force (version, platform, root
 * prefix, the .condarc files read, each channel URL per subdir, package
 * caches, envs folders, channel priority and alias, ssl_verify, offline)
 * and the virtual packages detected, as "key : value" lines or with --json
 * one object.  Reads ctx only; what it allocates is freed before return.
 * Returns ET_EXIT_OK; ET_EXIT_USAGE when given an argument; ET_EXIT_FAIL,
 * after printing why, when a channel does not resolve or a
 * CONDA_OVERRIDE_* value is not a version.
 */
static int cmd_info(struct et_ctx *ctx)
{
	const struct et_config *cfg = &ctx->cfg;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec urls = NBK_STRVEC_INIT;
	struct nbk_strvec virt = NBK_STRVEC_INIT;
	struct et_virtual_opts vopts = { 0 };
	struct et_record *vr = NULL;
	struct et_channel *chans = NULL;
	struct et_channel_sources src = { .cli = &ctx->opts.channels };
	size_t n = 0, nv = 0, i, j;

	if (ctx->opts.args.n) {
		fprintf(stderr, "usage: envtool info [--json] [--envs]\n");
		return ET_EXIT_USAGE;
	}
	/* conda info --envs: env list's output */
	if (ctx->opts.envs) {
		nbk_strvec_push(&ctx->opts.args, "list");
		return et_cmd_env.fn(ctx);
	}
	if (et_channels_order(cfg, &src, &chans, &n, &err) < 0) {
		nbk_error("%s", err.msg);
		return ET_EXIT_FAIL;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < chans[i].subdirs.n; j++)
			nbk_strvec_pushf(&urls, "%s/%s", chans[i].url, chans[i].subdirs.v[j]);
	vopts.platform = cfg->platform;
	if (et_virtual_detect(&vopts, &vr, &nv, &err) < 0) {
		nbk_error("%s", err.msg);
		et_channels_free(chans, n);
		nbk_strvec_release(&urls);
		return ET_EXIT_FAIL;
	}
	for (i = 0; i < nv; i++) {
		nbk_strvec_pushf(&virt, "%s=%s=%s", vr[i].name, vr[i].version, vr[i].build);
		et_record_release(&vr[i]);
	}
	free(vr);
	{
		const struct item items[] = {
			{ "envtool version", ctx->version, NULL },
			{ "platform", cfg->platform, NULL },
			{ "root prefix", cfg->root_prefix, NULL },
			{ "populated config files", NULL, &cfg->rc_files },
			{ "channels", NULL, &urls },
			{ "package cache", NULL, &cfg->pkgs_dirs },
			{ "envs directories", NULL, &cfg->envs_dirs },
			{ "channel priority", cfg->channel_priority, NULL },
			{ "channel alias", cfg->channel_alias, NULL },
			{ "ssl verify",
			  cfg->ssl_verify == ET_SSL_VERIFY_OFF ? "false"
			  : cfg->ca_bundle                     ? cfg->ca_bundle
							       : "true",
			  NULL },
			{ "offline", cfg->offline ? "true" : "false", NULL },
			{ "virtual packages", NULL, &virt },
		};

		if (ctx->opts.json)
			print_json(items, sizeof(items) / sizeof(items[0]));
		else
			print_human(items, sizeof(items) / sizeof(items[0]));
	}
	et_channels_free(chans, n);
	nbk_strvec_release(&urls);
	nbk_strvec_release(&virt);
	return ET_EXIT_OK;
}

static const struct et_cmd_opt info_opts[] = {
	ET_CMD_OPTS_CHANNELS,
	{ ET_OPT_JSON, NULL },
	{ ET_OPT_ENVS, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_info = {
	.name = "info",
	.fn = cmd_info,
	.synopsis = "",
	.summary = "configuration, roots, channels, virtual packages",
	.opts = info_opts,
};
