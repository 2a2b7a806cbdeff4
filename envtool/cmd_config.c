/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool config --show [KEY...] (also `config list`, `config show`):
 * the configuration envtool uses, as YAML with conda's key names, merged
 * from every .condarc read (info lists the files) and the CONDA_*
 * variables.  Changing it (--set, --add, --remove) is not here: the line
 * says to edit ~/.condarc, where every key envtool reads is conda's.
 */
#include <stdio.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/conda_names.h"
#include "nbkit/log.h"
#include "nbkit/yaml.h"
#include "cmd.h"

static struct nbk_node *list(const struct nbk_strvec *v)
{
	struct nbk_node *seq = nbk_node_new(NBK_NODE_SEQ);
	size_t i;

	for (i = 0; i < v->n; i++)
		nbk_node_seq_push(seq, nbk_node_new_scalar(v->v[i]));
	return seq;
}

static struct nbk_node *number(double d)
{
	char s[32];

	snprintf(s, sizeof(s), "%g", d);
	return nbk_node_new_scalar(s);
}

static struct nbk_node *config_tree(const struct et_config *cfg)
{
	struct nbk_node *root = nbk_node_new(NBK_NODE_MAP);
	struct nbk_node *custom = nbk_node_new(NBK_NODE_MAP);
	struct nbk_node *proxies = nbk_node_new(NBK_NODE_MAP);
	size_t i;

	for (i = 0; i < cfg->custom_names.n; i++)
		nbk_node_map_set(custom, cfg->custom_names.v[i],
				 nbk_node_new_scalar(cfg->custom_urls.v[i]));
	if (cfg->proxy_http)
		nbk_node_map_set(proxies, "http", nbk_node_new_scalar(cfg->proxy_http));
	if (cfg->proxy_https)
		nbk_node_map_set(proxies, "https", nbk_node_new_scalar(cfg->proxy_https));
	nbk_node_map_set(root, NBK_CONDARC_CHANNELS, list(&cfg->channels));
	nbk_node_map_set(root, "channel_alias", nbk_node_new_scalar(cfg->channel_alias));
	nbk_node_map_set(root, "custom_channels", custom);
	nbk_node_map_set(root, "default_channels", list(&cfg->default_channels));
	nbk_node_map_set(root, "channel_priority", nbk_node_new_scalar(cfg->channel_priority));
	nbk_node_map_set(root, NBK_CONDARC_ENVS_DIRS, list(&cfg->envs_dirs));
	nbk_node_map_set(root, NBK_CONDARC_PKGS_DIRS, list(&cfg->pkgs_dirs));
	nbk_node_map_set(root, "pinned_packages", list(&cfg->pinned_packages));
	nbk_node_map_set(root, "root_prefix", nbk_node_new_scalar(cfg->root_prefix));
	nbk_node_map_set(root, NBK_CONDARC_SSL_VERIFY,
			 nbk_node_new_scalar(cfg->ssl_verify == ET_SSL_VERIFY_OFF ? "false"
					     : cfg->ca_bundle                     ? cfg->ca_bundle
										  : "true"));
	nbk_node_map_set(root, "proxy_servers", proxies);
	nbk_node_map_set(root, "offline", nbk_node_new_scalar(cfg->offline ? "true" : "false"));
	nbk_node_map_set(root, "add_pip_as_python_dependency",
			 nbk_node_new_scalar(cfg->add_pip_as_python_dependency ? "true" : "false"));
	nbk_node_map_set(root, "remote_connect_timeout_secs", number(cfg->connect_timeout_s));
	nbk_node_map_set(root, "remote_read_timeout_secs", number(cfg->read_timeout_s));
	nbk_node_map_set(root, "remote_max_retries", number((double)cfg->max_retries));
	nbk_node_map_set(root, "remote_backoff_factor", number(cfg->backoff_factor));
	nbk_node_map_set(root, "local_repodata_ttl", number((double)cfg->local_repodata_ttl));
	nbk_node_map_set(root, "subdir", nbk_node_new_scalar(cfg->platform));
	return root;
}

static int cmd_config(struct et_ctx *ctx)
{
	const char *sub = ctx->opts.args.n ? ctx->opts.args.v[0] : "";
	_cleanup_node_ struct nbk_node *all = NULL;
	_cleanup_buf_ struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_node *shown;
	size_t i, first = 1;

	if (ctx->opts.show)
		first = 0;
	else if (strcmp(sub, "list") && strcmp(sub, "show")) {
		nbk_error(
			"config: only --show [KEY...] (or config list) is here: to change a key, "
			"edit ~/.condarc (conda's keys, docs/envtool.md)");
		return ET_EXIT_USAGE;
	}
	all = config_tree(&ctx->cfg);
	shown = all;
	if (ctx->opts.args.n > first) {
		shown = nbk_node_new(NBK_NODE_MAP);
		for (i = first; i < ctx->opts.args.n; i++) {
			const struct nbk_node *v = nbk_node_get(all, ctx->opts.args.v[i]);

			if (!v) {
				nbk_node_free(shown);
				nbk_error("config: no key '%s' (config --show lists them)",
					  ctx->opts.args.v[i]);
				return ET_EXIT_FAIL;
			}
			nbk_node_map_set(shown, ctx->opts.args.v[i], nbk_node_clone(v));
		}
	}
	if (nbk_yaml_emit(shown, &out, &err) < 0) {
		if (shown != all)
			nbk_node_free(shown);
		nbk_error("config: %s", err.msg);
		return ET_EXIT_FAIL;
	}
	if (shown != all)
		nbk_node_free(shown);
	fwrite(out.data, 1, out.len, stdout);
	return ET_EXIT_OK;
}

static const struct et_cmd_opt config_opts[] = {
	{ ET_OPT_SHOW, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_config = {
	.name = "config",
	.fn = cmd_config,
	.synopsis = "--show [KEY...] | list",
	.summary = "show the configuration (conda's keys)",
	.opts = config_opts,
};
