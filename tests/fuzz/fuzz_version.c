/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: conda version strings (envtool/version.c).  Parses the
 * input, and when it has a NUL, the two halves: checks that comparison is
 * reflexive and antisymmetric, that the allocation-free string comparison
 * agrees with the parsed one, and that a version starts with itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../libconda/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a, *b;
	const char *nul;
	struct et_version *va = NULL, *vb = NULL;

	if (size > 2 * ET_VERSION_MAX + 16)
		return 0;
	a = malloc(size + 1);
	if (!a)
		return 0;
	memcpy(a, data, size);
	a[size] = '\0';
	nul = memchr(a, '\0', size);
	b = nul ? (char *)nul + 1 : a;
	if (et_version_parse(a, strlen(a), &va, NULL) == 0) {
		if (et_version_compare(va, va) != 0 || !et_version_startswith(va, va))
			abort();
		if (!et_version_valid(a))
			abort();
	} else if (et_version_valid(a)) {
		abort();
	}
	if (et_version_parse(b, strlen(b), &vb, NULL) == 0 && va) {
		int c = et_version_compare(va, vb), r = et_version_compare(vb, va);
		int s = et_version_strcmp(a, b);

		if ((c < 0) != (r > 0) || (c == 0) != (r == 0))
			abort();
		if ((c < 0) != (s < 0) || (c == 0) != (s == 0))
			abort();
		(void)et_version_startswith(va, vb);
	}
	(void)et_version_strcmp(a, b);
	et_version_free(va);
	et_version_free(vb);
	free(a);
	return 0;
}
