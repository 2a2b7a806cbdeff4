/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command table's entry (struct et_cmd) and what main.c hands every
 * command: the parsed options and the loaded configuration (with the
 * options already applied).  One cmd_<name>() per file, with its struct
 * et_cmd beside it naming the options it accepts; main.c dispatches through
 * the table (git's git.c and builtin/, crun's commands[]).
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
	struct nbk_strvec channels; /* -c, in order */
	struct nbk_strvec args;     /* positional arguments after the command */
	struct nbk_strvec files;    /* -f */
	const char *name;           /* -n */
	const char *prefix;         /* -p */
	bool dry_run, json, yes, all, quiet;
	bool no_kernel;           /* --no-kernel: no Jupyter kernel for a new environment */
	bool explicit_;           /* env export --explicit */
	bool stack;               /* activate --stack */
	bool show;                /* config --show */
	bool envs;                /* info --envs */
	const char *clone;        /* create --clone ENV */
	const char *kernel_name;  /* kernel --kernel-name */
	const char *display_name; /* kernel --display-name */
	const char *shell;        /* shell -s */
	unsigned clean;           /* clean: enum et_clean_flags */
	int verbose;
};

struct et_ctx {
	const char *version; /* git describe */
	const char *prog;    /* the name it was called by: envtool, conda, mamba, micromamba */
	bool json_done;      /* --json: the command printed its own failure object */
	struct et_opts opts;
	struct et_config cfg;
};

/*
 * The options a command may declare.  main.c holds each one's names,
 * argument and common help line; every command also takes the ET_OPT_COMMON
 * ones, which main.c adds by itself.  An option a command does not declare
 * is a usage error naming the command (exit 2).
 */
enum et_opt_id {
	ET_OPT_END = 0,                     /* ends a command's list */
	ET_OPT_CHANNEL,                     /* -c, --channel CHANNEL */
	ET_OPT_OVERRIDE_CHANNELS,           /* --override-channels */
	ET_OPT_PLATFORM,                    /* --platform, --subdir SUBDIR */
	ET_OPT_OFFLINE,                     /* --offline */
	ET_OPT_NAME,                        /* -n, --name NAME */
	ET_OPT_PREFIX,                      /* -p, --prefix PREFIX */
	ET_OPT_FILE,                        /* -f, --file FILE */
	ET_OPT_DRY_RUN,                     /* --dry-run */
	ET_OPT_JSON,                        /* --json */
	ET_OPT_YES,                         /* -y, --yes */
	ET_OPT_ALL,                         /* --all */
	ET_OPT_NO_KERNEL,                   /* --no-kernel */
	ET_OPT_EXPLICIT,                    /* --explicit */
	ET_OPT_TARBALLS,                    /* --tarballs */
	ET_OPT_INDEX,                       /* --index */
	ET_OPT_PACKAGES,                    /* --packages */
	ET_OPT_SHELL,                       /* -s, --shell SHELL */
	ET_OPT_STACK,                       /* --stack */
	ET_OPT_SHOW,                        /* --show */
	ET_OPT_ENVS,                        /* -e, --envs */
	ET_OPT_CLONE,                       /* --clone ENV */
	ET_OPT_KERNEL_NAME,                 /* --kernel-name NAME */
	ET_OPT_DISPLAY_NAME,                /* --display-name TEXT */
	ET_OPT_COMMON,                      /* those below: every command, added by main.c */
	ET_OPT_ROOT_PREFIX = ET_OPT_COMMON, /* -r, --root-prefix DIR */
	ET_OPT_RC_FILE,                     /* --rc-file FILE */
	ET_OPT_NO_RC,                       /* --no-rc */
	ET_OPT_VERBOSE,                     /* -v, --verbose */
	ET_OPT_QUIET,                       /* -q, --quiet */
	ET_OPT_HELP,                        /* -h, --help */
	ET_OPT_COUNT,
};

/* One option of a command, in --help's order; help NULL: main.c's line. */
struct et_cmd_opt {
	enum et_opt_id id;
	const char *help;
};

/* The channel options: for the commands that read the request's channels. */
/* clang-format off */
#define ET_CMD_OPTS_CHANNELS                                                                       \
	{ ET_OPT_CHANNEL, NULL }, { ET_OPT_OVERRIDE_CHANNELS, NULL }, { ET_OPT_PLATFORM, NULL },   \
		{ ET_OPT_OFFLINE, NULL }
/* clang-format on */
/* What et_request_run() reads (request.h): create, install and update take them all. */
/* clang-format off */
#define ET_CMD_OPTS_REQUEST                                                                        \
	ET_CMD_OPTS_CHANNELS, { ET_OPT_DRY_RUN, NULL }, { ET_OPT_JSON, NULL }, { ET_OPT_YES, NULL }, \
		{ ET_OPT_NO_KERNEL, NULL }
/* clang-format on */

enum et_cmd_flags {
	/* options end at the first argument (run: the command's own -c stays its own) */
	ET_CMD_OPTIONS_FIRST = 1 << 0,
};

struct et_cmd {
	const char *name;
	int (*fn)(struct et_ctx *ctx);
	const char *synopsis;          /* what follows "envtool NAME" in the usage line */
	const char *summary;           /* one line, for envtool --help */
	const struct et_cmd_opt *opts; /* ends with ET_OPT_END; the common ones are not listed */
	unsigned flags;                /* enum et_cmd_flags */
};

/*
 * This program's path, for kernels that start through `envtool run`
 * (kernel.h); NULL when it cannot be known.  New string.
 */
char *et_kernel_launcher(void);

/* This process's environment as NAME=VALUE strings, appended to env (cmd_shell.c). */
void et_process_env(struct nbk_strvec *env);

/*
 * `env create` and `env remove` (conda's names): the create and remove
 * commands, options and all; NULL for another word.  Then
 * et_env_subcommand_defaults() applies conda's defaults (environment.yml;
 * remove --all): -1 to go on, or an exit status.
 */
const struct et_cmd *et_env_subcommand(const char *sub);
int et_env_subcommand_defaults(struct et_ctx *ctx, const struct et_cmd *cmd);

extern const struct et_cmd et_cmd_search;
extern const struct et_cmd et_cmd_info;
extern const struct et_cmd et_cmd_create;
extern const struct et_cmd et_cmd_install;
extern const struct et_cmd et_cmd_update;
extern const struct et_cmd et_cmd_remove;
extern const struct et_cmd et_cmd_list;
extern const struct et_cmd et_cmd_env;
extern const struct et_cmd et_cmd_run;
extern const struct et_cmd et_cmd_clean;
extern const struct et_cmd et_cmd_kernel;
extern const struct et_cmd et_cmd_shell;
extern const struct et_cmd et_cmd_config;
extern const struct et_cmd et_cmd_activate;
extern const struct et_cmd et_cmd_deactivate;

#endif
