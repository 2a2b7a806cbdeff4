/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool shell hook|init|activate|deactivate: activation in the user's
 * shell, as micromamba's `shell` does it.  A process cannot change its
 * parent shell's variables, so the hook defines a shell function (envtool,
 * and conda, mamba or micromamba when called by those names) that runs
 * `envtool shell activate|deactivate` and evaluates the code it prints:
 * export, unset and `.` lines computed by libconda/activate.c.  The prompt
 * gets CONDA_PROMPT_MODIFIER in front while an environment is active.
 *
 *   eval "$(envtool shell hook -s bash)"   this shell
 *   envtool shell init -s bash              the same line, once, in ~/.bashrc
 *   envtool activate NAME|PREFIX [--stack], envtool deactivate (the function)
 *
 * bash, zsh and POSIX sh read the same code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "activate.h"
#include "cmd.h"
#include "envs.h"
#include "target.h"

#define INIT_BEGIN "# >>> envtool shell init >>>"
#define INIT_END "# <<< envtool shell init <<<"

extern char **environ;

/* -s SHELL: bash, zsh or sh (the default: $SHELL's name when it is one of them). */
static const char *shell_of(const struct et_ctx *ctx)
{
	static const char *const known[] = { "bash", "zsh", "sh", "dash", "posix", NULL };
	const char *s = ctx->opts.shell;
	size_t i;

	if (!s) {
		const char *env = getenv("SHELL");
		const char *base = env ? strrchr(env, '/') : NULL;

		s = base ? base + 1 : env ? env : "sh";
		for (i = 0; known[i] && strcmp(known[i], s); i++)
			;
		return known[i] ? s : "sh";
	}
	for (i = 0; known[i]; i++)
		if (!strcmp(known[i], s))
			return s;
	return NULL;
}

/* The activation's changes as shell code: scripts, unsets, exports, scripts. */
static void print_code(const struct et_activation *a)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	for (i = 0; i < a->before.n; i++) {
		nbk_buf_addstr(&b, ". ");
		nbk_buf_add_sh_quoted(&b, a->before.v[i]);
		nbk_buf_addch(&b, '\n');
	}
	for (i = 0; i < a->unset.n; i++)
		nbk_buf_addf(&b, "unset %s\n", a->unset.v[i]);
	for (i = 0; i < a->set.n; i++) {
		const char *eq = strchr(a->set.v[i], '=');

		nbk_buf_addf(&b, "export %.*s=", (int)(eq - a->set.v[i]), a->set.v[i]);
		nbk_buf_add_sh_quoted(&b, eq + 1);
		nbk_buf_addch(&b, '\n');
	}
	for (i = 0; i < a->after.n; i++) {
		nbk_buf_addstr(&b, ". ");
		nbk_buf_add_sh_quoted(&b, a->after.v[i]);
		nbk_buf_addch(&b, '\n');
	}
	fwrite(b.data ? b.data : "", 1, b.len, stdout);
	nbk_buf_release(&b);
}

void et_process_env(struct nbk_strvec *env)
{
	char **e;

	for (e = environ; *e; e++)
		if (strchr(*e, '='))
			nbk_strvec_push(env, *e);
}

/* activate [NAME|PREFIX] [-n NAME] [-p PREFIX] [--stack]; no argument: base. */
static int shell_activate(struct et_ctx *ctx)
{
	_cleanup_strvec_ struct nbk_strvec env = NBK_STRVEC_INIT;
	_cleanup_free_ char *prefix = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_activation a;
	bool usage;
	int r;

	if (ctx->opts.args.n > 2) {
		nbk_error("activate: one environment: activate NAME|PREFIX");
		return ET_EXIT_USAGE;
	}
	if (ctx->opts.args.n == 2) {
		const char *which = ctx->opts.args.v[1];

		if (ctx->opts.name || ctx->opts.prefix) {
			nbk_error("activate: give NAME|PREFIX, or -n/-p, not both");
			return ET_EXIT_USAGE;
		}
		if (strchr(which, '/') || !strcmp(which, ".") || !strcmp(which, ".."))
			ctx->opts.prefix = which;
		else
			ctx->opts.name = which;
	} else if (!ctx->opts.name && !ctx->opts.prefix) {
		ctx->opts.name = "base";
	}
	if (et_env_resolve(ctx, ET_ENV_EXISTING, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	if (et_env_check_exists(prefix, &err) < 0) {
		nbk_error("%s", err.msg);
		return ET_EXIT_FAIL;
	}
	et_process_env(&env);
	et_activation_init(&a);
	r = et_activate(&ctx->cfg, &env, prefix, ctx->opts.stack, &a, &err);
	if (r < 0)
		nbk_error("activate: %s", err.msg);
	else
		print_code(&a);
	et_activation_release(&a);
	return r < 0 ? ET_EXIT_FAIL : ET_EXIT_OK;
}

static int shell_deactivate(struct et_ctx *ctx)
{
	_cleanup_strvec_ struct nbk_strvec env = NBK_STRVEC_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_activation a;
	int r;

	if (ctx->opts.args.n > 1) {
		nbk_error("deactivate takes no argument");
		return ET_EXIT_USAGE;
	}
	et_process_env(&env);
	et_activation_init(&a);
	r = et_deactivate(&ctx->cfg, &env, &a, &err);
	if (r < 0)
		nbk_error("deactivate: %s", err.msg);
	else
		print_code(&a);
	et_activation_release(&a);
	return r < 0 ? ET_EXIT_FAIL : ET_EXIT_OK;
}

/*
 * The hook: one dispatcher and a function per name.  The function runs the
 * program of its own name (`command NAME`), so `conda activate` calls the
 * conda on PATH.  PS1 loses the old modifier before and gains the new one
 * after; it is left alone where it is not set (a script's shell).
 */
static int shell_hook(struct et_ctx *ctx, const char *sh)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	nbk_buf_addf(
		&b,
		"__envtool_dispatch() {\n"
		"\t__envtool_exe=$1\n"
		"\tshift\n"
		"\tcase \"${1-}\" in\n"
		"\tactivate|deactivate)\n"
		"\t\t__envtool_code=$(command \"$__envtool_exe\" shell \"$@\" --shell %s) || {\n"
		"\t\t\t__envtool_rc=$?\n"
		"\t\t\tunset __envtool_code __envtool_exe\n"
		"\t\t\treturn $__envtool_rc\n"
		"\t\t}\n"
		"\t\tif [ -n \"${PS1+x}\" ] && [ -n \"${CONDA_PROMPT_MODIFIER-}\" ]; then\n"
		"\t\t\tPS1=${PS1#\"$CONDA_PROMPT_MODIFIER\"}\n"
		"\t\tfi\n"
		"\t\teval \"$__envtool_code\"\n"
		"\t\tunset __envtool_code __envtool_exe\n"
		"\t\tif [ -n \"${PS1+x}\" ] && [ -n \"${CONDA_PROMPT_MODIFIER-}\" ]; then\n"
		"\t\t\tPS1=\"$CONDA_PROMPT_MODIFIER$PS1\"\n"
		"\t\tfi\n"
		"\t\t;;\n"
		"\t*)\n"
		"\t\tcommand \"$__envtool_exe\" \"$@\"\n"
		"\t\t;;\n"
		"\tesac\n"
		"}\n",
		sh);
	nbk_buf_addf(&b, "%s() { __envtool_dispatch %s \"$@\"; }\n", ctx->prog, ctx->prog);
	for (i = 1; i < ctx->opts.args.n; i++) {
		const char *n = ctx->opts.args.v[i];

		if (!*n || n[strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_-")]) {
			nbk_buf_release(&b);
			nbk_error("shell hook: '%s' is not a command name", n);
			return ET_EXIT_USAGE;
		}
		if (strcmp(n, ctx->prog))
			nbk_buf_addf(&b, "%s() { __envtool_dispatch %s \"$@\"; }\n", n, n);
	}
	fwrite(b.data, 1, b.len, stdout);
	nbk_buf_release(&b);
	return ET_EXIT_OK;
}

/* The user's rc file for sh: ~/.bashrc, ${ZDOTDIR:-~}/.zshrc; NULL for another. */
static char *rc_file(const char *sh)
{
	const char *home = getenv("HOME"), *zdot = getenv("ZDOTDIR");

	if (!home || !*home)
		return NULL;
	if (!strcmp(sh, "bash"))
		return nbk_xasprintf("%s/.bashrc", home);
	if (!strcmp(sh, "zsh"))
		return nbk_xasprintf("%s/.zshrc", zdot && *zdot ? zdot : home);
	return NULL;
}

/*
 * init: the hook's line, once, at the end of the rc file (appended: a
 * dotfile that is a link stays one).  A file that has the block already is
 * left alone.
 */
static int shell_init(struct et_ctx *ctx, const char *sh)
{
	_cleanup_free_ char *rc = rc_file(sh);
	_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf block = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;
	int fd;

	if (!rc) {
		nbk_error("shell init: bash or zsh (-s), with HOME set");
		return ET_EXIT_USAGE;
	}
	if (nbk_read_file(rc, 16 * 1024 * 1024, &text, &err) < 0 && err.errnum != ENOENT) {
		nbk_error("shell init: %s", err.msg);
		return ET_EXIT_FAIL;
	}
	if (text.data && strstr(text.data, INIT_BEGIN)) {
		if (!ctx->opts.quiet)
			printf("'%s' already runs the hook\n", rc);
		return ET_EXIT_OK;
	}
	nbk_buf_addf(&block, "%s" INIT_BEGIN "\n",
		     text.len && text.data[text.len - 1] != '\n' ? "\n" : "");
	nbk_buf_addf(&block,
		     "# envtool activate|deactivate in this shell (envtool shell hook --help)\n");
	nbk_buf_addf(&block,
		     "if command -v %s >/dev/null 2>&1; then\n\teval \"$(%s shell hook -s %s",
		     ctx->prog, ctx->prog, sh);
	for (i = 1; i < ctx->opts.args.n; i++)
		nbk_buf_addf(&block, " %s", ctx->opts.args.v[i]);
	nbk_buf_addstr(&block, ")\"\nfi\n" INIT_END "\n");
	fd = open(rc, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0 || nbk_write_all(fd, block.data, block.len) < 0) {
		nbk_error("shell init: cannot write '%s': %s", rc, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ET_EXIT_FAIL;
	}
	close(fd);
	if (!ctx->opts.quiet)
		printf("added the hook to '%s': open a new shell, or run: . '%s'\n", rc, rc);
	return ET_EXIT_OK;
}

static int cmd_shell(struct et_ctx *ctx)
{
	const char *what = ctx->opts.args.n ? ctx->opts.args.v[0] : "";
	const char *sh = shell_of(ctx);

	if (!sh) {
		nbk_error("shell: '%s' is not a shell envtool knows (bash, zsh, sh)",
			  ctx->opts.shell);
		return ET_EXIT_USAGE;
	}
	if (!strcmp(what, "hook"))
		return shell_hook(ctx, sh);
	if (!strcmp(what, "init"))
		return shell_init(ctx, sh);
	if (!strcmp(what, "activate"))
		return shell_activate(ctx);
	if (!strcmp(what, "deactivate"))
		return shell_deactivate(ctx);
	nbk_error("usage: %s shell hook|init|activate|deactivate [-s bash|zsh|sh]", ctx->prog);
	return ET_EXIT_USAGE;
}

static const struct et_cmd_opt shell_opts[] = {
	{ ET_OPT_SHELL, NULL },  { ET_OPT_STACK, NULL }, { ET_OPT_NAME, NULL },
	{ ET_OPT_PREFIX, NULL }, { ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_shell = {
	.name = "shell",
	.fn = cmd_shell,
	.synopsis = "hook|init|activate|deactivate [NAME...|ENV]",
	.summary = "activate environments in bash, zsh or sh (eval \"$(envtool shell hook)\")",
	.opts = shell_opts,
};

/*
 * envtool activate|deactivate without the hook: a program cannot change
 * its shell, so say what to run (micromamba does the same).
 */
static int cmd_needs_hook(struct et_ctx *ctx)
{
	nbk_error(
		"activate and deactivate work through the shell hook: run "
		"'eval \"$(%s shell hook -s bash)\"' in this shell, or '%s shell init -s bash' "
		"once for every new one",
		ctx->prog, ctx->prog);
	return ET_EXIT_FAIL;
}

static const struct et_cmd_opt activate_opts[] = {
	{ ET_OPT_STACK, NULL },
	{ ET_OPT_NAME, NULL },
	{ ET_OPT_PREFIX, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_activate = {
	.name = "activate",
	.fn = cmd_needs_hook,
	.synopsis = "NAME|PREFIX [--stack]",
	.summary = "activate an environment in this shell (through the shell hook)",
	.opts = activate_opts,
};

const struct et_cmd et_cmd_deactivate = {
	.name = "deactivate",
	.fn = cmd_needs_hook,
	.synopsis = "",
	.summary = "deactivate the active environment (through the shell hook)",
	.opts = activate_opts + 3,
};
