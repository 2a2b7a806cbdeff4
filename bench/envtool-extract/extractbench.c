/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Extraction throughput (built by run.sh against envtool's objects):
 *   extractbench THREADS OUT_DIR ARCHIVE...
 * extracts every archive with et_extract_all() on THREADS workers into
 * OUT_DIR/NAME (OUT_DIR must exist and be empty; each package goes through
 * et_extract_one(): a temporary folder renamed into place, as the package
 * cache does) and prints
 *   "seconds=S files=F cpu_s=C maxrss_mb=M"
 * S is the wall time of et_extract_all() alone, C the process's user+system
 * time, M its peak RSS (getrusage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "nbkit/error.h"
#include "../../libconda/extract.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_extract_job *jobs;
	struct rusage ru;
	unsigned long files = 0;
	size_t i, n;
	double t0, t1;

	if (argc < 4) {
		fprintf(stderr, "usage: extractbench THREADS OUT_DIR ARCHIVE...\n");
		return 2;
	}
	n = (size_t)(argc - 3);
	jobs = calloc(n, sizeof(*jobs));
	if (!jobs)
		return 1;
	for (i = 0; i < n; i++) {
		const char *a = argv[3 + i];
		const char *base = strrchr(a, '/') ? strrchr(a, '/') + 1 : a;
		size_t len = strlen(base);
		char *dest;

		if (len > 6 && !strcmp(base + len - 6, ".conda"))
			len -= 6;
		else if (len > 8 && !strcmp(base + len - 8, ".tar.bz2"))
			len -= 8;
		if (asprintf(&dest, "%s/%.*s", argv[2], (int)len, base) < 0)
			return 1;
		jobs[i].archive = a;
		jobs[i].dest = dest;
		jobs[i].label = dest + strlen(argv[2]) + 1;
	}
	t0 = now();
	if (et_extract_all(jobs, n, (unsigned)atoi(argv[1]), &err) < 0) {
		fprintf(stderr, "extractbench: %s\n", err.msg);
		return 1;
	}
	t1 = now();
	for (i = 0; i < n; i++) {
		files += jobs[i].files;
		free((char *)jobs[i].dest);
	}
	free(jobs);
	getrusage(RUSAGE_SELF, &ru);
	printf("seconds=%.3f files=%lu cpu_s=%.3f maxrss_mb=%.1f\n", t1 - t0, files,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	       (double)ru.ru_maxrss / 1024.0);
	return 0;
}
