/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hooks.c: the before-start hooks, with the semantics of docker-stacks'
 * run-hooks.sh (before-notebook.d, start-notebook.d):
 *
 *   - in each folder, entries in name order (strcmp, not the locale's
 *     collation, so the order is the same in every image);
 *   - a "*.sh" file is sourced: what it exports, changes or unsets reaches
 *     the later hooks and the command;
 *   - another executable file is run; its environment changes stay its own;
 *   - anything else is skipped with a log line.
 *
 * The sourced hooks of a phase share one shell (hookshell.c, which says
 * what stays as it was with a shell per hook, and the limits); an
 * executable hook runs as its own process, in its own process group, with
 * the environment so far.  Every hook runs with stdin from /dev/null and
 * its stdout sent to our stderr: stdout belongs to the command.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "hooks.h"

/*
 * List the entries of dir worth looking at (hidden names are left out, as
 * the shell glob "$dir/"* of run-hooks.sh leaves them out), sorted with
 * strcmp, into names (appended).  Returns 0, 1 when dir does not exist (or
 * is not a folder), -1 with err on another failure.
 */
NBK_STATIC int bs_hooks_list(const char *dir, struct nbk_strvec *names, struct nbk_error *err)
{
	int r = nbk_dir_names(dir, NULL, names, err);

	return r < 0 ? nbk_error_prefix(err, "hooks") : r;
}

/*
 * What to do with the hook at path.  A "*.sh" file is sourced whether or
 * not it is executable (run-hooks.sh does the same).  Links are followed.
 */
NBK_STATIC enum bs_hook_kind bs_hook_classify(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return BS_HOOK_NOT_FILE;
	if (nbk_str_ends_with(path, ".sh"))
		return BS_HOOK_SOURCE;
	if (access(path, X_OK) == 0 && (st.st_mode & 0111))
		return BS_HOOK_EXEC;
	return BS_HOOK_NOT_EXEC;
}

/*
 * Run argv (a path: hooks are never searched in PATH) and wait for it with
 * nbk_proc_run(): its own process group, stdin from /dev/null, stdout to our
 * stderr.  Past timeout_s seconds (0: no limit) its whole group gets
 * SIGTERM, then SIGKILL after BS_HOOK_GRACE_MS; a stop signal that reaches
 * bootstrap meanwhile goes to the group the same way.  Returns 0 (res
 * filled) or -1 with err when the hook could not be started.
 */
static int hook_run(char *const argv[], char *const envp[], unsigned timeout_s,
		    struct nbk_proc_result *res, struct nbk_error *err)
{
	sigset_t stop_signals;
	struct nbk_proc_opts o = {
		.argv = argv,
		.envp = envp,
		.flags = NBK_PROC_NEW_PGRP | NBK_PROC_STDIN_NULL | NBK_PROC_STDOUT_TO_STDERR,
		.timeout_ms = (uint64_t)timeout_s * 1000,
		.grace_ms = BS_HOOK_GRACE_MS,
		.stop = &bs_stop_signal,
		.stop_signals = &stop_signals,
	};

	bs_stop_sigset(&stop_signals);
	return nbk_proc_run(&o, NULL, res, err);
}

struct phase_stats {
	unsigned ran, failed, skipped;
};

/* The variables a sourced hook set that look secret are masked from now on. */
static void mark_secrets(struct bs_ctx *ctx, const struct nbk_strvec *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const char *value = nbk_env_get(&ctx->env, set->v[i]);

		if (value && (bs_env_name_is_secret(set->v[i]) || bs_is_secret(ctx, set->v[i])))
			bs_mark_secret(ctx, set->v[i], value);
	}
}

/*
 * Run one hook (sourced in r's shell, or executed).  Returns 0 when it ran
 * (ok or not: *failed says which), -1 with err when it could not be started
 * at all.
 */
static int run_one(struct bs_ctx *ctx, const char *phase, const char *path, enum bs_hook_kind kind,
		   struct bs_hook_shell *sh, bool *failed, struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec set = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec unset = NBK_STRVEC_INIT;
	enum bs_hook_env env = BS_HOOK_ENV_APPLIED;
	struct nbk_proc_result res;
	char how[128];
	bool ok;

	*failed = false;
	if (kind == BS_HOOK_SOURCE) {
		if (bs_hook_shell_source(ctx, phase, sh, path, &res, &env, &set, &unset, err) < 0)
			return -1;
	} else {
		char *argv[] = { (char *)path, NULL };

		if (hook_run(argv, ctx->env.v, ctx->cfg.hook_timeout_s, &res, err) < 0)
			return -1;
	}

	nbk_describe_status(res.status, how, sizeof(how));
	ok = !res.timed_out && WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0;
	if (res.timed_out) {
		nbk_log(NBK_LOG_WARN, phase,
			"'%s' ran past the %u s timeout: its process group was killed (%s after %llu ms)",
			path, ctx->cfg.hook_timeout_s, how, (unsigned long long)res.elapsed_ms);
		*failed = true;
		return 0;
	}
	if (env == BS_HOOK_ENV_NOT_SOURCED)
		nbk_log(NBK_LOG_WARN, phase,
			"'%s' was not sourced: '%s' could not dump the environment", path,
			sh->shell);
	else if (env == BS_HOOK_ENV_LOST)
		nbk_log(NBK_LOG_WARN, phase,
			"no environment came back from '%s' (it replaced the EXIT trap, "
			"exec'd or was killed): its changes are lost",
			path);
	else if (set.n)
		mark_secrets(ctx, &set);
	if (ok) {
		nbk_log(NBK_LOG_INFO, phase, "%s '%s' in %llu ms",
			kind == BS_HOOK_SOURCE ? "sourced" : "ran", path,
			(unsigned long long)res.elapsed_ms);
	} else {
		nbk_log(NBK_LOG_WARN, phase, "'%s' failed: %s after %llu ms", path, how,
			(unsigned long long)res.elapsed_ms);
		*failed = true;
	}
	if ((set.n || unset.n) && nbk_log_enabled(NBK_LOG_DEBUG)) {
		_cleanup_buf_ struct nbk_buf names = NBK_BUF_INIT;

		if (set.n) {
			nbk_buf_addstr(&names, "set ");
			nbk_strvec_join(&set, " ", &names);
		}
		if (unset.n) {
			nbk_buf_addstr(&names, set.n ? "; unset " : "unset ");
			nbk_strvec_join(&unset, " ", &names);
		}
		nbk_log(NBK_LOG_DEBUG, phase, "'%s': %s", path, names.data);
	}
	return 0;
}

/*
 * Run the hooks of one folder, the sourced ones in r's shell.  Returns 0,
 * or -1 with err when a hook failed and on_error is abort (or a hook could
 * not be started at all and on_error is abort).
 */
static int run_dir(struct bs_ctx *ctx, const char *dir, const char *phase, struct bs_hook_shell *sh,
		   struct phase_stats *st, struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	bool abort_on_error = ctx->cfg.on_error == BS_ON_ERROR_ABORT;
	size_t i;
	int rr;

	rr = bs_hooks_list(dir, &names, err);
	if (rr == 1) {
		nbk_log(NBK_LOG_INFO, phase, "no hooks folder '%s'", dir);
		return 0;
	}
	if (rr < 0) {
		if (abort_on_error)
			return -1;
		nbk_log(NBK_LOG_WARN, phase, "%s: skipped", err->msg);
		nbk_error_clear(err);
		return 0;
	}
	for (i = 0; i < names.n; i++) {
		_cleanup_free_ char *path = nbk_xasprintf("%s/%s", dir, names.v[i]);
		enum bs_hook_kind kind = bs_hook_classify(path);
		bool failed = false;

		if (kind == BS_HOOK_NOT_EXEC || kind == BS_HOOK_NOT_FILE) {
			nbk_log(NBK_LOG_INFO, phase, "skipping '%s': %s", path,
				kind == BS_HOOK_NOT_EXEC ? "not executable and not a *.sh file"
							 : "not a regular file");
			st->skipped++;
			continue;
		}
		if (bs_stop_signal)
			return nbk_error_set(err, 0,
					     "received %s: '%s' and the hooks after it were "
					     "not run",
					     strsignal(bs_stop_signal), path);
		if (run_one(ctx, phase, path, kind, sh, &failed, err) < 0) {
			if (abort_on_error)
				return nbk_error_prefix(err, "hook '%s'", path);
			nbk_log(NBK_LOG_WARN, phase, "hook '%s': %s", path, err->msg);
			nbk_error_clear(err);
			failed = true;
		}
		st->ran++;
		if (failed) {
			st->failed++;
			if (abort_on_error)
				return nbk_error_set(err, 0,
						     "hook '%s' failed and hooks.on_error is abort",
						     path);
		}
	}
	return 0;
}

/*
 * The process-wide state a phase borrows: SIGCHLD not ignored (the shell
 * must be waited for between hooks), SIGPIPE ignored (a write to a shell
 * that died is an EPIPE, not our end).  Children get the defaults back.
 */
struct phase_signals {
	struct sigaction chld, pipe;
	bool restore_chld;
};

static void phase_signals_take(struct phase_signals *ps)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	ps->restore_chld = nbk_sigchld_default(&ps->chld);
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &ps->pipe);
}

static void phase_signals_give_back(const struct phase_signals *ps)
{
	if (ps->restore_chld)
		sigaction(SIGCHLD, &ps->chld, NULL);
	sigaction(SIGPIPE, &ps->pipe, NULL);
}

int bs_hooks_run(struct bs_ctx *ctx, const struct nbk_strvec *dirs, const char *phase,
		 struct nbk_error *err)
{
	const char *home = ctx->home ? ctx->home : ctx->cfg.home;
	struct phase_stats st = { 0, 0, 0 };
	struct bs_hook_shell sh = BS_HOOK_SHELL_INIT;
	struct phase_signals ps;
	size_t i;
	int rr = 0;

	phase_signals_take(&ps);
	for (i = 0; i < dirs->n && rr == 0; i++) {
		_cleanup_free_ char *dir = NULL;

		if (nbk_path_expand_user(dirs->v[i], home, &dir, err) < 0) {
			if (ctx->cfg.on_error == BS_ON_ERROR_ABORT) {
				rr = nbk_error_prefix(err, "%s hooks", phase);
				break;
			}
			nbk_log(NBK_LOG_WARN, phase, "%s: skipped", err->msg);
			nbk_error_clear(err);
			continue;
		}
		/* Root runs only the image's and the deployment's hooks: a folder
		 * in the home holds the user's code (hooks.user_dirs runs it as
		 * the user, after the drop). */
		if (geteuid() == 0 && ctx->cfg.uid != 0 && bs_path_in_home(ctx, dir)) {
			nbk_log(NBK_LOG_WARN, phase,
				"'%s' is in the user's home: not run as root "
				"(list it in hooks.user_dirs)",
				dir);
			continue;
		}
		rr = run_dir(ctx, dir, phase, &sh, &st, err);
	}
	/* Nothing of this phase's shell outlives it: the root phase's is gone
	 * before the privilege drop. */
	bs_hook_shell_end(&sh);
	phase_signals_give_back(&ps);
	bs_step_log(ctx, phase, "%u hook%s ran (%u failed), %u skipped", st.ran,
		    st.ran == 1 ? "" : "s", st.failed, st.skipped);
	return rr;
}
