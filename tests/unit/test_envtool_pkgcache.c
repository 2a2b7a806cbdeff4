/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The package cache end to end: file:// and HTTP (tests/envtool/lib/
 * pkg_server.py on 127.0.0.1, started here): layout, repodata_record.json,
 * urls.txt, warm cache, read-only caches, sha256/md5/size mismatches leave
 * nothing, a dropped connection resumed with Range, a server that ignores
 * Range, wrong bytes, a slow answer, 404, --offline, and two processes
 * filling one cache (one download).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "nbkit/sha256.h"
#include "extract.h"
#include "nbkit/md5.h"
#include "pkgcache.h"
#include "unit_server.h"

static char tmp[PATH_MAX];
static char pkgs[PATH_MAX];
static char src[PATH_MAX];
static pid_t server = -1;
static int port;
static int seq;

/* Start pkg_server.py; its port comes on a pipe (unit_server_start). */
static int start_server(void)
{
	_cleanup_free_ char *logfile = nbk_xasprintf("%s/server.log", tmp);
	_cleanup_free_ char *script = nbk_xasprintf("%s/tests/envtool/lib/pkg_server.py", src);
	char *argv[] = { (char *)"python3", script, pkgs, logfile, NULL };

	return unit_server_start(argv, &server, &port);
}

static int setup(void **state)
{
	const char *shared = getenv("NBK_SHARED");
	const char *s = getenv("NBK_SRC");

	(void)state;
	snprintf(pkgs, sizeof(pkgs), "%s/data/conda/packages", shared ? shared : "../shared");
	snprintf(src, sizeof(src), "%s", s ? s : ".");
	snprintf(tmp, sizeof(tmp), "/tmp/nbk-pkgcache-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return start_server();
}

static int teardown(void **state)
{
	(void)state;
	return unit_server_teardown(&server, tmp);
}

/* A record for a shared package, with its real sha256, md5 and size. */
static void make_record(struct et_record *r, const char *fn, const char *url_prefix)
{
	_cleanup_free_ char *path = nbk_xasprintf("%s/%s", pkgs, fn);
	struct nbk_buf data = NBK_BUF_INIT;
	char sha[NBK_SHA256_HEX_LEN + 1], md5[33];
	const char *dash2, *dash1;
	_cleanup_free_ char *dist = NULL;

	assert_int_equal(nbk_read_file(path, 64 << 20, &data, NULL), 0);
	nbk_sha256_hex(data.data, data.len, sha);
	nbk_md5_hex(data.data, data.len, md5);
	et_record_init(r);
	dist = nbk_xstrndup(fn, strlen(fn) - (strstr(fn, ".conda") ? 6 : 8));
	dash2 = strrchr(dist, '-');
	dist[dash2 - dist] = '\0';
	dash1 = strrchr(dist, '-');
	/* et_record_init()'s strings are a shared static "": overwrite them */
	r->name = nbk_xstrndup(dist, (size_t)(dash1 - dist));
	r->version = nbk_xstrdup(dash1 + 1);
	r->build = nbk_xstrdup(dash2 + 1);
	r->fn = nbk_xstrdup(fn);
	r->url = nbk_xasprintf("%s/%s", url_prefix, fn);
	r->sha256 = nbk_xstrdup(sha);
	r->md5 = nbk_xstrdup(md5);
	r->channel = nbk_xstrdup("test");
	r->subdir = nbk_xstrdup("linux-64");
	r->size = data.len;
	nbk_buf_release(&data);
}

static void set(char **field, const char *v)
{
	free(*field);
	*field = nbk_xstrdup(v);
}

/* A fresh config whose pkgs_dirs are the given folders (under tmp). */
static void make_config(struct et_config *cfg, const char *d1, const char *d2)
{
	memset(cfg, 0, sizeof(*cfg));
	nbk_strvec_init(&cfg->pkgs_dirs);
	nbk_strvec_push_owned(&cfg->pkgs_dirs, nbk_xasprintf("%s/%s", tmp, d1));
	if (d2)
		nbk_strvec_push_owned(&cfg->pkgs_dirs, nbk_xasprintf("%s/%s", tmp, d2));
	cfg->connect_timeout_s = 5;
	cfg->read_timeout_s = 10;
	cfg->max_retries = 3;
	cfg->backoff_factor = 0.05;
	cfg->ssl_verify = ET_SSL_VERIFY_ON;
}

static char *file_url(void)
{
	return nbk_xasprintf("file://%s", pkgs);
}

static char *http_url(const char *mode)
{
	return nbk_xasprintf("http://127.0.0.1:%d/%s", port, mode);
}

static int ensure1(struct et_config *cfg, struct et_record *r, char **dir,
		   struct et_pkgcache_stats *st, struct nbk_error *err)
{
	struct et_pkgcache cache;
	const struct et_record *recs[1] = { r };
	char **dirs = NULL;
	int ret;

	assert_int_equal(et_pkgcache_open(&cache, cfg, err), 0);
	ret = et_pkgcache_ensure(&cache, recs, 1, NULL, &dirs, st, err);
	if (ret == 0) {
		assert_non_null(dirs[0]);
		assert_null(dirs[1]);
		*dir = nbk_xstrdup(dirs[0]);
	}
	et_pkgcache_dirs_free(dirs);
	et_pkgcache_release(&cache);
	return ret;
}

static bool exists(const char *fmt, const char *a, const char *b)
{
	_cleanup_free_ char *p = nbk_xasprintf(fmt, a, b);

	return access(p, F_OK) == 0;
}

/* Nothing but the lock folder and urls.txt in a cache after a failure. */
static void assert_clean(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".locks") || !strcmp(e->d_name, "urls.txt"))
			continue;
		fail_msg("'%s' left in '%s'", e->d_name, dir);
	}
	closedir(d);
}

static void test_file_channel_and_warm(void **state)
{
	_cleanup_free_ char *url = file_url();
	_cleanup_free_ char *dir = NULL, *dir2 = NULL, *urls = NULL;
	_cleanup_buf_ struct nbk_buf rec = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_pkgcache_stats st;
	struct et_pkgcache cache;
	struct et_config cfg;
	struct et_record r[2];
	const struct et_record *recs[2] = { &r[0], &r[1] };
	char **dirs = NULL;

	(void)state;
	make_config(&cfg, "c1", NULL);
	make_record(&r[0], "zlib-1.2.11-h7b6447c_3.conda", url);
	make_record(&r[1], "cph_test_data-0.0.1-0.tar.bz2", url);
	assert_int_equal(et_pkgcache_open(&cache, &cfg, &err), 0);
	assert_int_equal(et_pkgcache_state(&cache, &r[0], NULL), ET_PKG_MISSING);
	if (et_pkgcache_ensure(&cache, recs, 2, NULL, &dirs, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(st.downloaded, 2);
	assert_int_equal(st.extracted, 2);
	assert_true(exists("%s/%s", cache.write_dir, "zlib-1.2.11-h7b6447c_3.conda"));
	assert_true(exists("%s/%s/lib/libz.so.1.2.11", cache.write_dir, "zlib-1.2.11-h7b6447c_3"));
	assert_string_equal(strrchr(dirs[1], '/') + 1, "cph_test_data-0.0.1-0");
	urls = nbk_xasprintf("%s/zlib-1.2.11-h7b6447c_3/info/repodata_record.json",
			     cache.write_dir);
	assert_int_equal(nbk_read_file(urls, 1 << 20, &rec, NULL), 0);
	assert_non_null(strstr(rec.data, r[0].sha256));
	assert_non_null(strstr(rec.data, "\"url\": \"file://"));
	/* the on-disk record is conda-meta's writer's, not the --json printer's (issue 10) */
	assert_null(strstr(rec.data, "\"build_string\""));
	free(urls);
	urls = nbk_xasprintf("%s/urls.txt", cache.write_dir);
	nbk_buf_reset(&rec);
	assert_int_equal(nbk_read_file(urls, 1 << 20, &rec, NULL), 0);
	assert_non_null(strstr(rec.data, "zlib-1.2.11-h7b6447c_3.conda\n"));
	assert_non_null(strstr(rec.data, "cph_test_data-0.0.1-0.tar.bz2\n"));
	et_pkgcache_dirs_free(dirs);
	assert_int_equal(et_pkgcache_state(&cache, &r[0], &dir), ET_PKG_EXTRACTED);
	et_pkgcache_release(&cache);

	/* warm: nothing downloaded or extracted */
	assert_int_equal(ensure1(&cfg, &r[0], &dir2, &st, &err), 0);
	assert_string_equal(dir, dir2);
	assert_int_equal(st.cached, 1);
	assert_int_equal(st.downloaded + st.extracted, 0);

	/* a writable cache first, the filled one later: read from there */
	{
		struct et_config cfg2;
		_cleanup_free_ char *dir3 = NULL;

		make_config(&cfg2, "c1b", "c1");
		assert_int_equal(ensure1(&cfg2, &r[1], &dir3, &st, &err), 0);
		assert_non_null(strstr(dir3, "/c1/"));
		assert_int_equal(st.cached, 1);
		/* an archive there (not extracted): extracted here, not downloaded */
		free(r[0].url);
		r[0].url = nbk_xstrdup("http://127.0.0.1:1/nowhere.conda");
		free(dir3);
		dir3 = NULL;
		_cleanup_free_ char *old = nbk_xasprintf("%s/c1/zlib-1.2.11-h7b6447c_3", tmp);
		assert_int_equal(nbk_remove_tree(old, &err), 0);
		assert_int_equal(ensure1(&cfg2, &r[0], &dir3, &st, &err), 0);
		assert_non_null(strstr(dir3, "/c1b/"));
		nbk_strvec_release(&cfg2.pkgs_dirs);
	}
	nbk_strvec_release(&cfg.pkgs_dirs);
	et_record_release(&r[0]);
	et_record_release(&r[1]);
}

/* A record that lies (sha256, md5 or size): error naming it, nothing left. */
static void test_mismatch(void **state)
{
	static const struct {
		const char *field;
		const char *msg;
	} cases[] = {
		{ "sha256", "sha256 mismatch" },
		{ "md5", "md5 mismatch" },
		{ "size-short", "size mismatch" },
		{ "size-long", "size mismatch" },
	};
	_cleanup_free_ char *url = file_url();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *name = nbk_xasprintf("mm%zu", i);
		_cleanup_free_ char *dir = NULL, *cdir = nbk_xasprintf("%s/%s", tmp, name);
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_config cfg;
		struct et_record r;

		make_config(&cfg, name, NULL);
		make_record(&r, "symlink-test-1.0.0-0.conda", url);
		if (!strcmp(cases[i].field, "sha256")) {
			set(&r.sha256,
			    "0000000000000000000000000000000000000000000000000000000000000000");
		} else if (!strcmp(cases[i].field, "md5")) {
			set(&r.sha256, "");
			set(&r.md5, "00000000000000000000000000000000");
		} else {
			r.size += !strcmp(cases[i].field, "size-short") ? 10 : -10;
		}
		assert_int_equal(ensure1(&cfg, &r, &dir, NULL, &err), -1);
		if (!strstr(err.msg, cases[i].msg) || !strstr(err.msg, "'symlink-test-1.0.0-0'"))
			fail_msg("%s: %s", cases[i].field, err.msg);
		assert_clean(cdir);
		et_record_release(&r);
		nbk_strvec_release(&cfg.pkgs_dirs);
	}
}

/* md5 alone is enough; a bad archive already in the cache is replaced. */
static void test_md5_only_and_bad_cached_archive(void **state)
{
	_cleanup_free_ char *url = file_url();
	_cleanup_free_ char *dir = NULL, *bad = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_pkgcache_stats st;
	struct et_config cfg;
	struct et_record r;
	FILE *f;

	(void)state;
	make_config(&cfg, "md5", NULL);
	make_record(&r, "zip64-test-1.0.0-0.conda", url);
	set(&r.sha256, "");
	assert_int_equal(nbk_mkdir_p(cfg.pkgs_dirs.v[0], 0755, (uid_t)-1, (gid_t)-1, NULL, NULL),
			 0);
	bad = nbk_xasprintf("%s/zip64-test-1.0.0-0.conda", cfg.pkgs_dirs.v[0]);
	f = fopen(bad, "w");
	assert_non_null(f);
	fputs("not a package", f);
	fclose(f);
	if (ensure1(&cfg, &r, &dir, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(st.downloaded, 1);
	et_record_release(&r);
	nbk_strvec_release(&cfg.pkgs_dirs);
}

static int count_log(const char *needle)
{
	_cleanup_free_ char *logfile = nbk_xasprintf("%s/server.log", tmp);
	_cleanup_buf_ struct nbk_buf log = NBK_BUF_INIT;
	const char *p;
	int n = 0;

	if (nbk_read_file(logfile, 1 << 20, &log, NULL) < 0)
		return 0;
	for (p = log.data; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_http(void **state)
{
	static const struct {
		const char *mode;
		int ok;
		const char *msg;
	} cases[] = {
		{ "ok", 1, NULL },        { "dropmid", 1, NULL }, /* resumed with Range */
		{ "norange", 1, NULL }, /* Range ignored: read from the start */
		{ "slow", 1, NULL },      { "wrong", 0, "sha256 mismatch" },
		{ "404", 0, "HTTP 404" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *url = http_url(cases[i].mode);
		_cleanup_free_ char *name = nbk_xasprintf("http-%s", cases[i].mode);
		_cleanup_free_ char *dir = NULL, *cdir = nbk_xasprintf("%s/%s", tmp, name);
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_pkgcache_stats st;
		struct et_config cfg;
		struct et_record r;
		int ret;

		make_config(&cfg, name, NULL);
		make_record(&r, "zlib-1.2.11-h7b6447c_3.tar.bz2", url);
		ret = ensure1(&cfg, &r, &dir, &st, &err);
		if (cases[i].ok && ret < 0)
			fail_msg("%s: %s", cases[i].mode, err.msg);
		if (!cases[i].ok) {
			assert_int_equal(ret, -1);
			if (!strstr(err.msg, cases[i].msg) ||
			    !strstr(err.msg, "zlib-1.2.11-h7b6447c_3"))
				fail_msg("%s: %s", cases[i].mode, err.msg);
			assert_clean(cdir);
		} else {
			assert_true(exists("%s/%s", dir, "lib/libz.so.1.2.11"));
		}
		et_record_release(&r);
		nbk_strvec_release(&cfg.pkgs_dirs);
	}
	/* the drop was followed by a Range request for the rest */
	assert_int_equal(count_log("/dropmid/zlib-1.2.11-h7b6447c_3.tar.bz2 drop"), 1);
	assert_int_equal(count_log("/dropmid/zlib-1.2.11-h7b6447c_3.tar.bz2 206 range=bytes="), 1);
	assert_int_equal(count_log("/norange/zlib-1.2.11-h7b6447c_3.tar.bz2 200 range=bytes="), 1);
}

static void test_offline(void **state)
{
	_cleanup_free_ char *url = http_url("ok");
	_cleanup_free_ char *dir = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_config cfg;
	struct et_record r;

	(void)state;
	make_config(&cfg, "offline", NULL);
	cfg.offline = true;
	make_record(&r, "info-only-1.0.0-0.conda", url);
	assert_int_equal(ensure1(&cfg, &r, &dir, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "'info-only-1.0.0-0'"));
	assert_non_null(strstr(err.msg, "--offline"));
	et_record_release(&r);
	nbk_strvec_release(&cfg.pkgs_dirs);
}

/* Two processes, one cache, the same (slow) package: one download. */
static void test_two_processes(void **state)
{
	_cleanup_free_ char *url = http_url("slow");
	pid_t kids[2];
	int i, status;

	(void)state;
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			struct nbk_error err = NBK_ERROR_INIT;
			struct et_config cfg;
			struct et_record r;
			char *dir = NULL;
			int ret;

			make_config(&cfg, "shared", NULL);
			make_record(&r, "ca-certificates-2024.7.4-hbcca054_0.conda", url);
			ret = ensure1(&cfg, &r, &dir, NULL, &err);
			if (ret < 0)
				fprintf(stderr, "child: %s\n", err.msg);
			_exit(ret == 0 && access(dir, F_OK) == 0 ? 0 : 1);
		}
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(count_log("/slow/ca-certificates-2024.7.4-hbcca054_0.conda"), 1);
	(void)seq;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_channel_and_warm),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_md5_only_and_bad_cached_archive),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_offline),
		cmocka_unit_test(test_two_processes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
