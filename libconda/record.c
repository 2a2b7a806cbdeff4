/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/str.h"
#include "record.h"

static char empty[1];

void et_record_init(struct et_record *r)
{
	memset(r, 0, sizeof(*r));
	r->name = r->version = r->build = r->subdir = r->fn = r->url = empty;
	r->channel = r->md5 = r->sha256 = r->license = r->license_family = empty;
	nbk_strvec_init(&r->depends);
	nbk_strvec_init(&r->constrains);
	nbk_strvec_init(&r->track_features);
	nbk_strvec_init(&r->features);
}

static void free_str(char **s)
{
	if (*s != empty)
		free(*s);
	*s = empty;
}

void et_record_release(struct et_record *r)
{
	free_str(&r->name);
	free_str(&r->version);
	free_str(&r->build);
	free_str(&r->subdir);
	free_str(&r->fn);
	free_str(&r->url);
	free_str(&r->channel);
	free_str(&r->md5);
	free_str(&r->sha256);
	free_str(&r->license);
	free_str(&r->license_family);
	nbk_strvec_release(&r->depends);
	nbk_strvec_release(&r->constrains);
	nbk_strvec_release(&r->track_features);
	nbk_strvec_release(&r->features);
	et_record_init(r);
}

static char *dup_str(const char *s)
{
	return s && *s ? nbk_xstrdup(s) : empty;
}

static void copy_vec(struct nbk_strvec *dst, const struct nbk_strvec *src)
{
	size_t i;

	nbk_strvec_init(dst);
	for (i = 0; i < src->n; i++)
		nbk_strvec_push(dst, src->v[i]);
}

void et_record_copy(struct et_record *dst, const struct et_record *src)
{
	*dst = *src;
	dst->name = dup_str(src->name);
	dst->version = dup_str(src->version);
	dst->build = dup_str(src->build);
	dst->subdir = dup_str(src->subdir);
	dst->fn = dup_str(src->fn);
	dst->url = dup_str(src->url);
	dst->channel = dup_str(src->channel);
	dst->md5 = dup_str(src->md5);
	dst->sha256 = dup_str(src->sha256);
	dst->license = dup_str(src->license);
	dst->license_family = dup_str(src->license_family);
	copy_vec(&dst->depends, &src->depends);
	copy_vec(&dst->constrains, &src->constrains);
	copy_vec(&dst->track_features, &src->track_features);
	copy_vec(&dst->features, &src->features);
}

/* Why fn is not a plain package file name of rec, or NULL. */
static const char *fn_problem(const struct et_record *rec)
{
	const char *fn = rec->fn;
	size_t len = strlen(fn), stem, n, v, b;

	if (len > ET_RECORD_FN_MAX)
		return "the file name is longer than 255 bytes";
	if (strchr(fn, '/'))
		return "the file name holds '/'";
	if (nbk_str_has_control(fn))
		return "the file name holds a control character";
	if (fn[0] == '.')
		return "the file name starts with '.'";
	if (strstr(fn, ".."))
		return "the file name holds '..'";
	stem = et_record_fn_stem(fn);
	if (!stem)
		return "the file name is not NAME-VERSION-BUILD.conda or NAME-VERSION-BUILD.tar.bz2";
	n = strlen(rec->name);
	v = strlen(rec->version);
	b = strlen(rec->build);
	if (stem < n + v + 2 || memcmp(fn, rec->name, n) != 0 || fn[n] != '-' ||
	    memcmp(fn + n + 1, rec->version, v) != 0 || fn[n + 1 + v] != '-' ||
	    (*rec->build && (stem != n + v + 2 + b || memcmp(fn + n + v + 2, rec->build, b) != 0)))
		return "the file name is not the record's NAME-VERSION-BUILD";
	return NULL;
}

int et_record_check_names(const struct et_record *rec, struct nbk_error *err)
{
	_cleanup_free_ char *shown = NULL;
	const char *why = NULL;

	if (!*rec->name || !*rec->version)
		why = "no name or version";
	else if (rec->name[0] == '.')
		why = "the name starts with '.'";
	else if (strchr(rec->name, '/') || strchr(rec->version, '/') || strchr(rec->build, '/'))
		why = "its name, version or build holds '/'";
	else if (nbk_str_has_control(rec->name) || nbk_str_has_control(rec->version) ||
		 nbk_str_has_control(rec->build))
		why = "its name, version or build holds a control character";
	else if (*rec->fn)
		why = fn_problem(rec);
	if (!why)
		return 0;
	if (*rec->fn) {
		shown = nbk_printable(rec->fn);
	} else {
		_cleanup_free_ char *dist =
			nbk_xasprintf("%s-%s-%s", rec->name, rec->version, rec->build);

		shown = nbk_printable(dist);
	}
	return nbk_error_set(err, 0, "package '%s': %s", shown, why);
}

size_t et_record_fn_stem(const char *fn)
{
	size_t len = strlen(fn);

	if (len > 6 && nbk_str_ends_with(fn, ".conda"))
		return len - 6;
	if (len > 8 && nbk_str_ends_with(fn, ".tar.bz2"))
		return len - 8;
	return 0;
}
