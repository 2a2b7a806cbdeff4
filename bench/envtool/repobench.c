/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark driver for envtool's repodata loader (built by run.sh against
 * envtool's objects):
 *   repobench parse FILE          time et_repo_parse() on FILE read in memory
 *   repobench load FILE CACHE     time et_repo_load() (cold when CACHE is absent)
 * each followed by et_repo_all() (every record made: records are made when
 * asked for since issue 14).  Prints "records=N seconds=S mb_per_s=T
 * maxrss_mb=M blob_mb=B open_s=O", O the load alone (a warm load reads
 * the header and name table only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "nbkit/buf.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "../../libconda/repodata.h"

int main(int argc, char **argv)
{
	struct et_repo_id id = { "bench", "https://conda.anaconda.org/bench/linux-64", "linux-64",
				 0 };
	struct et_repo repo = ET_REPO_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_buf json = NBK_BUF_INIT;
	struct rusage ru;
	uint64_t t0, t_open, t1;
	size_t size = 0;
	int r;

	if (argc < 3 || (strcmp(argv[1], "parse") && strcmp(argv[1], "load")) ||
	    (!strcmp(argv[1], "load") && argc < 4)) {
		fprintf(stderr, "usage: repobench parse FILE | load FILE CACHE\n");
		return 2;
	}
	if (!strcmp(argv[1], "parse")) {
		if (nbk_read_file(argv[2], (size_t)4 << 30, &json, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		size = json.len;
		t0 = nbk_now_us();
		r = et_repo_parse(&repo, &id, json.data, json.len, &err);
	} else {
		t0 = nbk_now_us();
		r = et_repo_load(&repo, &id, argv[2], argv[3], &err);
	}
	t_open = nbk_now_us();
	if (r < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	et_repo_all(&repo);
	t1 = nbk_now_us();
	getrusage(RUSAGE_SELF, &ru);
	printf("records=%zu seconds=%.3f mb_per_s=%.0f maxrss_mb=%.0f blob_mb=%.1f open_s=%.3f\n",
	       repo.n, (double)(t1 - t0) / 1e6,
	       size ? (double)size / 1e6 / ((double)(t1 - t0) / 1e6) : 0.0,
	       (double)ru.ru_maxrss / 1024.0, (double)et_repo_blob_size(&repo) / 1e6,
	       (double)(t_open - t0) / 1e6);
	et_repo_release(&repo);
	nbk_buf_release(&json);
	return 0;
}
