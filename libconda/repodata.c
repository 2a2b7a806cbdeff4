/* SPDX-License-Identifier: Apache-2.0 */
/*
 * repodata.json -> compact blob -> borrowed records (see repodata.h).
 *
 * The parser is a single pass over a NUL-terminated buffer that keeps only
 * the fields of struct et_record: strings without escapes are hashed and
 * interned straight from the input, everything else is skipped with a
 * validating, non-recursive skipper.  docs/decisions.md has the numbers
 * against jansson, json-c, cJSON and simdjson.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nbkit/str.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/url.h"
#include "repodata.h"
#include "repodata_internal.h"
#include "msgpack.h"

#define BLOB_MAGIC "NBKREPO"
#define BLOB_VERSION 3u
/* A paged cache is read by pages of this many bytes. */
#define BLOB_PAGE ((size_t)4096)
/* Largest repodata.json read from disk (conda-forge's is ~300 MB today). */
#define MAX_JSON_SIZE ((size_t)3 << 30)
/* conda: timestamps above this are milliseconds (records.py). */
#define TIMESTAMP_MS_THRESHOLD 253402300799ULL

enum { L_DEPENDS, L_CONSTRAINS, L_TRACK_FEATURES, L_FEATURES, L_COUNT };

/*
 * On-disk and in-memory layout: header, records (grouped by name, in
 * document order within a name), the name table (one entry a name, in
 * strcmp order: et_repo_name() finds a name by binary search), the list
 * table, the string pool.
 */
struct blob_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint32_t rec_size;
	uint32_t url_off; /* the repo URL the blob was made for */
	uint64_t src_size;
	uint64_t src_mtime_ns;
	uint64_t n_records;
	uint64_t n_lists;
	uint64_t pool_len;
	uint32_t base_off; /* prefix of derived record URLs */
	uint32_t pad;
	uint64_t n_names;
};

struct crec {
	uint32_t name, version, build, subdir, fn, url, md5, sha256, license, license_family;
	uint32_t noarch;
	uint32_t lists[L_COUNT][2]; /* start, count in the list table */
	int64_t build_number;
	uint64_t size;
	uint64_t timestamp_ms;
};

/* A name's records: [first, first + count) of the record table. */
struct bname {
	uint32_t name, first, count;
};

/*
 * A blob and what has been made of it.  Records become et_records only
 * when asked for (issue 14: a request reads the few names it reaches, not
 * the channel): one name's at a time (named[i], the name table's entry i),
 * or every record at once (all).
 */
struct et_repo_blob {
	unsigned char *data; /* header, records, names, lists, pool */
	size_t size;
	/*
	 * A cache read when used (fd >= 0): data is an anonymous reservation
	 * of the file's size whose pages are read from fd when first needed
	 * (blob_need()); loaded[page] says which.  Else (fd -1) data is an
	 * allocation that holds every byte.
	 */
	int fd;
	unsigned char *loaded;
	const struct crec *cr;
	const struct bname *names;
	const uint32_t *lists;
	const char *pool;
	uint64_t n_records, n_names, n_lists, pool_len;
	char *label;              /* "CHANNEL/SUBDIR" for messages */
	const char *base;         /* prefix of derived record URLs, credentials restored */
	struct et_record **named; /* by name entry: one allocation, NULL until made */
	size_t *named_n;
	struct et_record *all;
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static uint64_t load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xc2b2ae3d27d4eb4fULL);
	uint64_t w;

	while (n >= 8) {
		h = (h ^ load64(s)) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	return mix64(h);
}

/* ---- building: pool with interning, records, lists ---- */

struct slot {
	uint32_t off; /* 0: empty (offset 0 is "" and never interned) */
	uint32_t len;
	uint64_t hash;
};

struct builder {
	struct nbk_buf pool;
	struct slot *slots;
	size_t cap, used;
	struct crec *recs;
	size_t n, alloc;
	uint32_t *lists;
	size_t n_lists, alloc_lists;
	uint32_t base_off;
	bool too_big;
};

static void builder_init(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	nbk_buf_init(&b->pool);
	nbk_buf_addch(&b->pool, '\0');
	b->cap = 1 << 12;
	b->slots = nbk_xcalloc(b->cap, sizeof(*b->slots));
}

static void builder_release(struct builder *b)
{
	nbk_buf_release(&b->pool);
	free(b->slots);
	free(b->recs);
	free(b->lists);
	memset(b, 0, sizeof(*b));
}

static uint32_t pool_add(struct builder *b, const char *s, size_t len)
{
	size_t off = b->pool.len;

	if (len == 0)
		return 0;
	if (off + len + 1 > UINT32_MAX) {
		b->too_big = true;
		return 0;
	}
	nbk_buf_add(&b->pool, s, len);
	nbk_buf_addch(&b->pool, '\0');
	return (uint32_t)off;
}

static void intern_grow(struct builder *b)
{
	size_t cap = b->cap * 2, i, j;
	struct slot *slots = nbk_xcalloc(cap, sizeof(*slots));

	for (i = 0; i < b->cap; i++) {
		if (!b->slots[i].off)
			continue;
		for (j = b->slots[i].hash & (cap - 1); slots[j].off; j = (j + 1) & (cap - 1))
			;
		slots[j] = b->slots[i];
	}
	free(b->slots);
	b->slots = slots;
	b->cap = cap;
}

/* Offset of s in the pool, adding it when new. */
static uint32_t intern(struct builder *b, const char *s, size_t len)
{
	uint32_t off;
	uint64_t h;
	size_t i;

	if (len == 0)
		return 0;
	h = hash_bytes(s, len);
	for (i = h & (b->cap - 1); b->slots[i].off; i = (i + 1) & (b->cap - 1)) {
		struct slot *sl = &b->slots[i];

		if (sl->hash == h && sl->len == len && memcmp(b->pool.data + sl->off, s, len) == 0)
			return sl->off;
	}
	off = pool_add(b, s, len);
	if (!off)
		return 0;
	b->slots[i].off = off;
	b->slots[i].len = (uint32_t)len;
	b->slots[i].hash = h;
	if (++b->used * 2 > b->cap)
		intern_grow(b); /* moves the slots: off was saved above */
	return off;
}

static void list_push(struct builder *b, uint32_t off)
{
	if (b->n_lists == b->alloc_lists) {
		b->alloc_lists = b->alloc_lists ? b->alloc_lists * 2 : 1024;
		b->lists = nbk_xrealloc(b->lists, b->alloc_lists * sizeof(*b->lists));
	}
	b->lists[b->n_lists++] = off;
}

static struct crec *rec_new(struct builder *b)
{
	if (b->n == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 256;
		b->recs = nbk_xrealloc(b->recs, b->alloc * sizeof(*b->recs));
	}
	memset(&b->recs[b->n], 0, sizeof(b->recs[b->n]));
	return &b->recs[b->n++];
}

/* ---- the scanner ---- */

struct scanner {
	const char *start, *p, *end;
	const char *label; /* "CHANNEL/SUBDIR" */
	struct nbk_error *err;
	struct nbk_buf scratch; /* unescaped strings */
};

static int scan_error(struct scanner *sc, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int scan_error(struct scanner *sc, const char *at, const char *fmt, ...)
{
	char msg[256];
	unsigned long line = 1, col = 1;
	const char *q;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at > sc->end)
		at = sc->end;
	for (q = sc->start; q < at; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (at >= sc->end)
		return nbk_error_set(sc->err, 0,
				     "repodata of '%s' is truncated: %s at line %lu, column %lu",
				     sc->label, msg, line, col);
	return nbk_error_set(sc->err, 0, "repodata of '%s': line %lu, column %lu: %s", sc->label,
			     line, col, msg);
}

static inline void skip_ws(struct scanner *sc)
{
	const char *p = sc->p;

	for (;;) {
		/* Pretty-printed repodata is indented with runs of spaces. */
		while (p + 8 <= sc->end && load64(p) == 0x2020202020202020ULL)
			p += 8;
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		else
			break;
	}
	sc->p = p;
}

static int unexpected(struct scanner *sc, const char *what)
{
	unsigned char c = (unsigned char)*sc->p;

	if (sc->p >= sc->end)
		return scan_error(sc, sc->p, "expected %s", what);
	if (c >= 0x20 && c < 0x7f)
		return scan_error(sc, sc->p, "expected %s, found '%c'", what, c);
	return scan_error(sc, sc->p, "expected %s, found byte 0x%02x", what, c);
}

static inline int expect(struct scanner *sc, char c, const char *what)
{
	skip_ws(sc);
	if (*sc->p != c || sc->p >= sc->end)
		return unexpected(sc, what);
	sc->p++;
	return 0;
}

/* clang-format 14 reads "(x) - 1" as a cast */
/* clang-format off */
#define HAS_ZERO(x) (((x) - 0x0101010101010101ULL) & ~(x) & 0x8080808080808080ULL)
#define HAS_LESS(x, n) (((x) - 0x0101010101010101ULL * (n)) & ~(x) & 0x8080808080808080ULL)
/* clang-format on */

static int read_hex4(struct scanner *sc, const char *p, unsigned *out)
{
	unsigned v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if (p + i >= sc->end)
			return scan_error(sc, sc->end, "unfinished \\u escape");
		d = nbk_hex_digit(p[i]);
		if (d < 0)
			return scan_error(sc, p + i, "invalid \\u escape");
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return 0;
}

static void add_utf8(struct nbk_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	nbk_buf_add(b, u, n);
}

/* Slow path of parse_string: from the first backslash at p. */
static int unescape_rest(struct scanner *sc, const char *s, const char *p, const char **out,
			 size_t *len)
{
	struct nbk_buf *b = &sc->scratch;
	unsigned cp, lo;

	nbk_buf_reset(b);
	nbk_buf_add(b, s, (size_t)(p - s));
	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (p >= sc->end)
			return scan_error(sc, p, "unterminated string");
		if (c == '"')
			break;
		if (c < 0x20)
			return scan_error(sc, p, "control character in a string");
		if (b->len > ET_REPO_MAX_STRING)
			return scan_error(sc, s, "string longer than %d bytes", ET_REPO_MAX_STRING);
		if (c != '\\') {
			nbk_buf_addch(b, (char)c);
			p++;
			continue;
		}
		p++;
		switch (*p) {
		case '"':
			nbk_buf_addch(b, '"');
			break;
		case '\\':
			nbk_buf_addch(b, '\\');
			break;
		case '/':
			nbk_buf_addch(b, '/');
			break;
		case 'b':
			nbk_buf_addch(b, '\b');
			break;
		case 'f':
			nbk_buf_addch(b, '\f');
			break;
		case 'n':
			nbk_buf_addch(b, '\n');
			break;
		case 'r':
			nbk_buf_addch(b, '\r');
			break;
		case 't':
			nbk_buf_addch(b, '\t');
			break;
		case 'u':
			if (read_hex4(sc, p + 1, &cp) < 0)
				return -1;
			p += 4;
			if (cp == 0)
				return scan_error(sc, p - 5, "\\u0000 in a string");
			if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u' &&
			    read_hex4(sc, p + 3, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd; /* a lone surrogate, as Python's decoder would replace it */
			}
			add_utf8(b, cp);
			break;
		default:
			if (p >= sc->end)
				return scan_error(sc, p, "unterminated string");
			return scan_error(sc, p - 1, "invalid escape in a string");
		}
		p++;
	}
	sc->p = p + 1;
	if (b->len > ET_REPO_MAX_STRING)
		return scan_error(sc, s, "string longer than %d bytes", ET_REPO_MAX_STRING);
	*out = b->data;
	*len = b->len;
	return 0;
}

/*
 * Skip, 8 bytes at a time, the bytes from p on that a string holds as they
 * are: stop at the first 8-byte word holding a '"', a backslash or a
 * control character, or where fewer than 8 bytes are left before end.  The
 * caller looks at what follows byte by byte.
 */
static inline const char *plain_run_end(const char *p, const char *end)
{
	while (p + 8 <= end) {
		uint64_t x = load64(p);

		if (HAS_ZERO(x ^ 0x2222222222222222ULL) || HAS_ZERO(x ^ 0x5c5c5c5c5c5c5c5cULL) ||
		    HAS_LESS(x, 0x20))
			break;
		p += 8;
	}
	return p;
}

/*
 * At a '"' (after skip_ws): the string's bytes, pointing into the input when
 * it has no escapes, else into sc->scratch (valid until the next string).
 */
static int parse_string(struct scanner *sc, const char **out, size_t *len)
{
	const char *s, *p;

	skip_ws(sc);
	if (*sc->p != '"' || sc->p >= sc->end)
		return unexpected(sc, "a string");
	s = p = sc->p + 1;
	for (;;) {
		p = plain_run_end(p, sc->end);
		if (*p == '"' && p < sc->end)
			break;
		if (*p == '\\' && p < sc->end)
			return unescape_rest(sc, s, p, out, len);
		if ((unsigned char)*p < 0x20) {
			if (p >= sc->end)
				return scan_error(sc, p, "unterminated string");
			return scan_error(sc, p, "control character in a string");
		}
		p++;
	}
	if ((size_t)(p - s) > ET_REPO_MAX_STRING)
		return scan_error(sc, s, "string longer than %d bytes", ET_REPO_MAX_STRING);
	sc->p = p + 1;
	*out = s;
	*len = (size_t)(p - s);
	return 0;
}

/* Skip a string without keeping it (no length limit: nothing is stored). */
static int skip_string(struct scanner *sc)
{
	const char *p = sc->p + 1;

	for (;;) {
		p = plain_run_end(p, sc->end);
		if (p >= sc->end)
			return scan_error(sc, p, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			p++;
			if (p >= sc->end)
				return scan_error(sc, p, "unterminated string");
			if (!*p || !strchr("\"\\/bfnrtu", *p))
				return scan_error(sc, p - 1, "invalid escape in a string");
		} else if ((unsigned char)*p < 0x20) {
			return scan_error(sc, p, "control character in a string");
		}
		p++;
	}
	sc->p = p + 1;
	return 0;
}

/*
 * A JSON number at sc->p.  *is_int tells whether it had no fraction or
 * exponent; then *ival holds it (error on int64 overflow), else *dval.
 */
static int parse_number(struct scanner *sc, bool *is_int, int64_t *ival, double *dval)
{
	const char *p = sc->p, *s = sc->p;
	bool neg = false, frac = false;
	uint64_t v = 0;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p < '0' || *p > '9')
		return unexpected(sc, "a value");
	if (*p == '0') {
		p++;
	} else {
		while (*p >= '0' && *p <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return scan_error(sc, s, "number out of range");
			v = v * 10 + (uint64_t)(*p - '0');
			p++;
		}
	}
	if (*p == '.') {
		frac = true;
		p++;
		if (*p < '0' || *p > '9')
			return scan_error(sc, p, "digit expected in a number");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		frac = true;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return scan_error(sc, p, "digit expected in a number");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (p > sc->end)
		return scan_error(sc, sc->end, "unfinished number");
	sc->p = p;
	*is_int = !frac;
	if (frac) {
		char tmp[64];
		size_t n = (size_t)(p - s);

		if (n >= sizeof(tmp))
			return scan_error(sc, s, "number too long");
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		*dval = strtod(tmp, NULL);
		return 0;
	}
	if (v > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return scan_error(sc, s, "number out of range");
	*ival = neg ? (int64_t)(0 - v) : (int64_t)v;
	*dval = (double)*ival;
	return 0;
}

static int parse_literal(struct scanner *sc)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(lits[i]);
		if (sc->p + n <= sc->end && memcmp(sc->p, lits[i], n) == 0) {
			sc->p += n;
			return 0;
		}
	}
	return unexpected(sc, "a value");
}

/*
 * Skip the JSON value at sc->p (after blanks), whatever it is, checking its
 * syntax all the way: an explicit stack of at most ET_REPO_MAX_DEPTH open
 * containers instead of recursion, so a hostile file cannot exhaust the C
 * stack.  On success sc->p is just past the value.  Returns 0, or -1 with
 * sc's error set (line and column): malformed JSON, the end of the input,
 * or nesting deeper than ET_REPO_MAX_DEPTH.  Allocates nothing.
 */
static int skip_value(struct scanner *sc)
{
	char stack[ET_REPO_MAX_DEPTH];
	int depth = 0;
	bool is_int;
	int64_t iv;
	double dv;

	for (;;) {
		skip_ws(sc);
		switch (*sc->p) {
		case '{':
		case '[':
			if (depth == ET_REPO_MAX_DEPTH)
				return scan_error(sc, sc->p, "nested deeper than %d levels",
						  ET_REPO_MAX_DEPTH);
			stack[depth++] = *sc->p == '{' ? '}' : ']';
			sc->p++;
			skip_ws(sc);
			if (*sc->p == stack[depth - 1]) {
				sc->p++;
				depth--;
				break;
			}
			if (stack[depth - 1] == '}') {
				if (*sc->p != '"')
					return unexpected(sc, "a key");
				if (skip_string(sc) < 0 || expect(sc, ':', "':'") < 0)
					return -1;
			}
			continue;
		case '"':
			if (skip_string(sc) < 0)
				return -1;
			break;
		case 't':
		case 'f':
		case 'n':
			if (parse_literal(sc) < 0)
				return -1;
			break;
		default:
			if (sc->p >= sc->end)
				return unexpected(sc, "a value");
			if (parse_number(sc, &is_int, &iv, &dv) < 0)
				return -1;
			break;
		}
		/* After a value: close containers or move to the next item. */
		for (;;) {
			if (depth == 0)
				return 0;
			skip_ws(sc);
			if (*sc->p == stack[depth - 1] && sc->p < sc->end) {
				sc->p++;
				depth--;
				continue;
			}
			if (*sc->p != ',' || sc->p >= sc->end)
				return unexpected(sc, stack[depth - 1] == '}' ? "',' or '}'"
									      : "',' or ']'");
			sc->p++;
			if (stack[depth - 1] == '}') {
				skip_ws(sc);
				if (*sc->p != '"')
					return unexpected(sc, "a key");
				if (skip_string(sc) < 0 || expect(sc, ':', "':'") < 0)
					return -1;
			}
			break;
		}
	}
}

static bool at_null(struct scanner *sc)
{
	skip_ws(sc);
	if (sc->p + 4 <= sc->end && memcmp(sc->p, "null", 4) == 0) {
		sc->p += 4;
		return true;
	}
	return false;
}

/*
 * Iterate an object: call with *first = true before the first member.
 * Returns 1 with the key in key/len (valid until the next string), 0 at
 * the closing brace, -1 on error.
 */
static int object_next(struct scanner *sc, bool *first, const char **key, size_t *len)
{
	skip_ws(sc);
	if (*first) {
		*first = false;
		if (*sc->p == '}' && sc->p < sc->end) {
			sc->p++;
			return 0;
		}
	} else {
		if (*sc->p == '}' && sc->p < sc->end) {
			sc->p++;
			return 0;
		}
		if (*sc->p != ',' || sc->p >= sc->end)
			return unexpected(sc, "',' or '}'");
		sc->p++;
	}
	if (parse_string(sc, key, len) < 0)
		return -1;
	if (expect(sc, ':', "':' after a key") < 0)
		return -1;
	skip_ws(sc);
	return 1;
}

static int array_next(struct scanner *sc, bool *first)
{
	skip_ws(sc);
	if (*sc->p == ']' && sc->p < sc->end) {
		sc->p++;
		return 0;
	}
	if (*first) {
		*first = false;
	} else {
		if (*sc->p != ',' || sc->p >= sc->end)
			return unexpected(sc, "',' or ']'");
		sc->p++;
		skip_ws(sc);
	}
	return 1;
}

/* ---- record fields: what each repodata key means, whatever the syntax ---- */

#define KEY_IS(k, n, lit) ((n) == sizeof(lit) - 1 && memcmp((k), (lit), sizeof(lit) - 1) == 0)

/*
 * The keys of a record that are kept, and how: the one owner of what a
 * repodata field means, for the JSON scanner (parse_record()) and CEP 16's
 * msgpack shards (et_repo_from_shards()) alike.  A syntax reads a value and
 * hands it to a fill_*() setter below; a key not in the table is skipped.
 */
enum field {
	F_UNKNOWN,
	F_NAME,
	F_VERSION,
	F_BUILD,
	F_BUILD_NUMBER,
	F_DEPENDS,
	F_REQUIRES,
	F_CONSTRAINS,
	F_TRACK_FEATURES,
	F_FEATURES,
	F_SUBDIR,
	F_MD5,
	F_SHA256,
	F_LICENSE,
	F_LICENSE_FAMILY,
	F_URL,
	F_SIZE,
	F_TIMESTAMP,
	F_NOARCH,
	F_COUNT
};

enum field_kind {
	FK_STRING, /* a string; null is absent */
	FK_INT,    /* an integer from 0 to max; null is 0 */
	FK_LIST,   /* a list of strings; null is empty */
	FK_WORDS, /* a list of strings or one string, split on spaces and commas (conda's legacy form) */
	FK_NOARCH, /* "python"; another non-empty string or true (generic); false or null */
};

struct field_spec {
	const char *key;
	size_t key_len;
	enum field_kind kind;
	size_t member; /* offsetof() the crec field it fills */
	bool intern; /* FK_STRING: shared in the pool (names ...), else kept once (hashes, URLs) */
	uint8_t bin_len; /* FK_STRING: a binary syntax may give it as bytes, kept as hex (CEP 16) */
	bool allow_float; /* FK_INT: a float in range is truncated (timestamps written by Python) */
	int64_t max;      /* FK_INT */
};

#define FIELD(k, kind, m) k, sizeof(k) - 1, kind, offsetof(struct crec, m)

static const struct field_spec fields[F_COUNT] = {
	[F_NAME] = { FIELD("name", FK_STRING, name), .intern = true },
	[F_VERSION] = { FIELD("version", FK_STRING, version), .intern = true },
	[F_BUILD] = { FIELD("build", FK_STRING, build), .intern = true },
	[F_BUILD_NUMBER] = { FIELD("build_number", FK_INT, build_number), .max = INT32_MAX },
	[F_DEPENDS] = { FIELD("depends", FK_LIST, lists[L_DEPENDS]) },
	/* the legacy list: depends when the record has none (fill_end()) */
	[F_REQUIRES] = { "requires", 8, FK_LIST, 0 },
	[F_CONSTRAINS] = { FIELD("constrains", FK_LIST, lists[L_CONSTRAINS]) },
	[F_TRACK_FEATURES] = { FIELD("track_features", FK_WORDS, lists[L_TRACK_FEATURES]) },
	[F_FEATURES] = { FIELD("features", FK_WORDS, lists[L_FEATURES]) },
	[F_SUBDIR] = { FIELD("subdir", FK_STRING, subdir), .intern = true },
	[F_MD5] = { FIELD("md5", FK_STRING, md5), .bin_len = 16 },
	[F_SHA256] = { FIELD("sha256", FK_STRING, sha256), .bin_len = 32 },
	[F_LICENSE] = { FIELD("license", FK_STRING, license), .intern = true },
	[F_LICENSE_FAMILY] = { FIELD("license_family", FK_STRING, license_family), .intern = true },
	[F_URL] = { FIELD("url", FK_STRING, url) },
	[F_SIZE] = { FIELD("size", FK_INT, size), .max = INT64_MAX },
	/* conda: above TIMESTAMP_MS_THRESHOLD milliseconds, below seconds */
	[F_TIMESTAMP] = { FIELD("timestamp", FK_INT, timestamp_ms), .allow_float = true,
			  .max = INT64_MAX / 2 },
	[F_NOARCH] = { FIELD("noarch", FK_NOARCH, noarch) },
};

/*
 * The field of key k (n bytes), or F_UNKNOWN.  Hot (every key of every
 * record of a 300 MB repodata): the keys are tried by length, a few each,
 * as the if-chain before the table was; a key added to fields[] is added
 * to its length's case here (the repodata tests read every field).
 */
static enum field field_lookup(const char *k, size_t n)
{
#define TRY(f)                                    \
	do {                                      \
		if (!memcmp(k, fields[f].key, n)) \
			return f;                 \
	} while (0)
	switch (n) {
	case 3:
		TRY(F_MD5);
		TRY(F_URL);
		break;
	case 4:
		TRY(F_NAME);
		TRY(F_SIZE);
		break;
	case 5:
		TRY(F_BUILD);
		break;
	case 6:
		TRY(F_SUBDIR);
		TRY(F_SHA256);
		TRY(F_NOARCH);
		break;
	case 7:
		TRY(F_VERSION);
		TRY(F_DEPENDS);
		TRY(F_LICENSE);
		break;
	case 8:
		TRY(F_REQUIRES);
		TRY(F_FEATURES);
		break;
	case 9:
		TRY(F_TIMESTAMP);
		break;
	case 10:
		TRY(F_CONSTRAINS);
		break;
	case 12:
		TRY(F_BUILD_NUMBER);
		break;
	case 14:
		TRY(F_TRACK_FEATURES);
		TRY(F_LICENSE_FAMILY);
		break;
	}
#undef TRY
	return F_UNKNOWN;
}

/* What a field's value must be, for messages; binary: in a syntax that has bytes. */
static const char *field_expects(enum field fld, bool binary)
{
	switch (fields[fld].kind) {
	case FK_STRING:
		return binary && fields[fld].bin_len ? "a string or bytes" : "a string";
	case FK_INT:
		return "a number";
	case FK_LIST:
		return "a list of strings";
	case FK_WORDS:
		return "a string or a list of strings";
	case FK_NOARCH:
		return "a string, a boolean or null";
	}
	return "?";
}

/* The record being filled, the last of b's. */
struct rec_fill {
	struct builder *b;
	const char *fn;       /* NUL-terminated, for messages */
	uint32_t requires[2]; /* the legacy list */
	bool has_depends, has_requires;
};

static struct crec *fill_rec(const struct rec_fill *f)
{
	return &f->b->recs[f->b->n - 1];
}

/* The uint32_t (a pool offset, or a list's start and count) that fld fills. */
static uint32_t *fill_slot(struct rec_fill *f, enum field fld)
{
	if (fld == F_REQUIRES)
	return f->requires;
	return (uint32_t *)(void *)((char *)fill_rec(f) + fields[fld].member);
}

/* Start a record in b for the archive named key (key_len bytes; fn is it, NUL-terminated). */
static void fill_begin(struct rec_fill *f, struct builder *b, const char *fn, const char *key,
		       size_t key_len)
{
	struct crec *r;

	memset(f, 0, sizeof(*f));
	f->b = b;
	f->fn = fn;
	r = rec_new(b);
	r->fn = pool_add(b, key, key_len);
}

/* An FK_STRING field: s of n bytes (n == 0: absent, as null). */
static void fill_string(struct rec_fill *f, enum field fld, const char *s, size_t n)
{
	uint32_t off = fields[fld].intern ? intern(f->b, s, n) : pool_add(f->b, s, n);

	*fill_slot(f, fld) = off;
}

/*
 * An FK_INT field: iv when is_int, else dv.  Returns NULL, or the end of
 * the message that refuses it ("out of range" ...).
 */
static const char *fill_number(struct rec_fill *f, enum field fld, bool is_int, int64_t iv,
			       double dv)
{
	const struct field_spec *fs = &fields[fld];
	struct crec *r = fill_rec(f);

	if (!is_int) {
		if (!fs->allow_float || !(dv >= 0 && dv <= (double)fs->max))
			return fs->allow_float ? "must be a number in range" : "must be an integer";
		iv = (int64_t)dv;
	}
	if (iv < 0 || iv > fs->max)
		return "out of range";
	if (fld == F_BUILD_NUMBER)
		r->build_number = iv;
	else if (fld == F_SIZE)
		r->size = (uint64_t)iv;
	else if (fld == F_TIMESTAMP)
		r->timestamp_ms = (uint64_t)iv > TIMESTAMP_MS_THRESHOLD ? (uint64_t)iv
									: (uint64_t)iv * 1000;
	return NULL;
}

/* Split s on spaces and commas (conda's legacy string form of a list). */
static void split_words(struct builder *b, const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '\t'))
			i++;
		j = i;
		while (j < n && s[j] != ' ' && s[j] != ',' && s[j] != '\t')
			j++;
		if (j > i)
			list_push(b, intern(b, s + i, j - i));
		i = j;
	}
}

/* Start an FK_LIST or FK_WORDS field (null: empty, and nothing more to call). */
static void fill_list_begin(struct rec_fill *f, enum field fld, bool null)
{
	uint32_t *range = fill_slot(f, fld);

	range[0] = (uint32_t)f->b->n_lists;
	range[1] = 0;
	if (fld == F_DEPENDS)
		f->has_depends = !null; /* "depends": null counts as none */
	else if (fld == F_REQUIRES)
		f->has_requires = true;
}

/* One string of the list (FK_WORDS: its words); an empty one adds nothing. */
static void fill_list_add(struct rec_fill *f, enum field fld, const char *s, size_t n)
{
	if (fields[fld].kind == FK_WORDS)
		split_words(f->b, s, n);
	else if (n)
		list_push(f->b, intern(f->b, s, n));
}

/* The list is whole: NULL, or why it is refused. */
static const char *fill_list_end(struct rec_fill *f, enum field fld)
{
	uint32_t *range = fill_slot(f, fld);
	size_t start = range[0];

	if (f->b->n_lists - start > UINT32_MAX || f->b->n_lists > UINT32_MAX)
		return "too many list entries";
	range[1] = (uint32_t)(f->b->n_lists - start);
	return NULL;
}

/* noarch: the string s (n bytes), or a boolean (s NULL; null is false). */
static void fill_noarch(struct rec_fill *f, const char *s, size_t n, bool yes)
{
	struct crec *r = fill_rec(f);

	if (s)
		r->noarch = KEY_IS(s, n, "python") ? ET_NOARCH_PYTHON
			    : n                    ? ET_NOARCH_GENERIC
						   : ET_NOARCH_NONE;
	else
		r->noarch = yes ? ET_NOARCH_GENERIC : ET_NOARCH_NONE;
}

/*
 * After the record's last field: requires stands for depends when there
 * is none, the repo's subdir for a missing one.  Returns NULL, or why the
 * record is refused ("has no 'name'" ...).
 */
static const char *fill_end(struct rec_fill *f, uint32_t repo_subdir)
{
	struct crec *r = fill_rec(f);

	if (!r->name)
		return "has no 'name'";
	if (!r->version)
		return "has no 'version'";
	if (!f->has_depends && f->has_requires) {
		r->lists[L_DEPENDS][0] = f->requires[0];
		r->lists[L_DEPENDS][1] = f->requires[1];
	}
	if (!r->subdir)
		r->subdir = repo_subdir;
	return NULL;
}

/* ---- records in JSON ---- */

static int field_error(struct scanner *sc, const struct rec_fill *f, enum field fld,
		       const char *why)
{
	return scan_error(sc, sc->p, "package '%s': '%s' %s", f->fn, fields[fld].key, why);
}

static int field_type_error(struct scanner *sc, const struct rec_fill *f, enum field fld)
{
	return scan_error(sc, sc->p, "package '%s': '%s' must be %s", f->fn, fields[fld].key,
			  field_expects(fld, false));
}

static int json_string(struct scanner *sc, struct rec_fill *f, enum field fld)
{
	const char *s;
	size_t n;

	if (at_null(sc)) {
		fill_string(f, fld, NULL, 0);
		return 0;
	}
	if (*sc->p != '"')
		return field_type_error(sc, f, fld);
	if (parse_string(sc, &s, &n) < 0)
		return -1;
	fill_string(f, fld, s, n);
	return 0;
}

static int json_number(struct scanner *sc, struct rec_fill *f, enum field fld)
{
	const char *why;
	bool is_int = true;
	int64_t iv = 0;
	double dv = 0;

	if (!at_null(sc)) {
		if (*sc->p != '-' && (*sc->p < '0' || *sc->p > '9'))
			return field_type_error(sc, f, fld);
		if (parse_number(sc, &is_int, &iv, &dv) < 0)
			return -1;
	}
	if ((why = fill_number(f, fld, is_int, iv, dv)))
		return field_error(sc, f, fld, why);
	return 0;
}

/* A list of strings (or, for FK_WORDS, a string of words); null = empty. */
static int json_list(struct scanner *sc, struct rec_fill *f, enum field fld)
{
	const char *s, *why;
	size_t n;
	bool first = true;
	int r;

	if (at_null(sc)) {
		fill_list_begin(f, fld, true);
		return 0;
	}
	fill_list_begin(f, fld, false);
	if (*sc->p == '"' && fields[fld].kind == FK_WORDS) {
		if (parse_string(sc, &s, &n) < 0)
			return -1;
		fill_list_add(f, fld, s, n);
	} else if (*sc->p == '[') {
		sc->p++;
		while ((r = array_next(sc, &first)) > 0) {
			if (*sc->p != '"')
				return field_type_error(sc, f, fld);
			if (parse_string(sc, &s, &n) < 0)
				return -1;
			fill_list_add(f, fld, s, n);
		}
		if (r < 0)
			return -1;
	} else {
		return field_type_error(sc, f, fld);
	}
	if ((why = fill_list_end(f, fld)))
		return scan_error(sc, sc->p, "%s", why);
	return 0;
}

static int json_noarch(struct scanner *sc, struct rec_fill *f)
{
	const char *s;
	size_t n;

	skip_ws(sc);
	if (*sc->p == '"') {
		if (parse_string(sc, &s, &n) < 0)
			return -1;
		fill_noarch(f, s, n, false);
	} else if (sc->p + 4 <= sc->end && memcmp(sc->p, "true", 4) == 0) {
		sc->p += 4;
		fill_noarch(f, NULL, 0, true);
	} else if (*sc->p == 'f' || *sc->p == 'n') {
		if (parse_literal(sc) < 0)
			return -1;
		fill_noarch(f, NULL, 0, false);
	} else {
		return field_type_error(sc, f, F_NOARCH);
	}
	return 0;
}

/* The JSON value at sc->p into the field fld of f's record. */
static int json_field(struct scanner *sc, struct rec_fill *f, enum field fld)
{
	switch (fields[fld].kind) {
	case FK_STRING:
		return json_string(sc, f, fld);
	case FK_INT:
		return json_number(sc, f, fld);
	case FK_LIST:
	case FK_WORDS:
		return json_list(sc, f, fld);
	case FK_NOARCH:
		return json_noarch(sc, f);
	}
	return skip_value(sc);
}

/*
 * Parse one entry of "packages" or "packages.conda": key (key_len bytes,
 * the archive's file name) and, at sc->p, its object.  Appends one record
 * to b (its strings and lists interned in b's pool, owned by b); what each
 * key means is the fill_*() setters'; unknown keys are skipped.  On return
 * sc->p is past the object.  Returns 0, or -1 with sc's error set (line
 * and column, the package named): a value of the wrong type or out of
 * range, no name or version, strings over 4 GiB, malformed JSON.  After a
 * failure b holds a partial record: the caller drops the whole builder.
 */
static int parse_record(struct scanner *sc, struct builder *b, uint32_t repo_subdir,
			const char *key, size_t key_len)
{
	_cleanup_free_ char *fn = nbk_xstrndup(key, key_len);
	struct rec_fill f;
	bool first = true;
	const char *k, *why;
	size_t n;
	int ret;

	if (*sc->p != '{')
		return scan_error(sc, sc->p, "package '%s' must be an object", fn);
	sc->p++;
	fill_begin(&f, b, fn, key, key_len);
	while ((ret = object_next(sc, &first, &k, &n)) > 0) {
		enum field fld = field_lookup(k, n);

		if ((fld == F_UNKNOWN ? skip_value(sc) : json_field(sc, &f, fld)) < 0)
			return -1;
	}
	if (ret < 0)
		return -1;
	if (b->too_big)
		return scan_error(sc, sc->p, "more than 4 GiB of strings");
	if ((why = fill_end(&f, repo_subdir)))
		return scan_error(sc, sc->p, "package '%s' %s", fn, why);
	return 0;
}

static int parse_packages(struct scanner *sc, struct builder *b, uint32_t repo_subdir)
{
	bool first = true;
	const char *k;
	size_t n;
	int r;

	if (at_null(sc))
		return 0;
	if (*sc->p != '{')
		return scan_error(sc, sc->p, "'packages' must be an object");
	sc->p++;
	while ((r = object_next(sc, &first, &k, &n)) > 0) {
		if (parse_record(sc, b, repo_subdir, k, n) < 0)
			return -1;
	}
	return r;
}

static int parse_info(struct scanner *sc, struct builder *b, uint32_t *base_url)
{
	bool first = true;
	const char *k, *s;
	size_t n, sn;
	int r;

	if (at_null(sc))
		return 0;
	if (*sc->p != '{')
		return scan_error(sc, sc->p, "'info' must be an object");
	sc->p++;
	while ((r = object_next(sc, &first, &k, &n)) > 0) {
		if (KEY_IS(k, n, "base_url") && *sc->p == '"') {
			if (parse_string(sc, &s, &sn) < 0)
				return -1;
			*base_url = pool_add(b, s, sn);
		} else if (skip_value(sc) < 0) {
			return -1;
		}
	}
	return r;
}

/* Drop .tar.bz2 records whose .conda twin is in the repo (conda's rule). */
static void drop_tarbz2_twins(struct builder *b)
{
	size_t cap = 16, i, j, out, n_conda = 0;
	uint64_t *set;

	for (i = 0; i < b->n; i++) {
		const char *fn = b->pool.data + b->recs[i].fn;

		if (nbk_str_ends_with(fn, ".conda"))
			n_conda++;
	}
	if (n_conda == 0 || n_conda == b->n)
		return;
	while (cap < n_conda * 2)
		cap *= 2;
	set = nbk_xcalloc(cap, sizeof(*set)); /* rec index + 1 */
	for (i = 0; i < b->n; i++) {
		const char *fn = b->pool.data + b->recs[i].fn;
		size_t len = strlen(fn);

		if (!nbk_mem_ends_with(fn, len, ".conda"))
			continue;
		for (j = hash_bytes(fn, len - 6) & (cap - 1); set[j]; j = (j + 1) & (cap - 1))
			;
		set[j] = i + 1;
	}
	for (i = 0, out = 0; i < b->n; i++) {
		const char *fn = b->pool.data + b->recs[i].fn;
		size_t len = strlen(fn);
		bool twin = false;

		if (nbk_mem_ends_with(fn, len, ".tar.bz2")) {
			for (j = hash_bytes(fn, len - 8) & (cap - 1); set[j];
			     j = (j + 1) & (cap - 1)) {
				const char *c = b->pool.data + b->recs[set[j] - 1].fn;

				if (strlen(c) == len - 8 + 6 && memcmp(c, fn, len - 8) == 0) {
					twin = true;
					break;
				}
			}
		}
		if (!twin)
			b->recs[out++] = b->recs[i];
	}
	b->n = out;
	free(set);
}

/*
 * Resolve a base_url (CEP 15's, CEP 16's) against the repodata's own URL
 * (url is CHANNEL/SUBDIR): absolute URLs are kept, "//host/x" takes url's
 * scheme, "/x" is on url's host, "../x" climbs from url (never above its
 * host).
 */
char *et_repo_resolve_base(const char *url, const char *base)
{
	struct nbk_buf b = NBK_BUF_INIT;
	const char *scheme_end = url ? strstr(url, "://") : NULL;
	size_t keep;

	if (strstr(base, "://") || !url || !*url || (base[0] == '/' && !scheme_end)) {
		nbk_buf_addstr(&b, base);
	} else if (base[0] == '/' && base[1] == '/') {
		nbk_buf_add(&b, url, (size_t)(scheme_end - url) + 1); /* "//host/x": url's scheme */
		nbk_buf_addstr(&b, base);
	} else if (base[0] == '/') {
		const char *host_end = strchr(scheme_end + 3, '/');

		nbk_buf_add(&b, url, host_end ? (size_t)(host_end - url) : strlen(url));
		nbk_buf_addstr(&b, base);
	} else {
		nbk_buf_addstr(&b, url);
		scheme_end = strstr(b.data, "://");
		keep = scheme_end ? (size_t)(scheme_end - b.data) + 3 : 0;
		while (*base) {
			if (strncmp(base, "./", 2) == 0) {
				base += 2;
			} else if (strncmp(base, "../", 3) == 0 || strcmp(base, "..") == 0) {
				char *slash = strrchr(b.data + keep, '/');

				if (slash)
					b.len = (size_t)(slash - b.data);
				b.data[b.len] = '\0';
				base += base[2] ? 3 : 2;
			} else {
				nbk_buf_addch(&b, '/');
				nbk_buf_addstr(&b, base);
				break;
			}
		}
	}
	while (b.len > 0 && b.data[b.len - 1] == '/')
		b.len--;
	b.data[b.len] = '\0';
	return nbk_buf_detach(&b, NULL);
}

/* ---- blob ---- */

static void blob_free(struct et_repo_blob *blob)
{
	uint64_t i;

	if (!blob)
		return;
	if (blob->fd >= 0) {
		munmap(blob->data, blob->size);
		close(blob->fd);
		free(blob->loaded);
	} else {
		free(blob->data);
	}
	for (i = 0; blob->named && i < blob->n_names; i++)
		free(blob->named[i]);
	free(blob->named);
	free(blob->named_n);
	free(blob->all);
	free(blob->label);
	free(blob);
}

/*
 * Make bytes [off, off + len) of a blob present: a paged blob reads the
 * pages it lacks (runs of them at once).  A page that cannot be read
 * stays zeros (its strings empty, its records refused): the cache is only
 * a cache.
 */
static void blob_need(struct et_repo_blob *blob, size_t off, size_t len)
{
	size_t pg, last, run;

	if (blob->fd < 0 || !len || off >= blob->size)
		return;
	if (len > blob->size - off)
		len = blob->size - off;
	last = (off + len - 1) / BLOB_PAGE;
	for (pg = off / BLOB_PAGE; pg <= last; pg++) {
		size_t at, end;

		if (blob->loaded[pg])
			continue;
		for (run = pg; run < last && !blob->loaded[run + 1]; run++)
			;
		at = pg * BLOB_PAGE;
		end = (run + 1) * BLOB_PAGE < blob->size ? (run + 1) * BLOB_PAGE : blob->size;
		while (at < end) {
			ssize_t r = pread(blob->fd, blob->data + at, end - at, (off_t)at);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				nbk_debug("binary cache: cannot read %zu bytes at %zu", end - at,
					  at);
				break;
			}
			at += (size_t)r;
		}
		memset(blob->loaded + pg, 1, run - pg + 1);
		pg = run;
	}
}

/* The string at pool offset off (below pool_len: its NUL is there), made present. */
static const char *blob_str(struct et_repo_blob *blob, uint32_t off)
{
	const char *p = blob->pool + off;
	size_t at = (size_t)((const unsigned char *)p - blob->data);

	while (blob->fd >= 0) {
		size_t end = (at / BLOB_PAGE + 1) * BLOB_PAGE;

		if (end > blob->size)
			end = blob->size;
		blob_need(blob, at, 1);
		if (end <= at || memchr(blob->data + at, '\0', end - at))
			break;
		at = end;
	}
	return p;
}

/* The blob's size; the offsets of its parts. */
static size_t blob_layout(const struct blob_header *h, size_t *recs_at, size_t *names_at,
			  size_t *lists_at, size_t *pool_at)
{
	*recs_at = sizeof(struct blob_header);
	*names_at = *recs_at + (size_t)h->n_records * sizeof(struct crec);
	*lists_at = *names_at + pad8((size_t)h->n_names * sizeof(struct bname));
	*pool_at = *lists_at + pad8((size_t)h->n_lists * sizeof(uint32_t));
	return *pool_at + (size_t)h->pool_len;
}

/* Point blob's views at its parts (a header already checked). */
static void blob_views(struct et_repo_blob *blob)
{
	const struct blob_header *h = (const void *)blob->data;
	size_t recs_at, names_at, lists_at, pool_at;

	blob_layout(h, &recs_at, &names_at, &lists_at, &pool_at);
	blob->cr = (const void *)(blob->data + recs_at);
	blob->names = (const void *)(blob->data + names_at);
	blob->lists = (const void *)(blob->data + lists_at);
	blob->pool = (const char *)blob->data + pool_at;
	blob->n_records = h->n_records;
	blob->n_names = h->n_names;
	blob->n_lists = h->n_lists;
	blob->pool_len = h->pool_len;
}

/*
 * Whether a record's every offset and range lies in the blob; when they
 * do, its lists and strings are made present (blob_need()).  Checked when
 * the record is made, not at load: a load reads only the header and the
 * name table, so that it costs nothing per record.
 */
static bool crec_ok(struct et_repo_blob *blob, const struct crec *cr)
{
	const uint32_t offs[] = {
		cr->name, cr->version, cr->build,  cr->subdir,  cr->fn,
		cr->url,  cr->md5,     cr->sha256, cr->license, cr->license_family
	};
	size_t k, j;

	for (k = 0; k < sizeof(offs) / sizeof(offs[0]); k++)
		if (offs[k] >= blob->pool_len)
			return false;
	if (cr->noarch > ET_NOARCH_PYTHON || cr->build_number < 0 || cr->build_number > INT32_MAX)
		return false;
	for (k = 0; k < L_COUNT; k++) {
		if ((uint64_t)cr->lists[k][0] + cr->lists[k][1] > blob->n_lists)
			return false;
		blob_need(
			blob,
			(size_t)((const unsigned char *)&blob->lists[cr->lists[k][0]] - blob->data),
			cr->lists[k][1] * sizeof(uint32_t));
		for (j = 0; j < cr->lists[k][1]; j++)
			if (blob->lists[cr->lists[k][0] + j] >= blob->pool_len)
				return false;
	}
	for (k = 0; k < sizeof(offs) / sizeof(offs[0]); k++)
		(void)blob_str(blob, offs[k]);
	for (k = 0; k < L_COUNT; k++)
		for (j = 0; j < cr->lists[k][1]; j++)
			(void)blob_str(blob, blob->lists[cr->lists[k][0] + j]);
	return true;
}

/* Count a refused record in repo, describing the first few. */
static void refuse(struct et_repo *repo, const char *why)
{
	if (repo->n_refused++ < ET_REPO_REFUSED_SHOWN) {
		_cleanup_free_ char *m =
			nbk_xasprintf("repodata of '%s': %s", repo->blob->label, why);

		nbk_strvec_push(&repo->refused, m);
	}
}

/*
 * The blob's records [first, first + count) as borrowed et_records, in one
 * allocation with their list vectors and derived URLs (returned; free()
 * it), without those whose names et_record_check_names() refuses, whose
 * offsets are out of the blob, or whose name is not name (the name table's
 * for them: a record filed under another name's) (counted and described
 * in repo).  *kept: how many are in it.
 */
static struct et_record *blob_materialize(struct et_repo *repo, size_t first, size_t count,
					  uint32_t name, size_t *kept)
{
	struct et_repo_blob *blob = repo->blob;
	const struct crec *cr = blob->cr + first;
	const char *pool = blob->pool;
	size_t i, k, n_ptrs = 0, url_len = 0, base_len = strlen(blob->base);
	struct et_record *recs;
	char **pp, *up;

	blob_need(blob, (size_t)((const unsigned char *)cr - blob->data), count * sizeof(*cr));
	for (i = 0; i < count; i++) {
		if (!crec_ok(blob, &cr[i]))
			continue;
		for (k = 0; k < L_COUNT; k++)
			if (cr[i].lists[k][1])
				n_ptrs += cr[i].lists[k][1] + 1;
		if (!cr[i].url && base_len)
			url_len += base_len + 1 + strlen(pool + cr[i].fn) + 1;
	}
	recs = nbk_xcalloc(1, count * sizeof(*recs) + n_ptrs * sizeof(*pp) + url_len + 1);
	pp = (char **)(void *)(recs + count);
	up = (char *)(pp + n_ptrs);
	*kept = 0;
	for (i = 0; i < count; i++) {
		struct et_record *r = &recs[*kept];
		struct nbk_strvec *vecs[L_COUNT] = { &r->depends, &r->constrains,
						     &r->track_features, &r->features };
		struct nbk_error err = NBK_ERROR_INIT;

		if (!crec_ok(blob, &cr[i]) || cr[i].name != name) {
			_cleanup_free_ char *m = nbk_xasprintf(
				"record %zu of the binary cache is corrupt", first + i);

			refuse(repo, m);
			continue;
		}
		r->name = (char *)pool + cr[i].name;
		r->version = (char *)pool + cr[i].version;
		r->build = (char *)pool + cr[i].build;
		r->fn = (char *)pool + cr[i].fn;
		if (et_record_check_names(r, &err) < 0) {
			/* the next record takes this slot */
			refuse(repo, err.msg);
			memset(r, 0, sizeof(*r));
			continue;
		}
		(*kept)++;
		r->build_number = (long)cr[i].build_number;
		r->subdir = (char *)pool + cr[i].subdir;
		r->md5 = (char *)pool + cr[i].md5;
		r->sha256 = (char *)pool + cr[i].sha256;
		r->license = (char *)pool + cr[i].license;
		r->license_family = (char *)pool + cr[i].license_family;
		r->size = cr[i].size;
		r->timestamp_ms = cr[i].timestamp_ms;
		r->noarch = (enum et_noarch)cr[i].noarch;
		r->channel = repo->channel;
		r->channel_index = repo->channel_index;
		if (cr[i].url) {
			r->url = (char *)pool + cr[i].url;
		} else if (base_len) {
			size_t fl = strlen(r->fn);

			r->url = up;
			memcpy(up, blob->base, base_len);
			up[base_len] = '/';
			memcpy(up + base_len + 1, r->fn, fl + 1);
			up += base_len + 1 + fl + 1;
		} else {
			r->url = (char *)pool;
		}
		for (k = 0; k < L_COUNT; k++) {
			uint32_t start = cr[i].lists[k][0], cnt = cr[i].lists[k][1], j;

			nbk_strvec_init(vecs[k]);
			if (!cnt)
				continue;
			vecs[k]->v = pp;
			vecs[k]->n = cnt;
			for (j = 0; j < cnt; j++)
				*pp++ = (char *)pool + blob->lists[start + j];
			*pp++ = NULL;
		}
	}
	return recs;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_bname(const void *a, const void *b, void *pool)
{
	return strcmp((const char *)pool + ((const struct bname *)a)->name,
		      (const char *)pool + ((const struct bname *)b)->name);
}

/*
 * b's records grouped by name (the order a blob keeps them in): *order
 * gets their indexes in b, by name in strcmp order and in document order
 * within a name; the name table is returned (*n_names entries, first
 * counting in that order).  Names are interned: one name, one offset.
 */
static struct bname *group_by_name(const struct builder *b, uint32_t **order, size_t *n_names)
{
	uint64_t *key = nbk_xmalloc((b->n ? b->n : 1) * sizeof(*key));
	struct bname *names = nbk_xmalloc((b->n ? b->n : 1) * sizeof(*names));
	size_t i, j, n = 0, at = 0;

	for (i = 0; i < b->n; i++)
		key[i] = (uint64_t)b->recs[i].name << 32 | i;
	qsort(key, b->n, sizeof(*key), cmp_u64);
	for (i = 0; i < b->n; i++) {
		uint32_t name = (uint32_t)(key[i] >> 32);

		if (!n || names[n - 1].name != name)
			names[n++] = (struct bname){ name, (uint32_t)i, 0 };
		names[n - 1].count++;
	}
	qsort_r(names, n, sizeof(*names), cmp_bname, b->pool.data);
	*order = nbk_xmalloc((b->n ? b->n : 1) * sizeof(**order));
	for (i = 0; i < n; i++) {
		for (j = 0; j < names[i].count; j++)
			(*order)[at + j] = (uint32_t)key[names[i].first + j];
		names[i].first = (uint32_t)at;
		at += names[i].count;
	}
	free(key);
	*n_names = n;
	return names;
}

/* s's string (an offset in from's pool) interned in to. */
static uint32_t move_string(struct builder *to, const struct builder *from, uint32_t s)
{
	const char *p = from->pool.data + s;

	return s ? intern(to, p, strlen(p)) : 0;
}

/*
 * b's records, lists and strings laid out again in name order, into a
 * fresh builder to: the names first, then for each name its records, their
 * lists and the strings they bring in first, together, so that finding and
 * reading one name touches a few pages of a mapped cache, not one page per
 * string (and the kernel maps 16 pages around each one it faults in).
 * names' offsets are moved to to's pool.  b is left as it was.
 */
static void regroup(const struct builder *b, const uint32_t *order, struct bname *names,
		    size_t n_names, struct builder *to)
{
	size_t i, j, k;

	builder_init(to);
	/* the names first, together: a lookup's binary search reads them only */
	for (i = 0; i < n_names; i++)
		names[i].name = move_string(to, b, names[i].name);
	for (i = 0; i < b->n; i++) {
		const struct crec *from = &b->recs[order[i]];
		struct crec *c = rec_new(to);
		uint32_t *offs[] = { &c->name,    &c->version,       &c->build, &c->subdir,
				     &c->fn,      &c->url,           &c->md5,   &c->sha256,
				     &c->license, &c->license_family };

		*c = *from;
		for (k = 0; k < sizeof(offs) / sizeof(offs[0]); k++)
			*offs[k] = move_string(to, b, *offs[k]);
		for (k = 0; k < L_COUNT; k++) {
			c->lists[k][0] = (uint32_t)to->n_lists;
			for (j = 0; j < from->lists[k][1]; j++)
				list_push(to, move_string(to, b, b->lists[from->lists[k][0] + j]));
		}
	}
	to->too_big |= b->too_big;
}

/* Move the builder's parts into one blob; the builder is released. */
static struct et_repo_blob *blob_from_builder(struct builder *b, const struct et_repo_id *id)
{
	struct et_repo_blob *blob = nbk_xcalloc(1, sizeof(*blob));
	_cleanup_free_ char *bare = NULL, *bare_base = NULL;
	_cleanup_free_ struct bname *names = NULL;
	_cleanup_free_ uint32_t *order = NULL;
	size_t recs_at, names_at, lists_at, pool_at, n_names;
	struct blob_header h;
	struct builder g;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, BLOB_MAGIC, sizeof(BLOB_MAGIC));
	h.version = BLOB_VERSION;
	h.header_size = sizeof(h);
	h.rec_size = sizeof(struct crec);
	/*
	 * The file is kept in the home: URLs without credentials (auth.h);
	 * repo_fill() puts them back in the records' URLs.
	 */
	bare = nbk_url_strip_credentials(id->url ? id->url : "");
	if (b->base_off) {
		_cleanup_free_ char *base =
			et_repo_resolve_base(id->url, b->pool.data + b->base_off);

		bare_base = nbk_url_strip_credentials(base);
	}
	free(b->slots); /* b interns nothing more: a lower peak while g is made */
	b->slots = NULL;
	names = group_by_name(b, &order, &n_names);
	regroup(b, order, names, n_names, &g);
	builder_release(b);
	h.url_off = pool_add(&g, bare, strlen(bare));
	h.base_off = bare_base ? pool_add(&g, bare_base, strlen(bare_base)) : h.url_off;
	h.n_records = g.n;
	h.n_names = n_names;
	h.n_lists = g.n_lists;
	h.pool_len = g.pool.len;
	blob->size = blob_layout(&h, &recs_at, &names_at, &lists_at, &pool_at);
	blob->data = nbk_xcalloc(1, blob->size);
	blob->fd = -1;
	memcpy(blob->data, &h, sizeof(h));
	if (g.n)
		memcpy(blob->data + recs_at, g.recs, g.n * sizeof(struct crec));
	memcpy(blob->data + names_at, names, n_names * sizeof(*names));
	if (g.n_lists)
		memcpy(blob->data + lists_at, g.lists, g.n_lists * sizeof(uint32_t));
	memcpy(blob->data + pool_at, g.pool.data, g.pool.len);
	builder_release(&g);
	return blob;
}

/* "CHANNEL/SUBDIR" for messages, credentials masked. */
static char *repo_label(const struct et_repo_id *id)
{
	_cleanup_free_ char *shown = nbk_url_redact(
		id->channel && *id->channel ? id->channel : (id->url ? id->url : "?"));

	return nbk_xasprintf("%s/%s", shown, id->subdir ? id->subdir : "?");
}

/* repo holds blob (checked); no record is made yet (et_repo_name(), et_repo_all()). */
static void repo_fill(struct et_repo *repo, const struct et_repo_id *id, struct et_repo_blob *blob)
{
	const struct blob_header *h = (const void *)blob->data;
	_cleanup_free_ char *bare_url = NULL;

	/* a channel's name is shown and recorded: never its credentials (auth.h) */
	repo->channel = nbk_url_strip_credentials(id->channel ? id->channel : "");
	repo->url = nbk_xstrdup(id->url ? id->url : "");
	repo->subdir = nbk_xstrdup(id->subdir ? id->subdir : "");
	repo->channel_index = id->channel_index;
	repo->blob = blob;
	blob_views(blob);
	blob->label = repo_label(id);
	/* the repo's own URL comes back with its credentials, for the downloads */
	blob->base = blob_str(blob, h->base_off);
	bare_url = nbk_url_strip_credentials(repo->url);
	if (!strcmp(blob->base, bare_url))
		blob->base = repo->url;
}

/* The records of the name table's entry i, made on the first call (et_repo_name()). */
static const struct et_record *et_repo_name_at(struct et_repo *repo, size_t i, size_t *n)
{
	struct et_repo_blob *blob = repo->blob;

	if (!blob->named) {
		blob->named = nbk_xcalloc(blob->n_names ? blob->n_names : 1, sizeof(*blob->named));
		blob->named_n =
			nbk_xcalloc(blob->n_names ? blob->n_names : 1, sizeof(*blob->named_n));
	}
	if (!blob->named[i])
		blob->named[i] = blob_materialize(repo, blob->names[i].first, blob->names[i].count,
						  blob->names[i].name, &blob->named_n[i]);
	*n = blob->named_n[i];
	return *n ? blob->named[i] : NULL;
}

const struct et_record *et_repo_name(struct et_repo *repo, const char *name, size_t len, size_t *n)
{
	struct et_repo_blob *blob = repo->blob;
	size_t lo = 0, hi = blob ? blob->n_names : 0;

	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = blob_str(blob, blob->names[mid].name);
		int c = strncmp(s, name, len);

		if (c == 0 && s[len] != '\0')
			c = 1;
		if (c < 0) {
			lo = mid + 1;
		} else if (c > 0) {
			hi = mid;
		} else {
			return et_repo_name_at(repo, mid, n);
		}
	}
	return NULL;
}

void et_repo_all(struct et_repo *repo)
{
	struct et_repo_blob *blob = repo->blob;
	size_t i, n, at = 0;

	if (!blob || blob->all)
		return;
	blob_need(blob, 0, blob->size);
	/*
	 * Name by name, each made once (its refused records counted once,
	 * whether it was read before or not), then copied in table order:
	 * the copies share the names' strings and vectors.
	 */
	for (i = 0; i < blob->n_names; i++)
		(void)et_repo_name_at(repo, i, &n);
	for (i = 0, n = 0; i < blob->n_names; i++)
		n += blob->named_n[i];
	blob->all = nbk_xcalloc(n ? n : 1, sizeof(*blob->all));
	for (i = 0; i < blob->n_names; i++) {
		memcpy(blob->all + at, blob->named[i], blob->named_n[i] * sizeof(*blob->all));
		at += blob->named_n[i];
	}
	repo->records = blob->all;
	repo->n = n;
}

/* Parse into b (initialised here; released by the caller on failure). */
static int parse_into(struct builder *b, const struct et_repo_id *id, const char *json, size_t len,
		      struct nbk_error *err)
{
	_cleanup_free_ char *label = repo_label(id);
	struct scanner sc = { json, json, json + len, label, err, NBK_BUF_INIT };
	uint32_t subdir;
	bool first = true;
	const char *k;
	size_t n;
	int r;

	builder_init(b);
	subdir = intern(b, id->subdir ? id->subdir : "", id->subdir ? strlen(id->subdir) : 0);
	if (memchr(json, '\0', len))
		r = scan_error(&sc, (const char *)memchr(json, '\0', len),
			       "NUL byte in the document");
	else
		r = expect(&sc, '{', "'{' at the start of the document");
	while (r == 0 && (r = object_next(&sc, &first, &k, &n)) > 0) {
		if (KEY_IS(k, n, "packages") || KEY_IS(k, n, "packages.conda")) {
			r = parse_packages(&sc, b, subdir);
		} else if (KEY_IS(k, n, "info")) {
			r = parse_info(&sc, b, &b->base_off);
		} else if (*sc.p == '{' && (nbk_mem_ends_with(k, n, ".tar.bz2") ||
					    nbk_mem_ends_with(k, n, ".conda"))) {
			/* conda's test index.json: records keyed by file name */
			r = parse_record(&sc, b, subdir, k, n);
		} else {
			r = skip_value(&sc);
		}
		if (r < 0)
			break;
		r = 0;
	}
	if (r == 0) {
		skip_ws(&sc);
		if (sc.p < sc.end)
			r = scan_error(&sc, sc.p, "trailing data after the document");
	}
	nbk_buf_release(&sc.scratch);
	if (r < 0)
		return -1;
	if (b->too_big)
		return nbk_error_set(err, 0, "repodata of '%s': more than 4 GiB of strings", label);
	drop_tarbz2_twins(b);
	return 0;
}

int et_repo_parse(struct et_repo *repo, const struct et_repo_id *id, const char *json, size_t len,
		  struct nbk_error *err)
{
	struct builder b;

	*repo = (struct et_repo)ET_REPO_INIT;
	if (parse_into(&b, id, json, len, err) < 0) {
		builder_release(&b);
		return -1;
	}
	repo_fill(repo, id, blob_from_builder(&b, id));
	return 0;
}

void et_repo_release(struct et_repo *repo)
{
	free(repo->channel);
	free(repo->url);
	free(repo->subdir);
	blob_free(repo->blob);
	nbk_strvec_release(&repo->refused);
	*repo = (struct et_repo)ET_REPO_INIT;
}

size_t et_repo_blob_size(const struct et_repo *repo)
{
	return repo->blob ? repo->blob->size : 0;
}

NBK_STATIC const unsigned char *et_repo_blob_bytes(const struct et_repo *repo,
						   const struct et_repo_key *key, size_t *len)
{
	struct blob_header *h = (void *)repo->blob->data;

	blob_need(repo->blob, 0, repo->blob->size);
	h->src_size = key->size;
	h->src_mtime_ns = key->mtime_ns;
	*len = repo->blob->size;
	return repo->blob->data;
}

int et_repo_cache_write(const struct et_repo *repo, const char *path, const struct et_repo_key *key,
			struct nbk_error *err)
{
	const unsigned char *data;
	size_t len;

	if (!repo->blob)
		return nbk_error_set(err, 0, "cannot write '%s': no repodata loaded", path);
	data = et_repo_blob_bytes(repo, key, &len);
	return nbk_write_file_atomic(path, data, len, 0644, (uid_t)-1, (gid_t)-1, err);
}

/* Read a whole file through fd into a fresh allocation. */
static int read_fd(int fd, const char *path, size_t max, unsigned char **out, size_t *len,
		   struct stat *st, struct nbk_error *err)
{
	unsigned char *data;
	ssize_t got;
	size_t size;

	if (fstat(fd, st) < 0)
		return nbk_error_set(err, errno, "cannot stat '%s'", path);
	if (!S_ISREG(st->st_mode))
		return nbk_error_set(err, 0, "'%s' is not a regular file", path);
	if ((uint64_t)st->st_size > max)
		return nbk_error_set(err, 0, "'%s' is larger than %zu bytes", path, max);
	size = (size_t)st->st_size;
	data = nbk_xmalloc(size + 1);
	/* fewer bytes when it shrank under us: what we have is checked like any data */
	got = nbk_read_full(fd, data, size);
	if (got < 0) {
		int e = errno;

		free(data);
		return nbk_error_set(err, e, "cannot read '%s'", path);
	}
	data[got] = '\0';
	*out = data;
	*len = (size_t)got;
	return 0;
}

/*
 * Check a blob read from disk (made present as needed): its header, its
 * string pool's ends and its name table; each record is checked when it
 * is made (crec_ok()).  0 = good, its views set; 1 = stale; -1 = corrupt.
 */
static int blob_check(struct et_repo_blob *blob, const struct et_repo_id *id,
		      const struct et_repo_key *key, const char *path, struct nbk_error *err)
{
	struct blob_header h;
	size_t recs_at, names_at, lists_at, pool_at, i, size = blob->size;
	const struct bname *names;
	const char *pool;

	if (size < sizeof(h))
		return nbk_error_set(err, 0, "binary cache '%s' is truncated", path);
	blob_need(blob, 0, sizeof(h));
	memcpy(&h, blob->data, sizeof(h));
	if (memcmp(h.magic, BLOB_MAGIC, sizeof(BLOB_MAGIC)) != 0)
		return nbk_error_set(err, 0, "'%s' is not a repodata binary cache", path);
	if (h.version != BLOB_VERSION || h.header_size != sizeof(h) ||
	    h.rec_size != sizeof(struct crec))
		return 1;
	if (key && (h.src_size != key->size || h.src_mtime_ns != key->mtime_ns))
		return 1;
	if (h.n_records > size / sizeof(struct crec) || h.n_records > UINT32_MAX ||
	    h.n_names > h.n_records || h.n_lists > size / sizeof(uint32_t) || h.pool_len > size ||
	    h.pool_len == 0 || h.pool_len > UINT32_MAX ||
	    blob_layout(&h, &recs_at, &names_at, &lists_at, &pool_at) != size)
		return nbk_error_set(err, 0, "binary cache '%s' is truncated or has a bad header",
				     path);
	blob_need(blob, pool_at, 1);
	blob_need(blob, pool_at + h.pool_len - 1, 1);
	pool = (const char *)blob->data + pool_at;
	if (pool[0] != '\0' || pool[h.pool_len - 1] != '\0' || h.url_off >= h.pool_len ||
	    h.base_off >= h.pool_len)
		return nbk_error_set(err, 0, "binary cache '%s' is corrupt (pool)", path);
	blob_views(blob);
	{
		_cleanup_free_ char *bare = nbk_url_strip_credentials(id->url ? id->url : "");

		if (strcmp(blob_str(blob, h.url_off), bare) != 0)
			return 1;
	}
	blob_need(blob, names_at, (size_t)h.n_names * sizeof(*names));
	names = blob->names;
	for (i = 0; i < h.n_names; i++)
		if (names[i].name >= h.pool_len ||
		    (uint64_t)names[i].first + names[i].count > h.n_records)
			return nbk_error_set(err, 0, "binary cache '%s' is corrupt (name %zu)",
					     path, i);
	return 0;
}

/*
 * A blob of len bytes checked and loaded into repo (taken over: freed on
 * failure): data holds them all (fd -1), or is a reservation of len bytes
 * to read from fd when needed.
 */
static int blob_load(struct et_repo *repo, const struct et_repo_id *id, unsigned char *data,
		     size_t len, int fd, const struct et_repo_key *key, const char *name,
		     struct nbk_error *err)
{
	struct et_repo_blob *blob = nbk_xcalloc(1, sizeof(*blob));
	int r;

	*repo = (struct et_repo)ET_REPO_INIT;
	blob->data = data;
	blob->size = len;
	blob->fd = fd;
	if (fd >= 0)
		blob->loaded = nbk_xcalloc(len / BLOB_PAGE + 1, 1);
	r = blob_check(blob, id, key, name, err);
	if (r != 0) {
		blob_free(blob);
		return r;
	}
	repo_fill(repo, id, blob);
	return 0;
}

NBK_STATIC int et_repo_blob_load(struct et_repo *repo, const struct et_repo_id *id,
				 unsigned char *data, size_t len, const struct et_repo_key *key,
				 const char *name, struct nbk_error *err)
{
	return blob_load(repo, id, data, len, -1, key, name, err);
}

int et_repo_cache_load(struct et_repo *repo, const struct et_repo_id *id, const char *path,
		       const struct et_repo_key *key, struct nbk_error *err)
{
	_cleanup_close_ int fd = -1;
	unsigned char *data;
	struct stat st;
	size_t len;

	*repo = (struct et_repo)ET_REPO_INIT;
	fd = nbk_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return nbk_error_set(err, errno, "cannot open '%s'", path);
	}
	/*
	 * Read when used, page by page (issue 14: a request reads the few
	 * names it reaches; reading the whole cache was half of a warm
	 * load), when nobody else can change the file between two reads: a
	 * regular file of ours, not writable by group or others (the trusted
	 * cache folder of pkgcache.h holds it).  Not mapped: the kernel maps
	 * a file's pages in large blocks around each fault (2 MB where the
	 * page cache holds large folios), which made a few names' reads cost
	 * most of the file in resident memory.  The reservation is anonymous
	 * memory: only the pages read are resident.  Else read whole.
	 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    !(st.st_mode & 022) && st.st_size > 0 && (uint64_t)st.st_size <= MAX_JSON_SIZE) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p != MAP_FAILED) {
			int r = blob_load(repo, id, p, (size_t)st.st_size, fd, key, path, err);

			fd = -1; /* the blob's now, or closed with it */
			return r;
		}
	}
	if (read_fd(fd, path, MAX_JSON_SIZE, &data, &len, &st, err) < 0)
		return -1;
	return et_repo_blob_load(repo, id, data, len, key, path, err);
}

int et_repo_load(struct et_repo *repo, const struct et_repo_id *id, const char *json_path,
		 const char *cache_path, struct nbk_error *err)
{
	_cleanup_close_ int fd = -1;
	struct et_repo_key key;
	struct builder b;
	unsigned char *json;
	struct stat st;
	size_t len;
	int r;

	*repo = (struct et_repo)ET_REPO_INIT;
	fd = nbk_open(json_path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return nbk_error_set(err, errno, "cannot open '%s'", json_path);
	if (fstat(fd, &st) < 0)
		return nbk_error_set(err, errno, "cannot stat '%s'", json_path);
	key.size = (uint64_t)st.st_size;
	key.mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec;
	if (cache_path) {
		struct nbk_error cerr = NBK_ERROR_INIT;

		r = et_repo_cache_load(repo, id, cache_path, &key, &cerr);
		if (r == 0)
			return 0;
		if (r < 0)
			nbk_debug("ignoring the binary cache: %s", cerr.msg);
	}
	if (read_fd(fd, json_path, MAX_JSON_SIZE, &json, &len, &st, err) < 0)
		return -1;
	r = parse_into(&b, id, (const char *)json, len, err);
	free(json); /* before building the blob: keeps the peak lower */
	if (r < 0) {
		builder_release(&b);
		return -1;
	}
	repo_fill(repo, id, blob_from_builder(&b, id));
	if (cache_path) {
		struct nbk_error werr = NBK_ERROR_INIT;

		if (et_repo_cache_write(repo, cache_path, &key, &werr) < 0)
			nbk_debug("cannot write the binary cache: %s", werr.msg);
	}
	return 0;
}

/* ---- CEP 16 shards: records in msgpack ---- */

/* Reading one shard: where, and what for messages. */
struct shard_reader {
	struct et_msgpack mp;
	const char *label; /* "CHANNEL/SUBDIR" */
	const char *name;  /* the package name of the shard */
	struct nbk_error *err;
};

static int shard_error(struct shard_reader *sr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "repodata shard of 'NAME' in 'LABEL': offset N: MSG"; returns -1. */
static int shard_error(struct shard_reader *sr, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return nbk_error_set(sr->err, 0, "repodata shard of '%s' in '%s': offset %zu: %s", sr->name,
			     sr->label, et_msgpack_offset(&sr->mp), msg);
}

/* The next value head; a msgpack error gets the shard's name in front. */
static int shard_next(struct shard_reader *sr, struct et_msgpack_value *v)
{
	if (et_msgpack_next(&sr->mp, v, sr->err) == 0)
		return 0;
	return nbk_error_prefix(sr->err, "repodata shard of '%s' in '%s'", sr->name, sr->label);
}

static int shard_skip(struct shard_reader *sr)
{
	if (et_msgpack_skip(&sr->mp, sr->err) == 0)
		return 0;
	return nbk_error_prefix(sr->err, "repodata shard of '%s' in '%s'", sr->name, sr->label);
}

/* A str to keep: no NUL byte (the pool's strings end at one), at most ET_REPO_MAX_STRING. */
static int shard_str_ok(struct shard_reader *sr, const struct et_msgpack_value *v)
{
	if (v->len > ET_REPO_MAX_STRING)
		return shard_error(sr, "string longer than %d bytes", ET_REPO_MAX_STRING);
	if (memchr(v->s, '\0', v->len))
		return shard_error(sr, "NUL byte in a string");
	return 0;
}

static int shard_type_error(struct shard_reader *sr, const struct rec_fill *f, enum field fld,
			    const struct et_msgpack_value *v)
{
	return shard_error(sr, "package '%s': '%s' must be %s, not %s", f->fn, fields[fld].key,
			   field_expects(fld, true), et_msgpack_type_name(v->type));
}

/* The msgpack value at sr's position into the field fld of f's record (fill_*()). */
static int shard_field(struct shard_reader *sr, struct rec_fill *f, enum field fld)
{
	const struct field_spec *fs = &fields[fld];
	struct et_msgpack_value v, item;
	char hex[2 * 255 + 1];
	const char *why = NULL;
	uint32_t i;

	if (shard_next(sr, &v) < 0)
		return -1;
	switch (fs->kind) {
	case FK_STRING:
		if (v.type == ET_MSGPACK_NIL) {
			fill_string(f, fld, NULL, 0);
		} else if (v.type == ET_MSGPACK_STR) {
			if (shard_str_ok(sr, &v) < 0)
				return -1;
			fill_string(f, fld, v.s, v.len);
		} else if (v.type == ET_MSGPACK_BIN && fs->bin_len && v.len == fs->bin_len) {
			nbk_hex_encode(v.s, v.len, hex);
			fill_string(f, fld, hex, 2 * (size_t)v.len);
		} else {
			return shard_type_error(sr, f, fld, &v);
		}
		break;
	case FK_INT:
		if (v.type == ET_MSGPACK_NIL)
			why = fill_number(f, fld, true, 0, 0);
		else if (v.type == ET_MSGPACK_INT)
			why = fill_number(f, fld, true, v.i, 0);
		else if (v.type == ET_MSGPACK_UINT)
			why = "out of range";
		else if (v.type == ET_MSGPACK_FLOAT)
			why = fill_number(f, fld, false, 0, v.f);
		else
			return shard_type_error(sr, f, fld, &v);
		break;
	case FK_LIST:
	case FK_WORDS:
		if (v.type == ET_MSGPACK_NIL) {
			fill_list_begin(f, fld, true);
			break;
		}
		fill_list_begin(f, fld, false);
		if (v.type == ET_MSGPACK_STR && fs->kind == FK_WORDS) {
			if (shard_str_ok(sr, &v) < 0)
				return -1;
			fill_list_add(f, fld, v.s, v.len);
		} else if (v.type == ET_MSGPACK_ARRAY) {
			for (i = 0; i < v.len; i++) {
				if (shard_next(sr, &item) < 0)
					return -1;
				if (item.type != ET_MSGPACK_STR)
					return shard_type_error(sr, f, fld, &item);
				if (shard_str_ok(sr, &item) < 0)
					return -1;
				fill_list_add(f, fld, item.s, item.len);
			}
		} else {
			return shard_type_error(sr, f, fld, &v);
		}
		why = fill_list_end(f, fld);
		break;
	case FK_NOARCH:
		if (v.type == ET_MSGPACK_STR)
			fill_noarch(f, v.s, v.len, false);
		else if (v.type == ET_MSGPACK_BOOL || v.type == ET_MSGPACK_NIL)
			fill_noarch(f, NULL, 0, v.b);
		else
			return shard_type_error(sr, f, fld, &v);
		break;
	}
	if (why)
		return shard_error(sr, "package '%s': '%s' %s", f->fn, fields[fld].key, why);
	return 0;
}

/*
 * One record of a shard: the file name in key, its map at sr's position.
 * Appends it to b (fill_*(), as parse_record() does for JSON), or leaves
 * it out when its name is not the shard's (*foreign counts it, and keeps
 * the first messages).  Returns 0 or -1 with sr's error.
 */
static int shard_record(struct shard_reader *sr, struct builder *b, uint32_t repo_subdir,
			const struct et_msgpack_value *key, struct et_repo *foreign)
{
	_cleanup_free_ char *fn = nbk_xstrndup(key->s, key->len);
	struct et_msgpack_value v, k;
	struct rec_fill f;
	const char *why, *name;
	uint32_t i;

	if (shard_next(sr, &v) < 0)
		return -1;
	if (v.type != ET_MSGPACK_MAP)
		return shard_error(sr, "package '%s' must be a map, not %s", fn,
				   et_msgpack_type_name(v.type));
	fill_begin(&f, b, fn, key->s, key->len);
	for (i = 0; i < v.len; i++) {
		enum field fld;

		if (shard_next(sr, &k) < 0)
			return -1;
		if (k.type != ET_MSGPACK_STR)
			return shard_error(sr, "package '%s': a key is %s, not a string", fn,
					   et_msgpack_type_name(k.type));
		fld = field_lookup(k.s, k.len);
		if ((fld == F_UNKNOWN ? shard_skip(sr) : shard_field(sr, &f, fld)) < 0)
			return -1;
	}
	if (b->too_big)
		return shard_error(sr, "more than 4 GiB of strings");
	if ((why = fill_end(&f, repo_subdir)))
		return shard_error(sr, "package '%s' %s", fn, why);
	name = b->pool.data + fill_rec(&f)->name;
	if (strcmp(name, sr->name) != 0) {
		if (foreign->n_refused++ < ET_REPO_REFUSED_SHOWN) {
			_cleanup_free_ char *m = nbk_xasprintf(
				"repodata of '%s': package '%s': its name is '%s', but it is in "
				"the shard of '%s'",
				sr->label, fn, name, sr->name);

			nbk_strvec_push(&foreign->refused, m);
		}
		b->n--;
	}
	return 0;
}

/* The file names of a shard's "removed" list, as a hash set for the records to look up. */
struct removed_set {
	const struct et_msgpack_value *v; /* slots; s is NULL in an empty one */
	size_t cap;
};

static bool removed_has(const struct removed_set *rs, const char *fn, size_t n)
{
	size_t i;

	if (!rs->cap)
		return false;
	for (i = hash_bytes(fn, n) & (rs->cap - 1); rs->v[i].s; i = (i + 1) & (rs->cap - 1))
		if (rs->v[i].len == n && memcmp(rs->v[i].s, fn, n) == 0)
			return true;
	return false;
}

/* Read "removed" (an array of file names) at sr's position into rs (freed by the caller). */
static int shard_removed(struct shard_reader *sr, struct removed_set *rs)
{
	struct et_msgpack_value v, item;
	struct et_msgpack_value *slots;
	uint32_t i;
	size_t j;

	if (shard_next(sr, &v) < 0)
		return -1;
	if (v.type == ET_MSGPACK_NIL)
		return 0;
	if (v.type != ET_MSGPACK_ARRAY)
		return shard_error(sr, "'removed' must be an array, not %s",
				   et_msgpack_type_name(v.type));
	free((void *)rs->v);
	rs->v = NULL;
	for (rs->cap = 16; rs->cap < (size_t)v.len * 2; rs->cap *= 2)
		;
	/* v.len is at most the bytes left (msgpack.h): the table is bounded by the input */
	rs->v = slots = nbk_xcalloc(rs->cap, sizeof(*slots));
	for (i = 0; i < v.len; i++) {
		if (shard_next(sr, &item) < 0)
			return -1;
		if (item.type != ET_MSGPACK_STR)
			return shard_error(sr, "'removed' must hold strings, not %s",
					   et_msgpack_type_name(item.type));
		if (!item.len || removed_has(rs, item.s, item.len))
			continue;
		for (j = hash_bytes(item.s, item.len) & (rs->cap - 1); slots[j].s;
		     j = (j + 1) & (rs->cap - 1))
			;
		slots[j] = item;
	}
	return 0;
}

/*
 * Parse one shard into b: the records of "packages" and "packages.conda"
 * (shard_record()), then those listed in "removed" dropped; other keys
 * are skipped, and nothing may follow the map.  Returns 0 or -1 with err.
 */
static int shard_parse(struct builder *b, uint32_t repo_subdir, const struct et_repo_shard *sh,
		       const char *label, struct et_repo *foreign, struct nbk_error *err)
{
	struct shard_reader sr = { .label = label, .name = sh->name, .err = err };
	struct removed_set rs = { NULL, 0 };
	struct et_msgpack_value top, k, pkgs;
	size_t first = b->n, i, out;
	uint32_t j, p;
	int ret = -1;

	et_msgpack_init(&sr.mp, sh->data, sh->len);
	if (shard_next(&sr, &top) < 0)
		goto out;
	if (top.type != ET_MSGPACK_MAP) {
		shard_error(&sr, "the shard must be a map, not %s", et_msgpack_type_name(top.type));
		goto out;
	}
	for (j = 0; j < top.len; j++) {
		if (shard_next(&sr, &k) < 0)
			goto out;
		if (et_msgpack_str_is(&k, "packages") || et_msgpack_str_is(&k, "packages.conda")) {
			if (shard_next(&sr, &pkgs) < 0)
				goto out;
			if (pkgs.type == ET_MSGPACK_NIL)
				continue;
			if (pkgs.type != ET_MSGPACK_MAP) {
				shard_error(&sr, "'%.*s' must be a map, not %s", (int)k.len, k.s,
					    et_msgpack_type_name(pkgs.type));
				goto out;
			}
			for (p = 0; p < pkgs.len; p++) {
				if (shard_next(&sr, &k) < 0)
					goto out;
				if (k.type != ET_MSGPACK_STR) {
					shard_error(&sr, "a file name is %s, not a string",
						    et_msgpack_type_name(k.type));
					goto out;
				}
				if (shard_str_ok(&sr, &k) < 0 ||
				    shard_record(&sr, b, repo_subdir, &k, foreign) < 0)
					goto out;
			}
		} else if (et_msgpack_str_is(&k, "removed")) {
			if (shard_removed(&sr, &rs) < 0)
				goto out;
		} else if (shard_skip(&sr) < 0) {
			goto out;
		}
	}
	if (et_msgpack_left(&sr.mp)) {
		shard_error(&sr, "trailing data after the shard");
		goto out;
	}
	for (i = first, out = first; i < b->n; i++) {
		const char *fn = b->pool.data + b->recs[i].fn;

		if (!removed_has(&rs, fn, strlen(fn)))
			b->recs[out++] = b->recs[i];
	}
	b->n = out;
	ret = 0;
out:
	free((void *)rs.v);
	return ret;
}

/*
 * et_repo_from_shards() (repodata.h): every shard parsed into one builder
 * (shard_parse()), base_url kept for blob_from_builder() to resolve as
 * CEP 15's, the .tar.bz2 twins dropped across them, and the repo filled as
 * et_repo_parse() fills it; the records refused for their shard's name
 * are then added to the repo's refused count and messages.
 */
int et_repo_from_shards(struct et_repo *repo, const struct et_repo_id *id, const char *base_url,
			const struct et_repo_shard *shards, size_t n, struct nbk_error *err)
{
	_cleanup_free_ char *label = repo_label(id);
	struct et_repo foreign = ET_REPO_INIT;
	struct builder b;
	uint32_t subdir;
	size_t i;

	*repo = (struct et_repo)ET_REPO_INIT;
	builder_init(&b);
	subdir = intern(&b, id->subdir ? id->subdir : "", id->subdir ? strlen(id->subdir) : 0);
	if (base_url && *base_url)
		b.base_off = pool_add(&b, base_url, strlen(base_url));
	for (i = 0; i < n; i++) {
		if (shard_parse(&b, subdir, &shards[i], label, &foreign, err) < 0) {
			builder_release(&b);
			et_repo_release(&foreign);
			return -1;
		}
	}
	if (b.too_big) {
		builder_release(&b);
		et_repo_release(&foreign);
		return nbk_error_set(err, 0, "repodata of '%s': more than 4 GiB of strings", label);
	}
	drop_tarbz2_twins(&b);
	repo_fill(repo, id, blob_from_builder(&b, id));
	for (i = 0; i < foreign.refused.n && repo->refused.n < ET_REPO_REFUSED_SHOWN; i++)
		nbk_strvec_push(&repo->refused, foreign.refused.v[i]);
	repo->n_refused += foreign.n_refused;
	et_repo_release(&foreign);
	return 0;
}
