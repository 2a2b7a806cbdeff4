/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool create -n NAME | -p PREFIX [SPEC...] [-f FILE]...: solve a new
 * environment (request.h) and make it (apply.h): built aside and renamed
 * into place.  FILE is an environment.yml (name, channels, dependencies).
 * An environment already at the target is replaced only with --yes (or a
 * yes on the terminal).  --dry-run shows the transaction.
 */
#include <stdio.h>
#include <string.h>

#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "cmd.h"
#include "envs.h"
#include "request.h"

static int cmd_create(struct et_ctx *ctx)
{
	struct et_request r;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;
	int ret;

	et_request_init(&r, ET_REQUEST_CREATE);
	for (i = 0; i < ctx->opts.files.n; i++) {
		if (et_request_read_file(&r, ctx->opts.files.v[i], &err) < 0) {
			nbk_error("%s", err.msg);
			et_request_release(&r);
			return ET_EXIT_FAIL;
		}
	}
	if (ctx->opts.clone) {
		_cleanup_free_ char *source = NULL;

		if (ctx->opts.files.n || ctx->opts.args.n) {
			nbk_error("create --clone makes a copy: no specs or -f with it");
			et_request_release(&r);
			return ET_EXIT_USAGE;
		}
		/* a name in envs_dirs, or a path */
		if (strchr(ctx->opts.clone, '/'))
			source = nbk_path_normalize(ctx->opts.clone);
		else if (et_env_locate(&ctx->cfg, ctx->opts.clone, ET_ENV_EXISTING, &source, NULL,
				       &err) < 0)
			source = NULL;
		if (!source || et_request_clone(&r, source, &err) < 0) {
			nbk_error("%s", err.msg);
			et_request_release(&r);
			return ET_EXIT_FAIL;
		}
	}
	for (i = 0; i < ctx->opts.args.n; i++)
		nbk_strvec_push(&r.specs, ctx->opts.args.v[i]);
	ret = et_request_run(ctx, &r);
	et_request_release(&r);
	return ret;
}

static const struct et_cmd_opt create_opts[] = {
	{ ET_OPT_NAME, NULL },  { ET_OPT_PREFIX, NULL }, { ET_OPT_FILE, NULL },
	{ ET_OPT_CLONE, NULL }, ET_CMD_OPTS_REQUEST,     { ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_create = {
	.name = "create",
	.fn = cmd_create,
	.synopsis = "-n NAME | -p PREFIX [SPEC...] [-f FILE]...",
	.summary = "make a new environment (-f environment.yml or @EXPLICIT file)",
	.opts = create_opts,
};
