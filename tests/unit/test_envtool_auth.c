/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libconda/auth.c: the authentication file (rattler's credentials.json
 * shape), which entry a URL gets, and the credentials a URL carries
 * (masked for messages, stripped for what is recorded).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit_tmpdir.h"
#include "../../libconda/auth.h"
#include "nbkit/log.h"
#include "nbkit/url.h"

static void test_load_and_find(void **state)
{
	struct et_auth a;
	struct nbk_error err = NBK_ERROR_INIT;
	char *path = unit_tmpdir_write(
		"auth.json",
		"{\"mirror.bank.internal\": {\"BasicHTTP\": {\"username\": \"ann\", \"password\": "
		"\"s3cret-pw\"}},\n"
		" \"mirror.bank.internal/api/conda/private\": {\"BearerToken\": \"tok-private\"},\n"
		" \"*.prefix.dev\": {\"BearerToken\": \"tok-prefix\"},\n"
		" \"conda.anaconda.org\": {\"CondaToken\": \"tok-conda\"}}\n");
	const struct et_auth_entry *e;
	char *shown;

	(void)state;
	assert_int_equal(et_auth_load(&a, path, &err), 0);
	assert_int_equal(a.n, 4);
	e = et_auth_find(&a, "https://mirror.bank.internal/api/conda/conda-forge/noarch/x");
	assert_non_null(e);
	assert_int_equal(e->kind, ET_AUTH_BASIC);
	assert_string_equal(e->username, "ann");
	/* the longest key wins, at a path boundary only */
	e = et_auth_find(&a,
			 "https://mirror.bank.internal/api/conda/private/linux-64/repodata.json");
	assert_int_equal(e->kind, ET_AUTH_BEARER);
	assert_string_equal(e->token, "tok-private");
	e = et_auth_find(&a, "https://mirror.bank.internal/api/conda/privateer/x");
	assert_int_equal(e->kind, ET_AUTH_BASIC);
	e = et_auth_find(&a, "https://repo.prefix.dev/conda-forge/x");
	assert_string_equal(e->token, "tok-prefix");
	assert_null(et_auth_find(&a, "https://prefix.dev/x")); /* "*." needs a subdomain */
	e = et_auth_find(&a, "https://conda.anaconda.org/conda-forge/x");
	assert_int_equal(e->kind, ET_AUTH_CONDA_TOKEN);
	assert_null(et_auth_find(&a, "https://mirror.bank.internal.evil.example/x"));
	assert_null(et_auth_find(&a, "https://evil.example/mirror.bank.internal/x"));
	/* the secrets are masked in every log line from now on */
	shown = nbk_log_redact("answer: s3cret-pw and tok-private");
	assert_string_equal(shown, "answer: *** and ***");
	free(shown);
	et_auth_release(&a);
	free(path);
}

static void test_bad_files(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[1, 2]", "expected a JSON object" },
		{ "{\"h\": {\"Password\": \"x\"}}", "entry 'h': expected one of" },
		{ "{\"h\": {\"BasicHTTP\": {\"username\": \"u\"}}}",
		  "needs a username and a password" },
		{ "{\"h\": {\"BearerToken\": [\"x\"]}}", "the token is not a string" },
		{ "{\"h\": \"hunter2-secret\"}", "entry 'h': expected one of" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct et_auth a;
		struct nbk_error err = NBK_ERROR_INIT;
		char *path = unit_tmpdir_write("bad.json", cases[i].text);

		assert_int_equal(et_auth_load(&a, path, &err), -1);
		if (!strstr(err.msg, cases[i].msg) || strstr(err.msg, "hunter2"))
			fail_msg("case %zu: '%s'", i, err.msg);
		free(path);
	}
}

static void test_urls(void **state)
{
	static const struct {
		const char *url, *stripped, *redacted;
	} cases[] = {
		{ "https://u:p@h.example/c/linux-64/x.conda",
		  "https://h.example/c/linux-64/x.conda",
		  "https://***@h.example/c/linux-64/x.conda" },
		{ "https://h.example/t/tk-1/c/noarch/x.conda", "https://h.example/c/noarch/x.conda",
		  "https://h.example/t/***/c/noarch/x.conda" },
		{ "https://h.example/c/x.conda", "https://h.example/c/x.conda",
		  "https://h.example/c/x.conda" },
		{ "file:///srv/chan/x.conda", "file:///srv/chan/x.conda",
		  "file:///srv/chan/x.conda" },
		{ "conda-forge", "conda-forge", "conda-forge" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = nbk_url_strip_credentials(cases[i].url);
		assert_string_equal(s, cases[i].stripped);
		free(s);
		s = nbk_url_redact(cases[i].url);
		assert_string_equal(s, cases[i].redacted);
		free(s);
		assert_int_equal(nbk_url_has_credentials(cases[i].url) != 0,
				 strcmp(cases[i].url, cases[i].stripped) != 0);
	}
	s = et_url_with_token("https://conda.anaconda.org/conda-forge/noarch/repodata.json", "T1");
	assert_string_equal(s, "https://conda.anaconda.org/t/T1/conda-forge/noarch/repodata.json");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_find),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_urls),
	};

	return cmocka_run_group_tests(tests, unit_tmpdir_setup, unit_tmpdir_teardown);
}
