/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the bounds every envtool transfer shares (envtool/transfer.c):
 * the body bound's verdicts at its edges, and credentials masked in URLs.
 * The attacks themselves run against a real server in
 * tests/envtool/sec_transfer_*.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../libconda/transfer.h"

static void test_body_2xx(void **state)
{
	struct et_body_bound b;

	(void)state;
	et_body_bound_start(&b, 10, 0);
	b.status = 200;
	assert_int_equal(et_body_bound_feed(&b, NULL, 4), ET_BODY_KEEP);
	assert_int_equal(et_body_bound_feed(&b, NULL, 6), ET_BODY_KEEP);
	assert_int_equal(b.got, 10);
	assert_false(b.too_big);
	/* one byte past the maximum stops the transfer */
	assert_int_equal(et_body_bound_feed(&b, NULL, 1), ET_BODY_STOP);
	assert_true(b.too_big);
	assert_false(b.error_body);

	/* a resumed prefix counts; a huge chunk cannot wrap the sum */
	et_body_bound_start(&b, 10, 8);
	b.status = 206;
	assert_int_equal(et_body_bound_feed(&b, NULL, 3), ET_BODY_STOP);
	et_body_bound_start(&b, 10, 8);
	b.status = 206;
	assert_int_equal(et_body_bound_feed(&b, NULL, SIZE_MAX), ET_BODY_STOP);
}

static void test_body_error(void **state)
{
	static const long statuses[] = { 404, 500, 416, 100, 302 };
	struct et_body_bound b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		uint64_t seen = 0;
		enum et_body_verdict v;

		et_body_bound_start(&b, UINT64_MAX, 0);
		b.status = statuses[i];
		/* dropped, never kept, whatever the 2xx maximum; stopped past 64 KiB */
		while ((v = et_body_bound_feed(&b, NULL, 1000)) == ET_BODY_DROP)
			seen += 1000;
		assert_int_equal(v, ET_BODY_STOP);
		assert_true(seen <= ET_ERROR_BODY_MAX);
		assert_true(seen + 1000 > ET_ERROR_BODY_MAX);
		assert_true(b.error_body);
		assert_true(b.error_cut);
		assert_false(b.too_big);
		assert_int_equal(b.got, 0);
	}
}

static const struct {
	const char *in, *out;
} urls[] = {
	{ "https://conda.anaconda.org/conda-forge", "https://conda.anaconda.org/conda-forge" },
	{ "https://user:s3cret@repo.example/chan/noarch/x.conda", "https://***@repo.example/chan/noarch/x.conda" },
	{ "https://user@repo.example/chan", "https://***@repo.example/chan" },
	{ "https://u:p@ss@repo.example/c", "https://***@repo.example/c" },
	{ "https://repo.example/t/tk-1234/chan/linux-64/repodata.json",
	  "https://repo.example/t/***/chan/linux-64/repodata.json" },
	{ "https://u:p@repo.example/t/tk/chan", "https://***@repo.example/t/***/chan" },
	{ "https://repo.example/c/p?q=a@b", "https://repo.example/c/p?q=a@b" },
	{ "https://repo.example/t/", "https://repo.example/t/" },
	{ "/srv/chan/noarch", "/srv/chan/noarch" },
	{ "", "" },
};

static void test_redact(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char *r = et_url_redact(urls[i].in);

		assert_string_equal(r, urls[i].out);
		free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_2xx),
		cmocka_unit_test(test_body_error),
		cmocka_unit_test(test_redact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
