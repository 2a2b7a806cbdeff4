// SPDX-License-Identifier: Apache-2.0
// simdjson (DOM API): parse, then visit the same fields.  What a C shim
// around it would cost is not counted: this is simdjson's best case.
#include <simdjson.h>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	simdjson::dom::parser parser;
	simdjson::padded_string json;
	if (simdjson::padded_string::load(argv[argc - 1]).get(json))
		return 1;
	timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	simdjson::dom::element root;
	if (parser.parse(json).get(root))
		return 1;
	size_t n = 0, bytes = 0;
	for (const char *sec : { "packages", "packages.conda" }) {
		simdjson::dom::object pk;
		if (root[sec].get(pk))
			continue;
		for (auto field : pk) {
			simdjson::dom::object rec = field.value;
			n++;
			std::string_view s;
			for (const char *k : { "name", "version", "build" })
				if (!rec[k].get(s))
					bytes += s.size();
			simdjson::dom::array deps;
			if (!rec["depends"].get(deps))
				for (auto d : deps)
					if (!d.get(s))
						bytes += s.size();
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("simdjson records=%zu fields_bytes=%zu seconds=%.3f mb_per_s=%.0f maxrss_mb=%.0f\n", n, bytes,
	       secs, (double)json.size() / 1e6 / secs, (double)ru.ru_maxrss / 1024.0);
	return 0;
}
