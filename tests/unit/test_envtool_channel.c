/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: channel names (libconda/channel.c) and the .condarc loader
 * (libconda/config.c); MD5, behind conda's cache file names, is
 * tests/unit/test_lib_md5.c's.
 * Tables written from conda's rules (conda/models/channel.py,
 * conda/base/context.py); the real condarc of shared/data (NBK_SHARED).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../libconda/channel.h"
#include "../../libconda/config.h"
#include "nbkit/buf.h"

static void config_for_tests(struct et_config *cfg)
{
	struct nbk_error err = NBK_ERROR_INIT;

	unsetenv("CONDA_CHANNEL_ALIAS");
	unsetenv("CONDA_CHANNELS");
	assert_int_equal(et_config_load(cfg, ET_CONFIG_NO_RC, NULL, &err), 0);
	cfg->root_prefix = strdup("/r");
	nbk_strvec_push(&cfg->custom_names, "internal");
	nbk_strvec_push(&cfg->custom_urls, "https://mirror.example/conda/");
	et_config_finish(cfg);
}

static const struct {
	const char *spec, *name, *url, *subdirs;
} cases[] = {
	{ "conda-forge", "conda-forge", "https://conda.anaconda.org/conda-forge",
	  "linux-64 noarch" },
	/* conda: a default channel's name is a custom channel ("pkgs/main" is repo.anaconda.com's) */
	{ "pkgs/main", "pkgs/main", "https://repo.anaconda.com/pkgs/main", "linux-64 noarch" },
	{ "pkgs/free", "pkgs/free", "https://conda.anaconda.org/pkgs/free", "linux-64 noarch" },
	{ "https://conda.anaconda.org/conda-forge/", "conda-forge",
	  "https://conda.anaconda.org/conda-forge", "linux-64 noarch" },
	{ "https://repo.anaconda.com/pkgs/main", "pkgs/main", "https://repo.anaconda.com/pkgs/main",
	  "linux-64 noarch" },
	{ "conda-forge/osx-arm64", "conda-forge", "https://conda.anaconda.org/conda-forge",
	  "osx-arm64 noarch" },
	{ "conda-forge/noarch", "conda-forge", "https://conda.anaconda.org/conda-forge", "noarch" },
	{ "internal", "internal", "https://mirror.example/conda/internal", "linux-64 noarch" },
	{ "http://127.0.0.1:8000/chan", "http://127.0.0.1:8000/chan", "http://127.0.0.1:8000/chan",
	  "linux-64 noarch" },
	{ "file:///srv/chan/", "file:///srv/chan", "file:///srv/chan", "linux-64 noarch" },
	{ "/srv/./x/../chan", "file:///srv/chan", "file:///srv/chan", "linux-64 noarch" },
};

static const char *const bad[] = { "",        "defaults",   "a b",  "../",
				   "http://", "https:///x", "x//y", "na;me" };

static void test_parse(void **state)
{
	struct et_config cfg;
	size_t i, j;

	(void)state;
	config_for_tests(&cfg);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_channel c;
		char subdirs[128] = "";

		if (et_channel_parse(&cfg, cases[i].spec, "linux-64", &c, &err) < 0)
			fail_msg("'%s': %s", cases[i].spec, err.msg);
		for (j = 0; j < c.subdirs.n; j++) {
			strcat(subdirs, j ? " " : "");
			strcat(subdirs, c.subdirs.v[j]);
		}
		if (strcmp(c.name, cases[i].name) || strcmp(c.url, cases[i].url) ||
		    strcmp(subdirs, cases[i].subdirs))
			fail_msg("'%s': got %s %s [%s]", cases[i].spec, c.name, c.url, subdirs);
		et_channel_release(&c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_channel c;

		if (et_channel_parse(&cfg, bad[i], "linux-64", &c, &err) == 0)
			fail_msg("accepted '%s' as %s", bad[i], c.url);
		assert_true(err.msg[0] != '\0');
		et_channel_release(&c);
	}
	et_config_release(&cfg);
}

static void test_resolve_defaults(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec specs = NBK_STRVEC_INIT;
	struct et_channel_sources src = { .cli = &specs };
	struct et_channel *v = NULL;
	struct et_config cfg;
	size_t n = 0;

	(void)state;
	config_for_tests(&cfg);
	free(cfg.platform);
	cfg.platform = strdup("osx-64");
	nbk_strvec_push(&specs, "conda-forge");
	nbk_strvec_push(&specs, "defaults");
	nbk_strvec_push(&specs, "https://conda.anaconda.org/conda-forge"); /* a duplicate */
	assert_int_equal(et_channels_order(&cfg, &src, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "conda-forge");
	assert_string_equal(v[1].url, "https://repo.anaconda.com/pkgs/main");
	assert_string_equal(v[1].name, "pkgs/main");
	assert_string_equal(v[2].name, "pkgs/r");
	assert_string_equal(v[2].subdirs.v[0], "osx-64");
	et_channels_free(v, n);
	nbk_strvec_release(&specs);
	et_config_release(&cfg);
}

/*
 * Issue 13: default_channels on a bank's mirror (a URL with a path, a
 * file:// path) keep their short names, "pkgs/main" reaches the mirror,
 * and "defaults" as a spec's channel is every one of them.
 */
static void test_default_mirror(void **state)
{
	static const struct {
		const char *url, *name;
	} mirrors[] = {
		{ "https://mirror.bank/conda/pkgs/main/", "pkgs/main" },
		{ "file:///srv/mirror/pkgs/r", "pkgs/r" },
		{ "https://mirror.bank/conda/conda-forge", "conda-forge" },
	};
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec urls = NBK_STRVEC_INIT;
	struct et_config cfg;
	struct et_channel c;
	size_t i;

	(void)state;
	config_for_tests(&cfg);
	nbk_strvec_release(&cfg.default_channels);
	for (i = 0; i < 3; i++)
		nbk_strvec_push(&cfg.default_channels, mirrors[i].url);
	for (i = 0; i < 3; i++) {
		char *bare = strdup(mirrors[i].url);

		if (bare[strlen(bare) - 1] == '/')
			bare[strlen(bare) - 1] = '\0';
		/* the URL shows its short name; the short name reaches the URL */
		assert_int_equal(et_channel_parse(&cfg, mirrors[i].url, "linux-64", &c, &err), 0);
		assert_string_equal(c.name, mirrors[i].name);
		et_channel_release(&c);
		assert_int_equal(et_channel_parse(&cfg, mirrors[i].name, "linux-64", &c, &err), 0);
		assert_string_equal(c.url, bare);
		et_channel_release(&c);
		free(bare);
	}
	/* custom_channels still win over a default channel's name */
	assert_int_equal(et_channel_parse(&cfg, "internal", "linux-64", &c, &err), 0);
	assert_string_equal(c.url, "https://mirror.example/conda/internal");
	et_channel_release(&c);
	/* a spec's "defaults" is all of them, a name one */
	assert_int_equal(et_channel_spec_urls(&cfg, "defaults", &urls, &err), 0);
	assert_int_equal(urls.n, 3);
	assert_string_equal(urls.v[0], "https://mirror.bank/conda/pkgs/main");
	assert_string_equal(urls.v[1], "file:///srv/mirror/pkgs/r");
	nbk_strvec_release(&urls);
	assert_int_equal(et_channel_spec_urls(&cfg, "pkgs/r", &urls, &err), 0);
	assert_int_equal(urls.n, 1);
	assert_string_equal(urls.v[0], "file:///srv/mirror/pkgs/r");
	nbk_strvec_release(&urls);
	assert_int_equal(et_channel_spec_urls(&cfg, "a b", &urls, &err), -1);
	nbk_strvec_release(&urls);
	et_config_release(&cfg);
}

/* words separated by spaces into v ("" : none) */
static void words(struct nbk_strvec *v, const char *s)
{
	char *copy = strdup(s), *save = NULL, *w;

	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		nbk_strvec_push(v, w);
	free(copy);
}

/* The one order of a request's channels (channel.h's et_channels_order()). */
static void test_order(void **state)
{
	static const struct {
		const char *cli, *file, *configured, *specs;
		bool override, specs_only;
		const char *want;
	} t[] = {
		{ "x y", "", "a b", "", false, false, "x y a b" },
		{ "x y", "f", "a b", "s", false, false, "x y f a b s" },
		/* a channel keeps its first place */
		{ "b x", "a", "a b", "x", false, false, "b x a" },
		{ "x", "", "a b", "s", true, false, "x s" },
		{ "x", "f", "a b", "s", false, true, "s" },
		/* "defaults" where it stands; "nodefaults" anywhere drops it */
		{ "x", "", "a defaults b", "", false, false, "x a pkgs/main pkgs/r b" },
		{ "x y", "f nodefaults", "a defaults b", "", false, false, "x y f a b" },
		{ "x nodefaults", "", "defaults a", "", false, false, "x a" },
		{ "", "", "a", "defaults", false, false, "a pkgs/main pkgs/r" },
		{ "", "", "", "", false, false, "" },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct nbk_strvec cli = NBK_STRVEC_INIT, file = NBK_STRVEC_INIT,
				  specs = NBK_STRVEC_INIT;
		struct et_channel_sources src = { &cli, &file, &specs, t[i].specs_only };
		struct nbk_error err = NBK_ERROR_INIT;
		struct nbk_buf got = NBK_BUF_INIT;
		struct et_channel *v = NULL;
		struct et_config cfg;
		size_t n = 0;

		config_for_tests(&cfg);
		words(&cli, t[i].cli);
		words(&file, t[i].file);
		words(&cfg.channels, t[i].configured);
		words(&specs, t[i].specs);
		cfg.override_channels = t[i].override;
		if (et_channels_order(&cfg, &src, &v, &n, &err) < 0)
			fail_msg("case %zu: %s", i, err.msg);
		for (j = 0; j < n; j++)
			nbk_buf_addf(&got, "%s%s", j ? " " : "", v[j].name);
		if (strcmp(got.len ? got.data : "", t[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, got.len ? got.data : "",
				 t[i].want);
		nbk_buf_release(&got);
		et_channels_free(v, n);
		nbk_strvec_release(&cli);
		nbk_strvec_release(&file);
		nbk_strvec_release(&specs);
		et_config_release(&cfg);
	}
}

static void test_condarc(void **state)
{
	char dir[] = "/tmp/et-condarc-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_config cfg;
	char *rc, *shared_rc;
	const char *shared = getenv("NBK_SHARED");
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	rc = nbk_xasprintf("%s/condarc", dir);
	f = fopen(rc, "w");
	assert_non_null(f);
	fputs("channels: [a, b]\nssl_verify: false\nproxy_servers: {http: 'http://p:1', https: 'http://p:2'}\n"
	      "remote_max_retries: 7\nremote_read_timeout_secs: 2.5\ncustom_channels: {a: 'https://m/x'}\n"
	      "unknown_key: ignored\n",
	      f);
	fclose(f);
	setenv("CONDA_CHANNELS", "c,a", 1);
	setenv("CONDA_PKGS_DIRS", "/p1:/p2", 1);
	assert_int_equal(et_config_load(&cfg, 0, rc, &err), 0);
	unsetenv("CONDA_CHANNELS");
	unsetenv("CONDA_PKGS_DIRS");
	et_config_finish(&cfg);
	/* variables rank above files: their list comes first */
	assert_int_equal(cfg.channels.n, 3);
	assert_string_equal(cfg.channels.v[0], "c");
	assert_string_equal(cfg.channels.v[1], "a");
	assert_string_equal(cfg.channels.v[2], "b");
	assert_string_equal(cfg.pkgs_dirs.v[1], "/p2");
	assert_int_equal(cfg.ssl_verify, ET_SSL_VERIFY_OFF);
	assert_string_equal(cfg.proxy_https, "http://p:2");
	assert_int_equal(cfg.max_retries, 7);
	assert_true(cfg.read_timeout_s == 2.5);
	assert_string_equal(cfg.custom_urls.v[0], "https://m/x");
	et_config_release(&cfg);

	/* wrong type: the file and position are named */
	f = fopen(rc, "w");
	assert_non_null(f);
	fputs("channels: [a]\nremote_max_retries: many\n", f);
	fclose(f);
	assert_int_equal(et_config_load(&cfg, 0, rc, &err), -1);
	assert_non_null(strstr(err.msg, "condarc:2:"));
	et_config_release(&cfg);

	/* the real .condarc from mamba's tests */
	shared_rc = nbk_xasprintf("%s/data/conda/meta/condarc", shared ? shared : "../shared");
	assert_int_equal(et_config_load(&cfg, 0, shared_rc, &err), 0);
	assert_string_equal(cfg.channels.v[0], "https://repo.mamba.pm/conda-forge");
	assert_true(cfg.connect_timeout_s == 9.15);
	et_config_release(&cfg);
	free(shared_rc);
	unlink(rc);
	rmdir(dir);
	free(rc);
}

/* file:// URLs are percent-decoded; a path channel is encoded so that it comes back */
static void test_local_path(void **state)
{
	static const char *const rows[][2] = {
		{ "file:///srv/chan", "/srv/chan" },
		{ "file:///srv/my%20chan/linux-64", "/srv/my chan/linux-64" },
		{ "file://localhost/srv/a%2Fb", "/srv/a/b" },
		{ "file:///srv/100%25", "/srv/100%" },
		{ "file:///srv/bad%zz", "/srv/bad%zz" },
		{ "file:///srv/nul%00", NULL },
		{ "https://example.com/chan", NULL },
	};
	struct et_config cfg;
	struct et_channel ch;
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;
	char *p;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		p = et_url_local_path(rows[i][0]);
		if (rows[i][1]) {
			assert_non_null(p);
			assert_string_equal(p, rows[i][1]);
		} else {
			assert_null(p);
		}
		free(p);
	}
	assert_int_equal(et_config_load(&cfg, ET_CONFIG_NO_RC, NULL, &err), 0);
	et_config_finish(&cfg);
	assert_int_equal(et_channel_parse(&cfg, "/srv/my chan 100%", "linux-64", &ch, &err), 0);
	assert_string_equal(ch.url, "file:///srv/my%20chan%20100%25");
	p = et_url_local_path(ch.url);
	assert_string_equal(p, "/srv/my chan 100%");
	free(p);
	et_channel_release(&ch);
	et_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),      cmocka_unit_test(test_resolve_defaults),
		cmocka_unit_test(test_order),      cmocka_unit_test(test_condarc),
		cmocka_unit_test(test_local_path), cmocka_unit_test(test_default_mirror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
