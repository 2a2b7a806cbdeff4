/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/log.h"
#include "print.h"
#include "repodata.h"

static void key(struct nbk_buf *out, const char *k, int *first)
{
	nbk_buf_addstr(out, *first ? "{" : ", ");
	*first = 0;
	nbk_buf_add_json_string(out, k);
	nbk_buf_addstr(out, ": ");
}

static void str_list(struct nbk_buf *out, const struct nbk_strvec *v)
{
	size_t i;

	nbk_buf_addch(out, '[');
	for (i = 0; i < v->n; i++) {
		if (i)
			nbk_buf_addstr(out, ", ");
		nbk_buf_add_json_string(out, v->v[i]);
	}
	nbk_buf_addch(out, ']');
}

void et_print_record_json(struct nbk_buf *out, const struct et_record *r)
{
	static const char *const noarch[] = { NULL, "generic", "python" };
	struct nbk_buf tf = NBK_BUF_INIT;
	int first = 1;
	size_t i;

	key(out, "build", &first);
	nbk_buf_add_json_string(out, r->build);
	key(out, "build_number", &first);
	nbk_buf_addf(out, "%ld", r->build_number);
	key(out, "build_string", &first);
	nbk_buf_add_json_string(out, r->build);
	key(out, "channel", &first);
	nbk_buf_add_json_string(out, r->channel);
	key(out, "constrains", &first);
	str_list(out, &r->constrains);
	key(out, "depends", &first);
	str_list(out, &r->depends);
	key(out, "fn", &first);
	nbk_buf_add_json_string(out, r->fn);
	key(out, "license", &first);
	nbk_buf_add_json_string(out, r->license);
	key(out, "md5", &first);
	nbk_buf_add_json_string(out, r->md5);
	key(out, "name", &first);
	nbk_buf_add_json_string(out, r->name);
	key(out, "noarch", &first);
	if (noarch[r->noarch])
		nbk_buf_add_json_string(out, noarch[r->noarch]);
	else
		nbk_buf_addstr(out, "null");
	key(out, "sha256", &first);
	nbk_buf_add_json_string(out, r->sha256);
	key(out, "size", &first);
	nbk_buf_addf(out, "%llu", (unsigned long long)r->size);
	key(out, "subdir", &first);
	nbk_buf_add_json_string(out, r->subdir);
	key(out, "timestamp", &first);
	nbk_buf_addf(out, "%llu", (unsigned long long)r->timestamp_ms);
	key(out, "track_features", &first);
	for (i = 0; i < r->track_features.n; i++) {
		if (i)
			nbk_buf_addch(&tf, ',');
		nbk_buf_addstr(&tf, r->track_features.v[i]);
	}
	nbk_buf_add_json_string(out, tf.data);
	nbk_buf_release(&tf);
	key(out, "url", &first);
	nbk_buf_add_json_string(out, r->url);
	key(out, "version", &first);
	nbk_buf_add_json_string(out, r->version);
	nbk_buf_addch(out, '}');
}

void et_print_spec_error(const char *spec, const char *msg)
{
	const char *at = strstr(msg, "column ");
	unsigned long col;
	char *end;

	fprintf(stderr, "envtool: %s\n", msg);
	if (!at)
		return;
	col = strtoul(at + 7, &end, 10);
	if (end == at + 7 || col < 1 || col > strlen(spec) + 1)
		return;
	/* columns are 1-based */
	fprintf(stderr, "  %s\n  %*s^\n", spec, (int)(col - 1), "");
}

void et_print_refused(const struct et_repo *repos, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < repos[i].refused.n; k++)
			nbk_warn("%s: refused, left out", repos[i].refused.v[k]);
		if (repos[i].n_refused > repos[i].refused.n)
			nbk_warn("repodata of '%s/%s': %zu more records refused", repos[i].channel,
				 repos[i].subdir, repos[i].n_refused - repos[i].refused.n);
	}
}

void et_print_table(const char *const *cells, size_t rows, size_t ncols)
{
	size_t *w = calloc(ncols ? ncols : 1, sizeof(*w));
	size_t r, c, total = 0;

	if (!w)
		return;
	for (r = 0; r < rows; r++)
		for (c = 0; c < ncols; c++)
			if (strlen(cells[r * ncols + c]) > w[c])
				w[c] = strlen(cells[r * ncols + c]);
	for (c = 0; c < ncols; c++)
		total += w[c] + (c + 1 < ncols ? 2 : 0);
	for (r = 0; r < rows; r++) {
		for (c = 0; c < ncols; c++) {
			if (c + 1 < ncols)
				printf("%-*s  ", (int)w[c], cells[r * ncols + c]);
			else
				printf("%s\n", cells[r * ncols + c]);
		}
		if (r == 0) {
			for (c = 0; c < total; c++)
				putchar('-');
			putchar('\n');
		}
	}
	free(w);
}
