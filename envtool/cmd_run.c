/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool run -n|-p CMD [ARG...]: CMD in the environment, activated as
 * `activate` does it (libconda/activate.c: PATH, the CONDA_* variables,
 * conda-meta/state's env_vars, etc/conda/activate.d/ *.sh); exec, so
 * signals and the exit status are CMD's own.  With activation scripts, CMD
 * runs through /bin/sh, which sources them and then execs CMD in the same
 * process.  The kernels envtool writes start this way.  127: CMD not
 * found, 126: not executable (sh's codes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "activate.h"
#include "cmd.h"
#include "envs.h"
#include "target.h"

/* sh -c SCRIPT envtool-run N SCRIPT1..N CMD ARG...: source the scripts, exec CMD */
#define RUN_SH                                                                           \
	"__envtool_n=$1; shift; while test \"$__envtool_n\" -gt 0; do . \"$1\"; shift; " \
	"__envtool_n=$((__envtool_n - 1)); done; unset __envtool_n; "                    \
	"exec \"$@\""

static int set_env(const struct et_activation *a)
{
	size_t i;

	for (i = 0; i < a->unset.n; i++)
		if (unsetenv(a->unset.v[i]) < 0)
			return -1;
	for (i = 0; i < a->set.n; i++) {
		const char *eq = strchr(a->set.v[i], '=');
		_cleanup_free_ char *k = nbk_xstrndup(a->set.v[i], (size_t)(eq - a->set.v[i]));

		if (setenv(k, eq + 1, 1) < 0)
			return -1;
	}
	return 0;
}

static int cmd_run(struct et_ctx *ctx)
{
	_cleanup_free_ char *prefix = NULL;
	_cleanup_strvec_ struct nbk_strvec env = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec argv = NBK_STRVEC_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_activation a;
	size_t n, i;
	bool usage;

	if (et_env_resolve(ctx, ET_ENV_EXISTING, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	if (!ctx->opts.args.n) {
		nbk_error("run: which command? envtool run -n NAME CMD [ARG...]");
		return ET_EXIT_USAGE;
	}
	if (et_env_check_exists(prefix, &err) < 0) {
		nbk_error("%s", err.msg);
		return ET_EXIT_FAIL;
	}
	et_process_env(&env);
	et_activation_init(&a);
	if (et_activate(&ctx->cfg, &env, prefix, false, &a, &err) < 0) {
		nbk_error("run: %s", err.msg);
		et_activation_release(&a);
		return ET_EXIT_FAIL;
	}
	if (set_env(&a) < 0) {
		nbk_error("cannot set the environment: %s", strerror(errno));
		et_activation_release(&a);
		return ET_EXIT_FAIL;
	}
	n = a.before.n + a.after.n;
	if (n) {
		nbk_strvec_push(&argv, "/bin/sh");
		nbk_strvec_push(&argv, "-c");
		nbk_strvec_push(&argv, RUN_SH);
		nbk_strvec_push(&argv, "envtool-run");
		nbk_strvec_pushf(&argv, "%zu", n);
		nbk_strvec_pushv(&argv, (const char *const *)a.before.v);
		nbk_strvec_pushv(&argv, (const char *const *)a.after.v);
	}
	for (i = 0; i < ctx->opts.args.n; i++)
		nbk_strvec_push(&argv, ctx->opts.args.v[i]);
	et_activation_release(&a);
	fflush(NULL);
	if (n)
		execv(argv.v[0], argv.v);
	else
		execvp(argv.v[0], argv.v);
	nbk_error("cannot run '%s': %s", argv.v[0], strerror(errno));
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
