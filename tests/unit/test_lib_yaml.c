/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: YAML loading with positions, merge, emit, typed access, schemas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "nbkit/buf.h"
#include "nbkit/yaml.h"

static struct nbk_node *load(const char *text)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_node *n = NULL;

	if (nbk_yaml_load_string("t.yaml", text, strlen(text), &n, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return n;
}

static void test_load_tree(void **state)
{
	struct nbk_node *n =
		load("user:\n  name: ann\n  uid: 1001\nlist: [a, 'b', 3]\nnothing:\n"
		     "quoted: \"true\"\n");
	const struct nbk_node *v;

	(void)state;
	assert_int_equal(n->kind, NBK_NODE_MAP);
	v = nbk_node_path(n, "user.name");
	assert_non_null(v);
	assert_string_equal(v->scalar, "ann");
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 9);
	assert_string_equal(v->file, "t.yaml");
	v = nbk_node_get(n, "list");
	assert_int_equal(v->kind, NBK_NODE_SEQ);
	assert_int_equal(v->n, 3);
	assert_true(v->items[1]->quoted);
	assert_false(v->items[0]->quoted);
	assert_int_equal(nbk_node_get(n, "nothing")->kind, NBK_NODE_NULL);
	assert_null(nbk_node_path(n, "user.missing"));
	assert_null(nbk_node_path(n, "list.x"));
	nbk_node_free(n);
}

static void test_load_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "a: [1, 2\nb: 3\n", "t.yaml:2:" },
		{ "a: 1\na: 2\n", "t.yaml:2:1: duplicate key 'a'" },
		{ "a: &x 1\nb: *x\n", "t.yaml:2:4: aliases are not supported" },
		{ "? [1]\n: 2\n", "t.yaml:1:3: a mapping key must be a plain value" },
		{ "a:\n\tb: 1\n", "t.yaml:2:1: " },
		{ "a: 'unterminated\n", "t.yaml:" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		struct nbk_node *n = NULL;

		assert_int_equal(nbk_yaml_load_string("t.yaml", cases[i].text,
						      strlen(cases[i].text), &n, &err),
				 -1);
		assert_null(n);
		if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)))
			fail_msg("case %zu: '%s' does not start with '%s'", i, err.msg,
				 cases[i].want);
	}
}

static void test_deep_nesting_refused(void **state)
{
	char text[400];
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_node *n = NULL;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		text[i] = '[';
	text[100] = '\0';
	assert_int_equal(nbk_yaml_load_string("t.yaml", text, strlen(text), &n, &err), -1);
	assert_non_null(strstr(err.msg, "nested deeper"));
}

static void test_empty_document(void **state)
{
	struct nbk_node *n = load("# only a comment\n");

	(void)state;
	assert_int_equal(n->kind, NBK_NODE_NULL);
	nbk_node_free(n);
}

static void test_merge(void **state)
{
	struct nbk_node *a = load("user: {name: a, uid: 1}\nlist: [1, 2]\nkeep: x\n");
	struct nbk_node *b = load("user: {uid: 2}\nlist: [3]\nnew: y\n");
	struct nbk_node *m;

	(void)state;
	m = nbk_node_merge(a, b);
	assert_string_equal(nbk_node_path(m, "user.name")->scalar, "a");
	assert_string_equal(nbk_node_path(m, "user.uid")->scalar, "2");
	assert_int_equal(nbk_node_get(m, "list")->n, 1);
	assert_string_equal(nbk_node_get(m, "keep")->scalar, "x");
	assert_string_equal(nbk_node_get(m, "new")->scalar, "y");
	nbk_node_free(m);
}

static void test_emit_roundtrip(void **state)
{
	struct nbk_node *a =
		load("channels: [https://x/y, conda-forge]\nflag: 'yes'\nn: '12'\n"
		     "plain: true\nempty:\n");
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_node *b;

	(void)state;
	assert_int_equal(nbk_yaml_emit(a, &out, &err), 0);
	b = load(out.data);
	assert_true(nbk_node_get(b, "flag")->quoted);
	assert_string_equal(nbk_node_get(b, "flag")->scalar, "yes");
	assert_true(nbk_node_get(b, "n")->quoted);
	assert_false(nbk_node_get(b, "plain")->quoted);
	assert_string_equal(nbk_node_get(b, "channels")->items[0]->scalar, "https://x/y");
	assert_int_equal(nbk_node_get(b, "empty")->kind, NBK_NODE_NULL);
	nbk_buf_release(&out);
	nbk_node_free(a);
	nbk_node_free(b);
}

static void test_typed(void **state)
{
	struct nbk_node *n =
		load("b: yes\nq: 'true'\nl: 42\nneg: -1\nbig: 99999999999999999999\n"
		     "d: 0.5\ninf: .inf\ns: text\nlist: [a, [b]]\n");
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec sv = NBK_STRVEC_INIT;
	const char *s;
	bool b;
	long l;
	double d;

	(void)state;
	assert_int_equal(nbk_node_as_bool(nbk_node_get(n, "b"), "b", &b, &err), 0);
	assert_true(b);
	assert_int_equal(nbk_node_as_bool(nbk_node_get(n, "q"), "q", &b, &err), -1);
	assert_string_equal(err.msg, "t.yaml:2:4: 'q': expected true or false, found 'true'");
	assert_int_equal(nbk_node_as_long(nbk_node_get(n, "l"), "l", 0, 100, &l, &err), 0);
	assert_int_equal(l, 42);
	assert_int_equal(nbk_node_as_long(nbk_node_get(n, "neg"), "neg", 0, 100, &l, &err), -1);
	assert_non_null(strstr(err.msg, "out of range"));
	assert_int_equal(nbk_node_as_long(nbk_node_get(n, "big"), "big", 0, 100, &l, &err), -1);
	assert_int_equal(nbk_node_as_long(nbk_node_get(n, "s"), "s", 0, 100, &l, &err), -1);
	assert_string_equal(err.msg, "t.yaml:8:4: 's': expected a whole number, found 'text'");
	assert_int_equal(nbk_node_as_double(nbk_node_get(n, "d"), "d", 0, 1, &d, &err), 0);
	assert_true(d == 0.5);
	assert_int_equal(nbk_node_as_double(nbk_node_get(n, "inf"), "inf", 0, 1, &d, &err), -1);
	assert_int_equal(nbk_node_as_string(nbk_node_get(n, "list"), "list", &s, &err), -1);
	assert_string_equal(err.msg, "t.yaml:9:7: 'list': expected a string, found a list");
	assert_int_equal(nbk_node_as_strvec(nbk_node_get(n, "list"), "list", &sv, &err), -1);
	assert_non_null(strstr(err.msg, "list items must be strings"));
	nbk_strvec_release(&sv);
	nbk_node_free(n);
}

/*
 * Numbers go through lib/str.c's parsers (issue 10): YAML's "+42" is 42, but
 * no blank, junk, hexadecimal or overflow passes; a quoted number is a
 * string; the message says file:line:col.
 */
static void test_numbers(void **state)
{
	static const struct {
		const char *text; /* the value of key n */
		long min, max;
		int ret;
		long v;
	} longs[] = {
		{ "42", 0, 100, 0, 42 },
		{ "+42", 0, 100, 0, 42 },
		{ "-42", -100, 100, 0, -42 },
		{ "-42", 0, 100, -1, 0 },
		{ "+-42", -100, 100, -1, 0 },
		{ "'42'", 0, 100, -1, 0 },
		{ "42x", 0, 100, -1, 0 },
		{ "4 2", 0, 100, -1, 0 },
		{ "0x10", 0, 100, -1, 0 },
		{ "1e2", 0, 1000, -1, 0 },
		{ "9223372036854775808", 0, 100, -1, 0 },
		{ "[1]", 0, 100, -1, 0 },
		{ "", 0, 100, -1, 0 },
	};
	static const struct {
		const char *text;
		int ret;
		double v;
	} doubles[] = {
		{ "0.25", 0, 0.25 }, { "2", 0, 2 },      { "1e-1", 0, 0.1 }, { "-0.5", -1, 0 },
		{ "10.5", -1, 0 },   { ".inf", -1, 0 },  { ".nan", -1, 0 },  { "0x1", -1, 0 },
		{ "1e999", -1, 0 },  { "'0.5'", -1, 0 }, { "0.5s", -1, 0 },
	};
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
		char *text = nbk_xasprintf("x: 1\nn: %s\n", longs[i].text);
		struct nbk_node *n = load(text);
		long v = 12345;
		int r = nbk_node_as_long(nbk_node_get(n, "n"), "n", longs[i].min, longs[i].max, &v,
					 &err);

		if (r != longs[i].ret || (r == 0 && v != longs[i].v) || (r < 0 && v != 12345))
			fail_msg("'%s': got %d/%ld", longs[i].text, r, v);
		if (r < 0 && (strncmp(err.msg, "t.yaml:2:", 9) || !strstr(err.msg, ": 'n': ")))
			fail_msg("'%s': %s", longs[i].text, err.msg);
		nbk_node_free(n);
		free(text);
	}
	for (i = 0; i < sizeof(doubles) / sizeof(doubles[0]); i++) {
		char *text = nbk_xasprintf("n: %s\n", doubles[i].text);
		struct nbk_node *n = load(text);
		double v = 12345;
		int r = nbk_node_as_double(nbk_node_get(n, "n"), "n", 0, 10, &v, &err);

		if (r != doubles[i].ret || (r == 0 && v != doubles[i].v) || (r < 0 && v != 12345))
			fail_msg("'%s': got %d/%g", doubles[i].text, r, v);
		nbk_node_free(n);
		free(text);
	}
}

/* nbk_node_get_scalar(): the text of a scalar key, NULL for anything else. */
static void test_get_scalar(void **state)
{
	struct nbk_node *n = load("s: text\nq: ''\nnum: 7\nnull:\nlist: [a]\nmap: {a: b}\n");

	(void)state;
	assert_string_equal(nbk_node_get_scalar(n, "s"), "text");
	assert_string_equal(nbk_node_get_scalar(n, "q"), "");
	assert_string_equal(nbk_node_get_scalar(n, "num"), "7");
	assert_null(nbk_node_get_scalar(n, "null"));
	assert_null(nbk_node_get_scalar(n, "list"));
	assert_null(nbk_node_get_scalar(n, "map"));
	assert_null(nbk_node_get_scalar(n, "absent"));
	/* not a mapping: nothing */
	assert_null(nbk_node_get_scalar(nbk_node_get(n, "list"), "a"));
	assert_null(nbk_node_get_scalar(nbk_node_get(n, "s"), "s"));
	nbk_node_free(n);
}

static const struct nbk_schema sub_schema[] = {
	{ "x", NBK_SCHEMA_SCALAR, NULL },
	{ NULL, 0, NULL },
};
static const struct nbk_schema schema[] = {
	{ "sub", NBK_SCHEMA_MAP, sub_schema },
	{ "list", NBK_SCHEMA_SEQ, NULL },
	{ "free", NBK_SCHEMA_ANY_MAP, NULL },
	{ NULL, 0, NULL },
};

static void test_schema(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* NULL: valid */
	} cases[] = {
		{ "sub: {x: 1}\nlist: [a]\nfree: {ANY: 1}\n", NULL },
		{ "sub:\n  y: 1\n", "t.yaml:2:3: unknown key 'sub.y'" },
		{ "other: 1\n", "t.yaml:1:1: unknown key 'other'" },
		{ "sub: [1]\n", "t.yaml:1:6: 'sub': expected a mapping, found a list" },
		{ "list: {a: 1}\n", "t.yaml:1:7: 'list': expected a list, found a mapping" },
		{ "list: [[1]]\n", "t.yaml:1:8: 'list': list items must be values, found a list" },
		{ "free: {A: [1]}\n", "t.yaml:1:11: 'free': 'A' must be a value, found a list" },
		{ "- 1\n", "t.yaml:1:1: '(top level)': expected a mapping, found a list" },
		{ "sub:\n", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		struct nbk_node *n = load(cases[i].text);
		int r = nbk_schema_check(n, schema, &err);

		if (!cases[i].want)
			assert_int_equal(r, 0);
		else if (r != -1 || strcmp(err.msg, cases[i].want))
			fail_msg("case %zu: got %d '%s', want '%s'", i, r, err.msg, cases[i].want);
		nbk_node_free(n);
	}
}

static void test_build_and_edit(void **state)
{
	struct nbk_node *m = nbk_node_new(NBK_NODE_MAP);
	struct nbk_node *seq = nbk_node_new(NBK_NODE_SEQ);
	struct nbk_node *c;

	(void)state;
	nbk_node_seq_push(seq, nbk_node_new_scalar("a"));
	nbk_node_map_set(m, "k", seq);
	nbk_node_map_set(m, "j", nbk_node_new_scalar("v"));
	nbk_node_map_set(m, "j", nbk_node_new_scalar("w"));
	assert_int_equal(m->n, 2);
	c = nbk_node_clone(m);
	assert_true(nbk_node_map_remove(m, "k"));
	assert_false(nbk_node_map_remove(m, "k"));
	assert_int_equal(m->n, 1);
	assert_string_equal(nbk_node_get(m, "j")->scalar, "w");
	assert_int_equal(nbk_node_get(c, "k")->n, 1);
	nbk_node_free(m);
	nbk_node_free(c);
}

static void expect_error(const char *text, const char *want)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_node *n = NULL;

	assert_int_equal(nbk_yaml_load_string("t.yaml", text, strlen(text), &n, &err), -1);
	assert_null(n);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("got '%s'\nwant '%s...'", err.msg, want);
}

/* Issue 9: a second document was silently dropped; PyYAML's safe_load refuses it. */
static void test_second_document(void **state)
{
	struct nbk_node *n;

	(void)state;
	expect_error("a: 1\n---\nb: 2\n", "t.yaml:2:1: a second YAML document");
	expect_error("---\na: 1\n--- \n", "t.yaml:3:1: a second YAML document");
	expect_error("a: 1\n...\n---\n", "t.yaml:3:1: a second YAML document");
	/* one document, with or without its markers, is fine */
	n = load("---\na: 1\n...\n");
	assert_string_equal(nbk_node_get(n, "a")->scalar, "1");
	nbk_node_free(n);
	n = load("{\"a\": 1}\n");
	assert_int_equal(n->n, 1);
	nbk_node_free(n);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Issue 9: the duplicate-key check scanned the mapping for every key, so a
 * 90,000-key .condarc took half a minute.  Loading it, looking every key up,
 * merging it into another large mapping and finding a duplicate at its end
 * must all be linear: 3 s is a generous bound on a loaded machine (it takes
 * well under 0.5 s; the quadratic code takes about 30 s).
 */
static void test_many_keys(void **state)
{
	enum { NKEYS = 90000 };
	struct nbk_buf text = NBK_BUF_INIT;
	struct nbk_buf other = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_node *a = NULL, *b = NULL, *dup = NULL;
	char key[32];
	double start, took;
	size_t i;

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		nbk_buf_addf(&text, "key_%zu: %zu\n", i, i);
		nbk_buf_addf(&other, "key_%zu: x\n", i + NKEYS / 2);
	}
	/* timed: the load with its duplicate checks, then the merge */
	start = now_s();
	assert_int_equal(nbk_yaml_load_string("big.yaml", text.data, text.len, &a, &err), 0);
	took = now_s() - start;
	if (took > 3.0)
		fail_msg("loading 90,000 keys took %.2f s (bound 3 s): not linear", took);
	assert_int_equal(nbk_yaml_load_string("b.yaml", other.data, other.len, &b, &err), 0);
	assert_int_equal(a->n, NKEYS);
	start = now_s();
	a = nbk_node_merge(a, b);
	took = now_s() - start;
	if (took > 3.0)
		fail_msg("merging 90,000 keys took %.2f s (bound 3 s): not linear", took);
	assert_int_equal(a->n, NKEYS + NKEYS / 2);
	for (i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "key_%zu", i);
		assert_non_null(nbk_node_get(a, key));
		if (i < NKEYS / 2)
			assert_int_equal(atol(nbk_node_get(a, key)->scalar), (long)i);
		else
			assert_string_equal(nbk_node_get(a, key)->scalar, "x");
	}
	assert_string_equal(nbk_node_get(a, "key_134999")->scalar, "x");
	assert_null(nbk_node_get(a, "key_135000"));
	/* the duplicate at the very end is found, with its position */
	nbk_buf_addstr(&text, "key_12345: again\n");
	start = now_s();
	assert_int_equal(nbk_yaml_load_string("big.yaml", text.data, text.len, &dup, &err), -1);
	took = now_s() - start;
	assert_string_equal(err.msg, "big.yaml:90001:1: duplicate key 'key_12345'");
	if (took > 3.0)
		fail_msg("finding a duplicate among 90,000 keys took %.2f s (bound 3 s)", took);
	/* removal keeps the index right */
	assert_true(nbk_node_map_remove(a, "key_0"));
	assert_null(nbk_node_get(a, "key_0"));
	assert_string_equal(nbk_node_get(a, "key_1")->scalar, "1");
	assert_string_equal(nbk_node_get(a, "key_134999")->scalar, "x");
	nbk_node_free(a);
	nbk_buf_release(&text);
	nbk_buf_release(&other);
}

/* The index appears at MAP_INDEX_MIN keys and goes below it: lookups agree throughout. */
static void test_small_maps_and_index(void **state)
{
	struct nbk_node *m = nbk_node_new(NBK_NODE_MAP);
	char key[16];
	int i, j;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		nbk_node_map_set(m, key, nbk_node_new_scalar(key));
		for (j = 0; j <= i; j++) {
			snprintf(key, sizeof(key), "k%d", j);
			assert_non_null(nbk_node_get(m, key));
		}
	}
	nbk_node_map_set(m, "k3", nbk_node_new_scalar("replaced"));
	assert_int_equal(m->n, 40);
	assert_string_equal(nbk_node_get(m, "k3")->scalar, "replaced");
	for (i = 0; i < 40; i += 2) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(nbk_node_map_remove(m, key));
	}
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (i % 2)
			assert_non_null(nbk_node_get(m, key));
		else
			assert_null(nbk_node_get(m, key));
	}
	assert_int_equal(m->n, 20);
	assert_string_equal(m->keys[0], "k1"); /* order kept */
	nbk_node_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_tree),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_deep_nesting_refused),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_emit_roundtrip),
		cmocka_unit_test(test_typed),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_get_scalar),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_build_and_edit),
		cmocka_unit_test(test_second_document),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_small_maps_and_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
