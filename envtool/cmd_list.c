/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool list -n|-p [--json]: the packages of an environment, from its
 * conda-meta (micromamba's table and JSON keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/cleanup.h"
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

		nbk_buf_addch(&b, '[');
		for (i = 0; i < p.n; i++) {
			const struct et_record *r = &p.v[i].rec;

			nbk_buf_addstr(&b, i ? ",\n  {" : "\n  {");
			nbk_buf_addstr(&b, "\"base_url\": ");
			nbk_buf_add_json_string(&b, r->channel);
			nbk_buf_addf(&b, ", \"build_number\": %ld, \"build_string\": ", r->build_number);
			nbk_buf_add_json_string(&b, r->build);
			nbk_buf_addstr(&b, ", \"channel\": ");
			nbk_buf_add_json_string(&b, r->channel);
			nbk_buf_addstr(&b, ", \"dist_name\": ");
			nbk_buf_add_json_string(&b, p.v[i].dist);
			nbk_buf_addstr(&b, ", \"name\": ");
			nbk_buf_add_json_string(&b, r->name);
			nbk_buf_addstr(&b, ", \"platform\": ");
			nbk_buf_add_json_string(&b, r->subdir);
			nbk_buf_addstr(&b, ", \"version\": ");
			nbk_buf_add_json_string(&b, r->version);
			nbk_buf_addch(&b, '}');
		}
		nbk_buf_addstr(&b, p.n ? "\n]\n" : "]\n");
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
