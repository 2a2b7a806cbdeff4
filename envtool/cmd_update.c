/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool update -n NAME | -p PREFIX SPEC... | --all: the named installed
 * packages (or all of them) to the best the channels and the rest of the
 * environment allow (request.h).
 */
#include <stdio.h>

#include "cmd.h"
#include "request.h"

static int cmd_update(struct et_ctx *ctx)
{
	struct et_request r;
	size_t i;
	int ret;

	if (!ctx->opts.args.n == !ctx->opts.all) {
		fprintf(stderr,
			"usage: envtool update -n NAME|-p PREFIX (SPEC... | --all) [--dry-run] [--json]\n");
		return ET_EXIT_USAGE;
	}
	et_request_init(&r, ET_REQUEST_UPDATE);
	r.update_all = ctx->opts.all;
	for (i = 0; i < ctx->opts.args.n; i++)
		nbk_strvec_push(&r.specs, ctx->opts.args.v[i]);
	ret = et_request_run(ctx, &r);
	et_request_release(&r);
	return ret;
}

static const struct et_cmd_opt update_opts[] = {
	{ ET_OPT_NAME, NULL }, { ET_OPT_PREFIX, NULL }, { ET_OPT_ALL, "every installed package" },
	ET_CMD_OPTS_REQUEST,   { ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_update = {
	.name = "update",
	.fn = cmd_update,
	.synopsis = "-n NAME | -p PREFIX (SPEC... | --all)",
	.summary = "update packages, or --all",
	.opts = update_opts,
};
