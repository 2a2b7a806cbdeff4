/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "envs.h"
#include "prefix.h"
#include "target.h"

int et_env_resolve(struct et_ctx *ctx, enum et_env_want want, const char *file_name, char **out,
		   bool *usage)
{
	const char *name = ctx->opts.name, *env;
	struct nbk_error err = NBK_ERROR_INIT;

	*out = NULL;
	*usage = false;
	if (name && ctx->opts.prefix) {
		nbk_error("give -n NAME or -p PREFIX, not both");
		*usage = true;
		return -1;
	}
	if (!name && !ctx->opts.prefix && want == ET_ENV_NEW)
		name = file_name;
	if (ctx->opts.prefix) {
		char cwd[4096];
		_cleanup_free_ char *abs = NULL;

		if (et_prefix_path_check(ctx->opts.prefix, &err) < 0) {
			nbk_error("%s", err.msg);
			*usage = true;
			return -1;
		}
		if (ctx->opts.prefix[0] != '/') {
			if (!getcwd(cwd, sizeof(cwd))) {
				nbk_error("no current folder");
				return -1;
			}
			abs = nbk_xasprintf("%s/%s", cwd, ctx->opts.prefix);
		}
		*out = nbk_path_normalize(abs ? abs : ctx->opts.prefix);
	} else if (name) {
		if (et_env_locate(&ctx->cfg, name, want, out, usage, &err) < 0) {
			nbk_error("%s", err.msg);
			return -1;
		}
	} else if (want != ET_ENV_NEW && (env = getenv(ET_ENV_CONDA_PREFIX)) && *env) {
		*out = nbk_xstrdup(env);
	} else {
		nbk_error("which environment? give -n NAME or -p PREFIX%s",
			  want == ET_ENV_NEW ? " (or a name: in the -f file)" : "");
		*usage = true;
		return -1;
	}
	if (want == ET_ENV_EXISTING && et_env_check_exists(*out, &err) < 0) {
		nbk_error("%s", err.msg);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
