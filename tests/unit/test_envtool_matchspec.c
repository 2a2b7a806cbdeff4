/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: conda's VersionSpec and MatchSpec (envtool/matchspec.c).
 *
 * Tables written from conda's rules (conda/models/version.py,
 * match_spec.py and their tests), valid and invalid, plus the 80
 * version/spec/answer rows of shared/data/conda/versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../libconda/matchspec.h"
#include "nbkit/buf.h"
#include "nbkit/strvec.h"

/* The record tables leave trailing fields out: they default to "". */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static bool vmatch(const char *spec, const char *version)
{
	struct et_vspec *vs;
	struct nbk_error err = NBK_ERROR_INIT;
	bool r;

	if (et_vspec_parse(spec, &vs, &err) < 0)
		fail_msg("'%s' does not parse: %s", spec, err.msg);
	r = et_vspec_match_str(vs, version);
	et_vspec_free(vs);
	return r;
}

static void test_spec_match_tsv(void **state)
{
	const char *shared = getenv("NBK_SHARED");
	char path[4096], line[1024];
	size_t rows = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/data/conda/versions/version_spec_match.tsv",
		 shared ? shared : "../shared");
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open '%s' (set NBK_SHARED)", path);
	while (fgets(line, sizeof(line), f)) {
		char *version, *spec, *answer;

		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		version = strtok(line, "\t");
		spec = strtok(NULL, "\t");
		answer = strtok(NULL, "\t");
		assert_non_null(answer);
		if (vmatch(spec, version) != (strcmp(answer, "true") == 0))
			fail_msg("'%s' against '%s': expected %s", version, spec, answer);
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, 80);
}

static const struct {
	const char *version, *spec;
	bool yes;
} vmatches[] = {
	{ "1.2.3", ">=1.2,<2", true },
	{ "2.0", ">=1.2,<2", false },
	{ "2.0", ">=1.2,<2|>=3", false },
	{ "3.1", ">=1.2,<2|>=3", true },
	{ "1.5", "(>=1.2|<0.5),<2", true },
	{ "0.1", "(>=1.2|<0.5),<2", true },
	{ "0.7", "(>=1.2|<0.5),<2", false },
	{ "1.6", "((1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1", false },
	{ "1.8", "((1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1", false },
	{ "2.1", "((1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1", true },
	{ "1.5", " 1.5 | 1.6 ", true },
	{ "1.7", "!=1.7", false },
	{ "1.7.0", "!=1.7", false },
	{ "1.7.1", "!=1.7.*", false },
	{ "1.8.1", "!=1.7.*", true },
	{ "1.7.1", ">=1.7.*", true },
	{ "1.6", ">=1.7.*", false },
	{ "1.7.1", "<1.8.*", true },
	{ "1.7", "1.7.0", true },
	{ "1.7.0", "==1.7", true },
	{ "1.7.0", "=1.7", true },
	{ "1.70", "=1.7", false },
	{ "1.70", "1.7*", false },
	{ "1.7.5", "1.7*", true },
	{ "1.0.1", "1.*.1", true },
	{ "1.0.2", "1.*.1", false },
	{ "1.0.2", "*", true },
	{ "garbage!!", "*", true },
	{ "garbage!!", ">=1", false },
	{ "2.7.18", "~=2.7", true },
	{ "3.0", "~=2.7", false },
	{ "1.2.3", "^1\\.\\d\\.3$", true },
	{ "1.2.3", "^1\\.\\d\\.4$", false },
	{ "1.22.3", "^1\\.2{1,2}\\.3$", true },
	{ "1.222.3", "^1\\.2{1,2}\\.3$", false },
	{ "1.2.3", "^[[:digit:].]+$", true },
	{ "1.0a1", "<1.0", true },
	{ "1.0dev1", "<1.0a", true },
	{ "1.0.dev1", "<1.0a", false },
	{ "1.0.post1", ">1.0", true },
	{ "1!1.0", ">2.0", true },
	{ "1.0+local", ">1.0", false },
	{ "1.0+1", ">1.0", true },
	{ "abc@def", "abc@def", true },
	{ "abc@deg", "abc@def", false },
};

static void test_vspec_match(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vmatches) / sizeof(vmatches[0]); i++)
		if (vmatch(vmatches[i].spec, vmatches[i].version) != vmatches[i].yes)
			fail_msg("'%s' against '%s': expected %d", vmatches[i].version,
				 vmatches[i].spec, vmatches[i].yes);
}

static const struct {
	const char *spec, *error;
} vinvalid[] = {
	{ "", "column 1: empty version spec" },
	{ ">=1.2,", "column 6: ',' needs an expression on each side" },
	{ "|1.2", "column 1: '|' needs an expression on each side" },
	{ "(1.2", "column 1: unbalanced '('" },
	{ "1.2)", "column 4: unbalanced ')'" },
	{ "(1.2)(1.3)", "missing ',' or '|' between expressions" },
	{ "()", "empty version spec" },
	{ ">=1.2, ,<2", "column 6: ',' needs an expression on each side" },
	{ ">=1.2,( ),<2", "needs an expression on each side" },
	{ "<= 1.2", "space in '<= 1.2'" },
	{ "=<1.2", "column 1: invalid operator in '=<1.2'" },
	{ "<>1.2", "invalid operator" },
	{ "!1.2", "invalid operator" },
	{ "~=1.2.*", "invalid operator with '.*'" },
	{ "~=1", "'~=' needs a version with a '.'" },
	{ ">=1..2", "column 3: invalid version '1..2': empty version component" },
	{ "1.2,>=x y", "invalid version" },
	{ "^1.2", "regex specs must start with '^' and end with '$'" },
	{ "1.2$", "regex specs must start with '^' and end with '$'" },
	{ "^1.(2$", "invalid regex" },
	{ "^(a{6}){6}$", "too many repetition bounds" },
	{ "^a{17}$", "repetition bound above" },
	{ "^a{1,1000}$", "repetition bound above" },
	{ "^(a+)+(b+)+c+$", "more than 4 '+'" },
	{ "^(a)\\1$", "back-references" },
	{ ".*", "invalid version ''" },
	{ "1.2-3_4", "invalid character(s)" },
};

static void test_vspec_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vinvalid) / sizeof(vinvalid[0]); i++) {
		struct et_vspec *vs = (struct et_vspec *)1;
		struct nbk_error err = NBK_ERROR_INIT;

		if (et_vspec_parse(vinvalid[i].spec, &vs, &err) != -1)
			fail_msg("'%s' parsed", vinvalid[i].spec);
		assert_null(vs);
		if (!strstr(err.msg, vinvalid[i].error))
			fail_msg("'%s': got '%s', expected '%s'", vinvalid[i].spec, err.msg,
				 vinvalid[i].error);
	}
}

static void test_vspec_deep(void **state)
{
	char spec[600];
	struct et_vspec *vs;
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	/* 200 nested parentheses: refused, not a stack overflow */
	memset(spec, '(', 200);
	strcpy(spec + 200, "1.0");
	memset(spec + 203, ')', 200);
	spec[403] = '\0';
	assert_int_equal(et_vspec_parse(spec, &vs, &err), -1);
	assert_non_null(strstr(err.msg, "nested too deeply"));
	/* 20 is fine */
	memset(spec, '(', 20);
	strcpy(spec + 20, "1.0");
	memset(spec + 23, ')', 20);
	spec[43] = '\0';
	assert_int_equal(et_vspec_parse(spec, &vs, &err), 0);
	assert_true(et_vspec_match_str(vs, "1.0.0"));
	assert_true(et_vspec_is_exact(vs));
	et_vspec_free(vs);
}

/* ---- MatchSpec parsing ------------------------------------------------ */

static const struct {
	const char *spec;
	const char *name, *version, *build, *channel, *subdir;
} parses[] = {
	{ "numpy", "numpy", NULL, NULL, NULL, NULL },
	{ "NumPy", "numpy", NULL, NULL, NULL, NULL },
	{ "numpy 1.7", "numpy", "1.7", NULL, NULL, NULL },
	{ "numpy=1.7", "numpy", "1.7*", NULL, NULL, NULL },
	{ "numpy=1.7.*", "numpy", "1.7.*", NULL, NULL, NULL },
	{ "numpy==1.7", "numpy", "1.7", NULL, NULL, NULL },
	{ "numpy 1.7 py27_0", "numpy", "1.7", "py27_0", NULL, NULL },
	{ "numpy=1.7=py27_0", "numpy", "1.7", "py27_0", NULL, NULL },
	{ "numpy==1.7=py27_0", "numpy", "1.7", "py27_0", NULL, NULL },
	{ "numpy >=1.0 , < 2.0 py34_0", "numpy", ">=1.0,<2.0", "py34_0", NULL, NULL },
	{ "numpy >=1.0 , < 2.0 =py34_0", "numpy", ">=1.0,<2.0", "py34_0", NULL, NULL },
	{ "numpy>1.8,<2|==1.7", "numpy", ">1.8,<2|==1.7", NULL, NULL, NULL },
	{ "numpy>=1.24,<2", "numpy", ">=1.24,<2", NULL, NULL, NULL },
	{ "numpy * openblas_0", "numpy", "*", "openblas_0", NULL, NULL },
	{ "numpy * *", "numpy", "*", "*", NULL, NULL },
	{ "pytorch=*=*cuda*", "pytorch", "*", "*cuda*", NULL, NULL },
	{ "python 3.8.* *_cpython", "python", "3.8.*", "*_cpython", NULL, NULL },
	{ "numpy!=1.7", "numpy", "!=1.7", NULL, NULL, NULL },
	{ "numpy <= 1.2", "numpy", "<=1.2", NULL, NULL, NULL },
	{ "numpy~=1.7.2", "numpy", "~=1.7.2", NULL, NULL, NULL },
	{ "conda-forge::numpy", "numpy", NULL, NULL, "conda-forge", NULL },
	{ "conda-forge/linux-64::numpy>=1.0", "numpy", ">=1.0", NULL, "conda-forge", "linux-64" },
	{ "*/linux-64::numpy", "numpy", NULL, NULL, NULL, "linux-64" },
	{ "https://conda.anaconda.org/conda-forge/noarch::tzdata", "tzdata", NULL, NULL,
	  "https://conda.anaconda.org/conda-forge", "noarch" },
	{ "numpy[version='>=1.2',build=py311*,build_number=2]", "numpy", ">=1.2", "py311*", NULL,
	  NULL },
	{ "numpy[version=\">=1.2,<2\"]", "numpy", ">=1.2,<2", NULL, NULL, NULL },
	{ "numpy 1.7 [version=1.8]", "numpy", "1.8", NULL, NULL, NULL },
	{ "numpy[channel=conda-forge/osx-arm64]", "numpy", NULL, NULL, "conda-forge", "osx-arm64" },
	{ "numpy[subdir=noarch channel=defaults]", "numpy", NULL, NULL, "defaults", "noarch" },
	{ "numpy >=1.2  # the numbers", "numpy", ">=1.2", NULL, NULL, NULL },
	{ "numpy >=1.2 if __unix", "numpy", ">=1.2", NULL, NULL, NULL },
	{ "  numpy  ", "numpy", NULL, NULL, NULL, NULL },
	{ "numpy (optional)", "numpy", NULL, NULL, NULL, NULL },
	{ "numpy 1.2 (target=blarg,optional)", "numpy", "1.2", NULL, NULL, NULL },
	/* issue 13: conda's answers */
	/* 1. a version in brackets is cleaned as outside them (always as without a build) */
	{ "python[version=\"==3.9.*\"]", "python", "3.9.*", NULL, NULL, NULL },
	{ "python[version='=*']", "python", "*", NULL, NULL, NULL },
	{ "python[version='==*']", "python", "*", NULL, NULL, NULL },
	{ "python[version='=3.9']", "python", "3.9*", NULL, NULL, NULL },
	{ "python[version='=3.9,<4']", "python", "=3.9,<4", NULL, NULL, NULL },
	{ "python[version='>=3.9']", "python", ">=3.9", NULL, NULL, NULL },
	/* 4. the name outside the brackets is kept */
	{ "tensorflow[name=pytorch]", "tensorflow", NULL, NULL, NULL, NULL },
	{ "tensorflow[name=* version=* md5=253b922ecdb5a30884875948b8904983]", "tensorflow", "*",
	  NULL, NULL, NULL },
	{ "defaults::numpy=1.8=py27_0 [name=\"pytorch\" channel='anaconda',version=\">=1.8,<2|1.9\", build='3']",
	  "numpy", ">=1.8,<2|1.9", "3", "anaconda", NULL },
	/* 5. a parenthesised section after the brackets, and text after them */
	{ "conda-forge::foo[build=3](target=blarg,optional)", "foo", NULL, "3", "conda-forge",
	  NULL },
	{ "numpy[version='>=1'] (target=blarg,optional)", "numpy", ">=1", NULL, NULL, NULL },
	{ "numpy[build=py*] >=1.2", "numpy", ">=1.2", "py*", NULL, NULL },
	{ "numpy[version=1.2] 1.3", "numpy", "1.2", NULL, NULL, NULL },
	/* 6. CEP 26 names that are valid */
	{ "my.package", "my.package", NULL, NULL, NULL, NULL },
	{ "python-dateutil", "python-dateutil", NULL, NULL, NULL, NULL },
	{ "_openmp_mutex", "_openmp_mutex", NULL, NULL, NULL, NULL },
	{ "_pkg", "_pkg", NULL, NULL, NULL, NULL },
	{ "__unix", "__unix", NULL, NULL, NULL, NULL },
	{ "r-base", "r-base", NULL, NULL, NULL, NULL },
	{ "a", "a", NULL, NULL, NULL, NULL },
	{ "7zip", "7zip", NULL, NULL, NULL, NULL },
	{ "numpy >=1,(<2|>3)", "numpy", ">=1,(<2|>3)", NULL, NULL, NULL },
	{ "foo=1.0=py27_0", "foo", "1.0", "py27_0", NULL, NULL },
	{ "_libgcc_mutex 0.1 conda_forge", "_libgcc_mutex", "0.1", "conda_forge", NULL, NULL },
	{ "libblas * *mkl", "libblas", "*", "*mkl", NULL, NULL },
	{ "__glibc >=2.17,<3.0.a0", "__glibc", ">=2.17,<3.0.a0", NULL, NULL, NULL },
	{ "*[md5=12345678901234567890123456789012]", "*", NULL, NULL, NULL, NULL },
	{ "py* >=3", "py*", ">=3", NULL, NULL, NULL },
	{ "https://repo.anaconda.com/pkgs/main/linux-64/zlib-1.2.11-h7b6447c_3.conda", "zlib",
	  "1.2.11", "h7b6447c_3", NULL, "linux-64" },
};

static void test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		struct et_matchspec *ms;
		struct nbk_error err = NBK_ERROR_INIT;

		if (et_matchspec_parse(parses[i].spec, &ms, &err) < 0)
			fail_msg("'%s' does not parse: %s", parses[i].spec, err.msg);
		assert_string_equal(ms->name, parses[i].name);
		if (parses[i].version) {
			if (!ms->version_text || strcmp(ms->version_text, parses[i].version))
				fail_msg("'%s': version '%s', expected '%s'", parses[i].spec,
					 ms->version_text ? ms->version_text : "(none)",
					 parses[i].version);
			assert_non_null(ms->version);
		} else if (ms->version) {
			fail_msg("'%s': unexpected version '%s'", parses[i].spec, ms->version_text);
		}
		if (parses[i].build) {
			assert_non_null(ms->build.pat);
			assert_string_equal(ms->build.pat, parses[i].build);
		} else if (ms->build.kind != ET_STR_NONE) {
			fail_msg("'%s': unexpected build '%s'", parses[i].spec, ms->build.pat);
		}
		if (parses[i].channel) {
			assert_non_null(ms->channel);
			assert_string_equal(ms->channel, parses[i].channel);
		} else {
			assert_null(ms->channel);
		}
		if (parses[i].subdir) {
			assert_non_null(ms->subdir.pat);
			assert_string_equal(ms->subdir.pat, parses[i].subdir);
		} else {
			assert_int_equal(ms->subdir.kind, ET_STR_NONE);
		}
		et_matchspec_free(ms);
	}
}

static const struct {
	const char *spec, *error;
} invalid[] = {
	{ "", "invalid spec '': column 1: empty spec" },
	{ "   # only a comment", "empty spec" },
	{ ">=1.2", "invalid spec '>=1.2': column 1: no package name found" },
	{ "numpy >=1.",
	  "invalid spec 'numpy >=1.': column 9: invalid version '1.': empty version component" },
	{ "numpy >=1.2,", "column 12: ',' needs an expression on each side" },
	{ "numpy[version=1.2", "column 6: unbalanced '['" },
	{ "numpy]", "column 6: unbalanced ']'" },
	/* 6. CEP 26: names conda refuses, with the column of the offending byte */
	{ "'package'", "column 1: package name ''package'' has a character outside" },
	{ "\"package\"", "column 1: package name '\"package\"' has a character outside" },
	{ "pack@ge", "column 5: package name 'pack@ge' has a character outside" },
	{ "pkg..name", "column 5: invalid package name 'pkg..name'" },
	{ "pkg--name", "column 5: invalid package name 'pkg--name'" },
	{ ".pkg", "column 1: invalid package name '.pkg'" },
	{ "-pkg", "column 1: invalid package name '-pkg'" },
	{ "__", "column 2: invalid package name '__'" },
	{ "___x", "column 3: invalid package name '___x'" },
	{ "num(py", "column 4: package name 'num(py' has a character outside" },
	{ "numpy>=1 [version=2] ==", "invalid version" },
	/* 7. the old "; if" syntax, and a '/' that is not CHANNEL/SUBDIR:: */
	{ "numpy; if python >=3", "column 6: package name 'numpy;' has a character outside" },
	{ "conda-forge/numpy", "column 12: package name 'conda-forge/numpy' has a character" },
	{ "numpy[version='=']", "missing version after '='" },
	{ "numpy[version=]", "column 15: key-value mismatch in brackets" },
	{ "numpy[colour=red]", "column 14: cannot match on field 'colour'" },
	{ "numpy[version='1.2]", "unterminated quote" },
	{ "numpy[build_number=abc]", "invalid build_number 'abc'" },
	{ "numpy[version=1.2][build=x]", "multiple brackets sections not allowed" },
	{ "numpy=", "missing version after '='" },
	{ "numpy >=", "missing version after '>='" },
	{ "numpy ==", "missing version after" },
	{ "numpy 1.2.3.", "empty version component" },
	{ "numpy ^1.2", "regex specs must start with '^' and end with '$'" },
	{ "conda-forge:: numpy", "no package name found" },
	{ "numpy[build='^py(3$']", "invalid regex" },
	{ "numpy 1.2 (>=1", "unbalanced '('" },
};

static void test_parse_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct et_matchspec *ms = (struct et_matchspec *)1;
		struct nbk_error err = NBK_ERROR_INIT;

		if (et_matchspec_parse(invalid[i].spec, &ms, &err) != -1)
			fail_msg("'%s' parsed", invalid[i].spec);
		assert_null(ms);
		if (!strstr(err.msg, invalid[i].error))
			fail_msg("'%s': got '%s', expected '%s'", invalid[i].spec, err.msg,
				 invalid[i].error);
	}
}

static void test_parse_long(void **state)
{
	char *big = malloc(ET_SPEC_MAX + 2);
	struct et_matchspec *ms;
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	memset(big, 'a', ET_SPEC_MAX + 1);
	big[ET_SPEC_MAX + 1] = '\0';
	assert_int_equal(et_matchspec_parse(big, &ms, &err), -1);
	assert_non_null(strstr(err.msg, "longer than"));
	big[ET_SPEC_MAX] = '\0';
	assert_int_equal(et_matchspec_parse(big, &ms, &err), 0);
	et_matchspec_free(ms);
	free(big);
}

/* ---- matching records ------------------------------------------------- */

struct rec_fields {
	const char *name, *version, *build;
	long build_number;
	const char *channel, *subdir, *track_features, *license, *md5, *license_family;
};

static void fill(struct et_record *r, const struct rec_fields *f)
{
	et_record_init(r);
	r->name = (char *)f->name;
	r->version = (char *)f->version;
	r->build = (char *)f->build;
	r->build_number = f->build_number;
	r->channel = (char *)(f->channel ? f->channel : "conda-forge");
	r->subdir = (char *)(f->subdir ? f->subdir : "linux-64");
	r->license = (char *)(f->license ? f->license : "");
	r->md5 = (char *)(f->md5 ? f->md5 : "");
	r->license_family = (char *)(f->license_family ? f->license_family : "");
	if (f->track_features) {
		char *copy = strdup(f->track_features), *tok, *save = NULL;

		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			nbk_strvec_push(&r->track_features, tok);
		free(copy);
	}
}

static const struct {
	const char *spec;
	struct rec_fields rec;
	bool yes;
} recmatches[] = {
	{ "numpy", { "numpy", "1.26.4", "py311h64a7726_0", 0 }, true },
	{ "numpy", { "numpy-base", "1.26.4", "py311h64a7726_0", 0 }, false },
	{ "numpy 1.26", { "numpy", "1.26.4", "py311_0", 0 }, false },
	{ "numpy 1.26.4", { "numpy", "1.26.4", "py311_0", 0 }, true },
	{ "numpy=1.26", { "numpy", "1.26.4", "py311_0", 0 }, true },
	{ "numpy=1.2", { "numpy", "1.26.4", "py311_0", 0 }, false },
	{ "numpy >=1.24,<2", { "numpy", "1.26.4", "py311_0", 0 }, true },
	{ "numpy >=1.24,<2", { "numpy", "2.0.0", "py311_0", 0 }, false },
	{ "numpy 1.26.4 py311*", { "numpy", "1.26.4", "py311h64a7726_0", 0 }, true },
	{ "numpy 1.26.4 py312*", { "numpy", "1.26.4", "py311h64a7726_0", 0 }, false },
	{ "numpy=1.26.4=py311h64a7726_0", { "numpy", "1.26.4", "py311h64a7726_0", 0 }, true },
	{ "numpy=1.26.4=py311h64a7726_1", { "numpy", "1.26.4", "py311h64a7726_0", 0 }, false },
	{ "pytorch=*=*cuda*", { "pytorch", "2.1.0", "py3.11_cuda12.1_cudnn8.9.2_0", 0 }, true },
	{ "pytorch=*=*cuda*", { "pytorch", "2.1.0", "py3.11_cpu_0", 0 }, false },
	{ "numpy[build_number=2]", { "numpy", "1.0", "x_2", 2 }, true },
	{ "numpy[build_number=2]", { "numpy", "1.0", "x_3", 3 }, false },
	{ "numpy[build_number='>=2']", { "numpy", "1.0", "x_3", 3 }, true },
	{ "numpy[build_number='<2']", { "numpy", "1.0", "x_3", 3 }, false },
	{ "numpy[build_number='^1[0-9]$']", { "numpy", "1.0", "x", 12 }, true },
	{ "numpy[build='^py3[0-9]+_0$']", { "numpy", "1.0", "py311_0", 0 }, true },
	{ "numpy[build='^py2[0-9]+_0$']", { "numpy", "1.0", "py311_0", 0 }, false },
	{ "conda-forge::numpy", { "numpy", "1.0", "0", 0, "conda-forge" }, true },
	{ "conda-forge::numpy", { "numpy", "1.0", "0", 0, "defaults" }, false },
	{ "conda-forge::numpy",
	  { "numpy", "1.0", "0", 0, "https://conda.anaconda.org/conda-forge" },
	  true },
	{ "conda-forge/linux-64::numpy",
	  { "numpy", "1.0", "0", 0, "conda-forge", "noarch" },
	  false },
	{ "conda-forge/noarch::numpy", { "numpy", "1.0", "0", 0, "conda-forge", "noarch" }, true },
	{ "*/noarch::numpy", { "numpy", "1.0", "0", 0, "anything", "noarch" }, true },
	{ "numpy[subdir=linux-64]", { "numpy", "1.0", "0", 0, NULL, "linux-64" }, true },
	{ "py*", { "python", "3.11", "0", 0 }, true },
	{ "py*", { "numpy", "3.11", "0", 0 }, false },
	{ "*[track_features=mkl]", { "numpy", "1.0", "0", 0, NULL, NULL, "mkl" }, true },
	{ "*[track_features=mkl]", { "numpy", "1.0", "0", 0, NULL, NULL, "mkl debug" }, false },
	{ "mkl@", { "numpy", "1.0", "0", 0, NULL, NULL, "mkl" }, true },
	{ "mkl@", { "numpy", "1.0", "0", 0 }, false },
	{ "numpy[license=bsd*]",
	  { "numpy", "1.0", "0", 0, NULL, NULL, NULL, "BSD-3-Clause" },
	  true },
	{ "numpy[license=mit]",
	  { "numpy", "1.0", "0", 0, NULL, NULL, NULL, "BSD-3-Clause" },
	  false },
	{ "numpy[md5=abc]", { "numpy", "1.0", "0", 0, NULL, NULL, NULL, NULL, "abc" }, true },
	{ "numpy[md5=abd]", { "numpy", "1.0", "0", 0, NULL, NULL, NULL, NULL, "abc" }, false },
	{ "openssl >=1.0.1_", { "openssl", "1.0.1a", "0", 0 }, true },
	{ "openssl <1.0.1", { "openssl", "1.0.1a", "0", 0 }, true },
	{ "__glibc >=2.17", { "__glibc", "2.36", "0", 0 }, true },
	{ "__glibc >=2.17", { "__glibc", "2.5", "0", 0 }, false },
	{ "foo >=1", { "foo", "not a version!", "0", 0 }, false },
	{ "foo", { "foo", "not a version!", "0", 0 }, true },
	/* issue 13: conda's answers */
	{ "python[version='==3.9.*']", { "python", "3.9.1", "0", 0 }, true },
	{ "python[version='==3.9.*']", { "python", "3.9", "0", 0 }, true },
	{ "python[version='==3.9.*']", { "python", "3.10", "0", 0 }, false },
	{ "python[version='=*']", { "python", "3.10", "0", 0 }, true },
	{ "python[version='==*']", { "python", "3.10", "0", 0 }, true },
	{ "numpy[license_family=LGPL]",
	  { "numpy", "1.0", "0", 0, NULL, NULL, NULL, NULL, NULL, "LGPL" },
	  true },
	{ "numpy[license_family=lgpl]",
	  { "numpy", "1.0", "0", 0, NULL, NULL, NULL, NULL, NULL, "LGPL" },
	  true },
	{ "*[license_family='*gpl*']",
	  { "numpy", "1.0", "0", 0, NULL, NULL, NULL, NULL, NULL, "LGPL" },
	  true },
	{ "*[license_family='*GP*']",
	  { "numpy", "1.0", "0", 0, NULL, NULL, NULL, NULL, NULL, "LGPL" },
	  true },
	{ "*[license_family=BSD]",
	  { "numpy", "1.0", "0", 0, NULL, NULL, NULL, NULL, NULL, "LGPL" },
	  false },
	{ "numpy[license_family=BSD]", { "numpy", "1.0", "0", 0 }, false },
	{ "tensorflow[name=pytorch]", { "pytorch", "2.1", "0", 0 }, false },
	{ "tensorflow[name=pytorch]", { "tensorflow", "2.1", "0", 0 }, true },
	{ "tensorflow[name=*]", { "pytorch", "2.1", "0", 0 }, false },
};

static void test_match(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(recmatches) / sizeof(recmatches[0]); i++) {
		struct et_matchspec *ms;
		struct nbk_error err = NBK_ERROR_INIT;
		struct et_record r;

		if (et_matchspec_parse(recmatches[i].spec, &ms, &err) < 0)
			fail_msg("'%s' does not parse: %s", recmatches[i].spec, err.msg);
		fill(&r, &recmatches[i].rec);
		if (et_matchspec_match(ms, &r) != recmatches[i].yes)
			fail_msg("'%s' against %s-%s-%s: expected %d", recmatches[i].spec, r.name,
				 r.version, r.build, recmatches[i].yes);
		nbk_strvec_release(&r.track_features);
		et_matchspec_free(ms);
	}
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(et_glob_match("*", ""));
	assert_true(et_glob_match("a*b*c", "aXXbYYc"));
	assert_false(et_glob_match("a*b*c", "aXXbYY"));
	assert_true(et_glob_match("*cuda*", "py3.11_cuda12.1_0"));
	assert_false(et_glob_match("py3.*", "py311")); /* '.' is literal */
	assert_true(et_glob_match("**a", "bba"));
	assert_false(et_glob_match("", "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_match_tsv), cmocka_unit_test(test_vspec_match),
		cmocka_unit_test(test_vspec_invalid),  cmocka_unit_test(test_vspec_deep),
		cmocka_unit_test(test_parse),          cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_long),     cmocka_unit_test(test_match),
		cmocka_unit_test(test_glob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
