/* SPDX-License-Identifier: Apache-2.0 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nbkit/json.h"

/* level[]: the layout in the low bits, then what the container is and holds. */
#define LEVEL_LAYOUT 0x3
#define LEVEL_OBJECT 0x4
#define LEVEL_NONEMPTY 0x8

/* How many bytes the valid UTF-8 sequence at p has (1 to 4), or 0 when none starts there. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		/* E0: no overlong form (A0..BF); ED: no surrogate (80..9F) */
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		/* F0: no overlong form (90..BF); F4: nothing past U+10FFFF (80..8F) */
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

void nbk_buf_add_json_string(struct nbk_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	nbk_buf_addch(b, '"');
	while (*p) {
		switch (*p) {
		case '"':
			nbk_buf_addstr(b, "\\\"");
			break;
		case '\\':
			nbk_buf_addstr(b, "\\\\");
			break;
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
			if (*p < 0x20 || *p == 0x7f) {
				nbk_buf_addf(b, "\\u%04x", *p);
			} else if ((n = utf8_len(p))) {
				/* the string's NUL stops utf8_len() at a short sequence */
				nbk_buf_add(b, p, n);
				p += n;
				continue;
			} else {
				nbk_buf_addstr(b, "\\ufffd");
			}
		}
		p++;
	}
	nbk_buf_addch(b, '"');
}

void nbk_json_init(struct nbk_json *w, struct nbk_buf *out, enum nbk_json_layout layout)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->top = w->next = layout;
}

void nbk_json_layout(struct nbk_json *w, enum nbk_json_layout layout)
{
	w->next = layout;
}

/* The open container, or NULL at the top level. */
static uint8_t *current(struct nbk_json *w)
{
	if (!w->depth)
		return NULL;
	/* past the bound (an assert() in debug builds), the last slot stands in */
	return &w->level[(w->depth <= NBK_JSON_MAX_DEPTH ? w->depth : NBK_JSON_MAX_DEPTH) - 1];
}

static void indent(struct nbk_json *w, unsigned depth)
{
	nbk_buf_addch(w->out, '\n');
	nbk_buf_grow(w->out, 2 * (size_t)depth);
	memset(w->out->data + w->out->len, ' ', 2 * (size_t)depth);
	w->out->len += 2 * (size_t)depth;
	w->out->data[w->out->len] = '\0';
}

/* What comes before an array's element or an object's key: a comma, a space or a new line. */
static void separate(struct nbk_json *w, uint8_t *lv)
{
	enum nbk_json_layout layout = *lv & LEVEL_LAYOUT;

	if (*lv & LEVEL_NONEMPTY)
		nbk_buf_addch(w->out, ',');
	if (layout == NBK_JSON_PRETTY)
		indent(w, w->depth);
	else if (layout == NBK_JSON_LINE && (*lv & LEVEL_NONEMPTY))
		nbk_buf_addch(w->out, ' ');
	*lv |= LEVEL_NONEMPTY;
}

/* Before any value: its place must be one. */
static void value_begin(struct nbk_json *w)
{
	uint8_t *lv = current(w);

	if (!lv) {
		assert(!w->done && "a second top-level JSON value");
		return;
	}
	if (*lv & LEVEL_OBJECT) {
		assert(w->key_written && "a JSON value in an object without its key");
		w->key_written = false;
		return;
	}
	separate(w, lv);
}

static void value_end(struct nbk_json *w)
{
	if (!w->depth)
		w->done = true;
}

static void container_begin(struct nbk_json *w, bool object)
{
	value_begin(w);
	nbk_buf_addch(w->out, object ? '{' : '[');
	assert(w->depth < NBK_JSON_MAX_DEPTH && "JSON nested deeper than NBK_JSON_MAX_DEPTH");
	w->depth++;
	*current(w) = (uint8_t)(w->next | (object ? LEVEL_OBJECT : 0));
}

static void container_end(struct nbk_json *w, bool object)
{
	uint8_t *lv = current(w);

	assert(lv && "a JSON end without its begin");
	if (!lv)
		return;
	assert(!(*lv & LEVEL_OBJECT) == !object && "a JSON end that does not match its begin");
	assert(!w->key_written && "a JSON key without its value");
	if ((*lv & LEVEL_LAYOUT) == NBK_JSON_PRETTY && (*lv & LEVEL_NONEMPTY))
		indent(w, w->depth - 1);
	nbk_buf_addch(w->out, object ? '}' : ']');
	w->depth--;
	lv = current(w);
	w->next = lv ? (enum nbk_json_layout)(*lv & LEVEL_LAYOUT) : w->top;
	value_end(w);
}

void nbk_json_object_begin(struct nbk_json *w)
{
	container_begin(w, true);
}

void nbk_json_object_end(struct nbk_json *w)
{
	container_end(w, true);
}

void nbk_json_array_begin(struct nbk_json *w)
{
	container_begin(w, false);
}

void nbk_json_array_end(struct nbk_json *w)
{
	container_end(w, false);
}

void nbk_json_key(struct nbk_json *w, const char *key)
{
	uint8_t *lv = current(w);

	assert(lv && (*lv & LEVEL_OBJECT) && "a JSON key outside an object");
	assert(!w->key_written && "a JSON key without its value");
	if (lv)
		separate(w, lv);
	nbk_buf_add_json_string(w->out, key);
	if (lv && (*lv & LEVEL_LAYOUT) != NBK_JSON_COMPACT)
		nbk_buf_addstr(w->out, ": ");
	else
		nbk_buf_addch(w->out, ':');
	w->key_written = true;
}

/* A value written as the text it is (a literal or a number). */
static void scalar(struct nbk_json *w, const char *text)
{
	value_begin(w);
	nbk_buf_addstr(w->out, text);
	value_end(w);
}

void nbk_json_string(struct nbk_json *w, const char *s)
{
	if (!s) {
		scalar(w, "null");
		return;
	}
	value_begin(w);
	nbk_buf_add_json_string(w->out, s);
	value_end(w);
}

void nbk_json_int(struct nbk_json *w, long long v)
{
	value_begin(w);
	nbk_buf_addf(w->out, "%lld", v);
	value_end(w);
}

void nbk_json_uint(struct nbk_json *w, unsigned long long v)
{
	value_begin(w);
	nbk_buf_addf(w->out, "%llu", v);
	value_end(w);
}

void nbk_json_bool(struct nbk_json *w, bool v)
{
	scalar(w, v ? "true" : "false");
}

void nbk_json_null(struct nbk_json *w)
{
	scalar(w, "null");
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (is_digit(*s))
		while (is_digit(*s))
			s++;
	else
		return false;
	if (*s == '.') {
		if (!is_digit(*++s))
			return false;
		while (is_digit(*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	return !*s;
}

void nbk_json_raw_number(struct nbk_json *w, const char *number)
{
	bool ok = number && is_json_number(number);

	assert(ok && "not a JSON number");
	scalar(w, ok ? number : "null");
}

void nbk_json_strvec(struct nbk_json *w, const struct nbk_strvec *v)
{
	size_t i;

	nbk_json_array_begin(w);
	for (i = 0; i < v->n; i++)
		nbk_json_string(w, v->v[i]);
	nbk_json_array_end(w);
}

void nbk_json_key_string(struct nbk_json *w, const char *key, const char *s)
{
	nbk_json_key(w, key);
	nbk_json_string(w, s);
}

void nbk_json_key_int(struct nbk_json *w, const char *key, long long v)
{
	nbk_json_key(w, key);
	nbk_json_int(w, v);
}

void nbk_json_key_uint(struct nbk_json *w, const char *key, unsigned long long v)
{
	nbk_json_key(w, key);
	nbk_json_uint(w, v);
}

void nbk_json_key_bool(struct nbk_json *w, const char *key, bool v)
{
	nbk_json_key(w, key);
	nbk_json_bool(w, v);
}

void nbk_json_key_strvec(struct nbk_json *w, const char *key, const struct nbk_strvec *v)
{
	nbk_json_key(w, key);
	nbk_json_strvec(w, v);
}
