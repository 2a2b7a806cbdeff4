/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool clean [--all|--tarballs|--index|--packages] in the writable
 * package cache (the first pkgs_dir):
 *   --tarballs   the archives (*.conda, *.tar.bz2, and *.partial downloads)
 *   --index      the repodata cache (cache/)
 *   --packages   extracted packages no environment uses: conda's rule, no
 *                file of the folder has another hard link
 *   --all        all three
 */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "cmd.h"
#include "transaction.h"

static int linked_seen;

static int check_links(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode) && st->st_nlink > 1) {
		linked_seen = 1;
		return 1;
	}
	return 0;
}

/*
 * envtool clean: in the first of ctx->cfg.pkgs_dirs remove what the options
 * name: --index the repodata cache folder, --tarballs the package archives
 * (.conda, .tar.bz2, .partial downloads), --packages the extracted package
 * folders none of whose files is hard-linked into an environment (a file
 * with more than one link is in use); --all is the three.  --dry-run counts
 * without removing.  Prints what was removed on stdout unless --quiet.
 * Returns ET_EXIT_USAGE when nothing is named, ET_EXIT_FAIL when no
 * pkgs_dirs is configured or the index cannot be removed; a single archive
 * or folder that cannot be removed is a warning, and the result still
 * ET_EXIT_OK.  A missing pkgs folder is nothing to clean (ET_EXIT_OK).
 */
static int cmd_clean(struct et_ctx *ctx)
{
	unsigned what = ctx->opts.clean;
	struct nbk_error err = NBK_ERROR_INIT;
	const char *pkgs;
	size_t tarballs = 0, packages = 0;
	struct dirent *de;
	DIR *d;

	if (ctx->opts.all)
		what = ET_CLEAN_TARBALLS | ET_CLEAN_INDEX | ET_CLEAN_PACKAGES;
	if (!what) {
		nbk_error("clean: say what: --all, --tarballs, --index or --packages");
		return ET_EXIT_USAGE;
	}
	if (!ctx->cfg.pkgs_dirs.n) {
		nbk_error("no pkgs_dirs configured");
		return ET_EXIT_FAIL;
	}
	pkgs = ctx->cfg.pkgs_dirs.v[0];
	if (what & ET_CLEAN_INDEX) {
		_cleanup_free_ char *cache = nbk_xasprintf("%s/cache", pkgs);

		if (!ctx->opts.dry_run && nbk_remove_tree(cache, &err) < 0) {
			nbk_error("%s", err.msg);
			return ET_EXIT_FAIL;
		}
		if (!ctx->opts.quiet)
			printf("%s the repodata cache '%s'\n",
			       ctx->opts.dry_run ? "would remove" : "removed", cache);
	}
	d = opendir(pkgs);
	if (!d)
		return ET_EXIT_OK;
	while ((de = readdir(d))) {
		_cleanup_free_ char *p = NULL, *info = NULL;
		struct stat st;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "cache"))
			continue;
		p = nbk_xasprintf("%s/%s", pkgs, de->d_name);
		if (lstat(p, &st) < 0)
			continue;
		if ((what & ET_CLEAN_TARBALLS) && S_ISREG(st.st_mode) &&
		    (nbk_str_ends_with(de->d_name, ".conda") ||
		     nbk_str_ends_with(de->d_name, ".tar.bz2") ||
		     nbk_str_ends_with(de->d_name, ".partial"))) {
			if (!ctx->opts.dry_run && unlink(p) < 0)
				nbk_warn("cannot remove '%s'", p);
			tarballs++;
			continue;
		}
		info = nbk_xasprintf("%s/info", p);
		if ((what & ET_CLEAN_PACKAGES) && S_ISDIR(st.st_mode) && access(info, F_OK) == 0) {
			linked_seen = 0;
			nftw(p, check_links, 32, FTW_PHYS);
			if (linked_seen)
				continue;
			if (!ctx->opts.dry_run && nbk_remove_tree(p, &err) < 0) {
				nbk_warn("%s", err.msg);
				continue;
			}
			packages++;
		}
	}
	closedir(d);
	if (!ctx->opts.quiet) {
		const char *verb = ctx->opts.dry_run ? "would remove" : "removed";

		if (what & ET_CLEAN_TARBALLS)
			printf("%s %zu archive(s) from '%s'\n", verb, tarballs, pkgs);
		if (what & ET_CLEAN_PACKAGES)
			printf("%s %zu unused package folder(s) from '%s'\n", verb, packages, pkgs);
	}
	return ET_EXIT_OK;
}

static const struct et_cmd_opt clean_opts[] = {
	{ ET_OPT_ALL, "--tarballs, --index and --packages" },
	{ ET_OPT_TARBALLS, NULL },
	{ ET_OPT_INDEX, NULL },
	{ ET_OPT_PACKAGES, NULL },
	{ ET_OPT_DRY_RUN, "say what would be removed, remove nothing" },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_clean = {
	.name = "clean",
	.fn = cmd_clean,
	.synopsis = "--all | --tarballs | --index | --packages",
	.summary = "clean the package and repodata caches",
	.opts = clean_opts,
};
