/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool search SPEC: the records of the request's channels that match
 * SPEC, in ascending conda order (name, version, build number), as a table
 * or as micromamba's `search --json` object.  Nothing found is exit 1, as
 * conda's PackagesNotFoundError.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "cmd.h"
#include "index.h"
#include "matchspec.h"
#include "print.h"
#include "version.h"

static int cmp_records(const void *a, const void *b)
{
	const struct et_record *x = *(const struct et_record *const *)a;
	const struct et_record *y = *(const struct et_record *const *)b;
	int c;

	if ((c = strcmp(x->name, y->name)))
		return c;
	if ((c = et_version_strcmp(x->version, y->version)))
		return c;
	if (x->build_number != y->build_number)
		return x->build_number < y->build_number ? -1 : 1;
	if (x->channel_index != y->channel_index)
		return x->channel_index > y->channel_index ? -1 : 1;
	if ((c = strcmp(x->subdir, y->subdir)))
		return c;
	return strcmp(x->fn, y->fn);
}

static void print_json(const char *spec, const struct et_record *const *hits, size_t n)
{
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_json w;
	size_t i;

	nbk_json_init(&w, &out, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key(&w, "query");
	nbk_json_layout(&w, NBK_JSON_LINE);
	nbk_json_object_begin(&w);
	nbk_json_key_string(&w, "query", spec);
	nbk_json_key_string(&w, "type", "search");
	nbk_json_object_end(&w);
	nbk_json_key(&w, "result");
	nbk_json_object_begin(&w);
	nbk_json_key_string(&w, "msg", n ? "" : "no match");
	nbk_json_key(&w, "pkgs");
	nbk_json_array_begin(&w);
	for (i = 0; i < n; i++)
		et_print_record_json(&w, hits[i]);
	nbk_json_array_end(&w);
	nbk_json_key_string(&w, "status", "OK");
	nbk_json_object_end(&w);
	nbk_json_object_end(&w);
	nbk_buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	nbk_buf_release(&out);
}

static void print_table(const struct et_record *const *hits, size_t n)
{
	const char **cells = nbk_xcalloc((n + 1) * 5, sizeof(*cells));
	size_t i;

	cells[0] = "Name";
	cells[1] = "Version";
	cells[2] = "Build";
	cells[3] = "Channel";
	cells[4] = "Subdir";
	for (i = 0; i < n; i++) {
		cells[(i + 1) * 5 + 0] = hits[i]->name;
		cells[(i + 1) * 5 + 1] = hits[i]->version;
		cells[(i + 1) * 5 + 2] = hits[i]->build;
		cells[(i + 1) * 5 + 3] = hits[i]->channel;
		cells[(i + 1) * 5 + 4] = hits[i]->subdir;
	}
	et_print_table(cells, n + 1, 5);
	free(cells);
}

/*
 * envtool search SPEC: load the repodata of the request's channels (only
 * the channel of a "channel::name" spec) for the platform and noarch, and
 * print every record that matches SPEC, sorted as cmp_records() says, as a
 * table or with --json as a JSON object.  Channels refused on the way are
 * reported on stderr.  Returns ET_EXIT_OK when something matched;
 * ET_EXIT_USAGE for not one argument or a spec that does not parse (the
 * spec error is printed); ET_EXIT_FAIL when the index cannot be loaded or
 * nothing matches.  The hits point into the index, released before return.
 */
static int cmd_search(struct et_ctx *ctx)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_index idx = ET_INDEX_INIT;
	struct nbk_strvec chans = NBK_STRVEC_INIT;
	_cleanup_strvec_ struct nbk_strvec urls = NBK_STRVEC_INIT;
	struct et_channel_sources src = { .cli = &ctx->opts.channels, .specs = &chans };
	struct et_matchspec *ms = NULL;
	const struct et_record **hits = NULL;
	struct et_solve_repo *repos = NULL;
	size_t i, j, n = 0, alloc = 0;
	const char *spec;
	int ret = ET_EXIT_OK;

	if (ctx->opts.args.n != 1) {
		fprintf(stderr,
			"usage: envtool search SPEC [-c CHANNEL]... [--platform SUBDIR] [--json]\n");
		return ET_EXIT_USAGE;
	}
	spec = ctx->opts.args.v[0];
	if (et_matchspec_parse(spec, &ms, &err) < 0) {
		et_print_spec_error(spec, err.msg);
		return ET_EXIT_USAGE;
	}
	/* "channel::name" searches that channel only */
	if (ms->channel)
		nbk_strvec_push(&chans, ms->channel);
	src.specs_only = ms->channel != NULL;
	if (et_index_load(&ctx->cfg, &src, &idx, &err) < 0) {
		nbk_error("%s", err.msg);
		ret = ET_EXIT_FAIL;
		goto out;
	}
	/* the spec's channel by URL, as the solver compares it ("defaults" is several) */
	if (ms->channel && et_channel_spec_urls(&ctx->cfg, ms->channel, &urls, NULL) == 0) {
		free(ms->channel);
		ms->channel = NULL;
	}
	repos = nbk_xcalloc(idx.n_repos ? idx.n_repos : 1, sizeof(*repos));
	et_index_solve_repos(&idx, repos);
	for (i = 0; i < idx.n_repos; i++) {
		const struct et_repo *repo = &idx.repos[i];
		const struct et_record *recs;
		size_t nrecs;

		if (urls.n && (repo->channel_index < 0 ||
			       nbk_strvec_find(&urls, idx.channels[repo->channel_index].url) < 0))
			continue;
		/* a name reads that name's records only (index.h); a glob reads them all */
		if (ms->name_glob)
			recs = et_index_match(&idx, i, ms, &nrecs);
		else
			recs = repos[i].by_name(repos[i].data, ms->name, strlen(ms->name), &nrecs);
		for (j = 0; j < nrecs; j++) {
			if (!et_matchspec_match_name(ms, recs[j].name) ||
			    !et_matchspec_match(ms, &recs[j]))
				continue;
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				hits = nbk_xrealloc(hits, alloc * sizeof(*hits));
			}
			hits[n++] = &recs[j];
		}
	}
	et_index_refused(&idx);
	et_print_refused(idx.repos, idx.n_repos);
	if (et_index_error(&idx, &err) < 0) {
		nbk_error("%s", err.msg);
		ret = ET_EXIT_FAIL;
		goto out;
	}
	if (n)
		qsort(hits, n, sizeof(*hits), cmp_records);
	if (ctx->opts.json) {
		print_json(spec, hits, n); /* nothing found is its own answer: pkgs [] */
		ctx->json_done = true;
	} else if (n)
		print_table(hits, n);
	if (!n) {
		if (!ctx->opts.json)
			nbk_error("no package matches '%s' in %zu channel(s) for %s and noarch",
				  spec, idx.n_channels, ctx->cfg.platform);
		ret = ET_EXIT_FAIL;
	}
out:
	free(hits);
	free(repos);
	et_index_release(&idx);
	et_matchspec_free(ms);
	nbk_strvec_release(&chans);
	return ret;
}

static const struct et_cmd_opt search_opts[] = {
	ET_CMD_OPTS_CHANNELS,
	{ ET_OPT_JSON, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_search = {
	.name = "search",
	.fn = cmd_search,
	.synopsis = "SPEC",
	.summary = "the channels' records that match a spec",
	.opts = search_opts,
};
