/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MD5 against RFC 1321's test suite (appendix A.5) and the edges of the
 * padding (55, 56 and 64 bytes: the length spills into a second block),
 * values checked with Python's hashlib.  The padding is the frame MD5
 * shares with SHA-256 (lib/md.c): its big-endian twin is
 * tests/unit/test_lib_sha256.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nbkit/md5.h"

static void test_vectors(void **state)
{
	static const struct {
		const char *msg;
		size_t repeat;
		const char *hex;
	} vecs[] = {
		{ "", 1, "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", 1, "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", 1, "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", 1, "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", 1, "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 1,
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890", 8, "57edf4a22be3c955ac49da2e2107b67a" },
		{ "a", 55, "ef1772b6dff9a122358552954ad0df65" },
		{ "a", 56, "3b0c8ac703f828b04c6c197006d17218" },
		{ "a", 64, "014842d480b571495a4a0363793f7367" },
		{ "a", 1000000, "7707d6ae4e027c70eea2a935c2296f21" },
	};
	size_t i, k, n;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		char hex[NBK_MD5_HEX_LEN + 1];
		char *msg;

		n = strlen(vecs[i].msg);
		msg = malloc(n * vecs[i].repeat + 1);
		assert_non_null(msg);
		for (k = 0; k < vecs[i].repeat; k++)
			memcpy(msg + k * n, vecs[i].msg, n);
		nbk_md5_hex(msg, n * vecs[i].repeat, hex);
		if (strcmp(hex, vecs[i].hex))
			fail_msg("'%s' x %zu: got %s, want %s", vecs[i].msg, vecs[i].repeat, hex,
				 vecs[i].hex);
		free(msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
