/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: repodata parsing and the binary cache (envtool/repodata.c).
 *
 * Tables of small documents written from conda's rules (legacy fields,
 * .conda over .tar.bz2, the test index's flat shape, base_url), tables of
 * bad documents with the message each must give, the real repodata in
 * shared/data (through NBK_SHARED), and the binary cache: round trip,
 * staleness, and hostile files (truncated, flipped bytes, garbage) that
 * must be refused, never trusted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../libconda/repodata.h"
#include "../../libconda/repodata_internal.h"
#include "nbkit/buf.h"
#include "nbkit/path.h"

static const struct et_repo_id ID = { "chan", "https://example.org/chan/linux-64", "linux-64", 3 };

static void parse_ok(const char *json, struct et_repo *repo)
{
	struct nbk_error err = NBK_ERROR_INIT;

	if (et_repo_parse(repo, &ID, json, strlen(json), &err) < 0)
		fail_msg("parse failed: %s\n%s", err.msg, json);
	et_repo_all(repo);
}

static const struct et_record *find(const struct et_repo *repo, const char *fn)
{
	size_t i;

	for (i = 0; i < repo->n; i++)
		if (!strcmp(repo->records[i].fn, fn))
			return &repo->records[i];
	return NULL;
}

static char *join(const struct nbk_strvec *v)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (i)
			nbk_buf_addch(&b, '|');
		nbk_buf_addstr(&b, v->v[i]);
	}
	return nbk_buf_detach(&b, NULL);
}

static void assert_vec(const struct nbk_strvec *v, const char *want)
{
	char *got = join(v);

	assert_string_equal(got, want);
	free(got);
}

static void test_fields(void **state)
{
	struct et_repo repo = ET_REPO_INIT;
	const struct et_record *r;

	(void)state;
	parse_ok(
		"{\"info\": {\"subdir\": \"linux-64\"}, \"packages\": {\"numpy-1.26.4-py311h0_0.tar.bz2\": {"
		"\"name\": \"numpy\", \"version\": \"1.26.4\", \"build\": \"py311h0_0\", \"build_number\": 7,"
		"\"depends\": [\"python >=3.11,<3.12.0a0\", \"libblas >=3.9\"], \"constrains\": [\"numpy-base <0a0\"],"
		"\"md5\": \"aa\", \"sha256\": \"bb\", \"license\": \"BSD-3-Clause\", \"size\": 8000000000,"
		"\"timestamp\": 1707225421981, \"subdir\": \"linux-64\", \"arch\": null, \"platform\": \"linux\","
		"\"extra\": {\"nested\": [1, 2.5e3, {\"x\": null}], \"s\": \"\\\"q\\\"\"}}}}",
		&repo);
	assert_int_equal(repo.n, 1);
	r = &repo.records[0];
	assert_string_equal(r->name, "numpy");
	assert_string_equal(r->version, "1.26.4");
	assert_string_equal(r->build, "py311h0_0");
	assert_int_equal(r->build_number, 7);
	assert_vec(&r->depends, "python >=3.11,<3.12.0a0|libblas >=3.9");
	assert_vec(&r->constrains, "numpy-base <0a0");
	assert_string_equal(r->md5, "aa");
	assert_string_equal(r->sha256, "bb");
	assert_string_equal(r->license, "BSD-3-Clause");
	assert_true(r->size == 8000000000ULL);
	assert_true(r->timestamp_ms == 1707225421981ULL);
	assert_string_equal(r->subdir, "linux-64");
	assert_string_equal(r->url,
			    "https://example.org/chan/linux-64/numpy-1.26.4-py311h0_0.tar.bz2");
	assert_string_equal(r->channel, "chan");
	assert_int_equal(r->channel_index, 3);
	assert_int_equal(r->noarch, ET_NOARCH_NONE);
	et_repo_release(&repo);
}

/* conda's legacy fields, each as records.py reads it. */
static void test_legacy(void **state)
{
	struct et_repo repo = ET_REPO_INIT;
	const struct et_record *r;

	(void)state;
	parse_ok(
		"{\"packages\": {"
		"\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"track_features\": \"mkl debug,x\","
		"  \"features\": \"nomkl\", \"timestamp\": 1400000000, \"noarch\": true},"
		"\"b-1-0.tar.bz2\": {\"name\": \"b\", \"version\": \"1\", \"track_features\": [\"p\", \"q r\"],"
		"  \"features\": [\"f1\"], \"timestamp\": 1400000000123, \"noarch\": \"python\"},"
		"\"c-1-0.tar.bz2\": {\"requires\": [\"python 2.7\"], \"name\": \"c\", \"version\": \"1\"},"
		"\"d-1-0.tar.bz2\": {\"requires\": [\"python 2.7\"], \"depends\": [\"python 2.7*\"], \"name\": \"d\", \"version\": \"1\"},"
		"\"e-1-0.tar.bz2\": {\"depends\": [], \"requires\": [\"zlib\"], \"name\": \"e\", \"version\": \"1\","
		"  \"track_features\": \"\", \"noarch\": \"generic\", \"timestamp\": 1.7e12},"
		"\"f-1-0.tar.bz2\": {\"depends\": null, \"requires\": [\"zlib\"], \"name\": \"f\", \"version\": \"1\","
		"  \"noarch\": false, \"timestamp\": null}"
		"}}",
		&repo);
	assert_int_equal(repo.n, 6);
	r = find(&repo, "a-1-0.tar.bz2");
	assert_vec(&r->track_features, "mkl|debug|x");
	assert_vec(&r->features, "nomkl");
	assert_true(r->timestamp_ms == 1400000000000ULL); /* seconds -> ms */
	assert_int_equal(r->noarch, ET_NOARCH_GENERIC);
	assert_string_equal(r->subdir, "linux-64"); /* the repo's */
	r = find(&repo, "b-1-0.tar.bz2");
	assert_vec(&r->track_features, "p|q|r");
	assert_vec(&r->features, "f1");
	assert_true(r->timestamp_ms == 1400000000123ULL);
	assert_int_equal(r->noarch, ET_NOARCH_PYTHON);
	assert_vec(&find(&repo, "c-1-0.tar.bz2")->depends, "python 2.7"); /* no depends: requires */
	assert_vec(&find(&repo, "d-1-0.tar.bz2")->depends, "python 2.7*"); /* depends wins */
	r = find(&repo, "e-1-0.tar.bz2");
	assert_vec(&r->depends, ""); /* an empty depends is one */
	assert_int_equal(r->track_features.n, 0);
	assert_int_equal(r->noarch, ET_NOARCH_GENERIC);
	assert_true(r->timestamp_ms == 1700000000000ULL);
	r = find(&repo, "f-1-0.tar.bz2");
	assert_vec(&r->depends, "zlib"); /* null depends: requires */
	assert_int_equal(r->noarch, ET_NOARCH_NONE);
	et_repo_release(&repo);
}

static void test_conda_over_tarbz2(void **state)
{
	struct et_repo repo = ET_REPO_INIT;

	(void)state;
	/* packages.conda before packages: the order of the keys must not matter */
	parse_ok(
		"{\"packages.conda\": {\"x-1-0.conda\": {\"name\": \"x\", \"version\": \"1\", \"md5\": \"new\"}},"
		"\"packages\": {\"x-1-0.tar.bz2\": {\"name\": \"x\", \"version\": \"1\", \"md5\": \"old\"},"
		"              \"y-1-0.tar.bz2\": {\"name\": \"y\", \"version\": \"1\"},"
		"              \"x-1-1.tar.bz2\": {\"name\": \"x\", \"version\": \"1\"}}}",
		&repo);
	assert_int_equal(repo.n, 3);
	assert_null(find(&repo, "x-1-0.tar.bz2"));
	assert_string_equal(find(&repo, "x-1-0.conda")->md5, "new");
	assert_non_null(find(&repo, "y-1-0.tar.bz2"));
	assert_non_null(find(&repo, "x-1-1.tar.bz2"));
	et_repo_release(&repo);
}

static void test_flat_index_and_base_url(void **state)
{
	struct et_repo repo = ET_REPO_INIT;
	char *s;

	(void)state;
	/* conda's test index.json: records keyed by file name at the top */
	parse_ok(
		"{\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\"}, \"other\": [1],"
		" \"b-2-0.conda\": {\"name\": \"b\", \"version\": \"2\", \"url\": \"https://m/b-2-0.conda\"}}",
		&repo);
	assert_int_equal(repo.n, 2);
	assert_string_equal(find(&repo, "b-2-0.conda")->url, "https://m/b-2-0.conda");
	et_repo_release(&repo);

	parse_ok(
		"{\"info\": {\"base_url\": \"../pkgs/\"}, \"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\"}}}",
		&repo);
	assert_string_equal(repo.records[0].url, "https://example.org/chan/pkgs/a-1-0.tar.bz2");
	et_repo_release(&repo);

	s = et_repo_resolve_base("https://h/c/linux-64", "https://cdn.example/x/");
	assert_string_equal(s, "https://cdn.example/x");
	free(s);
	s = et_repo_resolve_base("https://h/c/linux-64", "./");
	assert_string_equal(s, "https://h/c/linux-64");
	free(s);
	s = et_repo_resolve_base("https://h/c/linux-64", "../../../../up");
	assert_string_equal(s, "https://h/up"); /* never above the host */
	free(s);
	/* on the URL's host, and with its scheme (CEP 16's URLs are URLs) */
	s = et_repo_resolve_base("https://u:p@h:8443/c/linux-64", "/mirror/x/");
	assert_string_equal(s, "https://u:p@h:8443/mirror/x");
	free(s);
	s = et_repo_resolve_base("file:///srv/c/linux-64", "/other/x");
	assert_string_equal(s, "file:///other/x");
	free(s);
	s = et_repo_resolve_base("https://h/c/linux-64", "//cdn.example/s/");
	assert_string_equal(s, "https://cdn.example/s");
	free(s);
	s = et_repo_resolve_base("https://h/c/linux-64", "");
	assert_string_equal(s, "https://h/c/linux-64");
	free(s);
	s = et_repo_resolve_base("https://h/c/linux-64", "./shards/");
	assert_string_equal(s, "https://h/c/linux-64/shards");
	free(s);
}

static void test_strings(void **state)
{
	struct et_repo repo = ET_REPO_INIT;

	(void)state;
	parse_ok(
		"{\"packages\": {\"caf\\u00e9\\ud83d\\ude00\\u002d1-0.tar.bz2\": {\"name\": \"caf\\u00e9\\ud83d\\ude00\","
		"\"version\": \"1\", \"build\": \"0\", \"license\": \"a\\\"b\\\\c\\/d\\n\\t\"}}}",
		&repo);
	assert_int_equal(repo.n, 1);
	assert_string_equal(repo.records[0].fn, "caf\xc3\xa9\xf0\x9f\x98\x80-1-0.tar.bz2");
	assert_string_equal(repo.records[0].name, "caf\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(repo.records[0].license, "a\"b\\c/d\n\t");
	et_repo_release(&repo);
}

static const struct {
	const char *json;
	const char *msg; /* a substring of the error */
} bad_docs[] = {
	{ "",
	  "repodata of 'chan/linux-64' is truncated: expected '{' at the start of the document" },
	{ "[]", "line 1, column 1: expected '{' at the start of the document, found '['" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"vers",
	  "is truncated: unterminated string" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\"}",
	  "is truncated: expected ',' or '}'" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": 5, \"version\": \"1\"}}}",
	  "package 'a-1-0.tar.bz2': 'name' must be a string" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"depends\": \"x\"}}}",
	  "'depends' must be a list of strings" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"depends\": [1]}}}",
	  "'depends' must be a list of strings" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"build_number\": \"1\"}}}",
	  "'build_number' must be a number" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"build_number\": -1}}}",
	  "'build_number' out of range" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"size\": 1.5}}}",
	  "'size' must be an integer" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"size\": 99999999999999999999999}}}",
	  "number out of range" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": {\"version\": \"1\"}}}",
	  "package 'a-1-0.tar.bz2' has no 'name'" },
	{ "{\"packages\": {\"a-1-0.tar.bz2\": [1]}}", "package 'a-1-0.tar.bz2' must be an object" },
	{ "{\"packages\": []}", "'packages' must be an object" },
	{ "{\"packages\": {}} x", "trailing data after the document" },
	{ "{\"packages\": {\"a\": {\"name\": \"\\u0000\"}}}", "\\u0000 in a string" },
	{ "{\"packages\": {\"a\": {\"name\": \"a\\q\"}}}", "invalid escape in a string" },
	{ "{\"packages\": {\"a\": {\"name\": \"a\nb\"}}}", "control character in a string" },
	{ "{\"x\": [1, 2,]}", "expected a value, found ']'" },
	{ "{\"x\": tru}", "expected a value, found 't'" },
	{ "{\"x\": 01}", "expected ',' or '}', found '1'" },
	{ "{\"x\": -}", "expected a value" },
	{ "{\"x\": 1.}", "digit expected in a number" },
};

static void test_bad_documents(void **state)
{
	struct et_repo repo = ET_REPO_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;

		if (et_repo_parse(&repo, &ID, bad_docs[i].json, strlen(bad_docs[i].json), &err) ==
		    0)
			fail_msg("accepted: %s", bad_docs[i].json);
		if (!strstr(err.msg, bad_docs[i].msg) ||
		    !strstr(err.msg, "repodata of 'chan/linux-64'"))
			fail_msg("for %s\n  got: %s\n want: %s", bad_docs[i].json, err.msg,
				 bad_docs[i].msg);
		assert_int_equal(repo.n, 0);
	}
}

static void test_limits(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	(void)state;
	/* a huge kept string */
	nbk_buf_addstr(&b, "{\"packages\": {\"a-1-0.tar.bz2\": {\"version\": \"1\", \"name\": \"");
	for (i = 0; i < ET_REPO_MAX_STRING + 1; i++)
		nbk_buf_addch(&b, 'n');
	nbk_buf_addstr(&b, "\"}}}");
	assert_int_equal(et_repo_parse(&repo, &ID, b.data, b.len, &err), -1);
	assert_non_null(strstr(err.msg, "string longer than 65536 bytes"));
	/* a huge skipped string is fine: nothing is kept */
	nbk_buf_reset(&b);
	nbk_buf_addstr(&b, "{\"junk\": \"");
	for (i = 0; i < ET_REPO_MAX_STRING * 2; i++)
		nbk_buf_addch(&b, 'j');
	nbk_buf_addstr(&b, "\"}");
	assert_int_equal(et_repo_parse(&repo, &ID, b.data, b.len, &err), 0);
	et_repo_release(&repo);
	/* deep nesting */
	nbk_buf_reset(&b);
	nbk_buf_addstr(&b, "{\"x\": ");
	for (i = 0; i < 100000; i++)
		nbk_buf_addch(&b, '[');
	assert_int_equal(et_repo_parse(&repo, &ID, b.data, b.len, &err), -1);
	assert_non_null(strstr(err.msg, "nested deeper than 128 levels"));
	/* a NUL byte inside the document */
	assert_int_equal(et_repo_parse(&repo, &ID, "{\"a\": \"x\0\"}", 10, &err), -1);
	assert_non_null(strstr(err.msg, "NUL byte"));
	nbk_buf_release(&b);
}

static char *shared_path(const char *rel)
{
	const char *shared = getenv("NBK_SHARED");

	return nbk_xasprintf("%s/data/conda/repodata/%s", shared ? shared : "../shared", rel);
}

/* The real files: counts, and facts about records checked against the JSON. */
static void test_shared_data(void **state)
{
	static const struct {
		const char *file;
		size_t n;
	} files[] = {
		{ "pytorch-linux-64.json", 2181 },
		/* 1149 records, 3 refused: their file name is not NAME-VERSION-BUILD */
		{ "conda-test-index.json", 1146 },
		{ "sudoku.json", 729 },
		{ "main-noarch.json", 322 },
		{ "conda-forge-numpy-linux-64.json", 33 },
		{ "test-recipes-noarch.json", 32 },
		/* 24 once the .tar.bz2 twins go; 4 refused (bar-1.0 is version 1.2.3 ...) */
		{ "dummy-linux-64.json", 20 },
	};
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i, j, with_features = 0, with_tf = 0;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = shared_path(files[i].file);
		struct et_repo repo = ET_REPO_INIT;

		if (et_repo_load(&repo, &ID, path, NULL, &err) < 0)
			fail_msg("%s: %s (set NBK_SHARED)", path, err.msg);
		et_repo_all(&repo);
		if (repo.n != files[i].n)
			fail_msg("%s: %zu records, expected %zu", files[i].file, repo.n,
				 files[i].n);
		for (j = 0; j < repo.n; j++) {
			assert_true(repo.records[j].name[0] != '\0');
			assert_true(repo.records[j].version[0] != '\0');
			if (!strcmp(files[i].file, "pytorch-linux-64.json")) {
				with_features += repo.records[j].features.n > 0;
				with_tf += repo.records[j].track_features.n > 0;
			}
		}
		if (!strcmp(files[i].file, "conda-test-index.json")) {
			const struct et_record *r = find(&repo, "_license-1.0-py27_p0.tar.bz2");

			assert_non_null(r);
			assert_vec(&r->depends, "python 2.7*");
			assert_string_equal(r->subdir, "linux-64");
			assert_string_equal(r->sha256, "");
		}
		et_repo_release(&repo);
		free(path);
	}
	/* PROVENANCE.md: the pytorch channel has legacy features and track_features */
	assert_int_equal(with_features, 146);
	assert_int_equal(with_tf, 8);
}

/* Make each name's records, then all of them: nothing read out of bounds. */
static void read_every_name(struct et_repo *repo)
{
	size_t i, j, n, sum = 0;

	et_repo_all(repo);
	for (i = 0; i < repo->n; i++) {
		const struct et_record *v = et_repo_name(repo, repo->records[i].name,
							 strlen(repo->records[i].name), &n);

		assert_non_null(v);
		for (j = 0; j < n; j++)
			sum += strlen(v[j].url) + strlen(v[j].fn) + v[j].depends.n;
	}
	assert_true(sum > 0 || repo->n == 0);
}

/* a and b (every record made here) hold the same records in the same order. */
static void compare_repos(struct et_repo *a, struct et_repo *b)
{
	size_t i;

	et_repo_all(a);
	et_repo_all(b);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct et_record *x = &a->records[i], *y = &b->records[i];
		char *dx = join(&x->depends), *dy = join(&y->depends);

		assert_string_equal(x->fn, y->fn);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->version, y->version);
		assert_string_equal(x->build, y->build);
		assert_string_equal(x->url, y->url);
		assert_string_equal(x->sha256, y->sha256);
		assert_int_equal(x->build_number, y->build_number);
		assert_true(x->timestamp_ms == y->timestamp_ms);
		assert_string_equal(dx, dy);
		free(dx);
		free(dy);
	}
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/*
 * Issue 9: a record whose file name is not a plain NAME-VERSION-BUILD.conda
 * (or .tar.bz2) is left out, with a message naming the repo and the file
 * name, whether the records come from the JSON or from the binary cache.
 */
static void test_refused_names(void **state)
{
	static const struct {
		const char *key;  /* as written in the JSON */
		const char *name; /* the record's name (version 1, build 0) */
		const char *msg;  /* a substring of the message */
	} cases[] = {
		{ "...conda", "x", "package '...conda': the file name starts with '.'" },
		{ ".conda", "x", "package '.conda': the file name starts with '.'" },
		{ "../x-1-0.conda", "x", "package '../x-1-0.conda': the file name holds '/'" },
		{ "a/b-1-0.conda", "x", "package 'a/b-1-0.conda': the file name holds '/'" },
		{ "x-1-0.conda\\n", "x",
		  "package 'x-1-0.conda\\n': the file name holds a control character" },
		{ "x-1-0.conda\\u001b[2J", "x", "holds a control character" },
		{ "x..-1-0.conda", "x..", "the file name holds '..'" },
		{ "x-1-0.zip", "x",
		  "is not NAME-VERSION-BUILD.conda or NAME-VERSION-BUILD.tar.bz2" },
		{ "x-1-0", "x", "is not NAME-VERSION-BUILD.conda" },
		{ "y-1-0.conda", "x",
		  "package 'y-1-0.conda': the file name is not the record's NAME-VERSION-BUILD" },
		{ "x-1-00.conda", "x", "not the record's NAME-VERSION-BUILD" },
		{ "x-1-0.conda", ".x", "the name starts with '.'" },
		{ "x-1-0.conda", "x/..", "holds '/'" },
	};
	char dir[] = "/tmp/et-refused-XXXXXX";
	struct et_repo_key key = { 1, 2 };
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json = nbk_xasprintf(
			"{\"packages\": {\"ok-1-0.tar.bz2\": {\"name\": \"ok\", \"version\": \"1\", \"build\": \"0\"},"
			"\"%s\": {\"name\": \"%s\", \"version\": \"1\", \"build\": \"0\"}}}",
			cases[i].key, cases[i].name);
		char *cache = nbk_xasprintf("%s/c%zu.nbkrd", dir, i);
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_repo repo = ET_REPO_INIT, warm = ET_REPO_INIT;

		parse_ok(json, &repo);
		if (repo.n != 1 || repo.n_refused != 1 || repo.refused.n != 1)
			fail_msg("%s: %zu kept, %zu refused", cases[i].key, repo.n, repo.n_refused);
		assert_string_equal(repo.records[0].fn, "ok-1-0.tar.bz2");
		if (!strstr(repo.refused.v[0], "repodata of 'chan/linux-64': ") ||
		    !strstr(repo.refused.v[0], cases[i].msg) || strchr(repo.refused.v[0], '\n'))
			fail_msg("%s: message '%s'", cases[i].key, repo.refused.v[0]);
		/* the binary cache holds what was parsed: refused again at its load */
		assert_int_equal(et_repo_cache_write(&repo, cache, &key, &err), 0);
		assert_int_equal(et_repo_cache_load(&warm, &ID, cache, &key, &err), 0);
		et_repo_all(&warm);
		assert_int_equal(warm.n, 1);
		assert_int_equal(warm.n_refused, 1);
		assert_string_equal(warm.refused.v[0], repo.refused.v[0]);
		et_repo_release(&warm);
		et_repo_release(&repo);
		unlink(cache);
		free(cache);
		free(json);
	}
	rmdir(dir);
}

/* Many refused records: counted, a few described. */
static void test_refused_many(void **state)
{
	struct nbk_buf json = NBK_BUF_INIT;
	struct et_repo repo = ET_REPO_INIT;
	int i;

	(void)state;
	nbk_buf_addstr(&json, "{\"packages\": {");
	for (i = 0; i < 100; i++)
		nbk_buf_addf(&json, "%s\".%d.conda\": {\"name\": \"x\", \"version\": \"1\"}",
			     i ? ", " : "", i);
	nbk_buf_addstr(&json, "}}");
	parse_ok(json.data, &repo);
	assert_int_equal(repo.n, 0);
	assert_int_equal(repo.n_refused, 100);
	assert_int_equal(repo.refused.n, ET_REPO_REFUSED_SHOWN);
	et_repo_release(&repo);
	nbk_buf_release(&json);
}

/* Is path open in this process (/proc/self/fd): a cache read when used keeps it open. */
static bool open_now(const char *path)
{
	char link[64], target[4096];
	bool yes = false;
	int fd;

	for (fd = 0; fd < 1024 && !yes; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		yes = strcmp(target, path) == 0;
	}
	return yes;
}

static void test_binary_cache(void **state)
{
	char dir[] = "/tmp/et-repocache-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo cold = ET_REPO_INIT, warm = ET_REPO_INIT, x = ET_REPO_INIT;
	struct et_repo_id other = ID;
	struct et_repo_key key = { 1, 2 }, stale = { 1, 3 };
	struct nbk_buf blob = NBK_BUF_INIT;
	char *src = shared_path("pytorch-linux-64.json");
	char *cache, *bad;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cache = nbk_xasprintf("%s/c.nbkrd", dir);
	bad = nbk_xasprintf("%s/bad.nbkrd", dir);
	/* cold: parsed and the cache written; warm: the same records from the cache */
	assert_int_equal(et_repo_load(&cold, &ID, src, cache, &err), 0);
	assert_int_equal(access(cache, R_OK), 0);
	assert_int_equal(et_repo_cache_load(&warm, &ID, cache, NULL, &err), 0);
	compare_repos(&cold, &warm);
	et_repo_release(&warm);
	assert_int_equal(et_repo_load(&warm, &ID, src, cache, &err), 0);
	compare_repos(&cold, &warm);
	et_repo_release(&warm);

	/* stale: another source key, another URL; missing: 1 */
	assert_int_equal(et_repo_cache_write(&cold, cache, &key, &err), 0);
	assert_int_equal(et_repo_cache_load(&x, &ID, cache, &stale, &err), 1);
	other.url = "https://example.org/elsewhere/linux-64";
	assert_int_equal(et_repo_cache_load(&x, &other, cache, &key, &err), 1);
	assert_int_equal(et_repo_cache_load(&x, &ID, "/nonexistent/x.nbkrd", &key, &err), 1);
	assert_int_equal(et_repo_cache_load(&x, &ID, cache, &key, &err), 0);
	et_repo_release(&x);

	/*
	 * Issue 14: a cache of ours that nobody else can write is read when
	 * used (its file stays open); one that group or others can write
	 * (another user could change it between two reads) is read whole, at
	 * once, as before.  Both give the same records.
	 */
	assert_int_equal(chmod(cache, 0644), 0);
	assert_int_equal(et_repo_cache_load(&x, &ID, cache, &key, &err), 0);
	assert_true(open_now(cache));
	compare_repos(&cold, &x);
	et_repo_release(&x);
	assert_false(open_now(cache)); /* released: closed */
	assert_int_equal(chmod(cache, 0664), 0);
	assert_int_equal(et_repo_cache_load(&x, &ID, cache, &key, &err), 0);
	assert_false(open_now(cache));
	compare_repos(&cold, &x);
	et_repo_release(&x);
	assert_int_equal(chmod(cache, 0644), 0);

	/* hostile: truncated at many lengths, bytes flipped, garbage */
	assert_int_equal(nbk_read_file(cache, 1 << 30, &blob, &err), 0);
	for (i = 0; i < blob.len; i += blob.len / 97 + 1) {
		write_bytes(bad, blob.data, i);
		if (et_repo_cache_load(&x, &ID, bad, &key, &err) != -1)
			fail_msg("truncated at %zu: accepted", i);
	}
	for (i = 8; i < blob.len; i += blob.len / 89 + 1) {
		blob.data[i] ^= 0x41;
		write_bytes(bad, blob.data, blob.len);
		blob.data[i] ^= 0x41;
		if (et_repo_cache_load(&x, &ID, bad, &key, &err) == 0) {
			/* records are checked as they are made: a bad one is refused */
			read_every_name(&x);
			et_repo_release(&x);
		} else if (strstr(err.msg, "bad.nbkrd") == NULL) {
			/* a flip in a stale-check field may read as stale (1) */
			fail_msg("flip at %zu: %s", i, err.msg);
		}
	}
	write_bytes(bad, "NBKREPO\0garbage", 15);
	assert_int_equal(et_repo_cache_load(&x, &ID, bad, &key, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));
	{
		const char *junk =
			"{\"not\": \"a cache, but long enough to hold a header: 0123456789 0123456789 0123456789\"}";

		write_bytes(bad, junk, strlen(junk));
	}
	assert_int_equal(et_repo_cache_load(&x, &ID, bad, &key, &err), -1);
	assert_non_null(strstr(err.msg, "is not a repodata binary cache"));
	/* a corrupt cache is replaced by et_repo_load */
	write_bytes(cache, "junk", 4);
	assert_int_equal(et_repo_load(&warm, &ID, src, cache, &err), 0);
	compare_repos(&cold, &warm);
	et_repo_release(&warm);
	assert_int_equal(et_repo_cache_load(&warm, &ID, cache, NULL, &err), 0);
	et_repo_release(&warm);

	et_repo_release(&cold);
	nbk_buf_release(&blob);
	unlink(cache);
	unlink(bad);
	rmdir(dir);
	free(cache);
	free(bad);
	free(src);
}

/*
 * Issue 14: records are made by name, when asked for.  A name's records
 * come in document order; names match exactly (not as prefixes); a
 * refused record is counted when its name is read, and once.
 */
static void test_by_name(void **state)
{
	static const char doc[] =
		"{\"packages\": {"
		"\"b-1-0.tar.bz2\": {\"name\": \"b\", \"version\": \"1\", \"depends\": [\"ab\"]},"
		"\"ab-2-0.tar.bz2\": {\"name\": \"ab\", \"version\": \"2\"},"
		"\"a-3-0.tar.bz2\": {\"name\": \"a\", \"version\": \"3\"},"
		"\"b-0.5-0.tar.bz2\": {\"name\": \"b\", \"version\": \"0.5\"},"
		"\"x-9-0.tar.bz2\": {\"name\": \"y\", \"version\": \"9\"},"
		"\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\"}}}";
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	const struct et_record *v;
	size_t n;

	(void)state;
	assert_int_equal(et_repo_parse(&repo, &ID, doc, strlen(doc), &err), 0);
	/* nothing is made at load: no record, no refusal yet */
	assert_int_equal(repo.n, 0);
	assert_int_equal(repo.n_refused, 0);
	v = et_repo_name(&repo, "a", 1, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].version, "3");
	assert_string_equal(v[1].version, "1");
	assert_string_equal(v[1].url, "https://example.org/chan/linux-64/a-1-0.tar.bz2");
	v = et_repo_name(&repo, "abc", 2, &n); /* len bytes: "ab" */
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "ab");
	v = et_repo_name(&repo, "b", 1, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].depends.v[0], "ab");
	assert_string_equal(v[1].version, "0.5");
	assert_true(et_repo_name(&repo, "b", 1, &n) == v); /* made once */
	assert_null(et_repo_name(&repo, "c", 1, &n));
	assert_int_equal(n, 0);
	assert_null(et_repo_name(&repo, "", 0, &n));
	assert_int_equal(repo.n_refused, 0);
	/* y's record has x's file name: refused when y is read, once */
	assert_null(et_repo_name(&repo, "y", 1, &n));
	assert_int_equal(repo.n_refused, 1);
	assert_null(et_repo_name(&repo, "y", 1, &n));
	assert_int_equal(repo.n_refused, 1);
	et_repo_all(&repo);
	assert_int_equal(repo.n, 5);
	assert_int_equal(repo.n_refused, 1);
	/* grouped by name, names in strcmp order, document order within one */
	assert_string_equal(repo.records[0].fn, "a-3-0.tar.bz2");
	assert_string_equal(repo.records[1].fn, "a-1-0.tar.bz2");
	assert_string_equal(repo.records[2].fn, "ab-2-0.tar.bz2");
	assert_string_equal(repo.records[3].fn, "b-1-0.tar.bz2");
	assert_string_equal(repo.records[4].fn, "b-0.5-0.tar.bz2");
	et_repo_release(&repo);
}

/* This process's resident anonymous memory in kB (/proc/self/status). */
static long rss_anon_kb(void)
{
	struct nbk_buf st = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	const char *at;
	long kb;

	assert_int_equal(nbk_read_file("/proc/self/status", 1 << 20, &st, &err), 0);
	at = strstr(st.data, "\nRssAnon:");
	assert_non_null(at);
	kb = strtol(at + 9, NULL, 10);
	nbk_buf_release(&st);
	return kb;
}

/*
 * A warm load reads the cache's header and name table only: reading one
 * name leaves most of a big cache unread (resident memory grows by a few
 * pages), where making every record reads it all.
 */
static void test_cache_read_by_name(void **state)
{
	char dir[] = "/tmp/et-byname-XXXXXX";
	struct nbk_buf json = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT, warm = ET_REPO_INIT;
	struct et_repo_key key = { 1, 2 };
	const struct et_record *v;
	struct stat st;
	long before, kb;
	char *cache;
	size_t n;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cache = nbk_xasprintf("%s/c.nbkrd", dir);
	nbk_buf_addstr(&json, "{\"packages\": {");
	for (i = 0; i < 40000; i++)
		nbk_buf_addf(
			&json,
			"%s\"pkg%d-1.%d-h%08x_0.conda\": {\"name\": \"pkg%d\", \"version\": \"1.%d\", "
			"\"build\": \"h%08x_0\", \"depends\": [\"pkg%d >=1.%d\", \"lib%d\"], "
			"\"sha256\": \"%064x\", \"license\": \"L%d\"}",
			i ? ", " : "", i % 4000, i / 4000, i, i % 4000, i / 4000, i, (i + 1) % 4000,
			i % 7, i % 900, i, i);
	nbk_buf_addstr(&json, "}}");
	assert_int_equal(et_repo_parse(&repo, &ID, json.data, json.len, &err), 0);
	assert_int_equal(et_repo_cache_write(&repo, cache, &key, &err), 0);
	et_repo_release(&repo);
	nbk_buf_release(&json);
	assert_int_equal(stat(cache, &st), 0);
	assert_true(st.st_size > 8 << 20);
	before = rss_anon_kb();
	assert_int_equal(et_repo_cache_load(&warm, &ID, cache, &key, &err), 0);
	v = et_repo_name(&warm, "pkg1234", 7, &n);
	assert_int_equal(n, 10);
	assert_string_equal(v[9].version, "1.9");
	assert_string_equal(v[9].depends.v[0], "pkg1235 >=1.1"); /* 37234 % 7 */
	kb = rss_anon_kb() - before;
	if (kb * 1024 > st.st_size / 8)
		fail_msg("%ld kB more resident for one name of a %lld kB cache", kb,
			 (long long)st.st_size / 1024);
	et_repo_all(&warm);
	assert_int_equal(warm.n, 40000);
	kb = rss_anon_kb() - before;
	if (kb * 1024 < st.st_size / 2)
		fail_msg("%ld kB resident once every record of a %lld kB cache is made", kb,
			 (long long)st.st_size / 1024);
	et_repo_release(&warm);
	unlink(cache);
	rmdir(dir);
	free(cache);
}

/* Borrowed records can be copied into owned ones. */
static void test_record_copy(void **state)
{
	struct et_repo repo = ET_REPO_INIT;
	struct et_record own;

	(void)state;
	parse_ok(
		"{\"packages\": {\"a-1-0.tar.bz2\": {\"name\": \"a\", \"version\": \"1\", \"depends\": [\"b\", \"c\"]}}}",
		&repo);
	et_record_copy(&own, &repo.records[0]);
	et_repo_release(&repo);
	assert_string_equal(own.name, "a");
	assert_vec(&own.depends, "b|c");
	assert_string_equal(own.url, "https://example.org/chan/linux-64/a-1-0.tar.bz2");
	nbk_strvec_push(&own.depends, "d");
	assert_vec(&own.depends, "b|c|d");
	et_record_release(&own);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_conda_over_tarbz2),
		cmocka_unit_test(test_flat_index_and_base_url),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_shared_data),
		cmocka_unit_test(test_binary_cache),
		cmocka_unit_test(test_refused_names),
		cmocka_unit_test(test_refused_many),
		cmocka_unit_test(test_record_copy),
		cmocka_unit_test(test_by_name),
		cmocka_unit_test(test_cache_read_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
