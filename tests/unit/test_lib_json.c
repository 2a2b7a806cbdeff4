/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the JSON writer (lib/json.c).  Each case pins the exact bytes
 * and has every output parsed back by a real JSON parser, Debian's
 * /usr/bin/python3 json module (strict UTF-8, no control characters in
 * strings): what it decodes must be what was written.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "nbkit/buf.h"
#include "nbkit/json.h"
#include "nbkit/strvec.h"

/*
 * Parse doc with python's json module; return the value re-encoded as
 * ASCII-only compact JSON (caller frees), or NULL when python rejects it.
 */
static char *python_parse(const char *doc, size_t len)
{
	static const char prog[] =
		"import json, sys\n"
		"text = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
		"print(json.dumps(json.loads(text), separators=(',', ':')), end='')\n";
	char path[] = "/tmp/test_lib_json.XXXXXX";
	char *cmd, line[1 << 16];
	struct nbk_buf out = NBK_BUF_INIT;
	size_t n;
	FILE *f;
	int fd = mkstemp(path), st;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, len), (ssize_t)len);
	close(fd);
	/* the program goes in through the environment: no quoting to get wrong */
	setenv("TEST_JSON_PROG", prog, 1);
	cmd = nbk_xasprintf("/usr/bin/python3 -c \"$TEST_JSON_PROG\" %s 2>/dev/null", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((n = fread(line, 1, sizeof(line), f)) > 0)
		nbk_buf_add(&out, line, n);
	st = pclose(f);
	unlink(path);
	free(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		nbk_buf_release(&out);
		return NULL;
	}
	return nbk_buf_detach(&out, NULL);
}

/* doc is valid JSON and python reads it as the value canon (ASCII-only, compact). */
static void assert_parses_as(const char *doc, const char *canon)
{
	char *got = python_parse(doc, strlen(doc));

	if (!got)
		fail_msg("python cannot parse: %s", doc);
	assert_string_equal(got, canon);
	free(got);
}

/* ---- strings --------------------------------------------------------------- */

static const struct {
	const char *in;
	const char *out;   /* the writer's bytes */
	const char *canon; /* what python decodes, as ASCII-only JSON */
} strings[] = {
	{ "", "\"\"", "\"\"" },
	{ "plain", "\"plain\"", "\"plain\"" },
	{ "a\"b\\c", "\"a\\\"b\\\\c\"", "\"a\\\"b\\\\c\"" },
	{ "l1\nl2\r\t", "\"l1\\nl2\\r\\t\"", "\"l1\\nl2\\r\\t\"" },
	/* the other C0 controls and DEL: \u00XX (\b and \f too: the bytes envtool always wrote) */
	{ "\x01\x08\x0c\x1b\x1f\x7f", "\"\\u0001\\u0008\\u000c\\u001b\\u001f\\u007f\"",
	  "\"\\u0001\\b\\f\\u001b\\u001f\\u007f\"" },
	{ "/ ' < > &", "\"/ ' < > &\"", "\"/ ' < > &\"" },
	/* valid UTF-8 is copied: 2, 3 and 4 bytes, and the largest code point */
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",
	  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"",
	  "\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\udbff\\udfff\"" },
	/* invalid UTF-8: each byte that starts no valid sequence is U+FFFD */
	{ "a\x80z", "\"a\\ufffdz\"", "\"a\\ufffdz\"" },
	{ "\xff\xfe", "\"\\ufffd\\ufffd\"", "\"\\ufffd\\ufffd\"" },
	{ "\xc0\xaf", "\"\\ufffd\\ufffd\"", "\"\\ufffd\\ufffd\"" }, /* overlong '/' */
	{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"",
	  "\"\\ufffd\\ufffd\\ufffd\"" }, /* overlong, 3 bytes */
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"",
	  "\"\\ufffd\\ufffd\\ufffd\"" }, /* a surrogate */
	{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
	  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },                        /* past U+10FFFF */
	{ "x\xe2\x82", "\"x\\ufffd\\ufffd\"", "\"x\\ufffd\\ufffd\"" }, /* cut short by the end */
	{ "\xe2\x82\n", "\"\\ufffd\\ufffd\\n\"",
	  "\"\\ufffd\\ufffd\\n\"" }, /* cut short by a control */
	{ "\xc3\xc3\xa9", "\"\\ufffd\xc3\xa9\"", "\"\\ufffd\\u00e9\"" }, /* resynchronises */
};

static void test_strings(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		struct nbk_buf b = NBK_BUF_INIT;

		nbk_buf_add_json_string(&b, strings[i].in);
		assert_string_equal(b.data, strings[i].out);
		assert_parses_as(b.data, strings[i].canon);
		nbk_buf_release(&b);
	}
}

/* ---- layouts, commas, nesting ---------------------------------------------- */

/* One document with every kind of value, nested, and empty containers. */
static void build_doc(struct nbk_json *w)
{
	struct nbk_strvec v = NBK_STRVEC_INIT;

	nbk_strvec_push(&v, "x");
	nbk_strvec_push(&v, "y\"");
	nbk_json_object_begin(w);
	nbk_json_key_string(w, "s", "t");
	nbk_json_key_int(w, "neg", -42);
	nbk_json_key_uint(w, "big", UINT64_MAX);
	nbk_json_key_bool(w, "yes", true);
	nbk_json_key_bool(w, "no", false);
	nbk_json_key(w, "nil");
	nbk_json_null(w);
	nbk_json_key_string(w, "nullstr", NULL);
	nbk_json_key(w, "num");
	nbk_json_raw_number(w, "-1.5e3");
	nbk_json_key_strvec(w, "list", &v);
	nbk_json_key(w, "empty_a");
	nbk_json_array_begin(w);
	nbk_json_array_end(w);
	nbk_json_key(w, "empty_o");
	nbk_json_object_begin(w);
	nbk_json_object_end(w);
	nbk_json_key(w, "nest");
	nbk_json_array_begin(w);
	nbk_json_object_begin(w);
	nbk_json_key_int(w, "a", 1);
	nbk_json_object_end(w);
	nbk_json_array_begin(w);
	nbk_json_int(w, 2);
	nbk_json_array_end(w);
	nbk_json_array_end(w);
	nbk_json_object_end(w);
	nbk_strvec_release(&v);
}

static const char doc_canon[] =
	"{\"s\":\"t\",\"neg\":-42,\"big\":18446744073709551615,\"yes\":true,\"no\":false,"
	"\"nil\":null,\"nullstr\":null,\"num\":-1500.0,\"list\":[\"x\",\"y\\\"\"],"
	"\"empty_a\":[],\"empty_o\":{},\"nest\":[{\"a\":1},[2]]}";

static const struct {
	enum nbk_json_layout layout;
	const char *out;
} layouts[] = {
	{ NBK_JSON_COMPACT,
	  "{\"s\":\"t\",\"neg\":-42,\"big\":18446744073709551615,\"yes\":true,\"no\":false,"
	  "\"nil\":null,\"nullstr\":null,\"num\":-1.5e3,\"list\":[\"x\",\"y\\\"\"],"
	  "\"empty_a\":[],\"empty_o\":{},\"nest\":[{\"a\":1},[2]]}" },
	{ NBK_JSON_LINE,
	  "{\"s\": \"t\", \"neg\": -42, \"big\": 18446744073709551615, \"yes\": true, \"no\": false, "
	  "\"nil\": null, \"nullstr\": null, \"num\": -1.5e3, \"list\": [\"x\", \"y\\\"\"], "
	  "\"empty_a\": [], \"empty_o\": {}, \"nest\": [{\"a\": 1}, [2]]}" },
	/* python's json.dumps(indent=2) */
	{ NBK_JSON_PRETTY,
	  "{\n"
	  "  \"s\": \"t\",\n"
	  "  \"neg\": -42,\n"
	  "  \"big\": 18446744073709551615,\n"
	  "  \"yes\": true,\n"
	  "  \"no\": false,\n"
	  "  \"nil\": null,\n"
	  "  \"nullstr\": null,\n"
	  "  \"num\": -1.5e3,\n"
	  "  \"list\": [\n"
	  "    \"x\",\n"
	  "    \"y\\\"\"\n"
	  "  ],\n"
	  "  \"empty_a\": [],\n"
	  "  \"empty_o\": {},\n"
	  "  \"nest\": [\n"
	  "    {\n"
	  "      \"a\": 1\n"
	  "    },\n"
	  "    [\n"
	  "      2\n"
	  "    ]\n"
	  "  ]\n"
	  "}" },
};

static void test_layouts(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		struct nbk_buf b = NBK_BUF_INIT;
		struct nbk_json w;

		nbk_json_init(&w, &b, layouts[i].layout);
		build_doc(&w);
		assert_string_equal(b.data, layouts[i].out);
		/* compact, on one line or pretty: the same value */
		assert_parses_as(b.data, doc_canon);
		nbk_buf_release(&b);
	}
}

/* Commas: none before the first element, one between, none after the last. */
static void test_commas(void **state)
{
	static const char *const want[][3] = {
		{ "[]", "[]", "[]" },
		{ "[0]", "[0]", "[\n  0\n]" },
		{ "[0,1]", "[0, 1]", "[\n  0,\n  1\n]" },
		{ "[0,1,2]", "[0, 1, 2]", "[\n  0,\n  1,\n  2\n]" },
	};
	static const char *const want_obj[][3] = {
		{ "{}", "{}", "{}" },
		{ "{\"k0\":0}", "{\"k0\": 0}", "{\n  \"k0\": 0\n}" },
		{ "{\"k0\":0,\"k1\":1}", "{\"k0\": 0, \"k1\": 1}",
		  "{\n  \"k0\": 0,\n  \"k1\": 1\n}" },
	};
	size_t n, k, l;

	(void)state;
	for (l = 0; l < 3; l++) {
		for (n = 0; n < 4; n++) {
			struct nbk_buf b = NBK_BUF_INIT;
			struct nbk_json w;

			nbk_json_init(&w, &b, layouts[l].layout);
			nbk_json_array_begin(&w);
			for (k = 0; k < n; k++)
				nbk_json_int(&w, (long long)k);
			nbk_json_array_end(&w);
			assert_string_equal(b.data, want[n][l]);
			nbk_buf_release(&b);
		}
		for (n = 0; n < 3; n++) {
			struct nbk_buf b = NBK_BUF_INIT;
			struct nbk_json w;
			char key[8];

			nbk_json_init(&w, &b, layouts[l].layout);
			nbk_json_object_begin(&w);
			for (k = 0; k < n; k++) {
				snprintf(key, sizeof(key), "k%zu", k);
				nbk_json_key_int(&w, key, (long long)k);
			}
			nbk_json_object_end(&w);
			assert_string_equal(b.data, want_obj[n][l]);
			nbk_buf_release(&b);
		}
	}
}

/*
 * Layouts mix: micromamba's --json is pretty with one record a line, and
 * the layout nbk_json_layout() set ends with its container.
 */
static void test_mixed(void **state)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;
	int i;

	(void)state;
	nbk_buf_addstr(&b, "prefix "); /* the writer appends */
	nbk_json_init(&w, &b, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key(&w, "pkgs");
	nbk_json_array_begin(&w);
	for (i = 0; i < 2; i++) {
		nbk_json_layout(&w, NBK_JSON_LINE);
		nbk_json_object_begin(&w);
		nbk_json_key_int(&w, "n", i);
		nbk_json_key(&w, "deps");
		nbk_json_array_begin(&w); /* inherits the line */
		nbk_json_string(&w, "a");
		nbk_json_string(&w, "b");
		nbk_json_array_end(&w);
		nbk_json_object_end(&w);
	}
	nbk_json_array_end(&w);
	nbk_json_key(&w, "after");
	nbk_json_object_begin(&w); /* pretty again */
	nbk_json_key_bool(&w, "ok", true);
	nbk_json_object_end(&w);
	nbk_json_object_end(&w);
	assert_string_equal(b.data,
			    "prefix {\n"
			    "  \"pkgs\": [\n"
			    "    {\"n\": 0, \"deps\": [\"a\", \"b\"]},\n"
			    "    {\"n\": 1, \"deps\": [\"a\", \"b\"]}\n"
			    "  ],\n"
			    "  \"after\": {\n"
			    "    \"ok\": true\n"
			    "  }\n"
			    "}");
	assert_parses_as(
		b.data + strlen("prefix "),
		"{\"pkgs\":[{\"n\":0,\"deps\":[\"a\",\"b\"]},{\"n\":1,\"deps\":[\"a\",\"b\"]}],"
		"\"after\":{\"ok\":true}}");
	nbk_buf_release(&b);
}

/* Scalars at the top level, and a string's escapes in keys too. */
static void test_scalars(void **state)
{
	static const char *const numbers[] = { "0",    "-0",  "7",    "-12",
					       "3.25", "1e9", "1E+2", "2.5e-3" };
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		nbk_buf_reset(&b);
		nbk_json_init(&w, &b, NBK_JSON_COMPACT);
		nbk_json_raw_number(&w, numbers[i]);
		assert_string_equal(b.data, numbers[i]);
		got = python_parse(b.data, b.len);
		assert_non_null(got);
		free(got);
	}
	nbk_buf_reset(&b);
	nbk_json_init(&w, &b, NBK_JSON_LINE);
	nbk_json_object_begin(&w);
	nbk_json_key_int(&w, "k\"\n\x80", INT64_MIN);
	nbk_json_object_end(&w);
	assert_string_equal(b.data, "{\"k\\\"\\n\\ufffd\": -9223372036854775808}");
	assert_parses_as(b.data, "{\"k\\\"\\n\\ufffd\":-9223372036854775808}");
	nbk_buf_release(&b);
}

/* ---- misuse: assert() in debug builds ---------------------------------------- */

enum misuse {
	KEY_OUTSIDE_OBJECT,
	VALUE_WITHOUT_KEY,
	TWO_KEYS,
	END_MISMATCH,
	END_WITHOUT_BEGIN,
	KEY_WITHOUT_VALUE,
	TWO_TOP_VALUES,
	TOO_DEEP,
	BAD_NUMBER,
	MISUSE_COUNT,
};

static void misuse(enum misuse m)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;
	int i;

	nbk_json_init(&w, &b, NBK_JSON_COMPACT);
	switch (m) {
	case KEY_OUTSIDE_OBJECT:
		nbk_json_array_begin(&w);
		nbk_json_key(&w, "k");
		break;
	case VALUE_WITHOUT_KEY:
		nbk_json_object_begin(&w);
		nbk_json_int(&w, 1);
		break;
	case TWO_KEYS:
		nbk_json_object_begin(&w);
		nbk_json_key(&w, "a");
		nbk_json_key(&w, "b");
		break;
	case END_MISMATCH:
		nbk_json_object_begin(&w);
		nbk_json_array_end(&w);
		break;
	case END_WITHOUT_BEGIN:
		nbk_json_object_end(&w);
		break;
	case KEY_WITHOUT_VALUE:
		nbk_json_object_begin(&w);
		nbk_json_key(&w, "a");
		nbk_json_object_end(&w);
		break;
	case TWO_TOP_VALUES:
		nbk_json_int(&w, 1);
		nbk_json_int(&w, 2);
		break;
	case TOO_DEEP:
		for (i = 0; i <= NBK_JSON_MAX_DEPTH; i++)
			nbk_json_array_begin(&w);
		break;
	case BAD_NUMBER:
		nbk_json_raw_number(&w, "01");
		break;
	case MISUSE_COUNT:
		break;
	}
	nbk_buf_release(&b);
}

static void test_misuse_asserts(void **state)
{
	int m;

	(void)state;
#ifdef NDEBUG
	skip();
#endif
	for (m = 0; m < MISUSE_COUNT; m++) {
		pid_t pid = fork();
		int st;

		assert_true(pid >= 0);
		if (pid == 0) {
			/* assert()'s message would look like a failure in the log */
			if (!freopen("/dev/null", "w", stderr))
				_exit(3);
			misuse((enum misuse)m);
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
			fail_msg("misuse %d was not caught", m);
	}
	/* the deepest allowed nesting is fine */
	{
		struct nbk_buf b = NBK_BUF_INIT;
		struct nbk_json w;
		char *got;
		int i;

		nbk_json_init(&w, &b, NBK_JSON_COMPACT);
		for (i = 0; i < NBK_JSON_MAX_DEPTH; i++)
			nbk_json_array_begin(&w);
		for (i = 0; i < NBK_JSON_MAX_DEPTH; i++)
			nbk_json_array_end(&w);
		assert_int_equal(b.len, 2 * NBK_JSON_MAX_DEPTH);
		got = python_parse(b.data, b.len);
		assert_non_null(got);
		free(got);
		nbk_buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings), cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_commas),  cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_scalars), cmocka_unit_test(test_misuse_asserts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
