/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay driver for the libFuzzer targets: a plain main() that feeds every
 * file named on the command line, or every regular file of the folders
 * named, to LLVMFuzzerTestOneInput(), so that a fuzz corpus is a
 * regression test under any compiler and under valgrind.  Shared by every
 * tests/fuzz/fuzz_*.c; the Makefile links it as build/tests/replay_fuzz_NAME.
 *
 * Prints "replayed N inputs" and exits 0; a crash is the target's (and the
 * sanitizer's) to report.  Exit 2 when an argument cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs above this are not fuzzer-made: refuse rather than load them. */
#define REPLAY_MAX (64u << 20)

static int replay_file(const char *path, size_t *count)
{
	struct stat st;
	uint8_t *data;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > REPLAY_MAX) {
		fprintf(stderr, "replay: '%s' is larger than %u bytes\n", path, REPLAY_MAX);
		close(fd);
		return -1;
	}
	/* an exact-size copy, so that ASan sees reads past the end */
	data = malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	LLVMFuzzerTestOneInput(data, got);
	free(data);
	(*count)++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char **grown;

		if (de->d_name[0] == '.')
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (!names[n])
			break;
		sprintf(names[n], "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	/* a stable order, so that a failure is reproducible */
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    replay_file(names[i], count) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: cannot open '%s': %s\n", argv[i], strerror(errno));
			rc = 2;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) < 0)
				rc = 2;
		} else if (replay_file(argv[i], &count) < 0) {
			rc = 2;
		}
	}
	printf("replayed %zu inputs\n", count);
	return rc;
}
