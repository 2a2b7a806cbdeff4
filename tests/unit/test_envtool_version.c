/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: conda's VersionOrder (envtool/version.c).
 *
 * Tables of comparisons and invalid strings written from conda's rules,
 * then the shared data: the 51-version ordered list from conda's tests and
 * 28,530 real version strings (every one must parse; sorting them must
 * give an order that is antisymmetric, transitive and consistent with
 * equality).  The shared data is found through NBK_SHARED.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../libconda/version.h"
#include "nbkit/buf.h"
#include "nbkit/strvec.h"

static int cmp_str(const char *a, const char *b)
{
	struct et_version *va = NULL, *vb = NULL;
	struct nbk_error err = NBK_ERROR_INIT;
	int c;

	if (et_version_parse(a, strlen(a), &va, &err) < 0)
		fail_msg("'%s' does not parse: %s", a, err.msg);
	if (et_version_parse(b, strlen(b), &vb, &err) < 0)
		fail_msg("'%s' does not parse: %s", b, err.msg);
	c = et_version_compare(va, vb);
	et_version_free(va);
	et_version_free(vb);
	return c < 0 ? -1 : c > 0;
}

static const struct {
	const char *a;
	int cmp;
	const char *b;
} comparisons[] = {
	/* padding */
	{ "1.1", 0, "1.1.0" },
	{ "1.1", 0, "1.1.0.0.0" },
	{ "1.1.a1", 0, "1.1.0a1" },
	{ "1.0", -1, "1.0.1" },
	{ "0", 0, "0.0" },
	/* case-insensitive */
	{ "0.4.1.rc", 0, "0.4.1.RC" },
	{ "1.0A", 0, "1.0a" },
	{ "0.5C1", 1, "0.5b3" },
	/* strings below numbers */
	{ "1.0a1", -1, "1.0" },
	{ "1.0rc1", -1, "1.0" },
	{ "1.0a", -1, "1.0b" },
	{ "1.0alpha", -1, "1.0beta" },
	{ "1.0", -1, "1.0.1a" },
	/* dev below everything but '*' */
	{ "1.1dev1", -1, "1.1a1" },
	{ "1.1dev1", -1, "1.1_" },
	{ "1.0.dev0", -1, "1.0.a0" },
	{ "1.0.*", -1, "1.0.dev" },
	{ "1.0dev", -1, "1.0" },
	{ "1.0.DEV1", 0, "1.0.dev1" },
	{ "1.0devel", 1, "1.0dev" },
	/* post above every number and string */
	{ "1.1.post1", 0, "1.1.0post1" },
	{ "1.1post1", 1, "1.1.99999" },
	{ "1.1.post1", 1, "1.1" },
	{ "1.1.post1", -1, "1.1.1" },
	{ "1.0post", 1, "1.0zzz" },
	{ "1.0postfix", -1, "1.0" },
	/* numbers of any size */
	{ "1.99999999999999999999999", 1, "1.99999999999999999999998" },
	{ "1.0000000000000000000000001", 0, "1.1" },
	{ "2.010", 0, "2.10" },
	{ "100", 1, "99" },
	/* epochs */
	{ "1!0.4.1", 1, "1996.07.12" },
	{ "0!1.0", 0, "1.0" },
	{ "2!0.1", 1, "1!99" },
	{ "01!1.0", 0, "1!1.0" },
	/* local versions: only when the rest is equal */
	{ "1.0+1", 1, "1.0" },
	{ "1.0+0", 0, "1.0" },
	{ "1.0+abc", -1, "1.0" },
	{ "1.0+2", -1, "1.1+1" },
	{ "1.2.3+4.5.6", 1, "1.2.3+4.5.5" },
	{ "1.0+a_b", 0, "1.0+a.b" },
	/* separators */
	{ "0.5_5", 0, "0.5-5" },
	{ "0.5_5", 0, "0.5.5" },
	{ "1-2-3", 0, "1.2.3" },
	/* trailing underscore (openssl) */
	{ "1.0.1_", -1, "1.0.1a" },
	{ "1.0.1_", 1, "1.0.1dev" },
	{ "1.0.1_", -1, "1.0.1" },
	{ "1.0.1-", 0, "1.0.1_" },
	/* tagged versions */
	{ "1.1.parallel", -1, "1.1" },
	{ "2.2be.ta29", 0, "2.2be.ta29" },
	{ "2.2be5ta29", 1, "2.2be.ta29" },
	{ "  1.0  ", 0, "1.0" },
	{ "3.2.p.r0", -1, "3.2.pr0" },
};

static void test_comparisons(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(comparisons) / sizeof(comparisons[0]); i++) {
		int c = cmp_str(comparisons[i].a, comparisons[i].b);
		int r = cmp_str(comparisons[i].b, comparisons[i].a);

		if (c != comparisons[i].cmp || r != -comparisons[i].cmp)
			fail_msg("'%s' vs '%s': %d/%d, expected %d", comparisons[i].a,
				 comparisons[i].b, c, r, comparisons[i].cmp);
		assert_int_equal(et_version_strcmp(comparisons[i].a, comparisons[i].b), c);
	}
}

static const struct {
	const char *s;
	const char *why;
} invalid[] = {
	{ "", "empty version string" },
	{ "   ", "empty version string" },
	{ "1..2", "empty version component" },
	{ "1.2.", "empty version component" },
	{ ".1", "empty version component" },
	{ "1.2.__", "empty version component" },
	{ "1!2!3", "duplicated epoch separator '!'" },
	{ "a!1.0", "epoch must be an integer" },
	{ "!1.0", "epoch must be an integer" },
	{ "1+2+3", "duplicated local version separator '+'" },
	{ "+1", "missing version before local version separator '+'" },
	{ "1!+1", "missing version before local version separator '+'" },
	{ "1.0+", "empty version component" },
	{ "1.0+a..b", "empty version component" },
	{ "1-2_3", "invalid character(s)" },
	{ "1 2", "invalid character(s)" },
	{ "1.2#3", "invalid character(s)" },
	{ "1.2@", "invalid character(s)" },
	{ "1,2", "invalid character(s)" },
	{ "1.2\xc3\xa9", "invalid character(s)" },
	{ "=1.2", "invalid character(s)" },
	{ "1!", "missing version before local version separator '+'" },
};

static void test_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct et_version *v = (struct et_version *)1;
		struct nbk_error err = NBK_ERROR_INIT;

		if (et_version_parse(invalid[i].s, strlen(invalid[i].s), &v, &err) != -1)
			fail_msg("'%s' parsed", invalid[i].s);
		assert_null(v);
		if (strcmp(err.msg, invalid[i].why) != 0)
			fail_msg("'%s': got '%s', expected '%s'", invalid[i].s, err.msg,
				 invalid[i].why);
		assert_false(et_version_valid(invalid[i].s));
	}
}

static void test_too_long(void **state)
{
	char big[ET_VERSION_MAX + 2];
	struct et_version *v;
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(et_version_parse(big, strlen(big), &v, &err), -1);
	big[ET_VERSION_MAX] = '\0';
	assert_int_equal(et_version_parse(big, strlen(big), &v, &err), 0);
	et_version_free(v);
	/* many components, on the heap path of et_version_strcmp */
	memset(big, '.', ET_VERSION_MAX);
	for (size_t i = 0; i < ET_VERSION_MAX; i += 2)
		big[i] = '7';
	big[ET_VERSION_MAX - 1] = '\0';
	assert_int_equal(et_version_strcmp(big, big), 0);
	assert_int_equal(et_version_strcmp(big, "7.7"), 1);
}

static const struct {
	const char *v, *prefix;
	bool yes;
} prefixes[] = {
	{ "1.7.1", "1.7", true },
	{ "1.70", "1.7", false },
	{ "1.7", "1.7", true },
	{ "1.7", "1.7.0", true },
	{ "1.6.9", "1.7", false },
	{ "2013ab", "2013a", true },
	{ "2013b", "2013a", false },
	{ "1.0", "1.0.0", true },
	{ "1.0.1", "1.0.0", false },
	{ "1.2.3+4.5.6", "1.2.3+4", true },
	{ "1.2.3+4.5.6", "1.2.3+5", false },
	{ "1.2.4+4.5.6", "1.2.3+4", false },
	{ "1.2.3+4.5.6", "1.2.3", true },
	{ "3.3.0.0", "3.3", true },
	{ "1!1.2", "1.2", false },
	{ "1.1a1", "1.1a", true },
	{ "1.1alpha", "1.1a", true },
	{ "1.1", "1.1a", false },
};

static void test_startswith(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		struct et_version *v, *p;

		assert_int_equal(et_version_parse(prefixes[i].v, strlen(prefixes[i].v), &v, NULL),
				 0);
		assert_int_equal(et_version_parse(prefixes[i].prefix, strlen(prefixes[i].prefix),
						  &p, NULL),
				 0);
		if (et_version_startswith(v, p) != prefixes[i].yes)
			fail_msg("'%s' starts with '%s': expected %d", prefixes[i].v,
				 prefixes[i].prefix, prefixes[i].yes);
		et_version_free(v);
		et_version_free(p);
	}
}

static void test_normalised(void **state)
{
	struct et_version *v;

	(void)state;
	assert_int_equal(et_version_parse(" 1.0-RC1 ", 9, &v, NULL), 0);
	assert_string_equal(v->norm, "1.0_rc1");
	assert_int_equal(v->nver, 4); /* epoch, 1, 0, rc1 */
	et_version_free(v);
	assert_int_equal(et_version_parse("1!2.15.1_ALPHA", 14, &v, NULL), 0);
	/* conda: [[1], [2], [15], [1, '_alpha']]-like: epoch, 2, 15, 1, alpha */
	assert_int_equal(v->nver, 5);
	assert_int_equal(v->nlocal, 0);
	et_version_free(v);
}

/* ---- shared data ------------------------------------------------------ */

static void read_lines(const char *rel, struct nbk_strvec *out)
{
	const char *shared = getenv("NBK_SHARED");
	char path[4096];
	char line[4096];
	FILE *f;

	if (!shared)
		shared = "../shared";
	snprintf(path, sizeof(path), "%s/%s", shared, rel);
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open '%s' (set NBK_SHARED)", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] && line[0] != '#')
			nbk_strvec_push(out, line);
	}
	fclose(f);
}

static void test_order_list(void **state)
{
	struct nbk_strvec lines = NBK_STRVEC_INIT;
	size_t i, j, equal = 0;

	(void)state;
	read_lines("data/conda/versions/version_order.txt", &lines);
	assert_int_equal(lines.n, 51);
	for (i = 0; i < lines.n; i++) {
		for (j = i; j < lines.n; j++) {
			int c = cmp_str(lines.v[i], lines.v[j]);
			/* the file's two equal pairs, as its provenance says */
			bool eq = i == j ||
				  (strcmp(lines.v[i], "0.4") == 0 &&
				   strcmp(lines.v[j], "0.4.0") == 0) ||
				  (strcmp(lines.v[i], "0.5_5") == 0 &&
				   strcmp(lines.v[j], "0.5-5") == 0);

			if (c != (eq ? 0 : -1))
				fail_msg("'%s' vs '%s': %d", lines.v[i], lines.v[j], c);
			if (i != j && eq)
				equal++;
		}
	}
	assert_int_equal(equal, 2);
	nbk_strvec_release(&lines);
}

static int cmp_parsed(const void *a, const void *b)
{
	return et_version_compare(*(struct et_version *const *)a, *(struct et_version *const *)b);
}

static int sgn(int c)
{
	return c < 0 ? -1 : c > 0;
}

/* xorshift: reproducible sampling without libc's rand() state. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static size_t pick(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

static void test_real_versions(void **state)
{
	struct nbk_strvec lines = NBK_STRVEC_INIT;
	struct et_version **v;
	size_t i, n, k, runs = 0;

	(void)state;
	read_lines("data/conda/versions/versions.txt", &lines);
	n = lines.n;
	assert_int_equal(n, 28530);
	v = calloc(n, sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < n; i++) {
		struct nbk_error err = NBK_ERROR_INIT;

		if (et_version_parse(lines.v[i], strlen(lines.v[i]), &v[i], &err) < 0)
			fail_msg("'%s' does not parse: %s", lines.v[i], err.msg);
		assert_int_equal(et_version_compare(v[i], v[i]), 0);
	}
	qsort(v, n, sizeof(*v), cmp_parsed);
	/* sorted: every neighbour in order, both ways round */
	for (i = 0; i + 1 < n; i++) {
		int c = sgn(et_version_compare(v[i], v[i + 1]));

		if (c > 0 || sgn(et_version_compare(v[i + 1], v[i])) != -c)
			fail_msg("'%s' / '%s' out of order", v[i]->norm, v[i + 1]->norm);
		assert_int_equal(et_version_strcmp(v[i]->norm, v[i + 1]->norm), c);
		if (c == 0)
			runs++;
	}
	/*
	 * Transitivity and antisymmetry on the sorted list: any i < j must
	 * compare <= 0, and == 0 only when everything between is equal too.
	 */
	for (k = 0; k < 200000; k++) {
		size_t a = pick(n), b = pick(n), lo, hi;
		int c;

		lo = a < b ? a : b;
		hi = a < b ? b : a;
		c = sgn(et_version_compare(v[lo], v[hi]));
		if (c > 0 || sgn(et_version_compare(v[hi], v[lo])) != -c)
			fail_msg("'%s' (%zu) / '%s' (%zu): %d", v[lo]->norm, lo, v[hi]->norm, hi,
				 c);
		if (c == 0 && hi > lo) {
			/* equal ends: all between equal, and both compare alike to others */
			size_t m = lo + pick(hi - lo + 1), o = pick(n);

			assert_int_equal(et_version_compare(v[lo], v[m]), 0);
			assert_int_equal(sgn(et_version_compare(v[lo], v[o])),
					 sgn(et_version_compare(v[hi], v[o])));
		}
	}
	/* equality consistency: every run of equal neighbours */
	for (i = 0; i + 1 < n; i++) {
		if (et_version_compare(v[i], v[i + 1]) == 0) {
			size_t o = pick(n);

			assert_int_equal(sgn(et_version_compare(v[i], v[o])),
					 sgn(et_version_compare(v[i + 1], v[o])));
		}
	}
	assert_true(runs > 0); /* the data has equal spellings (1.0 / 1.0.0) */
	for (i = 0; i < n; i++)
		et_version_free(v[i]);
	free(v);
	nbk_strvec_release(&lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comparisons),   cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_too_long),      cmocka_unit_test(test_startswith),
		cmocka_unit_test(test_normalised),    cmocka_unit_test(test_order_list),
		cmocka_unit_test(test_real_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
