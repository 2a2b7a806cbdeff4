/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: errors, buffers, string vectors and environment lists. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"
#include "nbkit/url.h"

static int fail_with_context(struct nbk_error *err)
{
	if (nbk_error_set(err, ENOENT, "cannot open '%s'", "/etc/x.yaml") != -1)
		return 0;
	return nbk_error_prefix(err, "config");
}

static void test_error_context(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	assert_int_equal(fail_with_context(&err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_string_equal(err.msg,
			    "config: cannot open '/etc/x.yaml': No such file or directory");
	nbk_error_clear(&err);
	assert_string_equal(err.msg, "");
	assert_int_equal(nbk_error_set(NULL, 0, "dropped"), -1);
}

static void test_error_truncates(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	char big[3000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	nbk_error_set(&err, 0, "%s", big);
	assert_int_equal(strlen(err.msg), NBK_ERROR_MSG_MAX - 1);
	nbk_error_prefix(&err, "ctx");
	assert_int_equal(strlen(err.msg), NBK_ERROR_MSG_MAX - 1);
	assert_memory_equal(err.msg, "ctx: aaa", 8);
}

static void test_buf_basic(void **state)
{
	struct nbk_buf b = NBK_BUF_INIT;
	char *s;
	size_t len;
	int i;

	(void)state;
	assert_string_equal(b.data, "");
	nbk_buf_addstr(&b, "hello");
	nbk_buf_addch(&b, ' ');
	nbk_buf_addf(&b, "%s %d", "world", 42);
	assert_string_equal(b.data, "hello world 42");
	assert_int_equal(b.len, 14);
	for (i = 0; i < 1000; i++)
		nbk_buf_addf(&b, "%04d", i);
	assert_int_equal(b.len, 14 + 4000);
	assert_memory_equal(b.data + b.len - 4, "0999", 4);
	assert_int_equal(b.data[b.len], '\0');
	nbk_buf_addstr(&b, "  \n\t");
	nbk_buf_rtrim(&b);
	assert_int_equal(b.len, 4014);
	s = nbk_buf_detach(&b, &len);
	assert_int_equal(len, 4014);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	free(s);
	s = nbk_buf_detach(&b, NULL);
	assert_string_equal(s, "");
	free(s);
	nbk_buf_release(&b);
}

/* a password put into a URL's userinfo: every reserved byte encoded */
static void test_buf_percent_encoded(void **state)
{
	struct nbk_buf b = NBK_BUF_INIT;

	(void)state;
	nbk_buf_add_percent_encoded(&b, "p@ss:w/rd%20 ~._-Z9\xc3\xa9");
	assert_string_equal(b.data, "p%40ss%3Aw%2Frd%2520%20~._-Z9%C3%A9");
	nbk_buf_reset(&b);
	nbk_buf_add_sh_quoted(&b, "it's $HOME `x` \\ \"q\"");
	assert_string_equal(b.data, "'it'\\''s $HOME `x` \\ \"q\"'");
	nbk_buf_reset(&b);
	nbk_buf_add_percent_encoded(&b, "");
	assert_int_equal(b.len, 0);
	nbk_buf_release(&b);
}

/* the pip index's URL: userinfo put in, found, masked and taken out again */
static void test_url_userinfo(void **state)
{
	const char *host, *end;
	char *u;

	(void)state;
	u = nbk_url_with_userinfo("https://mirror.bank:8443/api/pypi/simple", "ann", "p@ss:w/rd");
	assert_string_equal(u, "https://ann:p%40ss%3Aw%2Frd@mirror.bank:8443/api/pypi/simple");
	nbk_url_host_span(u, &host, &end);
	assert_int_equal(end - host, strlen("mirror.bank:8443"));
	assert_memory_equal(host, "mirror.bank:8443", (size_t)(end - host));
	assert_true(nbk_url_has_credentials(u));
	free(u);
	u = nbk_url_with_userinfo("http://h", "a b", "");
	assert_string_equal(u, "http://a%20b:@h");
	nbk_url_host_span(u, &host, &end);
	assert_string_equal(host, "h");
	free(u);
	assert_false(nbk_url_has_credentials("https://h/simple"));
}

static void test_strvec(void **state)
{
	struct nbk_strvec sv = NBK_STRVEC_INIT;
	char **v;

	(void)state;
	assert_null(sv.v[0]);
	nbk_strvec_push(&sv, "b");
	nbk_strvec_pushf(&sv, "%c", 'c');
	nbk_strvec_push(&sv, "a");
	assert_int_equal(sv.n, 3);
	assert_null(sv.v[3]);
	assert_int_equal(nbk_strvec_find(&sv, "c"), 1);
	assert_int_equal(nbk_strvec_find(&sv, "z"), -1);
	nbk_strvec_sort(&sv);
	assert_string_equal(sv.v[0], "a");
	assert_string_equal(sv.v[2], "c");
	nbk_strvec_remove(&sv, 1);
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[1], "c");
	assert_null(sv.v[2]);
	v = nbk_strvec_detach(&sv);
	assert_int_equal(sv.n, 0);
	free(v[0]);
	free(v[1]);
	free(v);
	v = nbk_strvec_detach(&sv);
	assert_null(v[0]);
	free(v);
}

/* nbk_strvec_join() and nbk_strvec_find_sorted(). */
static void test_strvec_join_find(void **state)
{
	struct nbk_strvec sv = NBK_STRVEC_INIT;
	struct nbk_buf b = NBK_BUF_INIT;

	(void)state;
	nbk_buf_addstr(&b, "[");
	nbk_strvec_join(&sv, ", ", &b);
	assert_string_equal(b.data, "[");
	assert_false(nbk_strvec_find_sorted(&sv, "a"));
	nbk_strvec_push(&sv, "PATH");
	nbk_strvec_join(&sv, ", ", &b);
	assert_string_equal(b.data, "[PATH");
	nbk_strvec_push(&sv, "HOME");
	nbk_strvec_push(&sv, "LANG");
	nbk_buf_reset(&b);
	nbk_strvec_join(&sv, " ", &b);
	assert_string_equal(b.data, "PATH HOME LANG");
	nbk_strvec_sort(&sv);
	assert_true(nbk_strvec_find_sorted(&sv, "HOME"));
	assert_true(nbk_strvec_find_sorted(&sv, "LANG"));
	assert_true(nbk_strvec_find_sorted(&sv, "PATH"));
	assert_false(nbk_strvec_find_sorted(&sv, "PAT"));
	assert_false(nbk_strvec_find_sorted(&sv, "Z"));
	assert_false(nbk_strvec_find_sorted(&sv, ""));
	nbk_strvec_release(&sv);
	nbk_buf_release(&b);
}

static void test_env(void **state)
{
	struct nbk_strvec env = NBK_STRVEC_INIT;

	(void)state;
	nbk_env_set(&env, "A", "1");
	nbk_env_set(&env, "AB", "2");
	nbk_env_set(&env, "A", "3");
	assert_int_equal(env.n, 2);
	assert_string_equal(nbk_env_get(&env, "A"), "3");
	assert_string_equal(nbk_env_get(&env, "AB"), "2");
	assert_null(nbk_env_get(&env, "B"));
	nbk_strvec_push(&env, "A=dup");
	assert_int_equal(nbk_env_unset(&env, "A"), 2);
	assert_null(nbk_env_get(&env, "A"));
	assert_string_equal(nbk_env_get(&env, "AB"), "2");
	nbk_env_set(&env, "E", "");
	assert_string_equal(nbk_env_get(&env, "E"), "");
	assert_true(nbk_env_name_valid("_A1", 3));
	assert_false(nbk_env_name_valid("1A", 2));
	assert_false(nbk_env_name_valid("A-B", 3));
	assert_false(nbk_env_name_valid("", 0));
	nbk_strvec_release(&env);
}

/* SipHash-2-4 against the reference vectors (key 00..0f, message 00..len-1). */
static void test_siphash(void **state)
{
	static const uint64_t key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	static const struct {
		size_t len;
		uint64_t want;
	} cases[] = {
		{ 0, 0x726fdb47dd0e0e31ULL },
		{ 1, 0x74f839c593dc67fdULL },
		{ 8, 0x93f5f5799a932462ULL },
		{ 15, 0xa129ca6149be45e5ULL },
	};
	unsigned char msg[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(nbk_siphash24(key, msg, cases[i].len), cases[i].want);
	/* keyed per process, but stable within it */
	assert_int_equal(nbk_hash_keyed("abc", 3), nbk_hash_keyed("abc", 3));
	assert_int_not_equal(nbk_hash_keyed("abc", 3), nbk_hash_keyed("abd", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_context), cmocka_unit_test(test_error_truncates),
		cmocka_unit_test(test_buf_basic),     cmocka_unit_test(test_strvec),
		cmocka_unit_test(test_env),           cmocka_unit_test(test_strvec_join_find),
		cmocka_unit_test(test_siphash),       cmocka_unit_test(test_buf_percent_encoded),
		cmocka_unit_test(test_url_userinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
