/* SPDX-License-Identifier: Apache-2.0 */
/* Carrying out a solved transaction: see install.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "envs.h"
#include "install.h"
#include "kernel.h"
#include "pkgcache.h"
#include "prefix.h"
#include "transaction.h"

char *et_spec_name(const char *spec)
{
	const char *s = strstr(spec, "::"), *e;

	s = s ? s + 2 : spec;
	while (*s == ' ')
		s++;
	for (e = s; *e && !strchr(" =<>!~[", *e); e++)
		;
	return nbk_xstrndup(s, (size_t)(e - s));
}

/* The command line, for conda-meta/history (conda writes sys.argv). */
static char *command_line(void)
{
	struct nbk_buf b = NBK_BUF_INIT, out = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	if (nbk_read_file("/proc/self/cmdline", 1u << 16, &b, &err) < 0 || !b.len) {
		nbk_buf_release(&b);
		return nbk_xstrdup("envtool");
	}
	for (i = 0; i < b.len; i++)
		nbk_buf_addch(&out, b.data[i] ? b.data[i] : ' ');
	nbk_buf_rtrim(&out);
	nbk_buf_release(&b);
	return nbk_buf_detach(&out, NULL);
}

static void auto_kernel(struct et_ctx *ctx, const char *prefix, const struct et_transaction *t)
{
	_cleanup_free_ char *name = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	if (ctx->opts.no_kernel)
		return;
	for (i = 0; i < t->nlink && strcmp(t->link[i]->name, "ipykernel"); i++)
		;
	if (i == t->nlink)
		return;
	name = et_env_display_name(ctx, prefix);
	if (et_kernel_install(prefix, name, &err) < 0)
		nbk_warn("no Jupyter kernel for '%s': %s", prefix, err.msg);
	else if (!ctx->opts.quiet && !ctx->opts.json)
		fprintf(stderr, "Jupyter kernel 'Python (%s)' installed\n", name);
}

int et_install_apply(struct et_ctx *ctx, const char *prefix, const struct et_transaction *t,
		     const struct nbk_strvec *specs, bool create)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_pkgcache cache;
	struct et_fetch_opts fo = { 0, 0, 0 };
	struct et_pkgcache_stats stats;
	struct et_txn_link *links = NULL;
	struct nbk_strvec spec_of = NBK_STRVEC_INIT;
	const char **unlink = NULL;
	char **dirs = NULL, *cmd = NULL;
	bool replace = create && et_prefix_is_env(prefix);
	int lock = -1, old_lock = -1, ret = ET_EXIT_FAIL;
	struct et_txn tx;
	size_t i, k;

	memset(&stats, 0, sizeof(stats));
	if (et_pkgcache_open(&cache, &ctx->cfg, &err) < 0) {
		nbk_error("%s", err.msg);
		et_pkgcache_release(&cache);
		return ET_EXIT_FAIL;
	}
	if (isatty(2) && !ctx->opts.json && !ctx->opts.quiet)
		fo.flags |= ET_PKGCACHE_PROGRESS;
	/* everything in the cache before the prefix is touched */
	if (et_pkgcache_ensure(&cache, t->link, t->nlink, &fo, &dirs, &stats, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	links = nbk_xcalloc(t->nlink + 1, sizeof(*links));
	for (i = 0; i < t->nlink; i++) {
		const char *spec = "";

		for (k = 0; specs && k < specs->n; k++) {
			_cleanup_free_ char *n = et_spec_name(specs->v[k]);

			if (!strcmp(n, t->link[i]->name)) {
				spec = specs->v[k];
				break;
			}
		}
		nbk_strvec_push(&spec_of, spec);
		links[i].rec = t->link[i];
		links[i].pkg_dir = dirs[i];
		links[i].requested_spec = spec_of.v[i];
	}
	unlink = nbk_xcalloc(t->nunlink + 1, sizeof(*unlink));
	for (i = 0; i < t->nunlink; i++)
		unlink[i] = t->unlink[i]->name;
	cmd = command_line();
	memset(&tx, 0, sizeof(tx));
	tx.prefix = prefix;
	tx.flags = (create ? ET_TXN_CREATE : 0) | (replace ? ET_TXN_REPLACE : 0);
	tx.link = links;
	tx.nlink = t->nlink;
	tx.unlink = unlink;
	tx.nunlink = t->nunlink;
	tx.cmd = cmd;
	tx.specs_kind = "update";
	tx.specs = specs;
	/* replacing: the old environment's lock too, so no install runs in it meanwhile */
	if (et_txn_lock(prefix, create, &lock, &err) < 0 ||
	    (replace && et_txn_lock(prefix, false, &old_lock, &err) < 0) ||
	    (!create && et_txn_recover(prefix, &err) < 0) || et_txn_apply(&tx, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	if (replace) {
		_cleanup_free_ char *name = et_env_display_name(ctx, prefix);

		if (et_kernel_remove(prefix, name, &err) < 0)
			nbk_warn("%s", err.msg);
	}
	auto_kernel(ctx, prefix, t);
	if (!ctx->opts.quiet && !ctx->opts.json)
		printf("\n%s '%s': %zu package%s linked, %zu removed (%zu downloaded, %zu from the cache)\n",
		       replace ? "Replaced" : create ? "Created" : "Changed", prefix, t->nlink,
		       t->nlink == 1 ? "" : "s", t->nunlink, stats.downloaded, stats.cached);
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
	et_pkgcache_dirs_free(dirs);
	et_pkgcache_release(&cache);
	return ret;
}
