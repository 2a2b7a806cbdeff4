/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 against the FIPS 180-4 examples and NIST's long-message vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nbkit/sha256.h"

struct vec {
	const char *msg;
	size_t repeat;
	const char *hex;
};

static const struct vec vecs[] = {
	{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	/* 56 bytes: the padding spills into a second block */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	/* 55 and 64 bytes: the edges of the padding */
	{ "a", 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ "a", 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
};

static void test_vectors(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		struct nbk_sha256 c;
		char hex[NBK_SHA256_HEX_LEN + 1];

		nbk_sha256_init(&c);
		for (k = 0; k < vecs[i].repeat; k++)
			nbk_sha256_update(&c, vecs[i].msg, strlen(vecs[i].msg));
		nbk_sha256_final_hex(&c, hex);
		assert_string_equal(hex, vecs[i].hex);
	}
}

/* Any split of the input gives the same digest as one call. */
static void test_splits(void **state)
{
	uint8_t data[300];
	char one[NBK_SHA256_HEX_LEN + 1], two[NBK_SHA256_HEX_LEN + 1];
	size_t i, cut;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	nbk_sha256_hex(data, sizeof(data), one);
	for (cut = 0; cut <= sizeof(data); cut++) {
		struct nbk_sha256 c;

		nbk_sha256_init(&c);
		nbk_sha256_update(&c, data, cut);
		nbk_sha256_update(&c, data + cut, sizeof(data) - cut);
		nbk_sha256_final_hex(&c, two);
		assert_string_equal(one, two);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_splits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
