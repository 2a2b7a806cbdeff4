/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What main.c hands every command: the parsed common options and the
 * loaded configuration (with the options already applied).  One
 * cmd_<name>() per file, dispatched from main.c's table (git's builtin/).
 */
#ifndef ENVTOOL_CMD_H
#define ENVTOOL_CMD_H

#include <stdbool.h>

#include "nbkit/strvec.h"
#include "config.h"

/* DESIGN.md: 0 success, 1 failure, 2 usage error. */
enum { ET_EXIT_OK = 0, ET_EXIT_FAIL = 1, ET_EXIT_USAGE = 2 };

/* clean: what --tarballs, --index, --packages (or --all: every one) remove */
enum et_clean_flags {
	ET_CLEAN_TARBALLS = 1 << 0,
	ET_CLEAN_INDEX = 1 << 1,
	ET_CLEAN_PACKAGES = 1 << 2,
};

struct et_opts {
	struct nbk_strvec channels;   /* -c, in order */
	struct nbk_strvec args;       /* positional arguments after the command */
	struct nbk_strvec files;      /* -f */
	const char *name;             /* -n */
	const char *prefix;           /* -p */
	bool dry_run, json, yes, all, quiet;
	bool no_kernel;               /* --no-kernel: no Jupyter kernel for a new environment */
	bool explicit_;               /* env export --explicit */
	unsigned clean;               /* clean: enum et_clean_flags */
	int verbose;
};

struct et_ctx {
	const char *version;          /* git describe */
	struct et_opts opts;
	struct et_config cfg;
	struct nbk_strvec channels;   /* the request's channels: -c, then configured (unless --override-channels) */
};

int cmd_search(struct et_ctx *ctx);
int cmd_info(struct et_ctx *ctx);
int cmd_create(struct et_ctx *ctx);
int cmd_install(struct et_ctx *ctx);
int cmd_update(struct et_ctx *ctx);
int cmd_remove(struct et_ctx *ctx);
int cmd_list(struct et_ctx *ctx);
int cmd_env(struct et_ctx *ctx);
int cmd_run(struct et_ctx *ctx);
int cmd_clean(struct et_ctx *ctx);
int cmd_kernel(struct et_ctx *ctx);

#endif
