/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: CEP 16 sharded repodata (libconda/shards.c, and the shard
 * records of libconda/repodata.c).
 *
 * - The real fixture in shared/data/conda/shards (an index and the shards
 *   of libgcc-ng and zlib, from conda's test data): decoded, and their
 *   records checked field by field against the values in them.
 * - Shards written here (msgpack by hand): every field's meaning is
 *   repodata.json's (hashes as bytes, timestamps in seconds, noarch,
 *   track_features as a string, requires, .tar.bz2 twins), "removed",
 *   a record under another name's shard, and hostile shards: every
 *   prefix of a shard and every wrong type refused with a message.
 * - Fetching: a file:// channel read in place; then a channel written by
 *   tests/envtool/lib/make_sharded_channel.py served by repo_server.py on
 *   127.0.0.1 (started and stopped here), whose log shows what was asked:
 *   only the shards of the names wanted, each once (the cache answers the
 *   second time), the index revalidated (304), a subdir without an index
 *   falling back to repodata.json with the 404 remembered, a shard whose
 *   bytes do not match its hash refused and not cached, a hostile shard
 *   and index refused, --offline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/sha256.h"
#include "nbkit/str.h"
#include "channel.h"
#include "config.h"
#include "fetch.h"
#include "shards.h"
#include "unit_server.h"

#define B(s) s, sizeof(s) - 1

/* ---- msgpack written by hand ---- */

static void w_head(struct nbk_buf *b, unsigned fix, unsigned fixmax, unsigned c16, size_t n)
{
	if (n <= fixmax) {
		nbk_buf_addch(b, (char)(fix | n));
	} else {
		nbk_buf_addch(b, (char)c16);
		nbk_buf_addch(b, (char)(n >> 8));
		nbk_buf_addch(b, (char)n);
	}
}

static void w_map(struct nbk_buf *b, size_t n)
{
	w_head(b, 0x80, 15, 0xde, n);
}

static void w_arr(struct nbk_buf *b, size_t n)
{
	w_head(b, 0x90, 15, 0xdc, n);
}

static void w_strn(struct nbk_buf *b, const char *s, size_t n)
{
	w_head(b, 0xa0, 31, 0xda, n);
	nbk_buf_add(b, s, n);
}

static void w_str(struct nbk_buf *b, const char *s)
{
	w_strn(b, s, strlen(s));
}

static void w_bin(struct nbk_buf *b, const void *p, size_t n)
{
	nbk_buf_addch(b, (char)0xc4);
	nbk_buf_addch(b, (char)n);
	nbk_buf_add(b, p, n);
}

static void w_uint(struct nbk_buf *b, uint64_t v)
{
	int i;

	nbk_buf_addch(b, (char)0xcf);
	for (i = 7; i >= 0; i--)
		nbk_buf_addch(b, (char)(v >> (i * 8)));
}

/* bytes of a hex string */
static void w_hexbin(struct nbk_buf *b, const char *hex)
{
	unsigned char raw[64];
	size_t i, n = strlen(hex) / 2;

	for (i = 0; i < n; i++)
		raw[i] = (unsigned char)(nbk_hex_digit(hex[2 * i]) * 16 +
					 nbk_hex_digit(hex[2 * i + 1]));
	w_bin(b, raw, n);
}

/* ---- files ---- */

static char *shared_path(const char *rel)
{
	const char *shared = getenv("NBK_SHARED");

	return nbk_xasprintf("%s/data/conda/%s", shared ? shared : "../shared", rel);
}

static void read_or_fail(const char *path, struct nbk_buf *b)
{
	struct nbk_error err = NBK_ERROR_INIT;

	if (nbk_read_file(path, 64 << 20, b, &err) < 0)
		fail_msg("%s (set NBK_SHARED)", err.msg);
}

/* The decompressed bytes of a .zst file (malloc'd, *len). */
static unsigned char *unzstd_file(const char *path, size_t *len)
{
	_cleanup_buf_ struct nbk_buf z = NBK_BUF_INIT;
	unsigned long long size;
	unsigned char *out;

	read_or_fail(path, &z);
	size = ZSTD_getFrameContentSize(z.data, z.len);
	assert_true(size != ZSTD_CONTENTSIZE_ERROR && size != ZSTD_CONTENTSIZE_UNKNOWN);
	out = malloc(size + 1);
	assert_int_equal(ZSTD_decompress(out, size, z.data, z.len), size);
	*len = size;
	return out;
}

static void write_or_fail(const char *path, const void *data, size_t len)
{
	struct nbk_error err = NBK_ERROR_INIT;
	_cleanup_free_ char *dir = nbk_path_dirname(path);

	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, &err) < 0 ||
	    nbk_write_file_atomic(path, data, len, 0644, (uid_t)-1, (gid_t)-1, &err) < 0)
		fail_msg("%s", err.msg);
}

/* Compress msgpack and write it as DIR/<sha256>.msgpack.zst; the hash's hex into hex. */
static void write_shard(const char *dir, const struct nbk_buf *mp, char hex[65])
{
	size_t cap = ZSTD_compressBound(mp->len), n;
	char *z = malloc(cap);
	_cleanup_free_ char *path = NULL;

	n = ZSTD_compress(z, cap, mp->data, mp->len, 3);
	assert_false(ZSTD_isError(n));
	nbk_sha256_hex(z, n, hex);
	path = nbk_xasprintf("%s/%s.msgpack.zst", dir, hex);
	write_or_fail(path, z, n);
	free(z);
}

static void write_zst(const char *path, const struct nbk_buf *mp)
{
	size_t cap = ZSTD_compressBound(mp->len), n;
	char *z = malloc(cap);

	n = ZSTD_compress(z, cap, mp->data, mp->len, 3);
	assert_false(ZSTD_isError(n));
	write_or_fail(path, z, n);
	free(z);
}

/* ---- the real fixture ---- */

static const struct et_repo_id FIX_ID = { "fixture", "https://example.org/fixture/linux-64",
					  "linux-64", 2 };

static void test_fixture_index(void **state)
{
	_cleanup_free_ char *path = shared_path("shards/repodata_shards.msgpack.zst");
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_shard_index index;
	_cleanup_free_ char *n0 = NULL, *n1 = NULL;
	char hex[65];
	unsigned char *data;
	size_t len;

	(void)state;
	data = unzstd_file(path, &len);
	if (et_shard_index_decode(&index, "fixture", FIX_ID.url, "linux-64", data, len, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(index.n, 2);
	n0 = et_shard_index_name(&index, 0);
	n1 = et_shard_index_name(&index, 1);
	assert_string_equal(n0, "libgcc-ng");
	assert_string_equal(n1, "zlib");
	assert_true(et_shard_index_has(&index, "zlib"));
	assert_false(et_shard_index_has(&index, "zli"));
	assert_false(et_shard_index_has(&index, "zlibx"));
	assert_null(et_shard_index_hash(&index, "python"));
	nbk_hex_encode(et_shard_index_hash(&index, "zlib"), 32, hex);
	assert_string_equal(hex,
			    "56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157");
	nbk_hex_encode(et_shard_index_hash(&index, "libgcc-ng"), 32, hex);
	assert_string_equal(hex,
			    "2dcdacf7009b4f1c21f452c5079384340257e0e1cbecb8ec484984d1fa85b115");
	/* base_url and shards_base_url are "": the index's own folder */
	assert_string_equal(index.base_url, "");
	assert_string_equal(index.shards_url, FIX_ID.url);
	assert_string_equal(index.subdir, "linux-64");
	et_shard_index_release(&index);
}

static void test_fixture_shards(void **state)
{
	_cleanup_free_ char *zp = shared_path(
		"shards/56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157.msgpack.zst");
	_cleanup_free_ char *gp = shared_path(
		"shards/2dcdacf7009b4f1c21f452c5079384340257e0e1cbecb8ec484984d1fa85b115.msgpack.zst");
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	struct et_repo_shard sh[2];
	const struct et_record *z, *g;
	unsigned char *zd, *gd;

	(void)state;
	zd = unzstd_file(zp, &sh[0].len);
	gd = unzstd_file(gp, &sh[1].len);
	sh[0] = (struct et_repo_shard){ "zlib", zd, sh[0].len };
	sh[1] = (struct et_repo_shard){ "libgcc-ng", gd, sh[1].len };
	if (et_repo_from_shards(&repo, &FIX_ID, "", sh, 2, &err) < 0)
		fail_msg("%s", err.msg);
	/* zlib's shard has the .tar.bz2 and the .conda: the twin goes, as in repodata.json */
	et_repo_all(&repo);
	assert_int_equal(repo.n, 2);
	assert_int_equal(repo.n_refused, 0);
	/* grouped by name, in name order */
	g = &repo.records[0];
	z = &repo.records[1];
	assert_string_equal(z->fn, "zlib-1.2.11-h7b6447c_3.conda");
	assert_string_equal(z->name, "zlib");
	assert_string_equal(z->version, "1.2.11");
	assert_string_equal(z->build, "h7b6447c_3");
	assert_int_equal(z->build_number, 3);
	assert_int_equal(z->depends.n, 1);
	assert_string_equal(z->depends.v[0], "libgcc-ng >=7.3.0");
	assert_string_equal(z->license, "zlib");
	assert_string_equal(z->license_family, "Other");
	assert_string_equal(z->md5, "cb23839f06da92ec92c6d2d2d5e0cb4a");
	assert_string_equal(z->sha256,
			    "f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b");
	assert_int_equal(z->size, 105917);
	assert_string_equal(z->subdir, "linux-64");
	assert_int_equal(z->timestamp_ms, 1542814864621ULL);
	assert_int_equal(z->noarch, ET_NOARCH_NONE);
	assert_string_equal(z->url,
			    "https://example.org/fixture/linux-64/zlib-1.2.11-h7b6447c_3.conda");
	assert_string_equal(z->channel, "fixture");
	assert_int_equal(z->channel_index, 2);
	assert_string_equal(g->fn, "libgcc-ng-8.2.0-hdf63c60_1.tar.bz2");
	assert_string_equal(g->name, "libgcc-ng");
	assert_string_equal(g->version, "8.2.0");
	assert_int_equal(g->build_number, 1);
	assert_int_equal(g->depends.n, 0);
	assert_string_equal(g->license, "GPL");
	assert_string_equal(g->license_family, "");
	assert_string_equal(g->md5, "7d17c0d663e285a5e6cd7bfa8eed1cd8");
	assert_string_equal(g->sha256,
			    "1b6c9018bdfbd3c6b998ba072a244bb45f52d88b8774f4d458263bd3ac91c53f");
	assert_int_equal(g->size, 7996349);
	assert_int_equal(g->timestamp_ms, 1534516107109ULL);
	et_repo_release(&repo);
	free(zd);
	free(gd);
}

/* ---- shards written here ---- */

/* A shard of one record under packages.conda: name, with more fields from add(). */
/* FN: {name, version, build "0", and extra more pairs for the caller to write} */
static void w_record(struct nbk_buf *b, const char *fn, const char *name, const char *version,
		     size_t extra)
{
	static const char *const keys[] = { "name", "version", "build" };
	const char *values[] = { name, version, "0" };
	size_t i;

	w_str(b, fn);
	w_map(b, 3 + extra);
	for (i = 0; i < 3; i++) {
		w_str(b, keys[i]);
		w_str(b, values[i]);
	}
}

static void one_record(struct nbk_buf *b, const char *fn, const char *name, size_t extra)
{
	w_map(b, 1);
	w_str(b, "packages.conda");
	w_map(b, 1);
	w_record(b, fn, name, "1.0", extra);
}

static int from_one(const struct nbk_buf *b, const char *name, struct et_repo *repo,
		    struct nbk_error *err)
{
	struct et_repo_shard sh = { name, (const unsigned char *)b->data, b->len };

	return et_repo_from_shards(repo, &FIX_ID, NULL, &sh, 1, err);
}

static void test_fields(void **state)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	const struct et_record *r;

	(void)state;
	one_record(&b, "a-1.0-0.conda", "a", 10);
	w_str(&b, "sha256");
	w_hexbin(&b, "f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b");
	w_str(&b, "md5");
	w_hexbin(&b, "cb23839f06da92ec92c6d2d2d5e0cb4a");
	w_str(&b, "timestamp");
	nbk_buf_addch(&b, (char)0xce); /* uint32 seconds: milliseconds in the record */
	nbk_buf_add(&b, "\x5b\xf5\x3c\x90", 4);
	w_str(&b, "noarch");
	w_str(&b, "python");
	w_str(&b, "track_features");
	w_str(&b, "mkl, debug");
	w_str(&b, "requires");
	w_arr(&b, 1);
	w_str(&b, "legacy >=1");
	w_str(&b, "constrains");
	w_arr(&b, 2);
	w_str(&b, "c <2");
	w_str(&b, "");
	w_str(&b, "size");
	w_uint(&b, 12345);
	w_str(&b, "some_future_key");
	w_map(&b, 1);
	w_str(&b, "x");
	w_arr(&b, 2);
	nbk_buf_addch(&b, (char)0xc0);
	nbk_buf_add(&b, "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00", 9);
	w_str(&b, "license");
	nbk_buf_addch(&b, (char)0xc0); /* nil: absent */
	if (from_one(&b, "a", &repo, &err) < 0)
		fail_msg("%s", err.msg);
	et_repo_all(&repo);
	assert_int_equal(repo.n, 1);
	r = &repo.records[0];
	assert_string_equal(r->sha256,
			    "f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b");
	assert_string_equal(r->md5, "cb23839f06da92ec92c6d2d2d5e0cb4a");
	assert_int_equal(r->timestamp_ms, 1542798480000ULL);
	assert_int_equal(r->noarch, ET_NOARCH_PYTHON);
	assert_int_equal(r->track_features.n, 2);
	assert_string_equal(r->track_features.v[1], "debug");
	/* no depends: the legacy requires stands for it */
	assert_int_equal(r->depends.n, 1);
	assert_string_equal(r->depends.v[0], "legacy >=1");
	assert_int_equal(r->constrains.n, 1);
	assert_int_equal(r->size, 12345);
	assert_string_equal(r->license, "");
	assert_string_equal(r->subdir, "linux-64");
	et_repo_release(&repo);

	/* noarch true is generic; a float timestamp (Python's) is truncated */
	nbk_buf_reset(&b);
	one_record(&b, "a-1.0-0.conda", "a", 2);
	w_str(&b, "noarch");
	nbk_buf_addch(&b, (char)0xc3);
	w_str(&b, "timestamp");
	nbk_buf_add(&b, "\xcb\x42\x75\xd3\xef\x79\x80\x00\x00", 9); /* 1.5e12 */
	if (from_one(&b, "a", &repo, &err) < 0)
		fail_msg("%s", err.msg);
	et_repo_all(&repo);
	assert_int_equal(repo.records[0].noarch, ET_NOARCH_GENERIC);
	assert_int_equal(repo.records[0].timestamp_ms, 1500000000000ULL);
	et_repo_release(&repo);
	nbk_buf_release(&b);
}

static void test_removed_foreign_twins(void **state)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	size_t i;

	(void)state;
	/* "removed" first: it applies whatever the order */
	w_map(&b, 3);
	w_str(&b, "removed");
	w_arr(&b, 2);
	w_str(&b, "a-1-0.tar.bz2");
	w_str(&b, "never-there-1-0.conda");
	w_str(&b, "packages");
	w_map(&b, 3);
	static const char *const tar[][3] = { { "a-1-0.tar.bz2", "a", "1" },
					      { "a-2-0.tar.bz2", "a", "2" },
					      { "evil-9-0.tar.bz2", "evil", "9" } };
	for (i = 0; i < 3; i++)
		w_record(&b, tar[i][0], tar[i][1], tar[i][2], 0);
	w_str(&b, "packages.conda");
	w_map(&b, 1);
	w_record(&b, "a-2-0.conda", "a", "2", 0);
	if (from_one(&b, "a", &repo, &err) < 0)
		fail_msg("%s", err.msg);
	/* a-1 removed, a-2's .tar.bz2 dropped for its .conda, evil not a's */
	et_repo_all(&repo);
	assert_int_equal(repo.n, 1);
	assert_string_equal(repo.records[0].fn, "a-2-0.conda");
	assert_int_equal(repo.n_refused, 1);
	assert_string_equal(repo.refused.v[0],
			    "repodata of 'fixture/linux-64': package 'evil-9-0.tar.bz2': its name "
			    "is 'evil', but it is in the shard of 'a'");
	et_repo_release(&repo);
	nbk_buf_release(&b);
}

static void test_bad_shards(void **state)
{
	static const struct {
		const char *field;
		const char *value; /* msgpack bytes */
		size_t len;
		const char *msg;
	} cases[] = {
		{ "name", "\x01", 1, "'name' must be a string, not an integer" },
		{ "depends", "\xa1x", 2, "'depends' must be a list of strings, not a string" },
		{ "depends", "\x91\x01", 2, "'depends' must be a list of strings, not an integer" },
		{ "sha256", "\xc4\x02\x01\x02", 4,
		  "'sha256' must be a string or bytes, not bytes" },
		{ "build_number",
		  "\xa1"
		  "1",
		  2, "'build_number' must be a number, not a string" },
		{ "build_number", "\xff", 1, "'build_number' out of range" },
		{ "build_number", "\xce\xff\xff\xff\xff", 5, "'build_number' out of range" },
		{ "size", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, "'size' out of range" },
		{ "size", "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00", 9, "'size' must be an integer" },
		{ "noarch", "\x01", 1, "'noarch' must be a string, a boolean or null" },
		{ "license",
		  "\xa3"
		  "a\0b",
		  4, "NUL byte in a string" },
		{ "track_features", "\x80", 1,
		  "'track_features' must be a string or a list of strings, not a map" },
	};
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_buf b = NBK_BUF_INIT;

		one_record(&b, "a-1.0-0.conda", "a", 1);
		w_str(&b, cases[i].field);
		nbk_buf_add(&b, cases[i].value, cases[i].len);
		if (from_one(&b, "a", &repo, &err) == 0)
			fail_msg("case %zu (%s): accepted", i, cases[i].field);
		if (!strstr(err.msg, cases[i].msg) ||
		    strncmp(err.msg, "repodata shard of 'a' in 'fixture/linux-64': offset ", 51))
			fail_msg("case %zu: '%s'", i, err.msg);
		et_repo_all(&repo);
		assert_int_equal(repo.n, 0);
		nbk_buf_release(&b);
	}
}

static void test_bad_documents(void **state)
{
	static const struct {
		const char *doc;
		size_t len;
		const char *msg;
	} cases[] = {
		{ B("\x90"), "the shard must be a map, not an array" },
		{ B("\x81\xa8packages\x01"), "'packages' must be a map, not an integer" },
		{ B("\x81\xa8packages\x81\x01\x80"), "a file name is an integer, not a string" },
		{ B("\x81\xa8packages\x81\xa1x\x90"), "package 'x' must be a map, not an array" },
		{ B("\x81\xa8packages\x81\xa1x\x81\x01\x01"), "package 'x': a key is an integer" },
		{ B("\x81\xa8packages\x81\xa1x\x80"), "package 'x' has no 'name'" },
		{ B("\x81\xa7removed\xa1x"), "'removed' must be an array, not a string" },
		{ B("\x81\xa7removed\x91\x01"), "'removed' must hold strings, not an integer" },
		{ B("\x80\x80"), "trailing data after the shard" },
		{ B("\xc1"), "byte 0xc1 is not a value" },
	};
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_buf b = NBK_BUF_INIT;

		nbk_buf_add(&b, cases[i].doc, cases[i].len);
		if (from_one(&b, "a", &repo, &err) == 0)
			fail_msg("case %zu: accepted", i);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s'", i, err.msg);
		nbk_buf_release(&b);
	}
}

/* The real zlib shard cut at every length: refused each time (ASan sees any read past it). */
static void test_truncated_shard(void **state)
{
	_cleanup_free_ char *zp = shared_path(
		"shards/56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157.msgpack.zst");
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_repo repo = ET_REPO_INIT;
	unsigned char *data;
	size_t len, i;

	(void)state;
	data = unzstd_file(zp, &len);
	for (i = 0; i < len; i++) {
		unsigned char *cut = malloc(i ? i : 1);
		struct et_repo_shard sh = { "zlib", cut, i };

		memcpy(cut, data, i);
		if (et_repo_from_shards(&repo, &FIX_ID, NULL, &sh, 1, &err) == 0)
			fail_msg("cut at %zu of %zu: accepted", i, len);
		assert_non_null(strstr(err.msg, "repodata shard of 'zlib'"));
		free(cut);
	}
	free(data);
}

/* ---- fetching ---- */

static char tmp[PATH_MAX];
static pid_t server = -1;
static int port;
static struct et_config cfg;

/* Run argv (NULL-terminated) and fail unless it exits 0; its stdout into out (may be NULL). */
static void run_ok(char *const argv[], struct nbk_buf *out)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_spawn_result res;
	struct nbk_buf b = NBK_BUF_INIT;

	if (nbk_spawn_wait(argv, NULL, NBK_SPAWN_CAPTURE_STDOUT | NBK_SPAWN_STDIN_NULL, 60000, 1000,
			   out ? out : &b, 1 << 20, &res, &err) < 0 ||
	    res.status != 0)
		fail_msg("%s %s failed: %s %s", argv[0], argv[1], err.msg,
			 out ? out->data : b.data);
	nbk_buf_release(&b);
}

/* A sharded subdir written by make_sharded_channel.py from a shared repodata; extra args after. */
static void make_sharded(const char *subdir_dir, const char *repodata, const char *extra)
{
	const char *src = getenv("NBK_SRC");
	_cleanup_free_ char *script =
		nbk_xasprintf("%s/tests/envtool/lib/make_sharded_channel.py", src ? src : ".");
	_cleanup_free_ char *json = shared_path(repodata);
	char *argv[] = {
		(char *)"/usr/bin/python3", script, (char *)subdir_dir, json, (char *)extra, NULL
	};

	run_ok(argv, NULL);
}

static int setup(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	const char *src = getenv("NBK_SRC");
	_cleanup_free_ char *script = NULL, *log = NULL, *root = NULL, *pkgs = NULL;
	char *argv[5];

	(void)state;
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	snprintf(tmp, sizeof(tmp), "/tmp/nbk-shards-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	pkgs = nbk_xasprintf("%s/pkgs", tmp);
	setenv("CONDA_PKGS_DIRS", pkgs, 1);
	setenv("CONDA_REMOTE_BACKOFF_FACTOR", "0.01", 1);
	setenv("CONDA_REMOTE_MAX_RETRIES", "1", 1);
	if (et_config_load(&cfg, ET_CONFIG_NO_RC, NULL, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	et_config_finish(&cfg);
	script = nbk_xasprintf("%s/tests/envtool/lib/repo_server.py", src ? src : ".");
	log = nbk_xasprintf("%s/server.log", tmp);
	root = nbk_xasprintf("%s/srv", tmp);
	if (nbk_mkdir_p(root, 0755, (uid_t)-1, (gid_t)-1, NULL, NULL) < 0)
		return -1;
	argv[0] = (char *)"python3";
	argv[1] = script;
	argv[2] = root;
	argv[3] = log;
	argv[4] = NULL;
	return unit_server_start(argv, &server, &port);
}

static int teardown(void **state)
{
	(void)state;
	et_config_release(&cfg);
	return unit_server_teardown(&server, tmp);
}

/* How many lines of the server's log hold s. */
static size_t logged(const char *s)
{
	_cleanup_free_ char *path = nbk_xasprintf("%s/server.log", tmp);
	struct nbk_buf b = NBK_BUF_INIT;
	const char *p;
	size_t n = 0;

	if (nbk_read_file(path, 1 << 24, &b, NULL) < 0)
		return 0;
	for (p = b.data; (p = strstr(p, s)); p++)
		n++;
	nbk_buf_release(&b);
	return n;
}

/* How many files of the cache's shards folder end with suffix. */
static size_t cached(const char *suffix)
{
	_cleanup_free_ char *dir = nbk_xasprintf("%s/pkgs/cache/shards", tmp);
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' && nbk_str_ends_with(de->d_name, suffix);
	closedir(d);
	return n;
}

/* The index of CHANNEL (a URL) for subdir; fails the test on error. */
static void index_of(const char *url, const char *subdir, struct et_channel *ch,
		     struct et_shard_index_job *job, int want_rc, struct nbk_error *err)
{
	if (et_channel_parse(&cfg, url, "linux-64", ch, err) < 0)
		fail_msg("%s", err->msg);
	job->channel = ch;
	job->subdir = subdir;
	if (et_shard_index_fetch_all(&cfg, job, 1, err) != want_rc)
		fail_msg("%s/%s: %s", url, subdir, want_rc ? "accepted" : err->msg);
}

static void test_file_channel(void **state)
{
	_cleanup_free_ char *chan = nbk_xasprintf("%s/fix", tmp);
	_cleanup_free_ char *url = nbk_xasprintf("file://%s", chan);
	static const char *const files[] = {
		"repodata_shards.msgpack.zst",
		"2dcdacf7009b4f1c21f452c5079384340257e0e1cbecb8ec484984d1fa85b115.msgpack.zst",
		"56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157.msgpack.zst",
	};
	const char *names[] = { "zlib", "zlib", "not-there" };
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_shard_index_job ij = { 0 }, nj = { 0 };
	struct et_shards_job sj = { 0 };
	struct et_channel ch;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		_cleanup_free_ char *rel = nbk_xasprintf("shards/%s", files[i]);
		_cleanup_free_ char *from = shared_path(rel);
		_cleanup_free_ char *to = nbk_xasprintf("%s/linux-64/%s", chan, files[i]);
		struct nbk_buf b = NBK_BUF_INIT;

		read_or_fail(from, &b);
		write_or_fail(to, b.data, b.len);
		nbk_buf_release(&b);
	}
	index_of(url, "linux-64", &ch, &ij, 0, &err);
	assert_true(ij.sharded);
	assert_int_equal(ij.index.n, 2);
	/* noarch has no index: not sharded, not an error */
	nj.channel = &ch;
	nj.subdir = "noarch";
	assert_int_equal(et_shard_index_fetch_all(&cfg, &nj, 1, &err), 0);
	assert_false(nj.sharded);
	sj.index = &ij.index;
	sj.names = names;
	sj.n_names = 3;
	sj.channel_index = 1;
	if (et_shards_fetch(&cfg, &sj, 1, &err) < 0)
		fail_msg("%s", err.msg);
	/* zlib asked twice: read once; read in place, nothing cached or downloaded */
	assert_int_equal(sj.n_shards, 1);
	assert_int_equal(sj.n_downloaded, 0);
	et_repo_all(&sj.repo);
	assert_int_equal(sj.repo.n, 1);
	assert_string_equal(sj.repo.records[0].name, "zlib");
	assert_int_equal(sj.repo.records[0].channel_index, 1);
	assert_true(nbk_str_ends_with(sj.repo.records[0].url,
				      "/fix/linux-64/zlib-1.2.11-h7b6447c_3.conda"));
	assert_int_equal(cached(".msgpack.zst"), 0);
	et_shards_job_release(&sj);

	/* a shard whose bytes are not its hash's: refused, naming channel, subdir, package */
	{
		_cleanup_free_ char *bad = nbk_xasprintf("%s/linux-64/%s", chan, files[2]);

		write_or_fail(bad, "not zstd", 8);
	}
	assert_int_equal(et_shards_fetch(&cfg, &sj, 1, &err), -1);
	assert_non_null(strstr(err.msg, "subdir 'linux-64': shard of 'zlib': '"));
	assert_non_null(strstr(err.msg, "' does not match the shard index's sha256 56a0c19b"));
	et_repo_all(&sj.repo);
	assert_int_equal(sj.repo.n, 0);
	et_shards_job_release(&sj);
	et_shard_index_job_release(&ij);
	et_shard_index_job_release(&nj);
	et_channel_release(&ch);
}

#define SRV_LINUX "/ok/chan/linux-64/"

static void test_http(void **state)
{
	_cleanup_free_ char *sub = nbk_xasprintf("%s/srv/chan/linux-64", tmp);
	_cleanup_free_ char *url = nbk_xasprintf("http://127.0.0.1:%d/ok/chan", port);
	struct nbk_buf noarch = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_shard_index_job ij[2] = { { 0 } };
	struct et_shards_job sj = { 0 };
	struct et_fetch_job fj = { 0 };
	struct et_channel ch;
	const char *round1[] = { "numpy", "python", "not-a-package" };
	const char *round2[] = { "numpy", "libzlib" };
	_cleanup_free_ char *path = NULL;
	size_t i, n_numpy = 0, n_python = 0;

	(void)state;
	/* hashes as bytes (the CEP's form; the fixture has them as strings) */
	make_sharded(sub, "repodata/conda-forge-numpy-linux-64.json", "--shards-dir=s");
	/* noarch: a plain repodata.json, no index */
	nbk_buf_addstr(&noarch, "{\"packages\": {}}");
	path = nbk_xasprintf("%s/srv/chan/noarch/repodata.json", tmp);
	write_or_fail(path, noarch.data, noarch.len);
	nbk_buf_release(&noarch);

	if (et_channel_parse(&cfg, url, "linux-64", &ch, &err) < 0)
		fail_msg("%s", err.msg);
	ij[0].channel = ij[1].channel = &ch;
	ij[0].subdir = "linux-64";
	ij[1].subdir = "noarch";
	if (et_shard_index_fetch_all(&cfg, ij, 2, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(ij[0].sharded);
	assert_true(ij[0].index.downloaded);
	assert_int_equal(ij[0].index.n, 33);
	assert_true(nbk_str_ends_with(ij[0].index.shards_url, "/ok/chan/linux-64/s"));
	assert_false(ij[1].sharded);
	assert_int_equal(logged("GET " SRV_LINUX "repodata_shards.msgpack.zst 200"), 1);
	assert_int_equal(logged("GET /ok/chan/noarch/repodata_shards.msgpack.zst 404"), 1);

	/* round 1: only the shards of the names asked, each once */
	sj.index = &ij[0].index;
	sj.names = round1;
	sj.n_names = 3;
	if (et_shards_fetch(&cfg, &sj, 1, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(sj.n_shards, 2);
	assert_int_equal(sj.n_downloaded, 2);
	et_repo_all(&sj.repo);
	for (i = 0; i < sj.repo.n; i++) {
		n_numpy += !strcmp(sj.repo.records[i].name, "numpy");
		n_python += !strcmp(sj.repo.records[i].name, "python");
		/* bytes in the shard, hex in the record */
		assert_int_equal(strlen(sj.repo.records[i].sha256), 64);
		assert_int_equal(strlen(sj.repo.records[i].md5), 32);
	}
	assert_true(n_numpy > 0 && n_python > 0);
	assert_int_equal(n_numpy + n_python, sj.repo.n);
	assert_int_equal(logged("GET " SRV_LINUX "s/"), 2);
	assert_int_equal(logged(" 200 "), 3);
	assert_int_equal(cached(".msgpack.zst"), 2);
	et_shards_job_release(&sj);

	/* round 2: numpy's shard comes from the cache, never asked again */
	sj.names = round2;
	sj.n_names = 2;
	if (et_shards_fetch(&cfg, &sj, 1, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(sj.n_shards, 2);
	assert_int_equal(sj.n_downloaded, 1);
	assert_int_equal(logged("GET " SRV_LINUX "s/"), 3);
	assert_int_equal(cached(".msgpack.zst"), 3);
	assert_int_equal(cached(".tmp"), 0);
	et_shards_job_release(&sj);

	/* the index again: revalidated (max-age=0), 304; noarch's 404 remembered, not asked */
	et_shard_index_job_release(&ij[0]);
	et_shard_index_job_release(&ij[1]);
	if (et_shard_index_fetch_all(&cfg, ij, 2, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(ij[0].sharded);
	assert_false(ij[0].index.downloaded);
	assert_false(ij[1].sharded);
	assert_int_equal(logged("GET " SRV_LINUX "repodata_shards.msgpack.zst 304"), 1);
	assert_int_equal(logged("GET /ok/chan/noarch/repodata_shards.msgpack.zst"), 1);

	/* the fallback: noarch's repodata.json, as before shards */
	fj.channel = &ch;
	fj.subdir = "noarch";
	if (et_fetch_all(&cfg, &fj, 1, &err) < 0)
		fail_msg("%s", err.msg);
	assert_non_null(fj.json_path);
	assert_true(nbk_str_ends_with(fj.json_path, ".json"));
	et_fetch_job_release(&fj);

	/* --offline: the cached index and shards serve; a shard never fetched is an error */
	{
		size_t before = logged("GET ");
		const char *more[] = { "numpy", "xz" };

		et_shard_index_job_release(&ij[0]);
		cfg.offline = true;
		if (et_shard_index_fetch_all(&cfg, ij, 1, &err) < 0)
			fail_msg("%s", err.msg);
		sj.index = &ij[0].index;
		sj.names = round2;
		if (et_shards_fetch(&cfg, &sj, 1, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(sj.n_shards, 2);
		et_shards_job_release(&sj);
		sj.names = more;
		assert_int_equal(et_shards_fetch(&cfg, &sj, 1, &err), -1);
		assert_non_null(strstr(err.msg,
				       "subdir 'linux-64': shard of 'xz': not in the cache "
				       "and --offline was given"));
		assert_int_equal(logged("GET "), before);
		cfg.offline = false;
	}
	et_shards_job_release(&sj);
	et_shard_index_job_release(&ij[0]);
	et_shard_index_job_release(&ij[1]);
	et_channel_release(&ch);
}

/*
 * The index of /MODE/bad/linux-64 (MODE: another URL, so another cache
 * entry) is refused, an error with msg in it, not a fallback.
 */
static void index_refused(const char *mode, const char *msg)
{
	_cleanup_free_ char *url = nbk_xasprintf("http://127.0.0.1:%d/%s/bad", port, mode);
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_shard_index_job ij = { 0 };
	struct et_channel ch;

	index_of(url, "linux-64", &ch, &ij, -1, &err);
	if (!strstr(err.msg, msg))
		fail_msg("%s", err.msg);
	assert_false(ij.sharded);
	et_shard_index_job_release(&ij);
	et_channel_release(&ch);
}

/*
 * A channel written here: linux-64's index names "good" (a shard as it
 * should be), "liar" (a file whose bytes are not its hash) and "hostile"
 * (a truncated msgpack, its hash right).
 */
static void test_http_hostile(void **state)
{
	_cleanup_free_ char *sub = nbk_xasprintf("%s/srv/bad/linux-64", tmp);
	_cleanup_free_ char *shards = nbk_xasprintf("%s/shards", sub);
	_cleanup_free_ char *url = nbk_xasprintf("http://127.0.0.1:%d/ok/bad", port);
	_cleanup_free_ char *liar_path = NULL, *idx_path = NULL;
	struct nbk_buf good = NBK_BUF_INIT, hostile = NBK_BUF_INIT, idx = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_shard_index_job ij = { 0 };
	struct et_shards_job sj = { 0 };
	struct et_channel ch;
	char good_hex[65], hostile_hex[65];
	const char *liar_hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	const char *want_good[] = { "good" }, *want_liar[] = { "good", "liar" },
		   *want_hostile[] = { "hostile" };

	(void)state;
	one_record(&good, "good-1.0-0.conda", "good", 0);
	write_shard(shards, &good, good_hex);
	one_record(&hostile, "hostile-1.0-0.conda", "hostile", 0);
	hostile.len -= 3; /* cut inside the last string */
	write_shard(shards, &hostile, hostile_hex);
	liar_path = nbk_xasprintf("%s/%s.msgpack.zst", shards, liar_hex);
	{
		/* a valid shard, but not the one its name (its hash) says */
		size_t cap = ZSTD_compressBound(good.len), n;
		char *z = malloc(cap);

		n = ZSTD_compress(z, cap, good.data, good.len, 1);
		write_or_fail(liar_path, z, n);
		free(z);
	}
	w_map(&idx, 3);
	w_str(&idx, "version");
	nbk_buf_addch(&idx, 1);
	w_str(&idx, "info");
	w_map(&idx, 2);
	w_str(&idx, "shards_base_url");
	w_str(&idx, "./shards/");
	w_str(&idx, "created_at");
	w_str(&idx, "2024-07-22T00:00:00Z");
	w_str(&idx, "shards");
	w_map(&idx, 3);
	w_str(&idx, "good");
	w_hexbin(&idx, good_hex);
	w_str(&idx, "liar");
	w_hexbin(&idx, liar_hex);
	w_str(&idx, "hostile");
	w_hexbin(&idx, hostile_hex);
	idx_path = nbk_xasprintf("%s/repodata_shards.msgpack.zst", sub);
	write_zst(idx_path, &idx);

	index_of(url, "linux-64", &ch, &ij, 0, &err);
	assert_true(ij.sharded);
	sj.index = &ij.index;
	sj.names = want_good;
	sj.n_names = 1;
	if (et_shards_fetch(&cfg, &sj, 1, &err) < 0)
		fail_msg("%s", err.msg);
	et_repo_all(&sj.repo);
	assert_int_equal(sj.repo.n, 1);
	et_shards_job_release(&sj);

	/* the liar: refused with both hashes, nothing of it in the cache */
	sj.names = want_liar;
	sj.n_names = 2;
	assert_int_equal(et_shards_fetch(&cfg, &sj, 1, &err), -1);
	if (!strstr(err.msg, "subdir 'linux-64': shard of 'liar': '") ||
	    !strstr(err.msg, "/ok/bad/linux-64/shards/00112233") ||
	    !strstr(err.msg, "' does not match the shard index: sha256 ") ||
	    !strstr(err.msg, ", expected 00112233"))
		fail_msg("%s", err.msg);
	assert_non_null(strstr(err.msg, "channel 'http://127.0.0.1:"));
	et_repo_all(&sj.repo);
	assert_int_equal(sj.repo.n, 0);
	{
		_cleanup_free_ char *p =
			nbk_xasprintf("%s/pkgs/cache/shards/%s.msgpack.zst", tmp, liar_hex);

		assert_int_equal(access(p, F_OK), -1);
	}
	assert_int_equal(cached(".tmp"), 0);
	et_shards_job_release(&sj);
	/* the hostile one: fetched (its hash is right), refused when decoded */
	sj.names = want_hostile;
	sj.n_names = 1;
	assert_int_equal(et_shards_fetch(&cfg, &sj, 1, &err), -1);
	if (strncmp(err.msg, "repodata shard of 'hostile' in 'http://127.0.0.1:", 48) ||
	    !strstr(err.msg, "/ok/bad/linux-64': offset 63: a string of 5 bytes, 4 left"))
		fail_msg("%s", err.msg);
	et_shards_job_release(&sj);
	et_shard_index_job_release(&ij);
	et_channel_release(&ch);

	/* the same through a URL with credentials: they never show */
	{
		_cleanup_free_ char *secret =
			nbk_xasprintf("http://ann:s3cret@127.0.0.1:%d/ok/bad", port);

		index_of(secret, "linux-64", &ch, &ij, 0, &err);
		sj.index = &ij.index;
		sj.names = want_liar;
		sj.n_names = 2;
		assert_int_equal(et_shards_fetch(&cfg, &sj, 1, &err), -1);
		assert_null(strstr(err.msg, "s3cret"));
		if (!strstr(err.msg, "channel 'http://***@127.0.0.1:") ||
		    !strstr(err.msg, "'http://***@127.0.0.1:"))
			fail_msg("%s", err.msg);
		et_shards_job_release(&sj);
	}

	et_shard_index_job_release(&ij);
	et_channel_release(&ch);

	/* an index that is not one: an error, not a fallback */
	nbk_buf_reset(&idx);
	w_map(&idx, 1);
	w_str(&idx, "shards");
	w_map(&idx, 1);
	w_str(&idx, "x");
	w_str(&idx, "not a hash");
	write_zst(idx_path, &idx);
	index_refused("cache",
		      "subdir 'linux-64': shard index: offset 11: the shard of 'x' must be "
		      "a sha256 (32 bytes), not a string");
	/* an http index cannot send us to file:// */
	nbk_buf_reset(&idx);
	w_map(&idx, 2);
	w_str(&idx, "info");
	w_map(&idx, 1);
	w_str(&idx, "shards_base_url");
	w_str(&idx, "file:///etc/");
	w_str(&idx, "shards");
	w_map(&idx, 0);
	write_zst(idx_path, &idx);
	index_refused("flaky", "shards_base_url 'file:///etc/' is not an http(s) URL");
	nbk_buf_release(&good);
	nbk_buf_release(&hostile);
	nbk_buf_release(&idx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_index),
		cmocka_unit_test(test_fixture_shards),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_removed_foreign_twins),
		cmocka_unit_test(test_bad_shards),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_truncated_shard),
		cmocka_unit_test(test_file_channel),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_http_hostile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
