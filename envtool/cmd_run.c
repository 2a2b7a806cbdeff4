/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool run -n|-p CMD [ARG...]: CMD in the environment, activated the
 * way conda activate does it for PATH (PREFIX/bin first), CONDA_PREFIX,
 * CONDA_DEFAULT_ENV and CONDA_SHLVL; exec, so signals and the exit status
 * are CMD's own.  127: CMD not found, 126: not executable (sh's codes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "cmd.h"
#include "envs.h"
#include "target.h"

static int cmd_run(struct et_ctx *ctx)
{
	_cleanup_free_ char *prefix = NULL, *name = NULL, *path = NULL;
	const char *old = getenv("PATH");
	bool usage;

	if (et_env_resolve(ctx, ET_ENV_EXISTING, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	if (!ctx->opts.args.n) {
		nbk_error("run: which command? envtool run -n NAME CMD [ARG...]");
		return ET_EXIT_USAGE;
	}
	name = et_env_display_name(&ctx->cfg, prefix);
	path = nbk_xasprintf("%s/bin%s%s", prefix, old && *old ? ":" : "", old ? old : "");
	if (setenv("PATH", path, 1) < 0 || setenv("CONDA_PREFIX", prefix, 1) < 0 ||
	    setenv("CONDA_DEFAULT_ENV", name, 1) < 0 || setenv("CONDA_SHLVL", "1", 1) < 0) {
		nbk_error("cannot set the environment: %s", strerror(errno));
		return ET_EXIT_FAIL;
	}
	fflush(NULL);
	execvp(ctx->opts.args.v[0], ctx->opts.args.v);
	nbk_error("cannot run '%s': %s", ctx->opts.args.v[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

static const struct et_cmd_opt run_opts[] = {
	{ ET_OPT_NAME, NULL },
	{ ET_OPT_PREFIX, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_run = {
	.name = "run",
	.fn = cmd_run,
	.synopsis = "-n NAME | -p PREFIX COMMAND [ARG...]",
	.summary = "run a command inside an environment",
	.opts = run_opts,
	.flags = ET_CMD_OPTIONS_FIRST,
};
