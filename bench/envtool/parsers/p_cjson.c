/* SPDX-License-Identifier: Apache-2.0 */
/* cJSON: parse the DOM, then visit the same fields. */
#include <cjson/cJSON.h>
#include "common.h"

static size_t slen(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? strlen(v->valuestring) : 0;
}

int main(int argc, char **argv)
{
	size_t len, n = 0, bytes = 0;
	char *d = slurp(argv[argc - 1], &len);
	double t0 = now_s();
	cJSON *root = cJSON_ParseWithLength(d, len), *rec, *dep;
	const char *sec[] = { "packages", "packages.conda" };
	int s;

	if (!root)
		return 1;
	for (s = 0; s < 2; s++) {
		cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(root, sec[s])) {
			n++;
			bytes += slen(rec, "name") + slen(rec, "version") + slen(rec, "build");
			cJSON_ArrayForEach(dep, cJSON_GetObjectItemCaseSensitive(rec, "depends"))
				bytes += cJSON_IsString(dep) ? strlen(dep->valuestring) : 0;
		}
	}
	report("cJSON", len, now_s() - t0, n, bytes);
	return 0;
}
