/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool COMMAND [OPTIONS]: the command table, the common options
 * (DESIGN.md, section envtool) and the configuration; each command lives in
 * cmd_<name>.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/log.h"
#include "cmd.h"
/* build/gen/version.h (generated), not envtool/version.h: hence <> */
#include <version.h>

struct cmd {
	const char *name;
	int (*fn)(struct et_ctx *ctx);
	const char *summary;
};

static const struct cmd commands[] = {
	{ "search", cmd_search, "the channels' records that match a spec" },
	{ "info", cmd_info, "configuration, roots, channels" },
	{ "create", cmd_create, "make a new environment (-f environment.yml or @EXPLICIT file)" },
	{ "install", cmd_install, "add or change packages in an environment" },
	{ "update", cmd_update, "update packages, or --all" },
	{ "remove", cmd_remove, "remove packages, or the environment with --all" },
	{ "list", cmd_list, "packages of an environment" },
	{ "env", cmd_env, "env list | env export [--explicit]" },
	{ "run", cmd_run, "run a command inside an environment" },
	{ "clean", cmd_clean, "clean the package and repodata caches" },
	{ "kernel", cmd_kernel, "kernel install|remove: the environment's Jupyter kernel" },
	{ NULL, NULL, NULL },
};

enum {
	OPT_OVERRIDE_CHANNELS = 256,
	OPT_PLATFORM,
	OPT_OFFLINE,
	OPT_DRY_RUN,
	OPT_JSON,
	OPT_RC_FILE,
	OPT_NO_RC,
	OPT_ALL,
	OPT_NO_KERNEL,
	OPT_EXPLICIT,
	OPT_TARBALLS,
	OPT_INDEX,
	OPT_PACKAGES,
};

static const struct option long_opts[] = {
	{ "channel", required_argument, NULL, 'c' },
	{ "override-channels", no_argument, NULL, OPT_OVERRIDE_CHANNELS },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "subdir", required_argument, NULL, OPT_PLATFORM },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "yes", no_argument, NULL, 'y' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "root-prefix", required_argument, NULL, 'r' },
	{ "name", required_argument, NULL, 'n' },
	{ "prefix", required_argument, NULL, 'p' },
	{ "file", required_argument, NULL, 'f' },
	{ "rc-file", required_argument, NULL, OPT_RC_FILE },
	{ "no-rc", no_argument, NULL, OPT_NO_RC },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "explicit", no_argument, NULL, OPT_EXPLICIT },
	{ "tarballs", no_argument, NULL, OPT_TARBALLS },
	{ "index", no_argument, NULL, OPT_INDEX },
	{ "packages", no_argument, NULL, OPT_PACKAGES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	const struct cmd *c;

	fprintf(f, "usage: envtool COMMAND [OPTIONS]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\noptions: -c/--channel CHANNEL, --override-channels, --platform SUBDIR, --offline,\n"
		   "  --dry-run, --json, -y/--yes, -v, -q, -r/--root-prefix DIR, -n NAME, -p PREFIX,\n"
		   "  --rc-file FILE, --no-rc, -f FILE, --no-kernel, --all\n");
}

int main(int argc, char **argv)
{
	const char *platform = NULL, *root = NULL, *rc_file = NULL;
	bool override = false, offline = false, no_rc = false;
	struct nbk_error err = NBK_ERROR_INIT;
	const struct cmd *cmd;
	struct et_ctx ctx;
	size_t i;
	int c, ret;

	nbk_log_init("envtool");
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ET_EXIT_USAGE : ET_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("envtool %s\n", NBK_VERSION);
		return ET_EXIT_OK;
	}
	for (cmd = commands; cmd->name && strcmp(cmd->name, argv[1]); cmd++)
		;
	if (!cmd->name) {
		fprintf(stderr, "envtool: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return ET_EXIT_USAGE;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.version = NBK_VERSION;
	nbk_strvec_init(&ctx.opts.channels);
	nbk_strvec_init(&ctx.opts.args);
	nbk_strvec_init(&ctx.opts.files);
	nbk_strvec_init(&ctx.channels);
	argv++;
	argc--;
	optind = 1;
	/* run: options end at the command ("+"), so its own -c stays its own */
	while ((c = getopt_long(argc, argv, strcmp(cmd->name, "run") ? "c:yvqr:n:p:f:h" : "+c:yvqr:n:p:f:h",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': nbk_strvec_push(&ctx.opts.channels, optarg); break;
		case OPT_OVERRIDE_CHANNELS: override = true; break;
		case OPT_PLATFORM: platform = optarg; break;
		case OPT_OFFLINE: offline = true; break;
		case OPT_DRY_RUN: ctx.opts.dry_run = true; break;
		case OPT_JSON: ctx.opts.json = true; break;
		case 'y': ctx.opts.yes = true; break;
		case 'v': ctx.opts.verbose++; break;
		case 'q': ctx.opts.quiet = true; break;
		case 'r': root = optarg; break;
		case 'n': ctx.opts.name = optarg; break;
		case 'p': ctx.opts.prefix = optarg; break;
		case 'f': nbk_strvec_push(&ctx.opts.files, optarg); break;
		case OPT_RC_FILE: rc_file = optarg; break;
		case OPT_NO_RC: no_rc = true; break;
		case OPT_ALL: ctx.opts.all = true; break;
		case OPT_NO_KERNEL: ctx.opts.no_kernel = true; break;
		case OPT_EXPLICIT: ctx.opts.explicit_ = true; break;
		case OPT_TARBALLS: ctx.opts.clean |= ET_CLEAN_TARBALLS; break;
		case OPT_INDEX: ctx.opts.clean |= ET_CLEAN_INDEX; break;
		case OPT_PACKAGES: ctx.opts.clean |= ET_CLEAN_PACKAGES; break;
		case 'h': usage(stdout); ret = ET_EXIT_OK; goto out;
		default:
			fprintf(stderr, "envtool %s: see 'envtool --help'\n", cmd->name);
			ret = ET_EXIT_USAGE;
			goto out;
		}
	}
	for (; optind < argc; optind++)
		nbk_strvec_push(&ctx.opts.args, argv[optind]);
	nbk_log_set_level(ctx.opts.quiet ? NBK_LOG_ERROR : NBK_LOG_WARN + ctx.opts.verbose);

	if (et_config_load(&ctx.cfg, no_rc ? ET_CONFIG_NO_RC : 0, rc_file, &err) < 0) {
		nbk_error("%s", err.msg);
		ret = ET_EXIT_FAIL;
		goto out;
	}
	if (platform) {
		free(ctx.cfg.platform);
		ctx.cfg.platform = nbk_xstrdup(platform);
	}
	if (root) {
		free(ctx.cfg.root_prefix);
		ctx.cfg.root_prefix = nbk_xstrdup(root);
	}
	if (offline)
		ctx.cfg.offline = true;
	ctx.cfg.override_channels = override;
	et_config_finish(&ctx.cfg);
	if (!strcmp(ctx.cfg.platform, "noarch") || strchr(ctx.cfg.platform, '/')) {
		nbk_error("invalid --platform '%s'", ctx.cfg.platform);
		ret = ET_EXIT_USAGE;
		goto out;
	}
	/* conda: -c channels come first; configured ones follow unless overridden */
	for (i = 0; i < ctx.opts.channels.n; i++)
		nbk_strvec_push(&ctx.channels, ctx.opts.channels.v[i]);
	if (!override)
		for (i = 0; i < ctx.cfg.channels.n; i++)
			if (nbk_strvec_find(&ctx.channels, ctx.cfg.channels.v[i]) < 0)
				nbk_strvec_push(&ctx.channels, ctx.cfg.channels.v[i]);
	ret = cmd->fn(&ctx);
out:
	et_config_release(&ctx.cfg);
	nbk_strvec_release(&ctx.opts.channels);
	nbk_strvec_release(&ctx.opts.args);
	nbk_strvec_release(&ctx.opts.files);
	nbk_strvec_release(&ctx.channels);
	return ret;
}
