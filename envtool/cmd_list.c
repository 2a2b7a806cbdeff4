/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool list -n|-p [--json]: the packages of an environment, from its
 * conda-meta (micromamba's table and JSON keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "cmd.h"
#include "envs.h"
#include "target.h"
#include "prefix.h"
#include "print.h"

/*
 * envtool list: print the packages recorded in the conda-meta of the
 * environment that -n or -p names (it must exist), as micromamba does: a
 * table of name, version, build and channel, or with --json an array of
 * objects with micromamba's keys.  Returns ET_EXIT_OK; ET_EXIT_USAGE when
 * no valid environment is named; ET_EXIT_FAIL, after printing why, when it
 * does not exist or its conda-meta cannot be read.
 */
static int cmd_list(struct et_ctx *ctx)
{
	_cleanup_free_ char *prefix = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_prefix p = ET_PREFIX_INIT;
	bool usage;
	size_t i;
	int ret = ET_EXIT_FAIL;

	if (et_env_resolve(ctx, ET_ENV_EXISTING, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	if (et_prefix_load(prefix, &p, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	if (ctx->opts.json) {
		struct nbk_buf b = NBK_BUF_INIT;
		struct nbk_json w;

		/* micromamba's list: one package a line */
		nbk_json_init(&w, &b, NBK_JSON_PRETTY);
		nbk_json_array_begin(&w);
		for (i = 0; i < p.n; i++) {
			const struct et_record *r = &p.v[i].rec;

			nbk_json_layout(&w, NBK_JSON_LINE);
			nbk_json_object_begin(&w);
			nbk_json_key_string(&w, "base_url", r->channel);
			nbk_json_key_int(&w, "build_number", r->build_number);
			nbk_json_key_string(&w, "build_string", r->build);
			nbk_json_key_string(&w, "channel", r->channel);
			nbk_json_key_string(&w, "dist_name", p.v[i].dist);
			nbk_json_key_string(&w, "name", r->name);
			nbk_json_key_string(&w, "platform", r->subdir);
			nbk_json_key_string(&w, "version", r->version);
			nbk_json_object_end(&w);
		}
		nbk_json_array_end(&w);
		nbk_buf_addch(&b, '\n');
		fputs(b.data, stdout);
		nbk_buf_release(&b);
	} else {
		const char **cells = nbk_xcalloc(4 * (p.n + 1), sizeof(*cells));

		printf("List of packages in environment: \"%s\"\n\n", prefix);
		cells[0] = "Name";
		cells[1] = "Version";
		cells[2] = "Build";
		cells[3] = "Channel";
		for (i = 0; i < p.n; i++) {
			cells[4 * (i + 1)] = p.v[i].rec.name;
			cells[4 * (i + 1) + 1] = p.v[i].rec.version;
			cells[4 * (i + 1) + 2] = p.v[i].rec.build;
			cells[4 * (i + 1) + 3] = p.v[i].rec.channel;
		}
		et_print_table(cells, p.n + 1, 4);
		free(cells);
	}
	ret = ET_EXIT_OK;
out:
	et_prefix_release(&p);
	return ret;
}

static const struct et_cmd_opt list_opts[] = {
	{ ET_OPT_NAME, NULL },
	{ ET_OPT_PREFIX, NULL },
	{ ET_OPT_JSON, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_list = {
	.name = "list",
	.fn = cmd_list,
	.synopsis = "-n NAME | -p PREFIX",
	.summary = "packages of an environment",
	.opts = list_opts,
};
