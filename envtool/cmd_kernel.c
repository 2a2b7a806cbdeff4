/* SPDX-License-Identifier: Apache-2.0 */
/* envtool kernel install|remove -n NAME|-p PREFIX: see kernel.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "cmd.h"
#include "envs.h"
#include "target.h"
#include "kernel.h"
#include "prefix.h"

char *et_kernel_launcher(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0 || (size_t)n >= sizeof(buf) - 1)
		return NULL;
	buf[n] = '\0';
	/* a deleted binary (an upgrade under a running tool) is no launcher */
	if (access(buf, X_OK) < 0)
		return NULL;
	return nbk_xstrdup(buf);
}

static int cmd_kernel(struct et_ctx *ctx)
{
	_cleanup_free_ char *prefix = NULL, *name = NULL, *dir = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	const char *what = ctx->opts.args.n ? ctx->opts.args.v[0] : "";
	bool install = !strcmp(what, "install"), usage;
	int r;

	if (ctx->opts.args.n != 1 || (!install && strcmp(what, "remove"))) {
		nbk_error("usage: envtool kernel install|remove -n NAME|-p PREFIX");
		return ET_EXIT_USAGE;
	}
	if (et_env_resolve(ctx, install ? ET_ENV_EXISTING : ET_ENV_ANY, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	/* --kernel-name: a name of the caller's (bootstrap's team kernels) */
	name = ctx->opts.kernel_name ? nbk_xstrdup(ctx->opts.kernel_name)
				     : et_env_display_name(&ctx->cfg, prefix);
	dir = et_kernel_dir(name, &err);
	if (!dir) {
		nbk_error("%s", err.msg);
		return ET_EXIT_FAIL;
	}
	if (install) {
		_cleanup_free_ char *py = nbk_xasprintf("%s/bin/python", prefix);

		if (access(py, X_OK) < 0)
			nbk_warn(
				"'%s' has no bin/python: the kernel will not start until it has python and ipykernel",
				prefix);
		_cleanup_free_ char *launcher = et_kernel_launcher();

		if (et_kernel_install(prefix, name, ctx->opts.display_name, launcher, &err) < 0) {
			nbk_error("%s", err.msg);
			return ET_EXIT_FAIL;
		}
		if (!ctx->opts.quiet)
			printf("kernel '%s' installed in '%s'\n",
			       ctx->opts.display_name ? ctx->opts.display_name : name, dir);
		return ET_EXIT_OK;
	}
	r = et_kernel_remove(NULL, name, &err);
	if (r < 0) {
		nbk_error("%s", err.msg);
		return ET_EXIT_FAIL;
	}
	if (r == 0) {
		nbk_error("no kernel '%s' (in '%s')", name, dir);
		return ET_EXIT_FAIL;
	}
	if (!ctx->opts.quiet)
		printf("kernel '%s' removed\n", name);
	return ET_EXIT_OK;
}

static const struct et_cmd_opt kernel_opts[] = {
	{ ET_OPT_NAME, NULL },         { ET_OPT_PREFIX, NULL }, { ET_OPT_KERNEL_NAME, NULL },
	{ ET_OPT_DISPLAY_NAME, NULL }, { ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_kernel = {
	.name = "kernel",
	.fn = cmd_kernel,
	.synopsis = "install | remove  -n NAME | -p PREFIX",
	.summary = "kernel install|remove: the environment's Jupyter kernel",
	.opts = kernel_opts,
};
