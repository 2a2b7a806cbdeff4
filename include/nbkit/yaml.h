/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML documents as trees of nodes (libyaml underneath), with the position
 * of every node so that every error can say file:line:column.
 *
 * A tree is owned by its root: nbk_node_free(root) frees every node, key and
 * scalar below it.  Nodes remember the file name they came from (shared,
 * reference-counted by the tree, so merged trees keep the right names).
 *
 * A stream holds one document: a second one ("---" after the first) is an
 * error, as in PyYAML's safe_load, so that nothing is silently ignored;
 * anchors and aliases are
 * refused (a config file has no use for them and they allow "billion
 * laughs" expansions); tags other than the core ones are ignored.
 */
#ifndef NBKIT_YAML_H
#define NBKIT_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/strvec.h"

enum nbk_node_kind {
	NBK_NODE_NULL, /* empty value, "~" or "null" (plain) */
	NBK_NODE_SCALAR,
	NBK_NODE_SEQ,
	NBK_NODE_MAP,
};

struct nbk_node {
	enum nbk_node_kind kind;
	char *scalar; /* SCALAR: the text */
	bool quoted;  /* SCALAR: written in quotes (never a number/bool) */
	size_t n;     /* SEQ, MAP: number of items */
	size_t alloc;
	struct nbk_node **items;     /* SEQ: the elements; MAP: the values */
	char **keys;                 /* MAP: the keys, parallel to items */
	struct nbk_node **key_nodes; /* MAP: key positions (for errors), parallel */
	size_t *slots;               /* MAP of many keys: hash index, position + 1 (0: free) */
	size_t nslots;               /* a power of two, or 0 (small map: scanned) */
	char *file;                  /* source name (owned by the node) */
	unsigned line, col;          /* 1-based */
};

/*
 * Parse a YAML document.  An empty document gives a NULL-kind node.
 * Returns 0 and *out (caller frees with nbk_node_free), or -1 with err set to
 * "NAME:LINE:COL: problem".  Duplicate keys in a mapping are an error
 * (found in constant time per key: a 100,000-key mapping loads in linear
 * time).  Keys are kept in document order; every MAP operation below keeps
 * the index: change keys and items only through them.
 */
int nbk_yaml_load_string(const char *name, const char *text, size_t len, struct nbk_node **out,
			 struct nbk_error *err);
/* The same from a file (at most max_size bytes; see nbk_read_file). */
int nbk_yaml_load_file(const char *path, size_t max_size, struct nbk_node **out,
		       struct nbk_error *err);

void nbk_node_free(struct nbk_node *node);
void nbk_cleanup_node(struct nbk_node **node);
#define _cleanup_node_ __attribute__((cleanup(nbk_cleanup_node)))

/* Constructors for trees built in code. */
struct nbk_node *nbk_node_new(enum nbk_node_kind kind);
struct nbk_node *nbk_node_new_scalar(const char *text);
/* Append to a SEQ (takes ownership of item). */
void nbk_node_seq_push(struct nbk_node *seq, struct nbk_node *item);
/* Set key in a MAP to value (takes ownership; replaces an existing one). */
void nbk_node_map_set(struct nbk_node *map, const char *key, struct nbk_node *value);
/* Remove key from a MAP; returns true when it was there. */
bool nbk_node_map_remove(struct nbk_node *map, const char *key);
struct nbk_node *nbk_node_clone(const struct nbk_node *node);

/* Child of a MAP by key, or NULL (also when map is not a MAP). */
struct nbk_node *nbk_node_get(const struct nbk_node *map, const char *key);
/* The text of map[key] when it is a scalar, else NULL (absent, a list, a mapping, null). */
const char *nbk_node_get_scalar(const struct nbk_node *map, const char *key);
/* Follow a dotted path of keys ("integrations.mlflow.tracking_uri"). */
struct nbk_node *nbk_node_path(const struct nbk_node *root, const char *path);

/*
 * Deep merge: every key of src is set in dst; where both hold a MAP the merge
 * recurses, otherwise src's value replaces dst's (sequences are replaced,
 * not concatenated, so a drop-in can shorten a list).  src is consumed.
 * When dst is not a MAP it is replaced by src.  Returns the merged root.
 */
struct nbk_node *nbk_node_merge(struct nbk_node *dst, struct nbk_node *src);

/*
 * Emit a tree as a YAML document into out (block style, keys in the tree's
 * order, scalars quoted when they would otherwise read as another type).
 */
int nbk_yaml_emit(const struct nbk_node *root, struct nbk_buf *out, struct nbk_error *err);

/*
 * Typed reading.  Each fails with "FILE:LINE:COL: 'what': expected ..." when
 * the node has another type.  `what` names the key for the message.
 */
int nbk_node_as_string(const struct nbk_node *node, const char *what, const char **out,
		       struct nbk_error *err);
int nbk_node_as_bool(const struct nbk_node *node, const char *what, bool *out,
		     struct nbk_error *err);
int nbk_node_as_long(const struct nbk_node *node, const char *what, long min, long max, long *out,
		     struct nbk_error *err);
int nbk_node_as_double(const struct nbk_node *node, const char *what, double min, double max,
		       double *out, struct nbk_error *err);
/* A SEQ of scalars, appended to out. */
int nbk_node_as_strvec(const struct nbk_node *node, const char *what, struct nbk_strvec *out,
		       struct nbk_error *err);
/* Fill err with "FILE:LINE:COL: 'what': <formatted>"; returns -1. */
int nbk_node_error(const struct nbk_node *node, struct nbk_error *err, const char *what,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Schemas describe which keys a mapping may hold; nbk_schema_check() reports
 * the first unknown key with its position ("FILE:LINE:COL: unknown key
 * 'user.nmae'") and the first value of the wrong kind.  A table ends with an
 * entry whose key is NULL.  NBK_SCHEMA_ANY_MAP accepts any keys (for
 * free-form maps such as `integrations.env`).
 */
enum nbk_schema_type {
	NBK_SCHEMA_SCALAR,
	NBK_SCHEMA_SEQ,     /* of scalars */
	NBK_SCHEMA_MAP,     /* with `children` */
	NBK_SCHEMA_ANY_MAP, /* of scalars, any keys */
	NBK_SCHEMA_SCALAR_OR_SEQ,
};

struct nbk_schema {
	const char *key;
	enum nbk_schema_type type;
	const struct nbk_schema *children;
};

int nbk_schema_check(const struct nbk_node *root, const struct nbk_schema *schema,
		     struct nbk_error *err);

#endif
