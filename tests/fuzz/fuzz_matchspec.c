/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: MatchSpec and VersionSpec parsing and matching
 * (envtool/matchspec.c).  The input up to the first NUL is a spec; the
 * rest, when present, a version string for a record the spec is matched
 * against.  Every parse error must leave a message naming a column, and
 * the column must lie in the spec.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../libconda/matchspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_matchspec *ms = NULL;
	struct et_vspec *vs = NULL;
	struct et_record rec;
	char *s, *version;
	const char *nul;

	if (size > ET_SPEC_MAX + 64)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nul = memchr(s, '\0', size);
	version = nul ? (char *)nul + 1 : (char *)"1.0";
	et_record_init(&rec);
	rec.name = (char *)"numpy";
	rec.version = version;
	rec.build = (char *)"py311h64a7726_0";
	rec.build_number = 3;
	rec.channel = (char *)"conda-forge";
	rec.subdir = (char *)"linux-64";

	if (et_matchspec_parse(s, &ms, &err) == 0) {
		(void)et_matchspec_match(ms, &rec);
		if (ms->version && !et_vspec_match(ms->version, "", NULL) &&
		    ms->version->kind == ET_VSPEC_ANY)
			abort();
	} else if (!strstr(err.msg, "column ") && !strstr(err.msg, "longer than")) {
		abort();
	} else if (!strncmp(err.msg, "invalid spec '", 14)) {
		/*
		 * The column points into the spec (or just past it), cut-out
		 * brackets or not.  It follows the spec as shown: at most 160
		 * bytes of it, then "..." (matchspec.c's SHOWN_MAX).
		 */
		size_t len = strlen(s), shown = len > 160 ? 163 : len;
		const char *p = err.msg + 14 + shown;
		unsigned long col;

		if (strncmp(p, "': column ", 10) != 0)
			abort();
		col = strtoul(p + 10, NULL, 10);
		if (col < 1 || col > len + 1)
			abort();
	}
	et_matchspec_free(ms);
	if (et_vspec_parse(s, &vs, &err) == 0) {
		(void)et_vspec_match_str(vs, version);
		(void)et_vspec_is_exact(vs);
	}
	et_vspec_free(vs);
	free(s);
	return 0;
}
