/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool install -n NAME | -p PREFIX SPEC...: add or change packages in an
 * existing environment, its conda-meta being the installed set (request.h).
 */
#include <stdio.h>

#include "cmd.h"
#include "request.h"

static int cmd_install(struct et_ctx *ctx)
{
	struct et_request r;
	size_t i;
	int ret;

	if (!ctx->opts.args.n) {
		fprintf(stderr,
			"usage: envtool install -n NAME|-p PREFIX SPEC... [--dry-run] [--json]\n");
		return ET_EXIT_USAGE;
	}
	et_request_init(&r, ET_REQUEST_INSTALL);
	for (i = 0; i < ctx->opts.args.n; i++)
		nbk_strvec_push(&r.specs, ctx->opts.args.v[i]);
	ret = et_request_run(ctx, &r);
	et_request_release(&r);
	return ret;
}

static const struct et_cmd_opt install_opts[] = {
	{ ET_OPT_NAME, NULL },
	{ ET_OPT_PREFIX, NULL },
	ET_CMD_OPTS_REQUEST,
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_install = {
	.name = "install",
	.fn = cmd_install,
	.synopsis = "-n NAME | -p PREFIX SPEC...",
	.summary = "add or change packages in an environment",
	.opts = install_opts,
};
