/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envtool list -n|-p [--json]: the packages of an environment, from its
 * conda-meta (micromamba's table and JSON keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "cmd.h"
#include "envs.h"
#include "target.h"
#include "prefix.h"
#include "print.h"

/* One line of the list: a conda package's record, or a pip-installed one. */
struct row {
	const char *name, *version, *build, *channel, *dist, *platform;
	long long build_number;
};

static int row_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct row *)a)->name, ((const struct row *)b)->name);
}

static void print_rows_json(const struct row *rows, size_t n)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;
	size_t i;

	/* micromamba's list: one package a line */
	nbk_json_init(&w, &b, NBK_JSON_PRETTY);
	nbk_json_array_begin(&w);
	for (i = 0; i < n; i++) {
		nbk_json_layout(&w, NBK_JSON_LINE);
		nbk_json_object_begin(&w);
		nbk_json_key_string(&w, "base_url", rows[i].channel);
		nbk_json_key_int(&w, "build_number", rows[i].build_number);
		nbk_json_key_string(&w, "build_string", rows[i].build);
		nbk_json_key_string(&w, "channel", rows[i].channel);
		nbk_json_key_string(&w, "dist_name", rows[i].dist);
		nbk_json_key_string(&w, "name", rows[i].name);
		nbk_json_key_string(&w, "platform", rows[i].platform);
		nbk_json_key_string(&w, "version", rows[i].version);
		nbk_json_object_end(&w);
	}
	nbk_json_array_end(&w);
	nbk_buf_addch(&b, '\n');
	fputs(b.data, stdout);
	nbk_buf_release(&b);
}

/*
 * envtool list: print the packages of the environment that -n or -p names
 * (it must exist), as micromamba does: those of its conda-meta, and those
 * pip installed (channel "pypi", build "pypi_0"; et_prefix_pip()), sorted
 * by name, as a table of name, version, build and channel, or with --json
 * an array of objects with micromamba's keys.  Returns ET_EXIT_OK;
 * ET_EXIT_USAGE when no valid environment is named; ET_EXIT_FAIL, after
 * printing why, when it does not exist or its conda-meta cannot be read.
 */
static int cmd_list(struct et_ctx *ctx)
{
	_cleanup_free_ char *prefix = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_prefix p = ET_PREFIX_INIT;
	struct et_pip_pkg *pip = NULL;
	struct nbk_strvec pip_dists = NBK_STRVEC_INIT;
	struct row *rows = NULL;
	size_t i, npip = 0, n = 0;
	bool usage;
	int ret = ET_EXIT_FAIL;

	if (et_env_resolve(ctx, ET_ENV_EXISTING, NULL, &prefix, &usage) < 0)
		return usage ? ET_EXIT_USAGE : ET_EXIT_FAIL;
	if (et_prefix_load(prefix, &p, &err) < 0) {
		nbk_error("%s", err.msg);
		goto out;
	}
	et_prefix_pip(prefix, &p, &pip, &npip);
	rows = nbk_xcalloc(p.n + npip + 1, sizeof(*rows));
	for (i = 0; i < p.n; i++, n++) {
		const struct et_record *r = &p.v[i].rec;

		rows[n] = (struct row){ r->name,     r->version, r->build,       r->channel,
					p.v[i].dist, r->subdir,  r->build_number };
	}
	for (i = 0; i < npip; i++, n++) {
		nbk_strvec_pushf(&pip_dists, "%s-%s-pypi_0", pip[i].name, pip[i].version);
		rows[n] = (struct row){ pip[i].name,    pip[i].version, "pypi_0", "pypi",
					pip_dists.v[i], "pypi",         0 };
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	if (ctx->opts.json) {
		print_rows_json(rows, n);
	} else {
		const char **cells = nbk_xcalloc(4 * (n + 1), sizeof(*cells));

		printf("List of packages in environment: \"%s\"\n\n", prefix);
		cells[0] = "Name";
		cells[1] = "Version";
		cells[2] = "Build";
		cells[3] = "Channel";
		for (i = 0; i < n; i++) {
			cells[4 * (i + 1)] = rows[i].name;
			cells[4 * (i + 1) + 1] = rows[i].version;
			cells[4 * (i + 1) + 2] = rows[i].build;
			cells[4 * (i + 1) + 3] = rows[i].channel;
		}
		et_print_table(cells, n + 1, 4);
		free(cells);
	}
	ret = ET_EXIT_OK;
out:
	free(rows);
	et_pip_pkgs_free(pip, npip);
	nbk_strvec_release(&pip_dists);
	et_prefix_release(&p);
	return ret;
}

static const struct et_cmd_opt list_opts[] = {
	{ ET_OPT_NAME, NULL },
	{ ET_OPT_PREFIX, NULL },
	{ ET_OPT_JSON, NULL },
	{ ET_OPT_END, NULL },
};

const struct et_cmd et_cmd_list = {
	.name = "list",
	.fn = cmd_list,
	.synopsis = "-n NAME | -p PREFIX",
	.summary = "packages of an environment",
	.opts = list_opts,
};
