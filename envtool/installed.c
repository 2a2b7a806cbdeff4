/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/yaml.h"
#include "installed.h"

static void str_field(const struct nbk_node *root, const char *key, char **dst)
{
	const struct nbk_node *v = nbk_node_get(root, key);

	/* *dst is et_record_init()'s shared "": replaced, never freed */
	if (v && v->kind == NBK_NODE_SCALAR && *v->scalar)
		*dst = nbk_xstrdup(v->scalar);
}

static void list_field(const struct nbk_node *root, const char *key, struct nbk_strvec *dst)
{
	const struct nbk_node *v = nbk_node_get(root, key);
	size_t i;

	if (v && v->kind == NBK_NODE_SEQ) {
		for (i = 0; i < v->n; i++)
			if (v->items[i]->kind == NBK_NODE_SCALAR && *v->items[i]->scalar)
				nbk_strvec_push(dst, v->items[i]->scalar);
	} else if (v && v->kind == NBK_NODE_SCALAR) {
		/* track_features as a string: "a b" or "a,b" (conda's rule) */
		_cleanup_free_ char *s = nbk_xstrdup(v->scalar);
		char *tok, *save = NULL;

		for (tok = strtok_r(s, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save))
			nbk_strvec_push(dst, tok);
	}
}

static uint64_t num_field(const struct nbk_node *root, const char *key)
{
	const struct nbk_node *v = nbk_node_get(root, key);
	unsigned long long x;
	char *end;

	if (!v || v->kind != NBK_NODE_SCALAR || v->quoted || !*v->scalar)
		return 0;
	errno = 0;
	x = strtoull(v->scalar, &end, 10);
	return errno || *end ? 0 : (uint64_t)x;
}

/* One conda-meta file into r (initialised).  -1 with err when not a record. */
static int read_record(const char *path, struct et_record *r, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	const struct nbk_node *na;
	uint64_t ts;

	if (nbk_yaml_load_file(path, ET_META_MAX_SIZE, &root, err) < 0)
		return -1;
	if (root->kind != NBK_NODE_MAP)
		return nbk_error_set(err, 0, "'%s' is not a package record", path);
	str_field(root, "name", &r->name);
	str_field(root, "version", &r->version);
	str_field(root, "build", &r->build);
	if (!*r->name || !*r->version)
		return nbk_error_set(err, 0, "'%s' is not a package record: no name or version", path);
	str_field(root, "subdir", &r->subdir);
	str_field(root, "fn", &r->fn);
	str_field(root, "url", &r->url);
	str_field(root, "channel", &r->channel);
	str_field(root, "md5", &r->md5);
	str_field(root, "sha256", &r->sha256);
	str_field(root, "license", &r->license);
	r->build_number = (long)num_field(root, "build_number");
	r->size = num_field(root, "size");
	ts = num_field(root, "timestamp");
	/* conda: values below 253402300799 are seconds */
	r->timestamp_ms = ts < 253402300799ULL ? ts * 1000 : ts;
	na = nbk_node_get(root, "noarch");
	if (na && na->kind == NBK_NODE_SCALAR)
		r->noarch = !strcmp(na->scalar, "python") ? ET_NOARCH_PYTHON
			    : !strcmp(na->scalar, "generic") || !strcmp(na->scalar, "true") ? ET_NOARCH_GENERIC
			    : ET_NOARCH_NONE;
	list_field(root, "depends", &r->depends);
	list_field(root, "constrains", &r->constrains);
	list_field(root, "track_features", &r->track_features);
	list_field(root, "features", &r->features);
	/* its names become paths: conda-meta/DIST.json, PKGS/DIST */
	if (et_record_check_names(r, err) < 0)
		return nbk_error_prefix(err, "'%s'", path);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct et_record *)a)->name, ((const struct et_record *)b)->name);
}

int et_installed_load(const char *prefix, struct et_record **out, size_t *n,
		      struct nbk_error *err)
{
	_cleanup_free_ char *dir = nbk_xasprintf("%s/conda-meta", prefix);
	struct et_record *v = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		return nbk_error_set(err, errno, "cannot read '%s'", dir);
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		_cleanup_free_ char *path = NULL;

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		path = nbk_xasprintf("%s/%s", dir, de->d_name);
		v = nbk_xrealloc(v, (count + 1) * sizeof(*v));
		et_record_init(&v[count]);
		if (read_record(path, &v[count], err) < 0) {
			closedir(d);
			et_installed_free(v, count + 1);
			return -1;
		}
		count++;
	}
	closedir(d);
	if (count)
		qsort(v, count, sizeof(*v), by_name);
	*out = v;
	*n = count;
	return 0;
}

void et_installed_free(struct et_record *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		et_record_release(&v[i]);
	free(v);
}
