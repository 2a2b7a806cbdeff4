/* SPDX-License-Identifier: Apache-2.0 */
/* Carrying out the solver's solution: see install.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/yaml.h"
#include "envs.h"
#include "install.h"
#include "matchspec.h"
#include "print.h"
#include "progress.h"
#include "kernel.h"
#include "pkgcache.h"
#include "prefix.h"
#include "transaction.h"

char *et_spec_name(const char *spec)
{
	const char *s;
	size_t n = et_spec_name_span(spec, &s);

	return nbk_xstrndup(s, n);
}

/*
 * An @EXPLICIT line names a package by URL and checksum only: its
 * depends, constrains, noarch, license and build number come from the
 * extracted package's info/index.json, as conda does.
 */
static int explicit_full_record(const struct et_record *rec, const char *pkg_dir,
				struct et_record *out, struct nbk_error *err)
{
	_cleanup_free_ char *file = nbk_xasprintf("%s/info/index.json", pkg_dir);
	_cleanup_node_ struct nbk_node *root = NULL;
	struct et_record idx;

	if (nbk_yaml_load_file(file, 1u << 20, &root, err) < 0 ||
	    et_record_from_node(root, &idx, err) < 0)
		return nbk_error_prefix(err, "'%s'", rec->fn);
	if (strcmp(idx.name, rec->name) || strcmp(idx.version, rec->version) ||
	    strcmp(idx.build, rec->build)) {
		nbk_error_set(err, 0, "'%s' holds %s-%s-%s, not what its file name says", rec->url,
			      idx.name, idx.version, idx.build);
		et_record_release(&idx);
		return -1;
	}
	et_record_copy(out, rec);
	nbk_strvec_release(&out->depends);
	nbk_strvec_release(&out->constrains);
	nbk_strvec_release(&out->track_features);
	out->depends = idx.depends;
	out->constrains = idx.constrains;
	out->track_features = idx.track_features;
	nbk_strvec_init(&idx.depends);
	nbk_strvec_init(&idx.constrains);
	nbk_strvec_init(&idx.track_features);
	{
		/* the verified archive next to the folder gives the size the line did not */
		_cleanup_free_ char *pkgs = nbk_path_dirname(pkg_dir);
		_cleanup_free_ char *arc = nbk_xasprintf("%s/%s", pkgs, rec->fn);
		struct stat st;

		if (!out->size && stat(arc, &st) == 0 && S_ISREG(st.st_mode))
			out->size = (uint64_t)st.st_size;
	}
	out->noarch = idx.noarch;
	out->build_number = idx.build_number;
	out->timestamp_ms = idx.timestamp_ms;
	{
		char *l = out->license; /* et_record_release() knows its "" */

		out->license = idx.license;
		idx.license = l;
		l = out->license_family;
		out->license_family = idx.license_family;
		idx.license_family = l;
	}
	et_record_release(&idx);
	return 0;
}

static void auto_kernel(struct et_ctx *ctx, const char *prefix, const struct et_solution *sol)
{
	_cleanup_free_ char *name = NULL, *launcher = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	if (ctx->opts.no_kernel)
		return;
	for (i = 0; i < sol->nlink && strcmp(sol->link[i]->name, "ipykernel"); i++)
		;
	if (i == sol->nlink)
		return;
	name = et_env_display_name(&ctx->cfg, prefix);
	if (et_kernel_install(prefix, name, NULL, launcher = et_kernel_launcher(), &err) < 0)
		nbk_warn("no Jupyter kernel for '%s': %s", prefix, err.msg);
	else if (!ctx->opts.quiet && !ctx->opts.json)
		fprintf(stderr, "Jupyter kernel 'Python (%s)' installed\n", name);
}

/*
 * Carry out the solution sol in prefix (install.h has the caller's
 * view): first every package of sol->link into the package cache (downloads
 * with a progress bar on a terminal), then, under the prefix's lock (and the
 * old environment's too when ET_APPLY_CREATE replaces one), one et_txn_apply()
 * that links sol->link and unlinks sol->unlink.  specs (may be NULL) give each
 * linked package its requested_spec; with ET_APPLY_EXPLICIT each record is
 * completed from its extracted info/index.json.  A kernel is installed when
 * ipykernel is linked (unless --no-kernel).  sol, specs and prefix stay the
 * caller's; everything allocated here is freed, locks released, on every
 * path.  Returns ET_EXIT_OK, or ET_EXIT_FAIL after printing the error: the
 * cache, a download, a busy lock, an interrupted transaction that cannot be
 * recovered, or the transaction itself (which leaves prefix as it was).
 */
int et_install_apply(struct et_ctx *ctx, const char *prefix, const struct et_solution *sol,
		     const struct nbk_strvec *specs, unsigned flags)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_pkgcache cache;
	struct et_fetch_opts fo = { 0, 0, NULL, NULL };
	struct et_progress_bars bars = { 0, 0 };
	struct et_pkgcache_stats stats;
	struct et_txn_link *links = NULL;
	struct nbk_strvec spec_of = NBK_STRVEC_INIT;
	const char **unlink = NULL;
	char **dirs = NULL, *cmd = NULL;
	bool create = flags & ET_APPLY_CREATE, replace = create && et_prefix_is_env(prefix);
	struct et_record *full = NULL;
	int lock = -1, old_lock = -1, ret = ET_EXIT_FAIL, r;
	struct et_txn tx;
	struct et_txn_output said = { NBK_BUF_INIT, NBK_BUF_INIT };
	size_t i, k;

	memset(&stats, 0, sizeof(stats));
	if (et_pkgcache_open(&cache, &ctx->cfg, &err) < 0) {
		nbk_error("%s", err.msg);
		et_pkgcache_release(&cache);
		return ET_EXIT_FAIL;
	}
	if (isatty(2) && !ctx->opts.json && !ctx->opts.quiet) {
		fo.progress = et_progress_draw;
		fo.progress_user = &bars;
	}
	/* everything in the cache before the prefix is touched */
	if (et_pkgcache_ensure(&cache, sol->link, sol->nlink, &fo, &dirs, &stats, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	links = nbk_xcalloc(sol->nlink + 1, sizeof(*links));
	for (i = 0; i < sol->nlink; i++) {
		const char *spec = "";

		for (k = 0; specs && k < specs->n; k++) {
			_cleanup_free_ char *n = et_spec_name(specs->v[k]);

			if (!strcmp(n, sol->link[i]->name)) {
				spec = specs->v[k];
				break;
			}
		}
		nbk_strvec_push(&spec_of, spec);
		links[i].rec = sol->link[i];
		if (flags & ET_APPLY_EXPLICIT) {
			if (!full)
				full = nbk_xcalloc(sol->nlink, sizeof(*full));
			if (explicit_full_record(sol->link[i], dirs[i], &full[i], &err) < 0) {
				nbk_error("%s", err.msg);
				goto out;
			}
			links[i].rec = &full[i];
		}
		links[i].pkg_dir = dirs[i];
		links[i].requested_spec = spec_of.v[i];
	}
	unlink = nbk_xcalloc(sol->nunlink + 1, sizeof(*unlink));
	for (i = 0; i < sol->nunlink; i++)
		unlink[i] = sol->unlink[i]->name;
	cmd = et_prefix_history_cmd();
	memset(&tx, 0, sizeof(tx));
	tx.prefix = prefix;
	tx.flags = (create ? ET_TXN_CREATE : 0) | (replace ? ET_TXN_REPLACE : 0);
	tx.link = links;
	tx.nlink = sol->nlink;
	tx.unlink = unlink;
	tx.nunlink = sol->nunlink;
	tx.cmd = cmd;
	tx.specs_kind = "update";
	tx.specs = specs;
	/* replacing: the old environment's lock too, so no install runs in it meanwhile */
	if (et_txn_lock(prefix, create, &lock, &err) < 0 ||
	    (replace && et_txn_lock(prefix, false, &old_lock, &err) < 0) ||
	    (!create && et_journal_recover(prefix, &err) < 0)) {
		nbk_error("%s", err.msg);
		goto out;
	}
	tx.output = &said;
	r = et_txn_apply(&tx, &err);
	et_print_txn_output(&said, r < 0, ctx->opts.verbose);
	if (r < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	if (replace) {
		_cleanup_free_ char *name = et_env_display_name(&ctx->cfg, prefix);

		if (et_kernel_remove(prefix, name, &err) < 0)
			nbk_warn("%s", err.msg);
	}
	auto_kernel(ctx, prefix, sol);
	if (!ctx->opts.quiet && !ctx->opts.json)
		printf("\n%s '%s': %zu package%s linked, %zu removed (%zu downloaded, %zu from the cache)\n",
		       replace  ? "Replaced"
		       : create ? "Created"
				: "Changed",
		       prefix, sol->nlink, sol->nlink == 1 ? "" : "s", sol->nunlink,
		       stats.downloaded, stats.cached);
	ret = ET_EXIT_OK;
out:
	if (old_lock >= 0)
		close(old_lock);
	if (lock >= 0)
		et_txn_unlock(prefix, create, lock);
	free(cmd);
	free(unlink);
	free(links);
	nbk_strvec_release(&spec_of);
	for (i = 0; full && i < sol->nlink; i++)
		if (full[i].name)
			et_record_release(&full[i]);
	free(full);
	et_pkgcache_dirs_free(dirs);
	et_pkgcache_release(&cache);
	return ret;
}
