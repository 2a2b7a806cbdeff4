/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A MessagePack reader (github.com/msgpack/msgpack, spec.md), for CEP 16's
 * sharded repodata (shards.h): a pull reader over one buffer that hands out
 * one value head at a time.  A container's head says how many items (an
 * array) or key/value pairs (a map) follow; the caller reads them with
 * further calls, or skips a whole value with et_msgpack_skip().
 *
 * Zero copy: a str, bin or ext value points into the buffer (v->s, v->len;
 * not NUL-terminated), which must outlive the values read from it.
 *
 * Hostile input (a channel server is not trusted): every length is checked
 * against the bytes left before it is used: a str, bin or ext of N bytes
 * needs N bytes; an array of N items needs N bytes and a map of N pairs 2N
 * bytes (a value takes at least one byte), so a count from a head may size
 * an allocation.  Nothing recurses: the caller walks containers, and
 * et_msgpack_skip() keeps an explicit stack of at most
 * ET_MSGPACK_MAX_DEPTH open containers.  The reserved byte 0xc1 is an
 * error.  Errors read "offset N: WHAT" (N bytes from the start of the
 * buffer), for the caller to put its subject in front.  Nothing here
 * allocates.
 */
#ifndef LIBCONDA_MSGPACK_H
#define LIBCONDA_MSGPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbkit/error.h"

/* Deepest nesting et_msgpack_skip() goes through (CEP 16 documents nest 4 deep). */
#define ET_MSGPACK_MAX_DEPTH 32

enum et_msgpack_type {
	ET_MSGPACK_NIL,
	ET_MSGPACK_BOOL,  /* v->b */
	ET_MSGPACK_INT,   /* v->i: every integer that fits an int64_t */
	ET_MSGPACK_UINT,  /* v->u: an unsigned one above INT64_MAX */
	ET_MSGPACK_FLOAT, /* v->f: float 32 (widened) or 64 */
	ET_MSGPACK_STR,   /* v->s, v->len */
	ET_MSGPACK_BIN,   /* v->s, v->len */
	ET_MSGPACK_EXT,   /* v->s, v->len, v->ext_type */
	ET_MSGPACK_ARRAY, /* v->len items follow */
	ET_MSGPACK_MAP,   /* v->len key/value pairs follow */
};

struct et_msgpack_value {
	enum et_msgpack_type type;
	bool b;
	int8_t ext_type;
	int64_t i;
	uint64_t u;
	double f;
	const char *s; /* into the buffer; NULL unless STR, BIN or EXT */
	uint32_t len;  /* bytes of s, or the count of a container */
};

/* The reader: a position in a buffer the caller owns. */
struct et_msgpack {
	const unsigned char *start, *p, *end;
};

/* Read the len bytes at data (borrowed: it must outlive r and what r hands out). */
void et_msgpack_init(struct et_msgpack *r, const void *data, size_t len);

/*
 * The value head at r's position into *v, and move past it: past a whole
 * scalar, str, bin or ext; past the head only of an array or map.  Returns
 * 0, or -1 with err ("offset N: ...") at the end of the input, on a
 * truncated value, a length or count larger than what is left, or 0xc1.
 */
int et_msgpack_next(struct et_msgpack *r, struct et_msgpack_value *v, struct nbk_error *err);

/*
 * Skip the whole value at r's position, containers and all, nested at most
 * ET_MSGPACK_MAX_DEPTH deep.  Returns 0, or -1 with err as
 * et_msgpack_next() (and for deeper nesting).
 */
int et_msgpack_skip(struct et_msgpack *r, struct nbk_error *err);

/* Bytes read so far (for messages). */
size_t et_msgpack_offset(const struct et_msgpack *r);

/* Bytes left to read. */
size_t et_msgpack_left(const struct et_msgpack *r);

/* Is v the str lit? */
bool et_msgpack_str_is(const struct et_msgpack_value *v, const char *lit);

/* A name for v's type, for messages ("a map", "a string" ...). */
const char *et_msgpack_type_name(enum et_msgpack_type t);

#endif
