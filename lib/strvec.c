/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/strvec.h"

char *nbk_strvec_empty[1];

void nbk_strvec_init(struct nbk_strvec *sv)
{
	sv->v = nbk_strvec_empty;
	sv->n = 0;
	sv->alloc = 0;
}

void nbk_strvec_release(struct nbk_strvec *sv)
{
	size_t i;

	if (sv->alloc) {
		for (i = 0; i < sv->n; i++)
			free(sv->v[i]);
		free(sv->v);
	}
	nbk_strvec_init(sv);
}

void nbk_cleanup_strvec(struct nbk_strvec *sv)
{
	nbk_strvec_release(sv);
}

void nbk_strvec_push_owned(struct nbk_strvec *sv, char *s)
{
	if (sv->n + 2 > sv->alloc) {
		size_t alloc = sv->alloc ? sv->alloc * 2 : 8;

		if (sv->alloc) {
			sv->v = nbk_xrealloc(sv->v, alloc * sizeof(*sv->v));
		} else {
			sv->v = nbk_xmalloc(alloc * sizeof(*sv->v));
		}
		sv->alloc = alloc;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void nbk_strvec_push(struct nbk_strvec *sv, const char *s)
{
	nbk_strvec_push_owned(sv, nbk_xstrdup(s));
}

void nbk_strvec_pushf(struct nbk_strvec *sv, const char *fmt, ...)
{
	struct nbk_buf b = NBK_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	nbk_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	nbk_strvec_push_owned(sv, nbk_buf_detach(&b, NULL));
}

void nbk_strvec_pushv(struct nbk_strvec *sv, const char *const *v)
{
	for (; v && *v; v++)
		nbk_strvec_push(sv, *v);
}

void nbk_strvec_remove(struct nbk_strvec *sv, size_t i)
{
	if (i >= sv->n)
		return;
	free(sv->v[i]);
	memmove(sv->v + i, sv->v + i + 1, (sv->n - i) * sizeof(*sv->v));
	sv->n--;
}

long nbk_strvec_find(const struct nbk_strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return (long)i;
	return -1;
}

void nbk_strvec_join(const struct nbk_strvec *sv, const char *sep, struct nbk_buf *out)
{
	size_t i;

	for (i = 0; i < sv->n; i++) {
		if (i)
			nbk_buf_addstr(out, sep);
		nbk_buf_addstr(out, sv->v[i]);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool nbk_strvec_find_sorted(const struct nbk_strvec *sv, const char *s)
{
	return sv->n && bsearch(&s, sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

void nbk_strvec_sort(struct nbk_strvec *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

char **nbk_strvec_detach(struct nbk_strvec *sv)
{
	char **v;

	if (!sv->alloc) {
		v = nbk_xcalloc(1, sizeof(*v));
	} else {
		v = sv->v;
	}
	nbk_strvec_init(sv);
	return v;
}

static long env_index(const struct nbk_strvec *env, const char *key)
{
	size_t klen = strlen(key);
	size_t i;

	for (i = 0; i < env->n; i++)
		if (!strncmp(env->v[i], key, klen) && env->v[i][klen] == '=')
			return (long)i;
	return -1;
}

const char *nbk_env_get(const struct nbk_strvec *env, const char *key)
{
	long i = env_index(env, key);

	return i < 0 ? NULL : env->v[i] + strlen(key) + 1;
}

void nbk_env_set(struct nbk_strvec *env, const char *key, const char *value)
{
	long i = env_index(env, key);
	struct nbk_buf b = NBK_BUF_INIT;

	nbk_buf_addf(&b, "%s=%s", key, value);
	if (i < 0) {
		nbk_strvec_push_owned(env, nbk_buf_detach(&b, NULL));
	} else {
		free(env->v[i]);
		env->v[i] = nbk_buf_detach(&b, NULL);
	}
}

size_t nbk_env_unset(struct nbk_strvec *env, const char *key)
{
	size_t removed = 0;
	long i;

	while ((i = env_index(env, key)) >= 0) {
		nbk_strvec_remove(env, (size_t)i);
		removed++;
	}
	return removed;
}

bool nbk_env_name_valid(const char *name, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';

		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

void nbk_strvec_split(struct nbk_strvec *sv, const char *s, char sep)
{
	const char *p = s;

	if (!s || !*s)
		return;
	for (;;) {
		const char *e = strchr(p, sep);

		if (!e) {
			nbk_strvec_push(sv, p);
			return;
		}
		nbk_strvec_push_owned(sv, nbk_xstrndup(p, (size_t)(e - p)));
		p = e + 1;
	}
}
