/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool remove -n|-p NAME... : remove packages, and the installed
 * packages that depend on them (they would be broken otherwise; conda does
 * the same).
 * envtool remove -n|-p --all: the whole environment (conda's way), its
 * Jupyter kernel and its line in environments.txt; files the user made in
 * the prefix stay (and so does the folder holding them).  A prefix that is
 * a symbolic link: the link goes, never what it points to.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "nbkit/log.h"
#include "cmd.h"
#include "apply.h"
#include "envs.h"
#include "target.h"
#include "kernel.h"
#include "prefix.h"
#include "print.h"
#include "transaction.h"

/* The first word of a depends entry: the package name. */
static bool depends_on(const struct et_record *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < r->depends.n; i++) {
		const char *d = r->depends.v[i];

		if (!strncmp(d, name, n) &&
		    (d[n] == '\0' || d[n] == ' ' || d[n] == '=' || d[n] == '<' || d[n] == '>' ||
		     d[n] == '!' || d[n] == '['))
			return true;
	}
	return false;
}

/* micromamba's answer: {"actions": {"PREFIX", "UNLINK": [...]}, "dry_run", "prefix", "success"} */
static void print_json(const char *prefix, const struct et_prefix *p, const struct nbk_strvec *gone,
		       bool dry_run)
{
	const struct et_record **recs = nbk_xcalloc(gone->n ? gone->n : 1, sizeof(*recs));
	struct et_print_list unlink = { "UNLINK", recs, gone->n };
	size_t i;

	for (i = 0; i < gone->n; i++)
		recs[i] = &et_prefix_find(p, gone->v[i])->rec;
	et_print_actions_json(prefix, &unlink, 1, dry_run);
	free(recs);
}

/* The environment's line in environments.txt and its kernel go. */
static void forget_env(struct et_ctx *ctx, const char *prefix)
{
	_cleanup_free_ char *name = et_env_display_name(&ctx->cfg, prefix);
	struct nbk_error err = NBK_ERROR_INIT;
	int r;

	if (et_environments_remove(prefix, &err) < 0)
		nbk_warn("%s", err.msg);
	r = et_kernel_remove(prefix, name, &err);
	if (r < 0)
		nbk_warn("%s", err.msg);
	else if (r > 0 && !ctx->opts.quiet)
		printf("removed the Jupyter kernel '%s'\n", name);
}

/* After every package is gone: conda-meta, then the folders left empty. */
static void remove_env_rest(struct et_ctx *ctx, const char *prefix)
{
	_cleanup_free_ char *meta = nbk_xasprintf("%s/" ET_CONDA_META, prefix);
	struct nbk_error err = NBK_ERROR_INIT;

	if (nbk_remove_tree(meta, &err) < 0)
		nbk_warn("%s", err.msg);
	if (rmdir(prefix) < 0) {
		/* the user's files are there: the folder stays */
		nbk_warn("'%s' still holds files no package installed: they stay", prefix);
	}
	forget_env(ctx, prefix);
}

/*
 * remove --all of a prefix that is a symbolic link (issue 9): the link
 * goes, never what it points to (unlink(2) does not follow it; nothing
 * here walks through it); so do its line in environments.txt and a kernel
 * registered for it.  Returns the exit status.
 */
static int remove_link(struct et_ctx *ctx, const char *prefix)
{
	struct et_prefix none = ET_PREFIX_INIT;
	struct nbk_strvec gone = NBK_STRVEC_INIT;
	char target[PATH_MAX];
	ssize_t n = readlink(prefix, target, sizeof(target) - 1);

	if (n < 0)
		n = 0;
	target[n] = '\0';
	if (!ctx->opts.quiet && !ctx->opts.json)
		printf("Removing the link '%s' (what it points to, '%s', stays)\n", prefix, target);
	if (!ctx->opts.dry_run) {
		if (!et_confirm(ctx, "Confirm changes:", true)) {
			fprintf(stderr, "envtool: aborted: nothing was changed\n");
			return ET_EXIT_FAIL;
		}
		if (unlink(prefix) < 0) {
			nbk_error("cannot remove the link '%s': %s", prefix, strerror(errno));
			return ET_EXIT_FAIL;
		}
		forget_env(ctx, prefix);
	}
	if (ctx->opts.json)
		print_json(prefix, &none, &gone, ctx->opts.dry_run);
	return ET_EXIT_OK;
}

/*
 * A package that goes only because it needs a removed one, and that the
 * user asked for (history: et_prefix_requested()), is named in a warning:
 * the plan removes it, and the user should know why.
 */
static void say_asked_for(const struct et_ctx *ctx, const char *prefix,
			  const struct nbk_strvec *gone)
{
	_cleanup_strvec_ struct nbk_strvec asked = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	size_t i;

	et_prefix_requested(prefix, &asked, &names);
	for (i = 0; i < gone->n; i++) {
		long k = nbk_strvec_find(&names, gone->v[i]);

		if (k >= 0 && nbk_strvec_find(&ctx->opts.args, gone->v[i]) < 0)
			nbk_warn(
				"'%s' goes too: it needs what is removed, and you asked for it "
				"('%s', conda-meta/history)",
				gone->v[i], asked.v[k]);
	}
}

/*
 * envtool remove: take the packages named on the command line out of the
 * environment that -n or -p names, with every package that depends on one
 * of them, transitively; --all takes every package and then the environment
 * itself (its conda-meta, its emptied folders, its kernel and its line in
 * environments.txt), and a link given with --all goes as a link
 * (remove_link()).  Holds the prefix's lock and finishes an interrupted
 * transaction first; asks for confirmation unless -y; --dry-run changes
 * nothing.  Prints the plan unless --quiet, --json prints the result.
 * Returns ET_EXIT_OK; ET_EXIT_USAGE when nothing or no valid environment is
 * named; ET_EXIT_FAIL, after printing why, for a package not installed, a
 * busy lock, a refusal at the prompt or a failed transaction.
 */
static int cmd_remove(struct et_ctx *ctx)
{
	_cleanup_free_ char *prefix = NULL, *cmd = NULL;
	_cleanup_close_ int lock = -1;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_prefix p = ET_PREFIX_INIT;
	struct nbk_strvec gone = NBK_STRVEC_INIT;
	struct et_txn t;
	struct et_txn_output said = { NBK_BUF_INIT, NBK_BUF_INIT };
	bool usage, grew;
	size_t i, k;
	int ret = ET_EXIT_FAIL, r;

	if (!ctx->opts.all && !ctx->opts.args.n) {
		nbk_error("remove: which packages? (or --all for the whole environment)");
		return ET_EXIT_USAGE;
	}
	if (ctx->opts.all) {
		struct stat st;

		/* a link goes whatever it points to: looked at before "is it an environment" */
		if (et_env_resolve(ctx, ET_ENV_ANY, NULL, &prefix, &usage) < 0)
			return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
		if (lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode))
			return remove_link(ctx, prefix);
		free(nbk_steal_pointer(&prefix));
	}
	if (et_env_resolve(ctx, ET_ENV_EXISTING, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	if (et_txn_lock(prefix, false, &lock, &err) < 0 || et_journal_recover(prefix, &err) < 0 ||
	    et_prefix_load(prefix, &p, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	if (ctx->opts.all) {
		for (i = 0; i < p.n; i++)
			nbk_strvec_push(&gone, p.v[i].rec.name);
	} else {
		for (i = 0; i < ctx->opts.args.n; i++) {
			if (!et_prefix_find(&p, ctx->opts.args.v[i])) {
				nbk_error("'%s' is not installed in '%s'", ctx->opts.args.v[i],
					  prefix);
				goto out;
			}
			if (nbk_strvec_find(&gone, ctx->opts.args.v[i]) < 0)
				nbk_strvec_push(&gone, ctx->opts.args.v[i]);
		}
		/* what depends on a removed package goes too, transitively */
		do {
			grew = false;
			for (i = 0; i < p.n; i++) {
				if (nbk_strvec_find(&gone, p.v[i].rec.name) >= 0)
					continue;
				for (k = 0; k < gone.n; k++)
					if (depends_on(&p.v[i].rec, gone.v[k])) {
						nbk_strvec_push(&gone, p.v[i].rec.name);
						grew = true;
						break;
					}
			}
		} while (grew);
		say_asked_for(ctx, prefix, &gone);
	}
	if (!ctx->opts.quiet && !ctx->opts.json) {
		printf("Removing from '%s':\n", prefix);
		for (i = 0; i < gone.n; i++) {
			const struct et_prefix_pkg *pp = et_prefix_find(&p, gone.v[i]);

			printf("  - %s\n", pp->dist);
		}
	}
	if (ctx->opts.dry_run) {
		if (ctx->opts.json)
			print_json(prefix, &p, &gone, true);
		ret = ET_EXIT_OK;
		goto out;
	}
	if (!et_confirm(ctx, "Confirm changes:", true)) {
		fprintf(stderr, "envtool: aborted: nothing was changed\n");
		goto out;
	}
	cmd = et_prefix_history_cmd();
	memset(&t, 0, sizeof(t));
	t.prefix = prefix;
	t.flags = ctx->opts.all ? ET_TXN_REMOVE_ENV : 0;
	t.unlink = (const char *const *)gone.v;
	t.nunlink = gone.n;
	t.cmd = cmd;
	t.specs_kind = "remove";
	t.specs = &ctx->opts.args;
	t.output = &said;
	r = et_txn_apply(&t, &err);
	et_print_txn_output(&said, r < 0, ctx->opts.verbose);
	if (r < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	if (ctx->opts.all) {
		remove_env_rest(ctx, prefix);
	} else if (nbk_strvec_find(&gone, "ipykernel") >= 0) {
		/* the kernel would not start any more */
		_cleanup_free_ char *name = et_env_display_name(&ctx->cfg, prefix);

		if (et_kernel_remove(prefix, name, &err) < 0)
			nbk_warn("%s", err.msg);
	}
	if (ctx->opts.json)
		print_json(prefix, &p, &gone, false);
	ret = ET_EXIT_OK;
out:
	nbk_strvec_release(&gone);
	et_prefix_release(&p);
	return ret;
}

static const struct et_cmd_opt remove_opts[] = {
	{ ET_OPT_NAME, NULL },
	{ ET_OPT_PREFIX, NULL },
	{ ET_OPT_ALL, "the whole environment (and its kernel)" },
	{ ET_OPT_DRY_RUN, NULL },
	{ ET_OPT_JSON, NULL },
	{ ET_OPT_YES, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_remove = {
	.name = "remove",
	.fn = cmd_remove,
	.synopsis = "-n NAME | -p PREFIX (NAME... | --all)",
	.summary = "remove packages, or the environment with --all",
	.opts = remove_opts,
};
