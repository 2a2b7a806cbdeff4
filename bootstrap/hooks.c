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
 * Sourcing happens in a shell of its own per hook (bash, or /bin/sh when the
 * image has no bash), so that a hook can be timed and killed with its whole
 * process group.  The shell dumps its exported environment (`env -0`) into
 * one memory file before the hook and into another on exit (an EXIT trap, so
 * a hook that calls `exit` or runs under `set -e` still hands its exports
 * over); the difference of the two dumps is applied to ctx->env.  Diffing
 * two dumps of the same shell, rather than diffing against ctx->env, keeps
 * out what the shell itself adds or rewrites (SHLVL, PWD, _) and whatever
 * the shell refuses to import (names that are not valid identifiers).
 *
 * Memory files, not pipes, carry the dumps: a daemon that a hook starts in
 * the background inherits the descriptors, and a pipe would then never see
 * its end.  We wait for the shell's pid, not for EOF.
 *
 * Hooks run with stdin from /dev/null (each leads its own process group, so
 * a hook reading the terminal would only be stopped by SIGTTIN) and with
 * stdout sent to our stderr: stdout belongs to the command.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "hooks.h"

/* Between SIGTERM and SIGKILL to a hook's group that ran past its time. */
#define HOOK_GRACE_MS 2000
/* An environment dump larger than this is refused (a runaway hook). */
#define HOOK_ENV_MAX ((size_t)16 << 20)
/* The dump descriptors the shell sees: high single digits, which dash can
 * name and hooks seldom use. */
#define FD_BEFORE 8
#define FD_AFTER 9
#define FD_NAMES 7

/*
 * The shell programs for a sourced hook; "$0" is the hook's path, so inside
 * the hook $0 names the hook as `bash hook.sh` would, and there are no
 * positional parameters.  The exit status is the hook's: an EXIT trap does
 * not change it.
 *
 * bash (4.4 or newer, with compgen) dumps its exported variables with
 * builtins only: `compgen -e` writes the names into a third memory file
 * (fd 7), mapfile reads them back through /proc/self/fd (a fresh open, at
 * offset 0), ${!v@a} leaves out arrays (never exported), printf writes
 * "NAME=VALUE\0".  `env -0` would cost two fork+exec per hook, more than
 * bash's own start; walking "${!A@}" ... "${!z@}" costs about as much.
 * Other shells, and older bash, use `command -p env -0`, which finds env
 * with the default PATH even when the hook changed PATH.  `>|` because a
 * hook may set noclobber.
 */
#define BASH_DUMP                                                                  \
	"{ compgen -e >|/proc/self/fd/7 && mapfile -t __bs_n </proc/self/fd/7 && " \
	"for __bs_v in \"${__bs_n[@]}\"; do "                                      \
	"[[ -v $__bs_v && ${!__bs_v@a} != *[aA]* ]] && "                           \
	"printf \"%s=%s\\0\" \"$__bs_v\" \"${!__bs_v}\"; done; true; }"
#define ENV_DUMP "command -p env -0"

static const char bash_script[] =
	"if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) &&\n"
	"   type compgen mapfile >/dev/null 2>&1 && [ -e /proc/self/fd/7 ]; then\n"
	"  " BASH_DUMP
	" >&8 || exit 125\n"
	"  trap '" BASH_DUMP
	" >&9' EXIT\n"
	"else\n"
	"  " ENV_DUMP
	" >&8 || exit 125\n"
	"  trap '" ENV_DUMP
	" >&9' EXIT\n"
	"fi\n"
	"exec 8>&-\n"
	". \"$0\"\n";

static const char sh_script[] = ENV_DUMP
	" >&8 || exit 125\n"
	"exec 8>&-\n"
	"trap '" ENV_DUMP
	" >&9' EXIT\n"
	". \"$0\"\n";

/* Variables the shell owns: never taken from a dump. */
static const char *const shell_owned[] = { "_", "PWD", "OLDPWD", "SHLVL", NULL };

static bool is_shell_owned(const char *entry, size_t klen)
{
	size_t i;

	for (i = 0; shell_owned[i]; i++)
		if (strlen(shell_owned[i]) == klen && !strncmp(entry, shell_owned[i], klen))
			return true;
	return false;
}

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

/* Length of the key of "KEY=VALUE", or 0 when entry is not a valid one. */
static size_t entry_key_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	if (!eq || !nbk_env_name_valid(entry, (size_t)(eq - entry)))
		return 0;
	return (size_t)(eq - entry);
}

/* Compare two "KEY=VALUE" entries by key only. */
static int cmp_key(const void *a, const void *b)
{
	const char *x = *(char *const *)a;
	const char *y = *(char *const *)b;
	size_t xl = strcspn(x, "=");
	size_t yl = strcspn(y, "=");
	int c = strncmp(x, y, xl < yl ? xl : yl);

	if (c)
		return c;
	return xl < yl ? -1 : xl > yl;
}

/*
 * Split a dump of NUL-terminated "KEY=VALUE" entries into out, keeping the
 * valid entries that the shell does not own, sorted by key, one per key
 * (a shell never exports a name twice; a hostile dump that does gets one of
 * its values).
 */
static void split_dump(const char *data, size_t len, struct nbk_strvec *out)
{
	size_t off = 0;
	size_t i, j;

	while (off < len) {
		const char *entry = data + off;
		size_t elen = strnlen(entry, len - off);
		size_t klen;
		char *copy;

		/* an unterminated last entry ends at len: strnlen keeps it bounded */
		off += elen + 1;
		if (!elen)
			continue;
		copy = nbk_xstrndup(entry, elen);
		klen = entry_key_len(copy);
		if (!klen || is_shell_owned(copy, klen)) {
			free(copy);
			continue;
		}
		nbk_strvec_push_owned(out, copy);
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_key);
	for (i = 0, j = 0; i < out->n; i++) {
		if (j > 0 && !cmp_key(&out->v[j - 1], &out->v[i])) {
			free(out->v[j - 1]);
			out->v[j - 1] = out->v[i];
			continue;
		}
		out->v[j++] = out->v[i];
	}
	out->n = j;
	if (out->alloc)
		out->v[j] = NULL;
}

/*
 * Apply to env what changed between the dumps `before` and `after` (each a
 * sequence of NUL-terminated "KEY=VALUE" entries, as `env -0` writes):
 * a key new in after, or with another value, is set; a key of before missing
 * from after is unset.  The shell's own variables (_, PWD, OLDPWD, SHLVL)
 * and invalid names are ignored.  The keys set are appended to `set` and the
 * keys removed to `unset` (each may be NULL).  Returns the number of changes.
 */
NBK_STATIC size_t bs_env_apply_diff(struct nbk_strvec *env, const char *before, size_t blen,
				    const char *after, size_t alen, struct nbk_strvec *set,
				    struct nbk_strvec *unset)
{
	_cleanup_strvec_ struct nbk_strvec b = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec a = NBK_STRVEC_INIT;
	size_t i = 0, j = 0, changes = 0;

	split_dump(before, blen, &b);
	split_dump(after, alen, &a);
	while (i < b.n || j < a.n) {
		int c;

		if (i == b.n)
			c = 1;
		else if (j == a.n)
			c = -1;
		else
			c = cmp_key(&b.v[i], &a.v[j]);
		if (c < 0) {
			/* in before only: unset */
			size_t klen = strcspn(b.v[i], "=");
			char *key = nbk_xstrndup(b.v[i], klen);

			nbk_env_unset(env, key);
			if (unset)
				nbk_strvec_push_owned(unset, key);
			else
				free(key);
			changes++;
			i++;
		} else if (c > 0 || strcmp(b.v[i], a.v[j])) {
			/* new in after, or another value: set */
			size_t klen = strcspn(a.v[j], "=");
			char *key = nbk_xstrndup(a.v[j], klen);

			nbk_env_set(env, key, a.v[j] + klen + 1);
			if (set)
				nbk_strvec_push_owned(set, key);
			else
				free(key);
			changes++;
			if (c == 0)
				i++;
			j++;
		} else {
			i++;
			j++;
		}
	}
	return changes;
}

/* A memory file for a dump, at a descriptor >= 10 so that dup2() onto 8 and
 * 9 in the child never meets itself.  Returns -1 with err on failure. */
static int dump_file(const char *name, struct nbk_error *err)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	int high;

	if (fd < 0)
		return nbk_error_set(err, errno, "cannot create a memory file");
	high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	if (high < 0)
		return nbk_error_set(err, errno, "cannot duplicate a descriptor");
	return high;
}

/*
 * Read the whole memory file fd (at most HOOK_ENV_MAX) into out, from its
 * start, whatever offset the child's writes left on the descriptor.
 */
static int read_dump(int fd, struct nbk_buf *out)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	return nbk_read_fd(fd, HOOK_ENV_MAX, out);
}

/*
 * Run argv (a path: hooks are never searched in PATH) and wait for it with
 * nbk_proc_run(): its own process group, stdin from /dev/null, stdout to our
 * stderr, the dump files (when dump_fds) on FD_BEFORE, FD_AFTER, FD_NAMES.
 * Past timeout_s seconds (0: no limit) its whole group gets SIGTERM, then
 * SIGKILL after HOOK_GRACE_MS; a stop signal that reaches bootstrap meanwhile
 * goes to the group the same way.  Returns 0 (res filled) or -1 with err
 * when the hook could not be started.
 */
static int hook_run(char *const argv[], char *const envp[], const int *dump_fds, unsigned timeout_s,
		    struct nbk_proc_result *res, struct nbk_error *err)
{
	struct nbk_proc_fd fds[3];
	sigset_t stop_signals;
	struct nbk_proc_opts o = {
		.argv = argv,
		.envp = envp,
		.flags = NBK_PROC_NEW_PGRP | NBK_PROC_STDIN_NULL | NBK_PROC_STDOUT_TO_STDERR,
		.timeout_ms = (uint64_t)timeout_s * 1000,
		.grace_ms = HOOK_GRACE_MS,
		.stop = &bs_stop_signal,
		.stop_signals = &stop_signals,
	};

	bs_stop_sigset(&stop_signals);
	if (dump_fds) {
		fds[0] = (struct nbk_proc_fd){ dump_fds[0], FD_BEFORE };
		fds[1] = (struct nbk_proc_fd){ dump_fds[1], FD_AFTER };
		fds[2] = (struct nbk_proc_fd){ dump_fds[2], FD_NAMES };
		o.fds = fds;
		o.n_fds = 3;
	}
	return nbk_proc_run(&o, NULL, res, err);
}

/* Where bash is, else /bin/sh (docker-stacks images have bash; slim ones
 * may not). */
static const char *find_shell(void)
{
	static const char *const shells[] = { "/bin/bash", "/usr/bin/bash", "/bin/sh" };
	size_t i;

	for (i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (access(shells[i], X_OK) == 0)
			return shells[i];
	return "/bin/sh";
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
 * Run one hook.  Returns 0 when it ran (ok or not: *failed says which),
 * -1 with err when it could not be started at all.
 */
static int run_one(struct bs_ctx *ctx, const char *phase, const char *path, enum bs_hook_kind kind,
		   const char *shell, bool *failed, struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec set = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec unset = NBK_STRVEC_INIT;
	_cleanup_buf_ struct nbk_buf before = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf after = NBK_BUF_INIT;
	_cleanup_close_ int fd_before = -1;
	_cleanup_close_ int fd_after = -1;
	_cleanup_close_ int fd_names = -1;
	struct nbk_proc_result res;
	char how[128];
	bool ok;

	*failed = false;
	if (kind == BS_HOOK_SOURCE) {
		const char *script = strstr(shell, "bash") ? bash_script : sh_script;
		char *argv[] = { (char *)shell, (char *)"-c", (char *)script, (char *)path, NULL };
		int fds[3];

		fd_before = dump_file("bootstrap-env-before", err);
		if (fd_before < 0)
			return -1;
		fd_after = dump_file("bootstrap-env-after", err);
		if (fd_after < 0)
			return -1;
		fd_names = dump_file("bootstrap-env-names", err);
		if (fd_names < 0)
			return -1;
		fds[0] = fd_before;
		fds[1] = fd_after;
		fds[2] = fd_names;
		if (hook_run(argv, ctx->env.v, fds, ctx->cfg.hook_timeout_s, &res, err) < 0)
			return -1;
	} else {
		char *argv[] = { (char *)path, NULL };

		if (hook_run(argv, ctx->env.v, NULL, ctx->cfg.hook_timeout_s, &res, err) < 0)
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
	if (kind == BS_HOOK_SOURCE) {
		/* A failed sourced hook's exports still count: in run-hooks.sh they
		 * already happened in the one shell that sources them all. */
		if (read_dump(fd_before, &before) < 0 || read_dump(fd_after, &after) < 0) {
			nbk_log(NBK_LOG_WARN, phase,
				"cannot read the environment of '%s': its changes are lost", path);
		} else if (!before.len) {
			nbk_log(NBK_LOG_WARN, phase,
				"'%s' was not sourced: '%s' could not dump the environment "
				"with 'env -0'",
				path, shell);
		} else if (!after.len) {
			nbk_log(NBK_LOG_WARN, phase,
				"no environment came back from '%s' (it replaced the EXIT trap, "
				"exec'd or was killed): its changes are lost",
				path);
		} else {
			bs_env_apply_diff(&ctx->env, before.data, before.len, after.data, after.len,
					  &set, &unset);
			mark_secrets(ctx, &set);
		}
	}
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
 * Run the hooks of one folder.  Returns 0, or -1 with err when a hook
 * failed and on_error is abort (or a hook could not be started at all and
 * on_error is abort).
 */
static int run_dir(struct bs_ctx *ctx, const char *dir, const char *phase, const char *shell,
		   struct phase_stats *st, struct nbk_error *err)
{
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	bool abort_on_error = ctx->cfg.on_error == BS_ON_ERROR_ABORT;
	size_t i;
	int r;

	r = bs_hooks_list(dir, &names, err);
	if (r == 1) {
		nbk_log(NBK_LOG_INFO, phase, "no hooks folder '%s'", dir);
		return 0;
	}
	if (r < 0) {
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
		if (run_one(ctx, phase, path, kind, shell, &failed, err) < 0) {
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

int bs_hooks_run(struct bs_ctx *ctx, const struct nbk_strvec *dirs, const char *phase,
		 struct nbk_error *err)
{
	const char *home = ctx->home ? ctx->home : ctx->cfg.home;
	struct phase_stats st = { 0, 0, 0 };
	const char *shell = NULL;
	size_t i;
	int r = 0;

	for (i = 0; i < dirs->n && r == 0; i++) {
		_cleanup_free_ char *dir = NULL;

		if (nbk_path_expand_user(dirs->v[i], home, &dir, err) < 0) {
			if (ctx->cfg.on_error == BS_ON_ERROR_ABORT)
				return nbk_error_prefix(err, "%s hooks", phase);
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
		if (!shell)
			shell = find_shell();
		r = run_dir(ctx, dir, phase, shell, &st, err);
	}
	bs_step_log(ctx, phase, "%u hook%s ran (%u failed), %u skipped", st.ran,
		    st.ran == 1 ? "" : "s", st.failed, st.skipped);
	return r;
}
