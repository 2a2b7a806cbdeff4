/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the JSON parser candidates: read a file, time, report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		exit(1);
	d = malloc((size_t)n + 64);
	if (!d || fread(d, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	memset(d + n, 0, 64);
	fclose(f);
	*len = (size_t)n;
	return d;
}

/* records: how many records were visited; bytes: sum of the field lengths touched */
static void report(const char *name, size_t len, double secs, size_t records, size_t bytes)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("%s records=%zu fields_bytes=%zu seconds=%.3f mb_per_s=%.0f maxrss_mb=%.0f\n", name,
	       records, bytes, secs, (double)len / 1e6 / secs, (double)ru.ru_maxrss / 1024.0);
}
