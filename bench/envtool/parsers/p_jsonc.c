/* SPDX-License-Identifier: Apache-2.0 */
/* json-c: parse the DOM, then visit the same fields. */
#include <json-c/json.h>
#include "common.h"

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

int main(int argc, char **argv)
{
	size_t len, n = 0, bytes = 0, i;
	char *d = slurp(argv[argc - 1], &len);
	double t0 = now_s();
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *root = json_tokener_parse_ex(tok, d, (int)len), *pk, *deps;
	const char *sec[] = { "packages", "packages.conda" };
	int s;

	if (!root)
		return 1;
	for (s = 0; s < 2; s++) {
		if (!json_object_object_get_ex(root, sec[s], &pk))
			continue;
		json_object_object_foreach(pk, fn, rec) {
			(void)fn;
			n++;
			bytes += strlen(str(rec, "name")) + strlen(str(rec, "version")) +
				 strlen(str(rec, "build"));
			if (json_object_object_get_ex(rec, "depends", &deps))
				for (i = 0; i < json_object_array_length(deps); i++)
					bytes += strlen(json_object_get_string(
						json_object_array_get_idx(deps, i)));
		}
	}
	report("json-c", len, now_s() - t0, n, bytes);
	return 0;
}
