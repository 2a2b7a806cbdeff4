/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "record.h"

static char empty[1];

void et_record_init(struct et_record *r)
{
	memset(r, 0, sizeof(*r));
	r->name = r->version = r->build = r->subdir = r->fn = r->url = empty;
	r->channel = r->md5 = r->sha256 = r->license = empty;
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
	copy_vec(&dst->depends, &src->depends);
	copy_vec(&dst->constrains, &src->constrains);
	copy_vec(&dst->track_features, &src->track_features);
	copy_vec(&dst->features, &src->features);
}
