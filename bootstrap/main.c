/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootstrap [OPTIONS] [--] [COMMAND [ARG...]]: the notebook image's init.
 *
 * Steps, in DESIGN.md's order: load config, user and home, environment
 * roots, integrations, GPU, threads, root-phase hooks, privilege drop,
 * user-phase hooks, unset variables, start and supervise the command.
 *
 * One deviation, on purpose: the integrations' secret files are read right
 * after the configuration is loaded, before the home is touched, because an
 * unreadable secret is a configuration error and "nothing is left half
 * configured" (issue 2): the start stops before any file changes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bootstrap.h"
#include "nbkit/buf.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbk_version.h"

extern char **environ;

/*
 * A stop signal (docker stop, kubectl delete) that arrives while the steps
 * run.  As PID 1 a signal with the default disposition is dropped by the
 * kernel, so without a handler a SIGTERM during a slow hook would be lost
 * and the server would start anyway.
 */
static void on_stop_signal(int sig)
{
	bs_stop_signal = sig;
}

static void catch_stop_signals(void)
{
	sigset_t set;

	bs_stop_sigset(&set);
	nbk_signals_set_handler(&set, on_stop_signal);
}

/*
 * Block the stop signals, so that one arriving from now on stays pending for
 * bs_supervise() (which forwards it to the command), and tell whether one
 * already came.
 */
static int block_stop_signals(void)
{
	sigset_t set;

	bs_stop_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return bs_stop_signal;
}

/* Exit codes of bootstrap itself (the command's own pass through). */
enum {
	BS_EXIT_OK = 0,
	BS_EXIT_FAILURE = 1, /* configuration or start-up error */
	BS_EXIT_USAGE = 2,
};

struct bs_options {
	const char *config;
	bool config_is_default;
	const char *config_dir;
	const char *image_config_dir;
	bool check;
	bool print_env;
	int verbosity_delta;
	bool verbosity_set;
	const char *log_format;
	char **command; /* NULL-terminated, or NULL for the default */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bootstrap [OPTIONS] [--] [COMMAND [ARG...]]\n"
		"\n"
		"Prepare the notebook user's home, environment roots, integrations, GPU and\n"
		"thread settings, run the hooks, drop privileges, then start and supervise\n"
		"COMMAND (default: command.hub under JupyterHub, else command.default).\n"
		"\n"
		"  -c, --config FILE        main configuration file (env BOOTSTRAP_CONFIG,\n"
		"                           default " BS_DEFAULT_CONFIG
		");\n"
		"                           drop-ins: BOOTSTRAP_CONFIG_DIR (default " BS_DEFAULT_CONFIG_DIR
		"),\n"
		"                           read after the image's own, BOOTSTRAP_IMAGE_CONFIG_DIR\n"
		"                           (default " BS_DEFAULT_IMAGE_CONFIG_DIR
		")\n"
		"      --check              validate the configuration, print the plan, run nothing\n"
		"      --print-env          do every step but the hooks and the command, print the\n"
		"                           command's environment (secrets as ***)\n"
		"  -v, --verbose            more log lines (repeatable); env BOOTSTRAP_VERBOSITY 0-3\n"
		"  -q, --quiet              errors only\n"
		"      --log-format FORMAT  text or json (env BOOTSTRAP_LOG_FORMAT)\n"
		"      --version            print the version\n"
		"  -h, --help               this help\n");
}

/*
 * Fill opt from bootstrap's environment env (BOOTSTRAP_CONFIG,
 * BOOTSTRAP_CONFIG_DIR, BOOTSTRAP_IMAGE_CONFIG_DIR, BOOTSTRAP_LOG_FORMAT),
 * then from argv's options,
 * which win.  The options end at the first non-option: opt->command points
 * into argv from there (NULL: none given).  opt's strings point into argv,
 * env or static text: nothing to free, valid while those live.  Returns 0 to
 * go on; 1 when --version or --help was answered on stdout (exit 0); -1 after
 * logging an unknown option or a missing value (a usage error).
 */
static int parse_options(int argc, char **argv, const struct nbk_strvec *env,
			 struct bs_options *opt)
{
	enum { OPT_CHECK = 256, OPT_PRINT_ENV, OPT_LOG_FORMAT, OPT_VERSION };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "print-env", no_argument, NULL, OPT_PRINT_ENV },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *v;
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->config = BS_DEFAULT_CONFIG;
	opt->config_is_default = true;
	opt->config_dir = BS_DEFAULT_CONFIG_DIR;
	opt->image_config_dir = BS_DEFAULT_IMAGE_CONFIG_DIR;
	if ((v = nbk_env_get(env, BS_ENV_CONFIG)) && *v) {
		opt->config = v;
		opt->config_is_default = false;
	}
	if ((v = nbk_env_get(env, BS_ENV_CONFIG_DIR)))
		opt->config_dir = v;
	if ((v = nbk_env_get(env, BS_ENV_IMAGE_CONFIG_DIR)))
		opt->image_config_dir = v;
	opt->log_format = nbk_env_get(env, BS_ENV_LOG_FORMAT);

	/* "+": options end at the first non-option, the command's own flags stay its own. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt->config = optarg;
			opt->config_is_default = false;
			break;
		case OPT_CHECK:
			opt->check = true;
			break;
		case OPT_PRINT_ENV:
			opt->print_env = true;
			break;
		case 'v':
			opt->verbosity_delta++;
			opt->verbosity_set = true;
			break;
		case 'q':
			opt->verbosity_delta = -100;
			opt->verbosity_set = true;
			break;
		case OPT_LOG_FORMAT:
			opt->log_format = optarg;
			break;
		case OPT_VERSION:
			printf("bootstrap %s\n", NBK_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		default:
			if (c == ':' || (optopt && strchr("c", optopt)))
				nbk_error("option '%s' needs a value (see bootstrap --help)",
					  argv[optind - 1]);
			else
				nbk_error("unknown option '%s' (see bootstrap --help)",
					  argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		opt->command = argv + optind;
	return 0;
}

static int setup_logging(const struct bs_options *opt, const struct nbk_strvec *env)
{
	const char *v = nbk_env_get(env, BS_ENV_VERBOSITY);
	int level = NBK_LOG_INFO;
	enum nbk_log_format fmt;

	if (v && *v) {
		long l;

		if (nbk_parse_long(v, 10, 0, 3, &l) < 0)
			nbk_warn("BOOTSTRAP_VERBOSITY must be 0 to 3, found '%s': using 2", v);
		else
			level = (int)l;
	}
	if (opt->verbosity_set)
		level = opt->verbosity_delta < 0 ? NBK_LOG_ERROR
						 : NBK_LOG_INFO + opt->verbosity_delta;
	nbk_log_set_level(level);
	if (opt->log_format && *opt->log_format) {
		if (nbk_log_parse_format(opt->log_format, &fmt) < 0) {
			nbk_error("unknown log format '%s': expected text or json",
				  opt->log_format);
			return -1;
		}
		nbk_log_set_format(fmt);
	}
	return 0;
}

/* --print-env: sorted KEY=VALUE lines on stdout, secret values as ***. */
static int print_env(const struct bs_ctx *ctx)
{
	struct nbk_strvec sorted = NBK_STRVEC_INIT;
	struct nbk_buf out = NBK_BUF_INIT;
	size_t i;
	int ret = 0;

	nbk_strvec_pushv(&sorted, (const char *const *)ctx->env.v);
	nbk_strvec_sort(&sorted);
	for (i = 0; i < sorted.n; i++) {
		const char *eq = strchr(sorted.v[i], '=');
		char *name = nbk_xstrndup(sorted.v[i],
					  eq ? (size_t)(eq - sorted.v[i]) : strlen(sorted.v[i]));

		if (eq && bs_is_secret(ctx, name))
			nbk_buf_addf(&out, "%s=***\n", name);
		else
			nbk_buf_addf(&out, "%s\n", sorted.v[i]);
		free(name);
	}
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		ret = -1;
	nbk_buf_release(&out);
	nbk_strvec_release(&sorted);
	return ret;
}

typedef int (*bs_step_fn)(struct bs_ctx *ctx, struct nbk_error *err);

static int run_step(struct bs_ctx *ctx, const char *name, bs_step_fn fn)
{
	struct nbk_error err = NBK_ERROR_INIT;

	ctx->step_start_us = nbk_now_us();
	if (fn(ctx, &err) < 0) {
		nbk_log(NBK_LOG_ERROR, name, "%s", err.msg);
		return -1;
	}
	return 0;
}

static int step_root_hooks(struct bs_ctx *ctx, struct nbk_error *err)
{
	return bs_hooks_run(ctx, &ctx->cfg.hook_dirs, "hooks", err);
}

static int step_user_hooks(struct bs_ctx *ctx, struct nbk_error *err)
{
	return bs_hooks_run(ctx, &ctx->cfg.hook_user_dirs, "user-hooks", err);
}

static int step_unset(struct bs_ctx *ctx, struct nbk_error *err)
{
	size_t i, removed = 0;

	(void)err;
	for (i = 0; i < ctx->cfg.unset_env.n; i++)
		removed += nbk_env_unset(&ctx->env, ctx->cfg.unset_env.v[i]);
	if (ctx->cfg.unset_env.n)
		bs_step_log(ctx, "unset", "removed %zu of %zu listed variables", removed,
			    ctx->cfg.unset_env.n);
	return 0;
}

static void ctx_release(struct bs_ctx *ctx)
{
	bs_config_release(&ctx->cfg);
	nbk_strvec_release(&ctx->env);
	nbk_strvec_release(&ctx->secret_keys);
	free(ctx->home);
	free(ctx->tls_bundle);
}

/*
 * bootstrap's start: the options, the configuration (nothing on disk changes
 * before it has passed), then each step in order as root, the privilege drop,
 * the user's hooks, and the command, supervised until it ends.  Exits with
 * BS_EXIT_OK after --help, --version, a valid --check or --print-env;
 * BS_EXIT_USAGE for a bad option or log setting; BS_EXIT_FAILURE when the
 * configuration or a step fails (the command is then never started), or
 * 128+N when stop signal N came during the steps; otherwise the command's own
 * code as bs_supervise() returns it.  Everything allocated here is released
 * on each path before returning.
 */
int main(int argc, char **argv)
{
	struct bs_ctx ctx;
	struct bs_options opt;
	struct bs_config_sources src;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec command = NBK_STRVEC_INIT;
	uint64_t start_us = nbk_now_us();
	int r;

	nbk_log_init("bootstrap");
	memset(&ctx, 0, sizeof(ctx));
	bs_config_init(&ctx.cfg);
	nbk_strvec_init(&ctx.env);
	nbk_strvec_init(&ctx.secret_keys);
	nbk_strvec_pushv(&ctx.env, (const char *const *)environ);

	r = parse_options(argc, argv, &ctx.env, &opt);
	if (r != 0) {
		ctx_release(&ctx);
		return r < 0 ? BS_EXIT_USAGE : BS_EXIT_OK;
	}
	if (setup_logging(&opt, &ctx.env) < 0) {
		ctx_release(&ctx);
		return BS_EXIT_USAGE;
	}
	/* The config step: nothing changes on disk before it has passed. */
	ctx.step_start_us = start_us;
	src.image_dir = opt.image_config_dir;
	src.main = opt.config;
	src.main_is_default = opt.config_is_default;
	src.dropin_dir = opt.config_dir;
	if (bs_config_load(&ctx.cfg, &src, &ctx.env, &err) < 0) {
		nbk_log(NBK_LOG_ERROR, "config", "%s", err.msg);
		if (opt.check)
			printf("configuration is not valid\n");
		ctx_release(&ctx);
		return BS_EXIT_FAILURE;
	}
	if (opt.check) {
		bs_config_print_plan(&ctx.cfg, 1);
		printf("configuration is valid\n");
		ctx_release(&ctx);
		return BS_EXIT_OK;
	}
	/*
	 * From here on bootstrap is the init of what it starts: hooks that leave
	 * a process in the background are re-parented to us (not to the node's
	 * init), and a stop signal during the steps is remembered.
	 */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		nbk_warn("cannot become a child subreaper: %s", strerror(errno));
	catch_stop_signals();
	ctx.is_root = geteuid() == 0;
	ctx.print_env = opt.print_env;
	ctx.home = nbk_path_normalize(ctx.cfg.home);
	ctx.files_gid = ctx.cfg.gid;
	bs_step_log(&ctx, "config", "loaded %zu file(s); user %s uid=%u gid=%u", ctx.cfg.sources.n,
		    ctx.cfg.user_name, (unsigned)ctx.cfg.uid, (unsigned)ctx.cfg.gid);

	if (opt.command) {
		nbk_strvec_pushv(&command, (const char *const *)opt.command);
	} else {
		const char *hub = nbk_env_get(&ctx.env, BS_ENV_HUB_TOKEN);

		nbk_strvec_pushv(&command,
				 (const char *const *)(hub && *hub ? ctx.cfg.cmd_hub.v
								   : ctx.cfg.cmd_default.v));
	}

	if (run_step(&ctx, "integrations", bs_integrations_apply) < 0 ||
	    run_step(&ctx, "home", bs_home_prepare) < 0 ||
	    run_step(&ctx, "envroots", bs_envroots_apply) < 0 ||
	    run_step(&ctx, "gpu", bs_gpu_apply) < 0 ||
	    run_step(&ctx, "threads", bs_threads_apply) < 0 ||
	    (!ctx.print_env && run_step(&ctx, "hooks", step_root_hooks) < 0) ||
	    /* before anything of the user's runs: the hooks in the home are the
	     * user's code, and the variables listed are meant for root's steps */
	    run_step(&ctx, "unset", step_unset) < 0 ||
	    run_step(&ctx, "privileges", bs_privileges_drop) < 0 ||
	    (!ctx.print_env && run_step(&ctx, "user-hooks", step_user_hooks) < 0)) {
		nbk_error("start aborted: the command was not started");
		nbk_strvec_release(&command);
		ctx_release(&ctx);
		return bs_stop_signal ? 128 + bs_stop_signal : BS_EXIT_FAILURE;
	}
	if (ctx.print_env) {
		r = print_env(&ctx) < 0 ? BS_EXIT_FAILURE : BS_EXIT_OK;
		nbk_strvec_release(&command);
		ctx_release(&ctx);
		return r;
	}
	if (block_stop_signals()) {
		nbk_error("received %s during the start: the command was not started",
			  strsignal(bs_stop_signal));
		nbk_strvec_release(&command);
		ctx_release(&ctx);
		return 128 + bs_stop_signal;
	}
	nbk_log(NBK_LOG_INFO, "start", "ready in %llu ms: starting '%s'",
		(unsigned long long)((nbk_now_us() - start_us) / 1000), command.v[0]);
	r = bs_supervise(&ctx, command.v);
	nbk_strvec_release(&command);
	ctx_release(&ctx);
	return r;
}
