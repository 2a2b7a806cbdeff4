/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"

char nbk_buf_empty[1];

static void die_oom(size_t n)
{
	char msg[96];
	int len = snprintf(msg, sizeof(msg), "fatal: out of memory (%zu bytes)\n", n);

	if (len > 0 && write(2, msg, (size_t)len) < 0)
		abort();
	abort();
}

void *nbk_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom(n);
	return p;
}

void *nbk_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom(n * size);
	return p;
}

void *nbk_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die_oom(n);
	return q;
}

char *nbk_xstrdup(const char *s)
{
	return nbk_xstrndup(s, strlen(s));
}

char *nbk_xstrndup(const char *s, size_t n)
{
	char *p = nbk_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *nbk_xasprintf(const char *fmt, ...)
{
	struct nbk_buf b = NBK_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	nbk_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return nbk_buf_detach(&b, NULL);
}

void nbk_buf_init(struct nbk_buf *b)
{
	b->data = nbk_buf_empty;
	b->len = 0;
	b->cap = 0;
}

void nbk_buf_release(struct nbk_buf *b)
{
	if (b->cap)
		free(b->data);
	nbk_buf_init(b);
}

void nbk_cleanup_buf(struct nbk_buf *b)
{
	nbk_buf_release(b);
}

void nbk_buf_grow(struct nbk_buf *b, size_t extra)
{
	size_t need;
	size_t cap;

	if (extra > SIZE_MAX - b->len - 1)
		die_oom(SIZE_MAX);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (b->cap) {
		b->data = nbk_xrealloc(b->data, cap);
	} else {
		b->data = nbk_xmalloc(cap);
		b->data[0] = '\0';
	}
	b->cap = cap;
}

void nbk_buf_reset(struct nbk_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
}

void nbk_buf_add(struct nbk_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	nbk_buf_grow(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void nbk_buf_addstr(struct nbk_buf *b, const char *s)
{
	nbk_buf_add(b, s, strlen(s));
}

void nbk_buf_addch(struct nbk_buf *b, char c)
{
	nbk_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void nbk_buf_vaddf(struct nbk_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	nbk_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		nbk_buf_grow(b, (size_t)n);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		if (n < 0)
			return;
	}
	b->len += (size_t)n;
}

void nbk_buf_addf(struct nbk_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nbk_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* Append s with every control character (C0 and DEL) escaped: \n, \r, \t, else \xXX. */
void nbk_buf_add_escaped(struct nbk_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		switch (*p) {
		case '\n':
			nbk_buf_addstr(b, "\\n");
			break;
		case '\r':
			nbk_buf_addstr(b, "\\r");
			break;
		case '\t':
			nbk_buf_addstr(b, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				nbk_buf_addf(b, "\\x%02x", *p);
			else
				nbk_buf_addch(b, (char)*p);
		}
	}
}

void nbk_buf_add_sh_quoted(struct nbk_buf *b, const char *s)
{
	nbk_buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			nbk_buf_addstr(b, "'\\''");
		else
			nbk_buf_addch(b, *s);
	}
	nbk_buf_addch(b, '\'');
}

void nbk_buf_add_percent_encoded(struct nbk_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			nbk_buf_addch(b, (char)*p);
			continue;
		}
		nbk_buf_addch(b, '%');
		nbk_buf_addch(b, hex[*p >> 4]);
		nbk_buf_addch(b, hex[*p & 15]);
	}
}

char *nbk_printable(const char *s)
{
	struct nbk_buf b = NBK_BUF_INIT;

	nbk_buf_add_escaped(&b, s ? s : "");
	return nbk_buf_detach(&b, NULL);
}

char *nbk_buf_detach(struct nbk_buf *b, size_t *len)
{
	char *s;

	if (len)
		*len = b->len;
	if (!b->cap)
		return nbk_xstrdup("");
	s = b->data;
	nbk_buf_init(b);
	return s;
}

void nbk_buf_rtrim(struct nbk_buf *b)
{
	while (b->len && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t' ||
			  b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->len--;
	if (b->cap)
		b->data[b->len] = '\0';
}
