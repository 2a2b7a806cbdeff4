/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the MessagePack reader (libconda/msgpack.c).  A table of
 * every encoding of the spec (each family at its edges: the fixed forms,
 * the 8/16/32/64-bit forms, sign extension), a table of hostile or broken
 * inputs with the message each must give (truncations, lengths and counts
 * past the end, the reserved byte), every prefix of a real document
 * refused, and the skipper's depth bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msgpack.h"

#define B(s) s, sizeof(s) - 1

static void test_values(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		enum et_msgpack_type type;
		int64_t i;     /* INT, BOOL; count of a container, len of str/bin/ext */
		const char *s; /* STR, BIN, EXT bytes */
		double f;      /* FLOAT */
		size_t used;   /* bytes the head takes */
	} cases[] = {
		{ B("\x00"), ET_MSGPACK_INT, 0, NULL, 0, 1 },
		{ B("\x7f"), ET_MSGPACK_INT, 127, NULL, 0, 1 },
		{ B("\xe0"), ET_MSGPACK_INT, -32, NULL, 0, 1 },
		{ B("\xff"), ET_MSGPACK_INT, -1, NULL, 0, 1 },
		{ B("\xcc\xff"), ET_MSGPACK_INT, 255, NULL, 0, 2 },
		{ B("\xcd\x01\x00"), ET_MSGPACK_INT, 256, NULL, 0, 3 },
		{ B("\xce\xff\xff\xff\xff"), ET_MSGPACK_INT, 4294967295LL, NULL, 0, 5 },
		{ B("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff"), ET_MSGPACK_INT, INT64_MAX, NULL, 0,
		  9 },
		{ B("\xd0\x80"), ET_MSGPACK_INT, -128, NULL, 0, 2 },
		{ B("\xd0\x7f"), ET_MSGPACK_INT, 127, NULL, 0, 2 },
		{ B("\xd1\x80\x00"), ET_MSGPACK_INT, -32768, NULL, 0, 3 },
		{ B("\xd2\x80\x00\x00\x00"), ET_MSGPACK_INT, INT32_MIN, NULL, 0, 5 },
		{ B("\xd3\x80\x00\x00\x00\x00\x00\x00\x00"), ET_MSGPACK_INT, INT64_MIN, NULL, 0,
		  9 },
		{ B("\xc0"), ET_MSGPACK_NIL, 0, NULL, 0, 1 },
		{ B("\xc2"), ET_MSGPACK_BOOL, 0, NULL, 0, 1 },
		{ B("\xc3"), ET_MSGPACK_BOOL, 1, NULL, 0, 1 },
		{ B("\xca\x3f\xc0\x00\x00"), ET_MSGPACK_FLOAT, 0, NULL, 1.5, 5 },
		{ B("\xcb\xc0\x04\x00\x00\x00\x00\x00\x00"), ET_MSGPACK_FLOAT, 0, NULL, -2.5, 9 },
		{ B("\xa0"), ET_MSGPACK_STR, 0, "", 0, 1 },
		{ B("\xa3"
		    "abc"),
		  ET_MSGPACK_STR, 3, "abc", 0, 4 },
		{ B("\xd9\x03"
		    "abc"),
		  ET_MSGPACK_STR, 3, "abc", 0, 5 },
		{ B("\xda\x00\x03"
		    "abc"),
		  ET_MSGPACK_STR, 3, "abc", 0, 6 },
		{ B("\xdb\x00\x00\x00\x03"
		    "abc"),
		  ET_MSGPACK_STR, 3, "abc", 0, 8 },
		{ B("\xc4\x02\x00\x01"), ET_MSGPACK_BIN, 2, "\x00\x01", 0, 4 },
		{ B("\xc5\x00\x01\xff"), ET_MSGPACK_BIN, 1, "\xff", 0, 4 },
		{ B("\xc6\x00\x00\x00\x00"), ET_MSGPACK_BIN, 0, "", 0, 5 },
		{ B("\xd4\x05\x01"), ET_MSGPACK_EXT, 1, "\x01", 0, 3 },
		{ B("\xd8\x05"
		    "0123456789abcdef"),
		  ET_MSGPACK_EXT, 16, "0123456789abcdef", 0, 18 },
		{ B("\xc7\x02\x05"
		    "ab"),
		  ET_MSGPACK_EXT, 2, "ab", 0, 5 },
		{ B("\xc9\x00\x00\x00\x01\xff"
		    "z"),
		  ET_MSGPACK_EXT, 1, "z", 0, 7 },
		{ B("\x90"), ET_MSGPACK_ARRAY, 0, NULL, 0, 1 },
		{ B("\x92\x01\x02"), ET_MSGPACK_ARRAY, 2, NULL, 0, 1 },
		{ B("\xdc\x00\x02\x01\x02"), ET_MSGPACK_ARRAY, 2, NULL, 0, 3 },
		{ B("\xdd\x00\x00\x00\x02\x01\x02"), ET_MSGPACK_ARRAY, 2, NULL, 0, 5 },
		{ B("\x80"), ET_MSGPACK_MAP, 0, NULL, 0, 1 },
		{ B("\x81\xa1k\x01"), ET_MSGPACK_MAP, 1, NULL, 0, 1 },
		{ B("\xde\x00\x01\xa1k\x01"), ET_MSGPACK_MAP, 1, NULL, 0, 3 },
		{ B("\xdf\x00\x00\x00\x01\xa1k\x01"), ET_MSGPACK_MAP, 1, NULL, 0, 5 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_msgpack_value v;
		struct et_msgpack r;

		et_msgpack_init(&r, cases[i].in, cases[i].len);
		if (et_msgpack_next(&r, &v, &err) < 0)
			fail_msg("case %zu: %s", i, err.msg);
		if (v.type != cases[i].type)
			fail_msg("case %zu: type %d, not %d", i, v.type, cases[i].type);
		assert_int_equal(et_msgpack_offset(&r), cases[i].used);
		switch (v.type) {
		case ET_MSGPACK_INT:
			if (v.i != cases[i].i)
				fail_msg("case %zu: %lld", i, (long long)v.i);
			break;
		case ET_MSGPACK_BOOL:
			assert_int_equal(v.b, cases[i].i);
			break;
		case ET_MSGPACK_FLOAT:
			assert_true(v.f == cases[i].f);
			break;
		case ET_MSGPACK_STR:
		case ET_MSGPACK_BIN:
		case ET_MSGPACK_EXT:
			assert_int_equal(v.len, cases[i].i);
			assert_memory_equal(v.s, cases[i].s, v.len);
			/* zero copy: into the input */
			assert_ptr_equal(v.s, cases[i].in + cases[i].used - v.len);
			if (v.type == ET_MSGPACK_EXT)
				assert_int_equal(v.ext_type, cases[i].in[0] == '\xc9' ? -1 : 5);
			break;
		case ET_MSGPACK_ARRAY:
		case ET_MSGPACK_MAP:
			assert_int_equal(v.len, cases[i].i);
			break;
		default:
			break;
		}
		/* skip takes the whole value, whatever it is */
		et_msgpack_init(&r, cases[i].in, cases[i].len);
		if (et_msgpack_skip(&r, &err) < 0)
			fail_msg("case %zu: skip: %s", i, err.msg);
		assert_int_equal(et_msgpack_left(&r), 0);
	}
}

static void test_uint64(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_msgpack_value v;
	struct et_msgpack r;

	(void)state;
	et_msgpack_init(&r, B("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"));
	assert_int_equal(et_msgpack_next(&r, &v, &err), 0);
	assert_int_equal(v.type, ET_MSGPACK_UINT);
	assert_true(v.u == UINT64_MAX);
	et_msgpack_init(&r, B("\xcf\x80\x00\x00\x00\x00\x00\x00\x00"));
	assert_int_equal(et_msgpack_next(&r, &v, &err), 0);
	assert_int_equal(v.type, ET_MSGPACK_UINT);
	assert_true(v.u == (uint64_t)INT64_MAX + 1);
}

static void test_bad(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *msg;
	} cases[] = {
		{ B(""), "offset 0: a value expected, the input ends" },
		{ B("\xc1"), "offset 0: byte 0xc1 is not a value" },
		{ B("\xa3"
		    "ab"),
		  "offset 0: a string of 3 bytes, 2 left" },
		{ B("\xdb\xff\xff\xff\xff"), "offset 0: a string of 4294967295 bytes, 0 left" },
		{ B("\xc6\x7f\xff\xff\xff\x00"), "offset 0: bytes of 2147483647 bytes, 1 left" },
		{ B("\xc7\x05\x01\x00"), "offset 0: an extension value of 5 bytes, 1 left" },
		{ B("\xd4\x05"), "offset 0: an extension value of 1 bytes, 0 left" },
		{ B("\xd4"), "offset 0: truncated ext type" },
		{ B("\xc8\x00"), "offset 0: truncated ext length" },
		{ B("\xcd\x01"), "offset 0: truncated integer" },
		{ B("\xd3\x00\x00"), "offset 0: truncated integer" },
		{ B("\xcb\x00\x00\x00"), "offset 0: truncated float" },
		{ B("\xda\x00"), "offset 0: truncated string length" },
		/* a count cannot promise more values than there are bytes */
		{ B("\xdd\xff\xff\xff\xff"),
		  "offset 0: an array of 4294967295 items, 0 bytes left" },
		{ B("\x93\x01\x02"), "offset 0: an array of 3 items, 2 bytes left" },
		{ B("\xdf\x00\x00\x00\x02\x01\x02\x03"),
		  "offset 0: a map of 2 pairs, 3 bytes left" },
		{ B("\x81\x01"), "offset 0: a map of 1 pairs, 1 bytes left" },
		{ B("\xdc\x00"), "offset 0: truncated array length" },
		{ B("\xdf\x00\x00\x00"), "offset 0: truncated map length" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_msgpack_value v;
		struct et_msgpack r;

		et_msgpack_init(&r, cases[i].in, cases[i].len);
		if (et_msgpack_next(&r, &v, &err) == 0)
			fail_msg("case %zu: accepted", i);
		if (strcmp(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s', expected '%s'", i, err.msg, cases[i].msg);
		et_msgpack_init(&r, cases[i].in, cases[i].len);
		assert_int_equal(et_msgpack_skip(&r, &err), -1);
	}
}

/* A document of every family, nested: its every prefix is refused, never read past. */
static void test_prefixes(void **state)
{
	static const char doc[] =
		"\x83\xa7version\x01"
		"\xa4info\x82\xa8"
		"base_url\xc0\xa4"
		"date\xcb\x40\x00\x00\x00\x00\x00\x00\x00"
		"\xa6shards\x82\xa1"
		"a\xc4\x02\xab\xcd\xa1"
		"b\x93\xc3\xd1\xff\xfe\x91\xd4\x01\x02";
	size_t len = sizeof(doc) - 1, i;

	(void)state;
	for (i = 0; i <= len; i++) {
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_msgpack r;
		char *copy = malloc(i ? i : 1); /* exact size: a read past it is ASan's */

		memcpy(copy, doc, i);
		et_msgpack_init(&r, copy, i);
		if ((et_msgpack_skip(&r, &err) == 0) != (i == len))
			fail_msg("prefix %zu of %zu: %s", i, len, i == len ? err.msg : "accepted");
		if (i < len)
			assert_non_null(strstr(err.msg, "offset "));
		free(copy);
	}
}

static void test_depth(void **state)
{
	char doc[ET_MSGPACK_MAX_DEPTH + 2];
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_msgpack r;

	(void)state;
	/* ET_MSGPACK_MAX_DEPTH arrays of one item around a 0: fine */
	memset(doc, 0x91, sizeof(doc));
	doc[ET_MSGPACK_MAX_DEPTH] = 0;
	et_msgpack_init(&r, doc, ET_MSGPACK_MAX_DEPTH + 1);
	assert_int_equal(et_msgpack_skip(&r, &err), 0);
	/* one more: refused, not recursed into */
	doc[ET_MSGPACK_MAX_DEPTH] = (char)0x91;
	doc[ET_MSGPACK_MAX_DEPTH + 1] = 0;
	et_msgpack_init(&r, doc, sizeof(doc));
	assert_int_equal(et_msgpack_skip(&r, &err), -1);
	assert_non_null(strstr(err.msg, "nested deeper than 32 levels"));
	/* empty containers do not nest: any number of them in a row */
	{
		char flat[4096];

		memset(flat, 0x90, sizeof(flat));
		flat[0] = (char)0xdd;
		flat[1] = 0;
		flat[2] = 0;
		flat[3] = 0x0f;
		flat[4] = (char)0xfb; /* 4091 empty arrays */
		et_msgpack_init(&r, flat, sizeof(flat));
		assert_int_equal(et_msgpack_skip(&r, &err), 0);
		assert_int_equal(et_msgpack_left(&r), 0);
	}
}

static void test_helpers(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_msgpack_value v;
	struct et_msgpack r;

	(void)state;
	et_msgpack_init(&r, B("\xa4name"));
	assert_int_equal(et_msgpack_next(&r, &v, &err), 0);
	assert_true(et_msgpack_str_is(&v, "name"));
	assert_false(et_msgpack_str_is(&v, "nam"));
	assert_false(et_msgpack_str_is(&v, "names"));
	et_msgpack_init(&r, B("\xc4\x04name"));
	assert_int_equal(et_msgpack_next(&r, &v, &err), 0);
	assert_false(et_msgpack_str_is(&v, "name")); /* bytes are not a string */
	assert_string_equal(et_msgpack_type_name(ET_MSGPACK_MAP), "a map");
	assert_string_equal(et_msgpack_type_name(ET_MSGPACK_BIN), "bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values), cmocka_unit_test(test_uint64),
		cmocka_unit_test(test_bad),    cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_depth),  cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
