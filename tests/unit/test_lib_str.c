/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: lib/str.c, the one owner of number parsing, suffix tests,
 * human sizes and hex digests (issue 10).  Tables of good and hostile text:
 * overflow, trailing junk, blanks, signs, "0x", empty strings, negative
 * numbers where they are not allowed.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nbkit/str.h"

static void test_parse_u64(void **state)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "007", 0, 7 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -1, 0 }, /* overflow */
		{ "99999999999999999999999", -1, 0 },
		{ "", -1, 0 },
		{ "-1", -1, 0 }, /* strtoull reads it as UINT64_MAX */
		{ "+1", -1, 0 },
		{ " 1", -1, 0 },
		{ "1 ", -1, 0 },
		{ "1x", -1, 0 },
		{ "0x10", -1, 0 },
		{ "1\n", -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int r = nbk_parse_u64(cases[i].s, &v);

		if (r != cases[i].ret || (r == 0 && v != cases[i].v) || (r < 0 && v != 12345))
			fail_msg("'%s': got %d/%llu", cases[i].s, r, (unsigned long long)v);
	}
	assert_int_equal(nbk_parse_u64(NULL, NULL), -1);
}

static void test_parse_long(void **state)
{
	static const struct {
		const char *s;
		int base;
		long min, max;
		int ret;
		long v;
		int err;
	} cases[] = {
		{ "0", 10, 0, 10, 0, 0, 0 },
		{ "10", 10, 0, 10, 0, 10, 0 },
		{ "11", 10, 0, 10, -1, 0, ERANGE },
		{ "-5", 10, -10, 10, 0, -5, 0 },
		{ "-0", 10, -10, 10, 0, 0, 0 },
		{ "-5", 10, 0, 10, -1, 0, EINVAL }, /* no '-' where min >= 0 */
		{ "-0", 10, 0, 10, -1, 0, EINVAL },
		{ "-11", 10, -10, 10, -1, 0, ERANGE },
		{ "9223372036854775807", 10, LONG_MIN, LONG_MAX, 0, LONG_MAX, 0 },
		{ "-9223372036854775808", 10, LONG_MIN, LONG_MAX, 0, LONG_MIN, 0 },
		{ "9223372036854775808", 10, LONG_MIN, LONG_MAX, -1, 0, ERANGE },
		{ "-9223372036854775809", 10, LONG_MIN, LONG_MAX, -1, 0, ERANGE },
		{ "", 10, 0, 10, -1, 0, EINVAL },
		{ "-", 10, -10, 10, -1, 0, EINVAL },
		{ "+5", 10, 0, 10, -1, 0, EINVAL },
		{ " 5", 10, 0, 10, -1, 0, EINVAL },
		{ "5 ", 10, 0, 10, -1, 0, EINVAL },
		{ "5\n", 10, 0, 10, -1, 0, EINVAL },
		{ "5x", 10, 0, 10, -1, 0, EINVAL },
		{ "0x5", 10, 0, 10, -1, 0, EINVAL },
		{ "1e3", 10, 0, 10000, -1, 0, EINVAL },
		{ "0022", 8, 0, 0777, 0, 022, 0 },
		{ "0777", 8, 0, 0777, 0, 0777, 0 },
		{ "1000", 8, 0, 0777, -1, 0, ERANGE },
		{ "0008", 8, 0, 0777, -1, 0, EINVAL }, /* 8 is no octal digit */
		{ "ff", 16, 0, 255, 0, 255, 0 },
		{ "FF", 16, 0, 255, 0, 255, 0 },
		{ "0xff", 16, 0, 255, -1, 0, EINVAL },
		{ "g", 16, 0, 255, -1, 0, EINVAL },
		{ "1", 1, 0, 10, -1, 0, EINVAL }, /* no such base */
		{ "1", 17, 0, 10, -1, 0, EINVAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long v = 12345;
		int r;

		errno = 0;
		r = nbk_parse_long(cases[i].s, cases[i].base, cases[i].min, cases[i].max, &v);
		if (r != cases[i].ret || (r == 0 && v != cases[i].v) || (r < 0 && v != 12345) ||
		    (r < 0 && errno != cases[i].err))
			fail_msg("'%s' (base %d): got %d/%ld errno %d", cases[i].s, cases[i].base,
				 r, v, errno);
	}
	assert_int_equal(nbk_parse_long(NULL, 10, 0, 1, NULL), -1);
}

static void test_parse_double(void **state)
{
	static const struct {
		const char *s;
		double min, max;
		int ret;
		double v;
	} cases[] = {
		{ "0", 0, 10, 0, 0 },     { "2", 0, 10, 0, 2 },         { "0.5", 0, 10, 0, 0.5 },
		{ ".5", 0, 10, 0, 0.5 },  { "1e3", 0, 1e6, 0, 1000 },   { "-1.5", -2, 2, 0, -1.5 },
		{ "-1", 0, 10, -1, 0 }, /* negative where min is 0 */
		{ "10.5", 0, 10, -1, 0 }, { "1e400", 0, 1e308, -1, 0 }, /* overflow */
		{ "", 0, 10, -1, 0 },     { " 1", 0, 10, -1, 0 },       { "1 ", 0, 10, -1, 0 },
		{ "1x", 0, 10, -1, 0 },   { "1.2.3", 0, 10, -1, 0 },    { "inf", 0, 1e308, -1, 0 },
		{ "nan", 0, 10, -1, 0 },  { "0x10", 0, 100, -1, 0 },    { "-", -1, 1, -1, 0 },
		{ "e", -1, 1, -1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = 12345;
		int r = nbk_parse_double(cases[i].s, cases[i].min, cases[i].max, &v);

		if (r != cases[i].ret || (r == 0 && v != cases[i].v) || (r < 0 && v != 12345))
			fail_msg("'%s': got %d/%g", cases[i].s, r, v);
	}
	assert_int_equal(nbk_parse_double(NULL, 0, 1, NULL), -1);
}

static void test_suffix_and_trim(void **state)
{
	static const char *const words[] = { "noarch", "linux-64", NULL };
	char *s = NULL;

	(void)state;
	assert_true(nbk_str_ends_with("pkg-1.0-0.conda", ".conda"));
	assert_true(nbk_str_ends_with(".conda", ".conda"));
	assert_true(nbk_str_ends_with("x", ""));
	assert_false(nbk_str_ends_with("conda", ".conda"));
	assert_false(nbk_str_ends_with("pkg.tar.bz2", ".conda"));
	assert_false(nbk_str_ends_with("", ".sh"));
	/* not NUL-terminated where it is read: only n bytes count */
	assert_true(nbk_mem_ends_with("a.condaXYZ", 7, ".conda"));
	assert_false(nbk_mem_ends_with("a.condaXYZ", 10, ".conda"));
	assert_false(nbk_mem_ends_with("da", 2, ".conda"));

	assert_int_equal(nbk_str_rtrim_len("https://h/c//", '/'), 11);
	assert_int_equal(nbk_str_rtrim_len("a/", '/'), 1);
	assert_int_equal(nbk_str_rtrim_len("https://h/c", '/'), 11);
	assert_int_equal(nbk_str_rtrim_len("///", '/'), 0);
	assert_int_equal(nbk_str_rtrim_len("", '/'), 0);

	assert_true(nbk_str_in("linux-64", words));
	assert_false(nbk_str_in("linux-6", words));
	assert_false(nbk_str_in("", words));

	nbk_str_set(&s, "one");
	assert_string_equal(s, "one");
	nbk_str_set(&s, "two");
	assert_string_equal(s, "two");
	nbk_str_set(&s, NULL);
	assert_null(s);
}

static void test_human_size(void **state)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} cases[] = {
		{ 0, "0 B" },
		{ 999, "999 B" },
		{ 1000, "1.0 kB" },
		{ 1234, "1.2 kB" },
		{ 999949, "999.9 kB" },
		{ 999999, "1.0 MB" }, /* not "1000.0 kB" */
		{ 12345678, "12.3 MB" },
		{ 1000000000, "1.0 GB" },
		{ 1500000000000ULL, "1.5 TB" },
		{ 5000000000000000ULL, "5000.0 TB" }, /* TB is the last unit */
		{ UINT64_MAX, "18446744.1 TB" },
	};
	char out[NBK_HUMAN_SIZE_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		nbk_human_size(cases[i].bytes, out);
		if (strcmp(out, cases[i].text))
			fail_msg("%llu: got '%s', want '%s'", (unsigned long long)cases[i].bytes,
				 out, cases[i].text);
	}
}

static void test_hex_encode(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(bytes) + 1];

	(void)state;
	memset(out, 'x', sizeof(out));
	nbk_hex_encode(bytes, sizeof(bytes), out);
	assert_string_equal(out, "00017f80abff");
	nbk_hex_encode(bytes, 0, out);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),    cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_double), cmocka_unit_test(test_suffix_and_trim),
		cmocka_unit_test(test_human_size),   cmocka_unit_test(test_hex_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
