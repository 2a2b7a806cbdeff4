/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML trees on libyaml's event API.  See include/nbkit/yaml.h.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "nbkit/str.h"
#include "nbkit/yaml.h"

/* Nesting deeper than this is refused: no config needs it, a stack does. */
#define YAML_MAX_DEPTH 64
/* A mapping with this many keys gets a hash index; a smaller one is scanned. */
#define MAP_INDEX_MIN 8

struct nbk_node *nbk_node_new(enum nbk_node_kind kind)
{
	struct nbk_node *n = nbk_xcalloc(1, sizeof(*n));

	n->kind = kind;
	return n;
}

struct nbk_node *nbk_node_new_scalar(const char *text)
{
	struct nbk_node *n = nbk_node_new(NBK_NODE_SCALAR);

	n->scalar = nbk_xstrdup(text);
	return n;
}

void nbk_node_free(struct nbk_node *node)
{
	size_t i;

	if (!node)
		return;
	for (i = 0; i < node->n; i++) {
		nbk_node_free(node->items[i]);
		if (node->keys)
			free(node->keys[i]);
		if (node->key_nodes)
			nbk_node_free(node->key_nodes[i]);
	}
	free(node->items);
	free(node->keys);
	free(node->key_nodes);
	free(node->slots);
	free(node->scalar);
	free(node->file);
	free(node);
}

void nbk_cleanup_node(struct nbk_node **node)
{
	nbk_node_free(*node);
	*node = NULL;
}

static void node_reserve(struct nbk_node *n)
{
	if (n->n < n->alloc)
		return;
	n->alloc = n->alloc ? n->alloc * 2 : 8;
	n->items = nbk_xrealloc(n->items, n->alloc * sizeof(*n->items));
	if (n->kind == NBK_NODE_MAP) {
		n->keys = nbk_xrealloc(n->keys, n->alloc * sizeof(*n->keys));
		n->key_nodes = nbk_xrealloc(n->key_nodes, n->alloc * sizeof(*n->key_nodes));
	}
}

void nbk_node_seq_push(struct nbk_node *seq, struct nbk_node *item)
{
	node_reserve(seq);
	seq->items[seq->n++] = item;
}

/* First slot to probe for key in an index of nslots (a power of two). */
static size_t slot_start(const char *key, size_t nslots)
{
	return (size_t)nbk_hash_keyed(key, strlen(key)) & (nslots - 1);
}

static void index_put(struct nbk_node *map, size_t pos)
{
	size_t mask = map->nslots - 1;
	size_t j;

	for (j = slot_start(map->keys[pos], map->nslots); map->slots[j]; j = (j + 1) & mask)
		;
	map->slots[j] = pos + 1;
}

/*
 * (Re)build the index of a MAP from its keys: none below MAP_INDEX_MIN keys,
 * else at least four slots a key, so the table stays at most half full until
 * the key count doubles (map_set_at rebuilds it then).
 */
static void index_rebuild(struct nbk_node *map)
{
	size_t i;

	free(map->slots);
	map->slots = NULL;
	map->nslots = 0;
	if (map->n < MAP_INDEX_MIN)
		return;
	map->nslots = 16;
	while (map->nslots < 4 * map->n)
		map->nslots *= 2;
	map->slots = nbk_xcalloc(map->nslots, sizeof(*map->slots));
	for (i = 0; i < map->n; i++)
		index_put(map, i);
}

static long map_index(const struct nbk_node *map, const char *key)
{
	size_t i;

	if (!map || map->kind != NBK_NODE_MAP)
		return -1;
	if (map->slots) {
		size_t mask = map->nslots - 1;

		for (i = slot_start(key, map->nslots); map->slots[i]; i = (i + 1) & mask)
			if (!strcmp(map->keys[map->slots[i] - 1], key))
				return (long)(map->slots[i] - 1);
		return -1;
	}
	for (i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key))
			return (long)i;
	return -1;
}

static void map_set_at(struct nbk_node *map, const char *key, struct nbk_node *key_node,
		       struct nbk_node *value)
{
	long i = map_index(map, key);

	if (i >= 0) {
		nbk_node_free(map->items[i]);
		map->items[i] = value;
		nbk_node_free(key_node);
		return;
	}
	node_reserve(map);
	map->keys[map->n] = nbk_xstrdup(key);
	map->key_nodes[map->n] = key_node;
	map->items[map->n] = value;
	map->n++;
	if (map->n >= MAP_INDEX_MIN && 2 * map->n > map->nslots)
		index_rebuild(map);
	else if (map->slots)
		index_put(map, map->n - 1);
}

void nbk_node_map_set(struct nbk_node *map, const char *key, struct nbk_node *value)
{
	map_set_at(map, key, NULL, value);
}

bool nbk_node_map_remove(struct nbk_node *map, const char *key)
{
	long i = map_index(map, key);
	size_t rest;

	if (i < 0)
		return false;
	nbk_node_free(map->items[i]);
	nbk_node_free(map->key_nodes[i]);
	free(map->keys[i]);
	rest = map->n - (size_t)i - 1;
	memmove(map->items + i, map->items + i + 1, rest * sizeof(*map->items));
	memmove(map->keys + i, map->keys + i + 1, rest * sizeof(*map->keys));
	memmove(map->key_nodes + i, map->key_nodes + i + 1, rest * sizeof(*map->key_nodes));
	map->n--;
	/* Positions after i moved: rebuild (linear; removals are rare and few). */
	index_rebuild(map);
	return true;
}

struct nbk_node *nbk_node_clone(const struct nbk_node *node)
{
	struct nbk_node *c;
	size_t i;

	if (!node)
		return NULL;
	c = nbk_node_new(node->kind);
	c->scalar = node->scalar ? nbk_xstrdup(node->scalar) : NULL;
	c->quoted = node->quoted;
	c->file = node->file ? nbk_xstrdup(node->file) : NULL;
	c->line = node->line;
	c->col = node->col;
	for (i = 0; i < node->n; i++) {
		if (node->kind == NBK_NODE_MAP)
			map_set_at(c, node->keys[i], nbk_node_clone(node->key_nodes[i]),
				   nbk_node_clone(node->items[i]));
		else
			nbk_node_seq_push(c, nbk_node_clone(node->items[i]));
	}
	return c;
}

struct nbk_node *nbk_node_get(const struct nbk_node *map, const char *key)
{
	long i = map_index(map, key);

	return i < 0 ? NULL : map->items[i];
}

const char *nbk_node_get_scalar(const struct nbk_node *map, const char *key)
{
	const struct nbk_node *n = nbk_node_get(map, key);

	return n && n->kind == NBK_NODE_SCALAR ? n->scalar : NULL;
}

struct nbk_node *nbk_node_path(const struct nbk_node *root, const char *path)
{
	const struct nbk_node *cur = root;
	const char *p = path;

	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		_cleanup_free_ char *key = nbk_xstrndup(p, len);

		cur = nbk_node_get(cur, key);
		p += len;
		if (*p == '.')
			p++;
	}
	return (struct nbk_node *)cur;
}

struct nbk_node *nbk_node_merge(struct nbk_node *dst, struct nbk_node *src)
{
	size_t i;

	if (!dst)
		return src;
	if (!src)
		return dst;
	if (dst->kind != NBK_NODE_MAP || src->kind != NBK_NODE_MAP) {
		nbk_node_free(dst);
		return src;
	}
	for (i = 0; i < src->n; i++) {
		long j = map_index(dst, src->keys[i]);
		struct nbk_node *value = src->items[i];

		src->items[i] = NULL;
		if (j >= 0) {
			dst->items[j] = nbk_node_merge(dst->items[j], value);
		} else {
			map_set_at(dst, src->keys[i], src->key_nodes[i], value);
			src->key_nodes[i] = NULL;
		}
	}
	nbk_node_free(src);
	return dst;
}

/* ---- loading ---- */

static bool scalar_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static void set_pos(struct nbk_node *n, const char *name, const yaml_mark_t *mark)
{
	n->file = nbk_xstrdup(name);
	n->line = (unsigned)mark->line + 1;
	n->col = (unsigned)mark->column + 1;
}

struct load_frame {
	struct nbk_node *node;
	struct nbk_node *pending_key; /* MAP: key read, value not yet */
};

/* Attach a finished node to the frame on top; error on duplicate keys. */
static int attach(struct load_frame *top, struct nbk_node *node, const char *name,
		  struct nbk_error *err)
{
	struct nbk_node *parent = top->node;

	if (parent->kind == NBK_NODE_SEQ) {
		nbk_node_seq_push(parent, node);
		return 0;
	}
	if (!top->pending_key) {
		if (node->kind != NBK_NODE_SCALAR && node->kind != NBK_NODE_NULL) {
			nbk_error_set(err, 0, "%s:%u:%u: a mapping key must be a plain value", name,
				      node->line, node->col);
			nbk_node_free(node);
			return -1;
		}
		if (!node->scalar)
			node->scalar = nbk_xstrdup("");
		if (map_index(parent, node->scalar) >= 0) {
			nbk_error_set(err, 0, "%s:%u:%u: duplicate key '%s'", name, node->line,
				      node->col, node->scalar);
			nbk_node_free(node);
			return -1;
		}
		top->pending_key = node;
		return 0;
	}
	map_set_at(parent, top->pending_key->scalar, top->pending_key, node);
	top->pending_key = NULL;
	return 0;
}

/*
 * Parse text (len bytes, no NUL needed) as one YAML document; name is the
 * source's name in messages and in each node's file.  Returns 0 with *out a
 * tree the caller frees with nbk_node_free() (a NULL-kind node for an empty
 * document), or -1 with err "NAME:LINE:COL: problem" and *out untouched:
 * invalid YAML, a second document (issue 9), an alias, nesting deeper than
 * YAML_MAX_DEPTH, a mapping key that is not a plain value, a duplicate key.
 * Nothing is left allocated on either path.
 */
int nbk_yaml_load_string(const char *name, const char *text, size_t len, struct nbk_node **out,
			 struct nbk_error *err)
{
	struct load_frame stack[YAML_MAX_DEPTH + 1];
	struct nbk_node *root = NULL;
	yaml_parser_t parser;
	int depth = 0;
	int ret = -1;
	unsigned documents = 0;
	bool done = false;
	int i;

	memset(stack, 0, sizeof(stack));
	if (!yaml_parser_initialize(&parser))
		return nbk_error_set(err, ENOMEM, "%s: cannot initialise the YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

	while (!done) {
		yaml_event_t ev;
		struct nbk_node *node = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			nbk_error_set(err, 0, "%s:%zu:%zu: %s%s%s", name,
				      parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				      parser.problem ? parser.problem : "invalid YAML",
				      parser.context ? " " : "",
				      parser.context ? parser.context : "");
			goto out;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (documents++) {
				/*
				 * A second document: reading only the first would
				 * silently drop the rest of the file (issue 9).
				 */
				nbk_error_set(err, 0,
					      "%s:%zu:%zu: a second YAML document: a file "
					      "holds one (remove the \"---\" line)",
					      name, ev.start_mark.line + 1,
					      ev.start_mark.column + 1);
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
		case YAML_NO_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_ALIAS_EVENT:
			nbk_error_set(err, 0, "%s:%zu:%zu: aliases are not supported", name,
				      ev.start_mark.line + 1, ev.start_mark.column + 1);
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT:
			if (scalar_is_null(&ev)) {
				node = nbk_node_new(NBK_NODE_NULL);
			} else {
				node = nbk_node_new(NBK_NODE_SCALAR);
				node->scalar = nbk_xstrndup((const char *)ev.data.scalar.value,
							    ev.data.scalar.length);
				node->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
			}
			set_pos(node, name, &ev.start_mark);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= YAML_MAX_DEPTH) {
				nbk_error_set(err, 0, "%s:%zu:%zu: nested deeper than %d levels",
					      name, ev.start_mark.line + 1,
					      ev.start_mark.column + 1, YAML_MAX_DEPTH);
				yaml_event_delete(&ev);
				goto out;
			}
			node = nbk_node_new(ev.type == YAML_SEQUENCE_START_EVENT ? NBK_NODE_SEQ
										 : NBK_NODE_MAP);
			set_pos(node, name, &ev.start_mark);
			stack[++depth].node = node;
			stack[depth].pending_key = NULL;
			node = NULL;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			node = stack[depth].node;
			stack[depth].node = NULL;
			depth--;
			break;
		}
		yaml_event_delete(&ev);
		if (!node)
			continue;
		if (depth == 0) {
			nbk_node_free(root);
			root = node;
		} else if (attach(&stack[depth], node, name, err) < 0) {
			goto out;
		}
	}
	*out = root ? root : nbk_node_new(NBK_NODE_NULL);
	if (!root)
		set_pos(*out, name, &(yaml_mark_t){ 0, 0, 0 });
	root = NULL;
	ret = 0;
out:
	for (i = depth; i > 0; i--) {
		nbk_node_free(stack[i].pending_key);
		nbk_node_free(stack[i].node);
	}
	nbk_node_free(root);
	yaml_parser_delete(&parser);
	return ret;
}

int nbk_yaml_load_file(const char *path, size_t max_size, struct nbk_node **out,
		       struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;

	if (nbk_read_file(path, max_size, &b, err) < 0)
		return -1;
	return nbk_yaml_load_string(path, b.data, b.len, out, err);
}

/* ---- emitting ---- */

static int emit_write(void *data, unsigned char *buffer, size_t size)
{
	nbk_buf_add(data, buffer, size);
	return 1;
}

/* Would this plain text read back as something other than a string? */
static bool plain_is_ambiguous(const char *s)
{
	static const char *const words[] = { "",   "~",  "null", "true", "false", "yes",
					     "no", "on", "off",  "y",    "n" };
	char *end;
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	errno = 0;
	strtod(s, &end);
	return *end == '\0';
}

static int emit_node(yaml_emitter_t *em, const struct nbk_node *n)
{
	yaml_event_t ev;
	size_t i;

	switch (n->kind) {
	case NBK_NODE_NULL:
		yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)"null", 4, 1, 1,
					     YAML_PLAIN_SCALAR_STYLE);
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	case NBK_NODE_SCALAR: {
		yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;

		if (n->quoted && plain_is_ambiguous(n->scalar))
			style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)n->scalar,
					     (int)strlen(n->scalar), 1, 1, style);
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	case NBK_NODE_SEQ:
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return -1;
		for (i = 0; i < n->n; i++)
			if (emit_node(em, n->items[i]) < 0)
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	case NBK_NODE_MAP:
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return -1;
		for (i = 0; i < n->n; i++) {
			struct nbk_node key = { .kind = NBK_NODE_SCALAR, .scalar = n->keys[i] };

			if (emit_node(em, &key) < 0 || emit_node(em, n->items[i]) < 0)
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	return -1;
}

int nbk_yaml_emit(const struct nbk_node *root, struct nbk_buf *out, struct nbk_error *err)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int ret = -1;

	if (!yaml_emitter_initialize(&em))
		return nbk_error_set(err, ENOMEM, "cannot initialise the YAML emitter");
	yaml_emitter_set_output(&em, emit_write, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_indent(&em, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (!yaml_emitter_emit(&em, &ev))
		goto out;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (!yaml_emitter_emit(&em, &ev))
		goto out;
	if (emit_node(&em, root) < 0)
		goto out;
	yaml_document_end_event_initialize(&ev, 1);
	if (!yaml_emitter_emit(&em, &ev))
		goto out;
	yaml_stream_end_event_initialize(&ev);
	if (!yaml_emitter_emit(&em, &ev) || !yaml_emitter_flush(&em))
		goto out;
	ret = 0;
out:
	if (ret < 0)
		nbk_error_set(err, 0, "cannot write YAML: %s",
			      em.problem ? em.problem : "emitter error");
	yaml_emitter_delete(&em);
	return ret;
}

/* ---- typed access ---- */

int nbk_node_error(const struct nbk_node *node, struct nbk_error *err, const char *what,
		   const char *fmt, ...)
{
	char msg[NBK_ERROR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node && node->file)
		return nbk_error_set(err, 0, "%s:%u:%u: '%s': %s", node->file, node->line,
				     node->col, what, msg);
	return nbk_error_set(err, 0, "'%s': %s", what, msg);
}

static const char *kind_name(const struct nbk_node *n)
{
	switch (n->kind) {
	case NBK_NODE_NULL:
		return "nothing";
	case NBK_NODE_SCALAR:
		return "a value";
	case NBK_NODE_SEQ:
		return "a list";
	case NBK_NODE_MAP:
		return "a mapping";
	}
	return "?";
}

int nbk_node_as_string(const struct nbk_node *node, const char *what, const char **out,
		       struct nbk_error *err)
{
	if (node->kind == NBK_NODE_NULL) {
		*out = "";
		return 0;
	}
	if (node->kind != NBK_NODE_SCALAR)
		return nbk_node_error(node, err, what, "expected a string, found %s",
				      kind_name(node));
	*out = node->scalar;
	return 0;
}

int nbk_node_as_bool(const struct nbk_node *node, const char *what, bool *out,
		     struct nbk_error *err)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	size_t i;

	if (node->kind == NBK_NODE_SCALAR && !node->quoted) {
		for (i = 0; i < 3; i++) {
			if (!strcasecmp(node->scalar, yes[i])) {
				*out = true;
				return 0;
			}
			if (!strcasecmp(node->scalar, no[i])) {
				*out = false;
				return 0;
			}
		}
	}
	return nbk_node_error(node, err, what, "expected true or false, found %s%s%s%s",
			      node->kind == NBK_NODE_SCALAR ? "'" : kind_name(node),
			      node->kind == NBK_NODE_SCALAR ? node->scalar : "",
			      node->kind == NBK_NODE_SCALAR ? "'" : "", "");
}

/*
 * The text of a number: an unquoted, non-empty scalar (a quoted "42" is a
 * string), else NULL with err saying "expected <expected>, found ...".
 */
static const char *number_text(const struct nbk_node *node, const char *what, const char *expected,
			       struct nbk_error *err)
{
	if (node->kind == NBK_NODE_SCALAR && !node->quoted && node->scalar[0])
		return node->scalar;
	nbk_node_error(node, err, what, "expected %s, found %s", expected,
		       node->kind == NBK_NODE_SCALAR ? "a string" : kind_name(node));
	return NULL;
}

int nbk_node_as_long(const struct nbk_node *node, const char *what, long min, long max, long *out,
		     struct nbk_error *err)
{
	const char *s = number_text(node, what, "a whole number", err);
	long v;

	if (!s)
		return -1;
	/* YAML 1.2's core int is [-+]?[0-9]+: the lib's parser takes no '+' */
	if (nbk_parse_long(s + (s[0] == '+' && s[1] != '-'), 10, LONG_MIN, LONG_MAX, &v) < 0)
		return nbk_node_error(node, err, what, "expected a whole number, found '%s'", s);
	if (v < min || v > max)
		return nbk_node_error(node, err, what, "%ld is out of range (%ld to %ld)", v, min,
				      max);
	*out = v;
	return 0;
}

int nbk_node_as_double(const struct nbk_node *node, const char *what, double min, double max,
		       double *out, struct nbk_error *err)
{
	const char *s = number_text(node, what, "a number", err);
	double v;

	if (!s)
		return -1;
	if (nbk_parse_double(s, -HUGE_VAL, HUGE_VAL, &v) < 0)
		return nbk_node_error(node, err, what, "expected a number, found '%s'", s);
	if (v < min || v > max)
		return nbk_node_error(node, err, what, "%g is out of range (%g to %g)", v, min,
				      max);
	*out = v;
	return 0;
}

int nbk_node_as_strvec(const struct nbk_node *node, const char *what, struct nbk_strvec *out,
		       struct nbk_error *err)
{
	size_t i;

	if (node->kind == NBK_NODE_NULL)
		return 0;
	if (node->kind != NBK_NODE_SEQ)
		return nbk_node_error(node, err, what, "expected a list, found %s",
				      kind_name(node));
	for (i = 0; i < node->n; i++) {
		const struct nbk_node *it = node->items[i];

		if (it->kind != NBK_NODE_SCALAR)
			return nbk_node_error(it, err, what, "list items must be strings, found %s",
					      kind_name(it));
		nbk_strvec_push(out, it->scalar);
	}
	return 0;
}

/* ---- schemas ---- */

/*
 * Check the mapping node (kind MAP, the caller's precondition) against schema,
 * a table ended by a NULL key; prefix is the dotted path of node ("" at the
 * top) and names keys in messages ("user.name").  A null value passes any
 * entry; NBK_SCHEMA_MAP entries are walked into, one level of C stack per
 * level of YAML (bounded by YAML_MAX_DEPTH at load).  Returns 0, or -1 with
 * err at the first unknown key or value of the wrong kind, in document order.
 * Allocates nothing that outlives the call.
 */
static int schema_walk(const struct nbk_node *node, const struct nbk_schema *schema,
		       const char *prefix, struct nbk_error *err)
{
	size_t i;

	for (i = 0; i < node->n; i++) {
		const struct nbk_schema *s;
		const struct nbk_node *v = node->items[i];
		_cleanup_free_ char *full = *prefix ? nbk_xasprintf("%s.%s", prefix, node->keys[i])
						    : nbk_xstrdup(node->keys[i]);
		bool ok;

		for (s = schema; s->key; s++)
			if (!strcmp(s->key, node->keys[i]))
				break;
		if (!s->key) {
			const struct nbk_node *at = node->key_nodes[i] ? node->key_nodes[i] : v;

			return nbk_error_set(err, 0, "%s:%u:%u: unknown key '%s'",
					     at->file ? at->file : "?", at->line, at->col, full);
		}
		if (v->kind == NBK_NODE_NULL)
			continue;
		switch (s->type) {
		case NBK_SCHEMA_SCALAR:
			ok = v->kind == NBK_NODE_SCALAR;
			break;
		case NBK_SCHEMA_SEQ:
			ok = v->kind == NBK_NODE_SEQ;
			break;
		case NBK_SCHEMA_SCALAR_OR_SEQ:
			ok = v->kind == NBK_NODE_SEQ || v->kind == NBK_NODE_SCALAR;
			break;
		case NBK_SCHEMA_MAP:
		case NBK_SCHEMA_ANY_MAP:
			ok = v->kind == NBK_NODE_MAP;
			break;
		default:
			ok = false;
		}
		if (!ok) {
			static const char *const want[] = { "a value", "a list", "a mapping",
							    "a mapping", "a value or a list" };

			return nbk_node_error(v, err, full, "expected %s, found %s", want[s->type],
					      kind_name(v));
		}
		if (s->type == NBK_SCHEMA_SEQ) {
			size_t j;

			for (j = 0; j < v->n; j++)
				if (v->items[j]->kind != NBK_NODE_SCALAR)
					return nbk_node_error(v->items[j], err, full,
							      "list items must be values, found %s",
							      kind_name(v->items[j]));
		}
		if (s->type == NBK_SCHEMA_ANY_MAP) {
			size_t j;

			for (j = 0; j < v->n; j++)
				if (v->items[j]->kind == NBK_NODE_SEQ ||
				    v->items[j]->kind == NBK_NODE_MAP)
					return nbk_node_error(v->items[j], err, full,
							      "'%s' must be a value, found %s",
							      v->keys[j], kind_name(v->items[j]));
		}
		if (s->type == NBK_SCHEMA_MAP && schema_walk(v, s->children, full, err) < 0)
			return -1;
	}
	return 0;
}

int nbk_schema_check(const struct nbk_node *root, const struct nbk_schema *schema,
		     struct nbk_error *err)
{
	if (root->kind == NBK_NODE_NULL)
		return 0;
	if (root->kind != NBK_NODE_MAP)
		return nbk_node_error(root, err, "(top level)", "expected a mapping, found %s",
				      kind_name(root));
	return schema_walk(root, schema, "", err);
}
