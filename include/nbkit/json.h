/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one JSON writer (issue 10): a streaming writer over struct nbk_buf.
 * Every JSON nbkit writes goes through it (envtool's --json answers,
 * conda-meta records, kernel.json, the repodata cache's state, the
 * transaction journal, JSON log lines); tests/envtool/deps_json_writer.sh
 * keeps hand-built JSON out of the other files.
 *
 * The writer owns the punctuation: commas, colons, indentation, quotes and
 * escapes.  The caller says what comes (object, key, value, end) and, for
 * each container, its layout:
 *
 *   NBK_JSON_COMPACT  {"a":1,"b":[1,2]}        JSON log lines
 *   NBK_JSON_LINE     {"a": 1, "b": [1, 2]}    Python's json.dumps(): micromamba's records
 *   NBK_JSON_PRETTY   json.dumps(indent=2): one member a line, 2 spaces a
 *                     level, "key": value      conda's --json, conda-meta
 *
 * An empty container is {} or [] in every layout.  A container takes its
 * layout when it begins: the writer's (nbk_json_init()), the enclosing
 * container's, or the one nbk_json_layout() set for it.  Nothing follows
 * the top-level value: a file that ends with a newline adds it.
 *
 * Misuse is a programming error, caught by assert() in debug builds: a key
 * outside an object or twice in a row, a value in an object without its
 * key, an end that does not match its begin, a second top-level value,
 * more than NBK_JSON_MAX_DEPTH levels.  Release builds stay memory-safe.
 *
 *	struct nbk_buf out = NBK_BUF_INIT;
 *	struct nbk_json w;
 *
 *	nbk_json_init(&w, &out, NBK_JSON_PRETTY);
 *	nbk_json_object_begin(&w);
 *	nbk_json_key_string(&w, "prefix", prefix);
 *	nbk_json_key_bool(&w, "success", true);
 *	nbk_json_object_end(&w);
 *	nbk_buf_addch(&out, '\n');
 */
#ifndef NBKIT_JSON_H
#define NBKIT_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "nbkit/buf.h"
#include "nbkit/strvec.h"

enum nbk_json_layout {
	NBK_JSON_COMPACT,
	NBK_JSON_LINE,
	NBK_JSON_PRETTY,
};

/* Nesting deeper than this is a bug in the caller: no nbkit document comes close. */
#define NBK_JSON_MAX_DEPTH 32

struct nbk_json {
	struct nbk_buf *out;
	enum nbk_json_layout top;  /* the layout of a top-level container */
	enum nbk_json_layout next; /* the layout of the next container begun */
	unsigned depth;            /* containers open */
	bool key_written;          /* in an object: a key was written, its value comes next */
	bool done;                 /* the top-level value is complete */
	uint8_t level[NBK_JSON_MAX_DEPTH]; /* each open container: layout and flags */
};

/* Write one JSON value to out (appended; out stays the caller's). */
void nbk_json_init(struct nbk_json *w, struct nbk_buf *out, enum nbk_json_layout layout);
/* The next container begun, and those inside it, are laid out as layout. */
void nbk_json_layout(struct nbk_json *w, enum nbk_json_layout layout);

void nbk_json_object_begin(struct nbk_json *w);
void nbk_json_object_end(struct nbk_json *w);
void nbk_json_array_begin(struct nbk_json *w);
void nbk_json_array_end(struct nbk_json *w);
/* A member's name, in an object; its value is the next thing written. */
void nbk_json_key(struct nbk_json *w, const char *key);

/* A string, escaped by nbk_buf_add_json_string(); NULL writes null. */
void nbk_json_string(struct nbk_json *w, const char *s);
void nbk_json_int(struct nbk_json *w, long long v);
void nbk_json_uint(struct nbk_json *w, unsigned long long v);
void nbk_json_bool(struct nbk_json *w, bool v);
void nbk_json_null(struct nbk_json *w);
/*
 * A number the caller formatted ("1.5e3"), written as it is when it is a
 * JSON number (RFC 8259 section 6); anything else is a bug in the caller
 * and writes null.
 */
void nbk_json_raw_number(struct nbk_json *w, const char *number);
/* An array of v's strings, in the layout of the next container. */
void nbk_json_strvec(struct nbk_json *w, const struct nbk_strvec *v);

/* A key and its value, in one call. */
void nbk_json_key_string(struct nbk_json *w, const char *key, const char *s);
void nbk_json_key_int(struct nbk_json *w, const char *key, long long v);
void nbk_json_key_uint(struct nbk_json *w, const char *key, unsigned long long v);
void nbk_json_key_bool(struct nbk_json *w, const char *key, bool v);
void nbk_json_key_strvec(struct nbk_json *w, const char *key, const struct nbk_strvec *v);

/*
 * Append s as a JSON string literal, quotes included (RFC 8259 section 7):
 * '"' and '\\' escaped, \n \r \t as such, the other C0 controls and DEL as
 * \u00XX; valid UTF-8 is copied as it is, and each byte that does not
 * start a valid UTF-8 sequence (RFC 3629: no overlong form, no surrogate,
 * nothing past U+10FFFF) is written as \ufffd, so the output is always
 * valid JSON and the same input always gives the same output.
 */
void nbk_buf_add_json_string(struct nbk_buf *b, const char *s);

#endif
