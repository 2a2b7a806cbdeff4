/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MessagePack reader (msgpack.h): one table-free switch over the first
 * byte, big-endian reads through bounds-checked helpers, and a skipper that
 * counts instead of recursing.
 */
#include <string.h>

#include "msgpack.h"

void et_msgpack_init(struct et_msgpack *r, const void *data, size_t len)
{
	r->start = r->p = data;
	r->end = r->start + len;
}

size_t et_msgpack_offset(const struct et_msgpack *r)
{
	return (size_t)(r->p - r->start);
}

size_t et_msgpack_left(const struct et_msgpack *r)
{
	return (size_t)(r->end - r->p);
}

bool et_msgpack_str_is(const struct et_msgpack_value *v, const char *lit)
{
	size_t n = strlen(lit);

	return v->type == ET_MSGPACK_STR && v->len == n && memcmp(v->s, lit, n) == 0;
}

const char *et_msgpack_type_name(enum et_msgpack_type t)
{
	switch (t) {
	case ET_MSGPACK_NIL:
		return "nil";
	case ET_MSGPACK_BOOL:
		return "a boolean";
	case ET_MSGPACK_INT:
	case ET_MSGPACK_UINT:
		return "an integer";
	case ET_MSGPACK_FLOAT:
		return "a float";
	case ET_MSGPACK_STR:
		return "a string";
	case ET_MSGPACK_BIN:
		return "bytes";
	case ET_MSGPACK_EXT:
		return "an extension value";
	case ET_MSGPACK_ARRAY:
		return "an array";
	case ET_MSGPACK_MAP:
		return "a map";
	}
	return "?";
}

/* The n-byte big-endian unsigned number at r->p (n <= 8, checked by the caller). */
static uint64_t be(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static int truncated(struct et_msgpack *r, const unsigned char *at, const char *what,
		     struct nbk_error *err)
{
	return nbk_error_set(err, 0, "offset %zu: truncated %s", (size_t)(at - r->start), what);
}

/* Take n bytes of the head (after its first byte) into *out; -1 when they are not there. */
static int head_bytes(struct et_msgpack *r, unsigned n, const char *what, uint64_t *out,
		      struct nbk_error *err)
{
	if ((size_t)(r->end - r->p) < n)
		return truncated(r, r->p - 1, what, err);
	*out = be(r->p, n);
	r->p += n;
	return 0;
}

/* A str, bin or ext body of len bytes at r->p. */
static int body(struct et_msgpack *r, const unsigned char *head, uint64_t len,
		struct et_msgpack_value *v, const char *what, struct nbk_error *err)
{
	if (len > (uint64_t)(r->end - r->p))
		return nbk_error_set(err, 0, "offset %zu: %s of %llu bytes, %zu left",
				     (size_t)(head - r->start), what, (unsigned long long)len,
				     (size_t)(r->end - r->p));
	v->s = (const char *)r->p;
	v->len = (uint32_t)len;
	r->p += len;
	return 0;
}

/* A container of count items (each at least one byte) at r->p. */
static int container(struct et_msgpack *r, const unsigned char *head, uint64_t count,
		     unsigned per_item, struct et_msgpack_value *v, struct nbk_error *err)
{
	if (count > (uint64_t)(r->end - r->p) / per_item)
		return nbk_error_set(err, 0, "offset %zu: %s of %llu %s, %zu bytes left",
				     (size_t)(head - r->start),
				     per_item == 2 ? "a map" : "an array",
				     (unsigned long long)count, per_item == 2 ? "pairs" : "items",
				     (size_t)(r->end - r->p));
	v->len = (uint32_t)count;
	return 0;
}

/*
 * The value head at r->p (msgpack.h): its first byte picks the family;
 * fixed-size numbers and each length field are read through head_bytes(),
 * which fails at the end of the input; bodies and counts are checked
 * against what is left by body() and container() before r moves past them.
 */
int et_msgpack_next(struct et_msgpack *r, struct et_msgpack_value *v, struct nbk_error *err)
{
	const unsigned char *head = r->p;
	unsigned c;
	uint64_t n;

	memset(v, 0, sizeof(*v));
	if (r->p >= r->end)
		return nbk_error_set(err, 0, "offset %zu: a value expected, the input ends",
				     et_msgpack_offset(r));
	c = *r->p++;
	if (c <= 0x7f || c >= 0xe0) {
		v->type = ET_MSGPACK_INT;
		v->i = c <= 0x7f ? (int64_t)c : (int64_t)c - 256;
		return 0;
	}
	if (c >= 0x80 && c <= 0x8f) {
		v->type = ET_MSGPACK_MAP;
		return container(r, head, c & 0x0f, 2, v, err);
	}
	if (c >= 0x90 && c <= 0x9f) {
		v->type = ET_MSGPACK_ARRAY;
		return container(r, head, c & 0x0f, 1, v, err);
	}
	if (c >= 0xa0 && c <= 0xbf) {
		v->type = ET_MSGPACK_STR;
		return body(r, head, c & 0x1f, v, "a string", err);
	}
	switch (c) {
	case 0xc0:
		v->type = ET_MSGPACK_NIL;
		return 0;
	case 0xc2:
	case 0xc3:
		v->type = ET_MSGPACK_BOOL;
		v->b = c == 0xc3;
		return 0;
	case 0xc4:
	case 0xc5:
	case 0xc6:
		v->type = ET_MSGPACK_BIN;
		if (head_bytes(r, 1u << (c - 0xc4), "bin length", &n, err) < 0)
			return -1;
		return body(r, head, n, v, "bytes", err);
	case 0xc7:
	case 0xc8:
	case 0xc9:
		v->type = ET_MSGPACK_EXT;
		if (head_bytes(r, 1u << (c - 0xc7), "ext length", &n, err) < 0)
			return -1;
		if (r->p >= r->end)
			return truncated(r, head, "ext type", err);
		v->ext_type = (int8_t)*r->p++;
		return body(r, head, n, v, "an extension value", err);
	case 0xca:
	case 0xcb: {
		uint64_t bits;

		v->type = ET_MSGPACK_FLOAT;
		if (head_bytes(r, c == 0xca ? 4 : 8, "float", &bits, err) < 0)
			return -1;
		if (c == 0xca) {
			uint32_t b32 = (uint32_t)bits;
			float f;

			memcpy(&f, &b32, sizeof(f));
			v->f = f;
		} else {
			memcpy(&v->f, &bits, sizeof(v->f));
		}
		return 0;
	}
	case 0xcc:
	case 0xcd:
	case 0xce:
	case 0xcf:
		if (head_bytes(r, 1u << (c - 0xcc), "integer", &n, err) < 0)
			return -1;
		if (n > (uint64_t)INT64_MAX) {
			v->type = ET_MSGPACK_UINT;
			v->u = n;
		} else {
			v->type = ET_MSGPACK_INT;
			v->i = (int64_t)n;
		}
		return 0;
	case 0xd0:
	case 0xd1:
	case 0xd2:
	case 0xd3: {
		unsigned w = 1u << (c - 0xd0);

		v->type = ET_MSGPACK_INT;
		if (head_bytes(r, w, "integer", &n, err) < 0)
			return -1;
		/* sign-extend the w-byte two's complement value */
		if (w < 8 && (n >> (w * 8 - 1)) & 1)
			n |= ~(uint64_t)0 << (w * 8);
		v->i = (int64_t)n;
		return 0;
	}
	case 0xd4:
	case 0xd5:
	case 0xd6:
	case 0xd7:
	case 0xd8:
		v->type = ET_MSGPACK_EXT;
		if (r->p >= r->end)
			return truncated(r, head, "ext type", err);
		v->ext_type = (int8_t)*r->p++;
		return body(r, head, 1u << (c - 0xd4), v, "an extension value", err);
	case 0xd9:
	case 0xda:
	case 0xdb:
		v->type = ET_MSGPACK_STR;
		if (head_bytes(r, 1u << (c - 0xd9), "string length", &n, err) < 0)
			return -1;
		return body(r, head, n, v, "a string", err);
	case 0xdc:
	case 0xdd:
		v->type = ET_MSGPACK_ARRAY;
		if (head_bytes(r, c == 0xdc ? 2 : 4, "array length", &n, err) < 0)
			return -1;
		return container(r, head, n, 1, v, err);
	case 0xde:
	case 0xdf:
		v->type = ET_MSGPACK_MAP;
		if (head_bytes(r, c == 0xde ? 2 : 4, "map length", &n, err) < 0)
			return -1;
		return container(r, head, n, 2, v, err);
	default: /* 0xc1: never used */
		r->p = head;
		return nbk_error_set(err, 0, "offset %zu: byte 0x%02x is not a value",
				     (size_t)(head - r->start), c);
	}
}

/*
 * Skip one whole value: a stack of how many values each open container
 * still holds (a map's pairs count twice); a value read takes one from the
 * top, a container pushes its own count.  At most ET_MSGPACK_MAX_DEPTH
 * containers are open at once; the bound on counts (et_msgpack_next())
 * keeps the total work linear in the input.
 */
int et_msgpack_skip(struct et_msgpack *r, struct nbk_error *err)
{
	uint64_t left[ET_MSGPACK_MAX_DEPTH + 1];
	struct et_msgpack_value v;
	int depth = 0;

	left[0] = 1;
	for (;;) {
		while (depth > 0 && left[depth] == 0)
			depth--;
		if (left[depth] == 0)
			return 0;
		left[depth]--;
		if (et_msgpack_next(r, &v, err) < 0)
			return -1;
		if (v.type != ET_MSGPACK_ARRAY && v.type != ET_MSGPACK_MAP)
			continue;
		if (!v.len)
			continue;
		if (depth == ET_MSGPACK_MAX_DEPTH)
			return nbk_error_set(err, 0, "offset %zu: nested deeper than %d levels",
					     et_msgpack_offset(r), ET_MSGPACK_MAX_DEPTH);
		left[++depth] = v.type == ET_MSGPACK_MAP ? (uint64_t)v.len * 2 : v.len;
	}
}
