/* SPDX-License-Identifier: Apache-2.0 */
/* jansson: parse the DOM, then visit name, version, build and depends of every record. */
#include <jansson.h>
#include "common.h"

int main(int argc, char **argv)
{
	size_t len, n = 0, bytes = 0, i;
	char *d = slurp(argv[argc - 1], &len);
	double t0 = now_s();
	json_error_t e;
	json_t *root = json_loadb(d, len, 0, &e), *pk, *rec, *deps;
	const char *fn, *sec[] = { "packages", "packages.conda" };
	int s;

	if (!root)
		return 1;
	for (s = 0; s < 2; s++) {
		pk = json_object_get(root, sec[s]);
		json_object_foreach(pk, fn, rec) {
			n++;
			bytes += strlen(json_string_value(json_object_get(rec, "name")) ?: "");
			bytes += strlen(json_string_value(json_object_get(rec, "version")) ?: "");
			bytes += strlen(json_string_value(json_object_get(rec, "build")) ?: "");
			deps = json_object_get(rec, "depends");
			for (i = 0; i < json_array_size(deps); i++)
				bytes += strlen(json_string_value(json_array_get(deps, i)) ?: "");
		}
	}
	report("jansson", len, now_s() - t0, n, bytes);
	return 0;
}
