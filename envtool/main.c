/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool COMMAND [OPTIONS]: the command table, the options (each command
 * accepts those its struct et_cmd lists, plus the common ones; DESIGN.md,
 * section envtool) and the configuration; each command lives in
 * cmd_<name>.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "cmd.h"
#include "interrupt.h"
#include "nbk_version.h"

static const struct et_cmd *const commands[] = {
	&et_cmd_search,   &et_cmd_info,       &et_cmd_create, &et_cmd_install,
	&et_cmd_update,   &et_cmd_remove,     &et_cmd_list,   &et_cmd_env,
	&et_cmd_run,      &et_cmd_clean,      &et_cmd_kernel, &et_cmd_shell,
	&et_cmd_activate, &et_cmd_deactivate, &et_cmd_config, NULL,
};

/* Every option envtool knows: its names, its argument and its usual help line. */
struct opt_def {
	char short_name; /* 0: none */
	const char *long_name;
	const char *alias; /* a second long name, or NULL */
	const char *arg;   /* the argument's name; NULL: it takes none */
	const char *help;
};

static const struct opt_def opt_defs[ET_OPT_COUNT] = {
	[ET_OPT_CHANNEL] = { 'c', "channel", NULL, "CHANNEL",
			     "a channel before the configured ones (repeatable; first: highest)" },
	[ET_OPT_OVERRIDE_CHANNELS] = { 0, "override-channels", NULL, NULL,
				       "ignore the configured channels" },
	[ET_OPT_PLATFORM] = { 0, "platform", "subdir", "SUBDIR",
			      "e.g. osx-arm64 (default: this machine's; noarch is always added)" },
	[ET_OPT_OFFLINE] = { 0, "offline", NULL, NULL,
			     "only the repodata and package caches, no network" },
	[ET_OPT_NAME] = { 'n', "name", NULL, "NAME", "the environment called NAME (in envs_dirs)" },
	[ET_OPT_PREFIX] = { 'p', "prefix", NULL, "PREFIX", "the environment at PREFIX" },
	[ET_OPT_FILE] = { 'f', "file", NULL, "FILE",
			  "an environment.yml or an @EXPLICIT file (repeatable)" },
	[ET_OPT_DRY_RUN] = { 0, "dry-run", NULL, NULL, "show the plan, change nothing" },
	[ET_OPT_JSON] = { 0, "json", NULL, NULL, "the result as JSON (micromamba's shape)" },
	[ET_OPT_YES] = { 'y', "yes", NULL, NULL,
			 "answer yes (to the plan; create: to replacing an environment)" },
	[ET_OPT_ALL] = { 'a', "all", NULL, NULL, "all of them" },
	[ET_OPT_CLONE] = { 0, "clone", NULL, "ENV",
			   "a copy of the environment ENV (a name or a path): its packages, no solve" },
	[ET_OPT_KERNEL_NAME] = { 0, "kernel-name", NULL, "NAME",
				 "the kernel's name (default: the environment's)" },
	[ET_OPT_DISPLAY_NAME] = { 0, "display-name", NULL, "TEXT",
				  "what Jupyter shows (default: Python (NAME))" },
	[ET_OPT_ENVS] = { 'e', "envs", NULL, NULL, "the environments (as env list)" },
	[ET_OPT_NO_KERNEL] = { 0, "no-kernel", NULL, NULL,
			       "no Jupyter kernel, even when ipykernel is linked" },
	[ET_OPT_EXPLICIT] = { 0, "explicit", NULL, NULL,
			      "env export: an @EXPLICIT file of URL#sha256 lines, for create -f" },
	[ET_OPT_TARBALLS] = { 0, "tarballs", NULL, NULL,
			      "the package archives (and .partial downloads)" },
	[ET_OPT_INDEX] = { 0, "index", NULL, NULL, "the repodata cache" },
	[ET_OPT_PACKAGES] = { 0, "packages", NULL, NULL,
			      "the extracted packages no environment uses" },
	[ET_OPT_SHELL] = { 's', "shell", NULL, "SHELL", "bash, zsh or sh (default: $SHELL's)" },
	[ET_OPT_STACK] = { 0, "stack", NULL, NULL,
			   "keep the active environment's PATH entries under this one's" },
	[ET_OPT_SHOW] = { 0, "show", NULL, NULL, "show the keys (all, or those named)" },
	[ET_OPT_ROOT_PREFIX] = { 'r', "root-prefix", NULL, "DIR",
				 "the root prefix (default ~/.conda): envs/ and pkgs/ under it" },
	[ET_OPT_RC_FILE] = { 0, "rc-file", NULL, "FILE", "read FILE as the only .condarc" },
	[ET_OPT_NO_RC] = { 0, "no-rc", NULL, NULL, "read no .condarc" },
	[ET_OPT_VERBOSE] = { 'v', "verbose", NULL, NULL, "more messages (repeatable)" },
	[ET_OPT_QUIET] = { 'q', "quiet", NULL, NULL, "errors only" },
	[ET_OPT_HELP] = { 'h', "help", NULL, NULL, "this help" },
};

/* getopt_long's value for a long option: past every short option's character. */
#define LONG_VAL(id) (256 + (int)(id))

/* What the options set beyond ctx.opts, applied to the configuration once loaded. */
struct cli {
	const char *platform, *root, *rc_file;
	bool override, offline, no_rc;
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: envtool COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; commands[i]; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f,
		"\n'envtool COMMAND --help' lists the options of COMMAND.\n"
		"envtool --version: the version\n");
}

static void print_option(FILE *f, enum et_opt_id id, const char *help)
{
	const struct opt_def *d = &opt_defs[id];
	struct nbk_buf b = NBK_BUF_INIT;

	if (d->short_name)
		nbk_buf_addf(&b, "-%c, --%s", d->short_name, d->long_name);
	else
		nbk_buf_addf(&b, "    --%s", d->long_name);
	if (d->alias)
		nbk_buf_addf(&b, ", --%s", d->alias);
	if (d->arg)
		nbk_buf_addf(&b, " %s", d->arg);
	fprintf(f, "  %-32s %s\n", b.data, help ? help : d->help);
	nbk_buf_release(&b);
}

/* envtool COMMAND --help: the usage line, the summary and one line per option. */
static void cmd_usage(const struct et_cmd *cmd, FILE *f)
{
	const struct et_cmd_opt *o;
	int id;

	fprintf(f, "usage: envtool %s%s%s [OPTIONS]\n\n%s\n\noptions:\n", cmd->name,
		*cmd->synopsis ? " " : "", cmd->synopsis, cmd->summary);
	for (o = cmd->opts; o->id != ET_OPT_END; o++)
		print_option(f, o->id, o->help);
	for (id = ET_OPT_COMMON; id < ET_OPT_COUNT; id++)
		print_option(f, (enum et_opt_id)id, NULL);
}

/* Does cmd accept the option id (its own list, or a common one)? */
static bool cmd_accepts(const struct et_cmd *cmd, enum et_opt_id id)
{
	const struct et_cmd_opt *o;

	if (id >= ET_OPT_COMMON)
		return true;
	for (o = cmd->opts; o->id != ET_OPT_END; o++)
		if (o->id == id)
			return true;
	return false;
}

/*
 * getopt_long's tables for cmd: only the options it accepts, so that any
 * other one is "unknown".  A long option's value is LONG_VAL(id), a short
 * one's its character; shorts has room for ":c:" per option plus "+:".
 */
static void build_getopt(const struct et_cmd *cmd, struct option *longs, char *shorts)
{
	size_t nl = 0, ns = 0;
	int id;

	if (cmd->flags & ET_CMD_OPTIONS_FIRST)
		shorts[ns++] = '+';
	shorts[ns++] = ':'; /* ':' for a missing argument, and no message of getopt's own */
	for (id = ET_OPT_END + 1; id < ET_OPT_COUNT; id++) {
		const struct opt_def *d = &opt_defs[id];
		int has_arg = d->arg ? required_argument : no_argument;

		if (!cmd_accepts(cmd, (enum et_opt_id)id))
			continue;
		longs[nl++] = (struct option){ d->long_name, has_arg, NULL, LONG_VAL(id) };
		if (d->alias)
			longs[nl++] = (struct option){ d->alias, has_arg, NULL, LONG_VAL(id) };
		if (d->short_name) {
			shorts[ns++] = d->short_name;
			if (d->arg)
				shorts[ns++] = ':';
		}
	}
	longs[nl] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns] = '\0';
}

/*
 * The line a failure that main.c itself sees ends with (an option, a
 * command, an interruption): written to stderr, and kept for --json.
 */
static char *failure_line;

static void say_failure(const char *line)
{
	fprintf(stderr, "%s\n", line);
	free(failure_line);
	failure_line = nbk_xstrdup(line);
}

/* How many of cmd's long options begin with the abbreviation ab ("--pre")? */
static size_t count_matches(const struct option *longs, const char *ab)
{
	size_t n = 0, len;

	if (strncmp(ab, "--", 2))
		return 0;
	ab += 2;
	len = strlen(ab);
	for (; longs->name; longs++)
		n += !strncmp(longs->name, ab, len);
	return n;
}

/*
 * One line for an option getopt refused (c is '?' or ':'), naming the
 * command and the option as the user wrote it (a long one up to its '=').
 * argv and optind are getopt's, right after the refusal; longs its table.
 */
static void bad_option(const struct et_cmd *cmd, int c, char **argv, const struct option *longs)
{
	_cleanup_free_ char *shown = NULL;
	const char *what = c == ':'        ? "option '%s' needs an argument"
			   : optopt >= 256 ? "option '%s' takes no argument"
					   : "unknown option '%s'";

	/* glibc: a long option (optopt 0 or its value) is argv[optind - 1] */
	if (optopt == 0 || optopt >= 256) {
		const char *arg = argv[optind - 1];

		shown = nbk_xstrndup(arg, strcspn(arg, "="));
		/* an abbreviation of two of them: getopt says 0 as for an unknown one */
		if (optopt == 0 && count_matches(longs, shown) > 1)
			what = "ambiguous option '%s'";
	} else {
		shown = nbk_xasprintf("-%c", optopt);
	}
	{
		_cleanup_free_ char *safe = nbk_printable(shown);
		struct nbk_buf b = NBK_BUF_INIT;

		nbk_buf_addf(&b, "envtool %s: ", cmd->name);
		/* what is one of the three formats above */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		nbk_buf_addf(&b, what, safe);
#pragma GCC diagnostic pop
		nbk_buf_addf(&b, " (see envtool %s --help)", cmd->name);
		say_failure(b.data);
		nbk_buf_release(&b);
	}
}

/*
 * --json and a failure (micromamba's rule): one JSON object on stdout,
 * {"error": {"kind", "message"}, "exit_code", "success": false}, unless
 * the command printed its own (an unsolvable request's).  The exit status
 * stays the same.
 */
static void print_failure_json(int ret)
{
	const char *msg = failure_line ? failure_line : nbk_log_last_error();
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_json w;

	nbk_json_init(&w, &out, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key(&w, "error");
	nbk_json_object_begin(&w);
	nbk_json_key_string(&w, "kind",
			    ret == ET_EXIT_USAGE ? "usage"
			    : ret > 128          ? "interrupted"
						 : "failure");
	nbk_json_key_string(&w, "message", msg ? msg : "failed");
	nbk_json_object_end(&w);
	nbk_json_key_int(&w, "exit_code", ret);
	nbk_json_key_bool(&w, "success", false);
	nbk_json_object_end(&w);
	nbk_buf_addch(&out, '\n');
	fflush(stdout);
	fwrite(out.data, 1, out.len, stdout);
	nbk_buf_release(&out);
}

/* The effect of one accepted option. */
static void apply_option(enum et_opt_id id, const char *arg, struct et_ctx *ctx, struct cli *cli)
{
	switch (id) {
	case ET_OPT_CHANNEL:
		nbk_strvec_push(&ctx->opts.channels, arg);
		break;
	case ET_OPT_OVERRIDE_CHANNELS:
		cli->override = true;
		break;
	case ET_OPT_PLATFORM:
		cli->platform = arg;
		break;
	case ET_OPT_OFFLINE:
		cli->offline = true;
		break;
	case ET_OPT_NAME:
		ctx->opts.name = arg;
		break;
	case ET_OPT_PREFIX:
		ctx->opts.prefix = arg;
		break;
	case ET_OPT_FILE:
		nbk_strvec_push(&ctx->opts.files, arg);
		break;
	case ET_OPT_DRY_RUN:
		ctx->opts.dry_run = true;
		break;
	case ET_OPT_JSON:
		ctx->opts.json = true;
		break;
	case ET_OPT_YES:
		ctx->opts.yes = true;
		break;
	case ET_OPT_ALL:
		ctx->opts.all = true;
		break;
	case ET_OPT_NO_KERNEL:
		ctx->opts.no_kernel = true;
		break;
	case ET_OPT_EXPLICIT:
		ctx->opts.explicit_ = true;
		break;
	case ET_OPT_TARBALLS:
		ctx->opts.clean |= ET_CLEAN_TARBALLS;
		break;
	case ET_OPT_INDEX:
		ctx->opts.clean |= ET_CLEAN_INDEX;
		break;
	case ET_OPT_PACKAGES:
		ctx->opts.clean |= ET_CLEAN_PACKAGES;
		break;
	case ET_OPT_SHELL:
		ctx->opts.shell = arg;
		break;
	case ET_OPT_STACK:
		ctx->opts.stack = true;
		break;
	case ET_OPT_SHOW:
		ctx->opts.show = true;
		break;
	case ET_OPT_ENVS:
		ctx->opts.envs = true;
		break;
	case ET_OPT_CLONE:
		ctx->opts.clone = arg;
		break;
	case ET_OPT_KERNEL_NAME:
		ctx->opts.kernel_name = arg;
		break;
	case ET_OPT_DISPLAY_NAME:
		ctx->opts.display_name = arg;
		break;
	case ET_OPT_ROOT_PREFIX:
		cli->root = arg;
		break;
	case ET_OPT_RC_FILE:
		cli->rc_file = arg;
		break;
	case ET_OPT_NO_RC:
		cli->no_rc = true;
		break;
	case ET_OPT_VERBOSE:
		ctx->opts.verbose++;
		break;
	case ET_OPT_QUIET:
		ctx->opts.quiet = true;
		break;
	case ET_OPT_HELP:
	case ET_OPT_END:
	case ET_OPT_COUNT:
		break;
	}
}

/*
 * The options of cmd in argv (argv[0] is the command's name) into ctx->opts
 * and cli, the rest into ctx->opts.args.  Returns -1 to go on, or the exit
 * status: 0 after --help, ET_EXIT_USAGE after an option cmd does not accept
 * (one line on stderr).
 */
static int parse_options(const struct et_cmd *cmd, int argc, char **argv, struct et_ctx *ctx,
			 struct cli *cli)
{
	struct option longs[2 * ET_OPT_COUNT + 1];
	char shorts[2 * ET_OPT_COUNT + 3];
	int c;

	build_getopt(cmd, longs, shorts);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		enum et_opt_id id = ET_OPT_END;
		int i;

		if (c == '?' || c == ':') {
			bad_option(cmd, c, argv, longs);
			return ET_EXIT_USAGE;
		}
		if (c >= 256) {
			id = (enum et_opt_id)(c - 256);
		} else {
			for (i = ET_OPT_END + 1; i < ET_OPT_COUNT; i++)
				if (opt_defs[i].short_name == c)
					id = (enum et_opt_id)i;
		}
		if (id == ET_OPT_HELP) {
			cmd_usage(cmd, stdout);
			return ET_EXIT_OK;
		}
		apply_option(id, optarg, ctx, cli);
	}
	for (; optind < argc; optind++)
		nbk_strvec_push(&ctx->opts.args, argv[optind]);
	return -1;
}

/* The configuration with the options applied (channel.h orders the channels). */
static int configure(struct et_ctx *ctx, const struct cli *cli)
{
	struct nbk_error err = NBK_ERROR_INIT;

	if (et_config_load(&ctx->cfg, cli->no_rc ? ET_CONFIG_NO_RC : 0, cli->rc_file, &err) < 0) {
		nbk_error("%s", err.msg);
		return ET_EXIT_FAIL;
	}
	if (cli->platform) {
		free(ctx->cfg.platform);
		ctx->cfg.platform = nbk_xstrdup(cli->platform);
	}
	if (cli->root) {
		free(ctx->cfg.root_prefix);
		ctx->cfg.root_prefix = nbk_xstrdup(cli->root);
	}
	if (cli->offline)
		ctx->cfg.offline = true;
	ctx->cfg.override_channels = cli->override;
	et_config_finish(&ctx->cfg);
	if (!strcmp(ctx->cfg.platform, "noarch") || strchr(ctx->cfg.platform, '/')) {
		nbk_error("invalid --platform '%s'", ctx->cfg.platform);
		return ET_EXIT_USAGE;
	}
	return ET_EXIT_OK;
}

/* Is --json among the arguments (before a "--")? */
static bool argv_has_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			return true;
	return false;
}

static void on_stop_signal(int sig)
{
	et_interrupt(sig);
}

/*
 * SIGINT and SIGTERM ask the engine to stop at its next safe point
 * (libconda/interrupt.h); system calls are restarted, the engine checks
 * the request.  A second signal changes nothing: stopping is already fast.
 */
static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* After a command that a signal interrupted: one line, and 128 + the signal. */
static int interrupted_status(const struct et_ctx *ctx, int ret)
{
	int sig = et_interrupted();

	_cleanup_free_ char *line = nbk_xasprintf(
		"%s: interrupted (%s): %s", ctx->prog, sig == SIGINT ? "SIGINT" : "SIGTERM",
		ret == ET_EXIT_OK
			? "the change had begun and was finished; the environment is complete"
			: "stopped; nothing is half-changed");

	say_failure(line);
	return 128 + sig;
}

/*
 * The name envtool was called by: the image links conda, mamba and
 * micromamba to it, so that what users type works; any other name is
 * envtool.
 */
static const char *prog_name(const char *argv0)
{
	static const char *const names[] = { "conda", "mamba", "micromamba", NULL };
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	size_t i;

	base = base ? base + 1 : argv0 ? argv0 : "";
	for (i = 0; names[i]; i++)
		if (!strcmp(base, names[i]))
			return names[i];
	return "envtool";
}

/* conda's other names for a command */
static const char *command_alias(const char *name)
{
	if (!strcmp(name, "uninstall"))
		return "remove";
	return name;
}

/*
 * envtool [--help | --version] COMMAND [OPTIONS] [ARGS]: find COMMAND (by
 * conda's other names too; `env create|remove` are create and remove),
 * parse only the options it declares, load the configuration and run it.
 * Exit: the command's status, 2 for an unknown command or option (one
 * line; called as conda or mamba, no usage list).
 */
int main(int argc, char **argv)
{
	const struct et_cmd *cmd = NULL;
	struct cli cli = { 0 };
	struct et_ctx ctx;
	const char *prog = prog_name(argv[0]);
	const struct et_cmd *env_sub = NULL;
	bool cmd_succeeded = false;
	size_t i;
	int ret;

	nbk_log_init(prog);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ET_EXIT_USAGE : ET_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("envtool %s\n", NBK_VERSION);
		return ET_EXIT_OK;
	}
	for (i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, command_alias(argv[1])))
			cmd = commands[i];
	if (!cmd) {
		_cleanup_free_ char *safe = nbk_printable(argv[1]);

		/* called as conda or mamba: one line, the user knows the command */
		if (strcmp(prog, "envtool")) {
			_cleanup_free_ char *line = nbk_xasprintf(
				"%s: '%s' is not a command of this %s (envtool, a conda-compatible "
				"manager): see '%s --help'",
				prog, safe, prog, prog);

			say_failure(line);
			if (argv_has_json(argc, argv))
				print_failure_json(ET_EXIT_USAGE);
			return ET_EXIT_USAGE;
		}
		fprintf(stderr, "envtool: unknown command '%s'\n", safe);
		usage(stderr);
		return ET_EXIT_USAGE;
	}
	/* env create|remove: the create and remove commands, one word further */
	if (cmd == &et_cmd_env && argc > 2 && et_env_subcommand(argv[2])) {
		env_sub = cmd = et_env_subcommand(argv[2]);
		argc--;
		argv++;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.version = NBK_VERSION;
	ctx.prog = prog;
	nbk_strvec_init(&ctx.opts.channels);
	nbk_strvec_init(&ctx.opts.args);
	nbk_strvec_init(&ctx.opts.files);
	ret = parse_options(cmd, argc - 1, argv + 1, &ctx, &cli);
	if (ret >= 0)
		goto out;
	nbk_log_set_level(ctx.opts.quiet ? NBK_LOG_ERROR : NBK_LOG_WARN + ctx.opts.verbose);
	if (env_sub && (ret = et_env_subcommand_defaults(&ctx, env_sub)) >= 0)
		goto out;
	ret = configure(&ctx, &cli);
	catch_stop_signals();
	if (ret == ET_EXIT_OK)
		ret = cmd->fn(&ctx);
	/* a change finished despite the signal: its own --json object stands */
	cmd_succeeded = ret == ET_EXIT_OK;
	if (et_interrupted())
		ret = interrupted_status(&ctx, ret);
out:
	if (ret != ET_EXIT_OK && !ctx.json_done && !(et_interrupted() && cmd_succeeded) &&
	    (ctx.opts.json || (cmd_accepts(cmd, ET_OPT_JSON) && argv_has_json(argc, argv))))
		print_failure_json(ret);
	et_config_release(&ctx.cfg);
	nbk_strvec_release(&ctx.opts.channels);
	nbk_strvec_release(&ctx.opts.args);
	nbk_strvec_release(&ctx.opts.files);
	return ret;
}
