/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/log.h"
#include "nbkit/url.h"
#include "print.h"
#include "repodata.h"

void et_print_record_json(struct nbk_json *w, const struct et_record *r)
{
	static const char *const noarch[] = { NULL, "generic", "python" };
	struct nbk_buf tf = NBK_BUF_INIT;
	size_t i;

	nbk_json_layout(w, NBK_JSON_LINE);
	nbk_json_object_begin(w);
	nbk_json_key_string(w, "build", r->build);
	nbk_json_key_int(w, "build_number", r->build_number);
	nbk_json_key_string(w, "build_string", r->build);
	nbk_json_key_string(w, "channel", r->channel);
	nbk_json_key_strvec(w, "constrains", &r->constrains);
	nbk_json_key_strvec(w, "depends", &r->depends);
	nbk_json_key_string(w, "fn", r->fn);
	nbk_json_key_string(w, "license", r->license);
	if (*r->license_family)
		nbk_json_key_string(w, "license_family", r->license_family);
	nbk_json_key_string(w, "md5", r->md5);
	nbk_json_key_string(w, "name", r->name);
	nbk_json_key_string(w, "noarch", noarch[r->noarch]);
	nbk_json_key_string(w, "sha256", r->sha256);
	nbk_json_key_uint(w, "size", r->size);
	nbk_json_key_string(w, "subdir", r->subdir);
	nbk_json_key_uint(w, "timestamp", r->timestamp_ms);
	/* micromamba: one string, comma-separated */
	for (i = 0; i < r->track_features.n; i++) {
		if (i)
			nbk_buf_addch(&tf, ',');
		nbk_buf_addstr(&tf, r->track_features.v[i]);
	}
	nbk_json_key_string(w, "track_features", tf.data);
	nbk_buf_release(&tf);
	{
		/* data, not a message: the URL as conda records it, no credentials */
		char *url = nbk_url_strip_credentials(r->url);

		nbk_json_key_string(w, "url", url);
		free(url);
	}
	nbk_json_key_string(w, "version", r->version);
	nbk_json_object_end(w);
}

void et_print_actions_json(const char *prefix, const struct et_print_list *lists, size_t n,
			   bool dry_run)
{
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_json w;
	bool prefix_done = false;
	size_t i, k;

	nbk_json_init(&w, &out, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key(&w, "actions");
	nbk_json_object_begin(&w);
	for (i = 0; i <= n; i++) {
		/* "PREFIX" in its sorted place among the lists */
		if (!prefix_done && (i == n || strcmp(lists[i].key, "PREFIX") > 0)) {
			nbk_json_key_string(&w, "PREFIX", prefix);
			prefix_done = true;
		}
		if (i == n)
			break;
		nbk_json_key(&w, lists[i].key);
		nbk_json_array_begin(&w);
		for (k = 0; k < lists[i].n; k++)
			et_print_record_json(&w, lists[i].v[k]);
		nbk_json_array_end(&w);
	}
	nbk_json_object_end(&w);
	nbk_json_key_bool(&w, "dry_run", dry_run);
	nbk_json_key_string(&w, "prefix", prefix);
	nbk_json_key_bool(&w, "success", true);
	nbk_json_object_end(&w);
	nbk_buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	nbk_buf_release(&out);
}

void et_print_spec_error(const char *spec, const char *msg)
{
	const char *at = strstr(msg, "column ");
	unsigned long col;
	char *end;

	fprintf(stderr, "envtool: %s\n", msg);
	nbk_log_remember_error(msg);
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

static void put_text(const struct nbk_buf *b)
{
	if (!b->len)
		return;
	fwrite(b->data, 1, b->len, stderr);
	if (b->data[b->len - 1] != '\n')
		fputc('\n', stderr);
}

void et_print_txn_output(struct et_txn_output *out, bool failed, int verbose)
{
	if (failed || verbose > 0)
		put_text(&out->scripts);
	put_text(&out->messages);
	nbk_buf_release(&out->scripts);
	nbk_buf_release(&out->messages);
}
