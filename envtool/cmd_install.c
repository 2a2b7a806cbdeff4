/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool install -n NAME | -p PREFIX SPEC...: add or change packages in an
 * existing environment, its conda-meta being the installed set (request.h).
 */
#include <stdio.h>

#include "cmd.h"
#include "request.h"

int cmd_install(struct et_ctx *ctx)
{
	struct et_request r;
	size_t i;
	int ret;

	if (!ctx->opts.args.n) {
		fprintf(stderr, "usage: envtool install -n NAME|-p PREFIX SPEC... [--dry-run] [--json]\n");
		return ET_EXIT_USAGE;
	}
	et_request_init(&r, ET_REQUEST_INSTALL);
	for (i = 0; i < ctx->opts.args.n; i++)
		nbk_strvec_push(&r.specs, ctx->opts.args.v[i]);
	ret = et_request_run(ctx, &r);
	et_request_release(&r);
	return ret;
}
