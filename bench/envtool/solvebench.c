/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Solve times for the fixture requests (built by run.sh against envtool's
 * objects):
 *   solvebench pytorch SHARED   "pytorch" on shared/data's pytorch channel,
 *                               with stand-ins for what it takes from
 *                               defaults (the same as test_envtool_solve.c)
 *   solvebench numpy SHARED     "numpy" on the conda-forge numpy fixture
 *   solvebench sudoku           a 30-clue sudoku, 729 records with the boxes
 *                               right (shared/data's sudoku.json has them
 *                               wrong and is unsolvable by construction; see
 *                               test_envtool_solve.c)
 * Prints "load_ms=L solve_ms=S": S is et_solve() alone, after loading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "../../libconda/repodata.h"
#include "../../libconda/solve.h"

static struct et_record *recs;
static size_t nrecs;

static void add(const char *name, const char *version, const char *build, const char *deps,
		const char *track)
{
	struct et_record *r;
	char *copy, *tok, *save = NULL;

	recs = nbk_xrealloc(recs, (nrecs + 1) * sizeof(*recs));
	r = &recs[nrecs++];
	et_record_init(r);
	r->name = nbk_xstrdup(name);
	r->version = nbk_xstrdup(version);
	r->build = nbk_xstrdup(build);
	r->subdir = nbk_xstrdup("linux-64");
	r->channel = nbk_xstrdup("stub");
	r->fn = nbk_xasprintf("%s-%s-%s.conda", name, version, build);
	if (deps) {
		copy = nbk_xstrdup(deps);
		for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
			nbk_strvec_push(&r->depends, tok);
		free(copy);
	}
	if (track)
		nbk_strvec_push(&r->track_features, track);
}

static void pytorch_stubs(void)
{
	static const char *const plain[][2] = {
		{ "python", "3.9.18" },
		{ "python", "3.10.13" },
		{ "python", "3.11.7" },
		{ "mkl", "2023.1.0" },
		{ "llvm-openmp", "14.0.6" },
		{ "filelock", "3.13.1" },
		{ "jinja2", "3.1.2" },
		{ "networkx", "3.1" },
		{ "pyyaml", "6.0.1" },
		{ "sympy", "1.12" },
		{ "typing_extensions", "4.9.0" },
		{ "libuv", "1.44.2" },
		{ "ninja", "1.10.2" },
		{ "cudatoolkit", "10.2.89" },
		{ "cudatoolkit", "11.1.74" },
		{ "cuda-cudart", "12.1.105" },
		{ "cuda-cupti", "12.1.105" },
		{ "cuda-libraries", "12.1.0" },
		{ "cuda-nvrtc", "12.1.105" },
		{ "cuda-nvtx", "12.1.105" },
		{ "cuda-runtime", "12.1.0" },
		{ "libcublas", "12.1.0.26" },
		{ "libcufft", "11.0.2.4" },
		{ "libcusolver", "11.4.4.55" },
		{ "libcusparse", "12.0.2.55" },
		{ "libnpp", "12.0.2.50" },
		{ "libnvjitlink", "12.1.105" },
		{ "libnvjpeg", "12.1.0.39" },
	};
	size_t i;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		add(plain[i][0], plain[i][1], "0", NULL, NULL);
	add("blas", "1.0", "mkl", NULL, NULL);
	add("pytorch-mutex", "1.0", "cpu", NULL, NULL);
	add("pytorch-mutex", "1.0", "cuda", NULL, NULL);
	add("cpuonly", "2.0", "0", "pytorch-mutex 1.0 cpu", "cpuonly");
}

static bool peers(int r, int c, int r2, int c2)
{
	return (r != r2 || c != c2) && (r == r2 || c == c2 || (r / 3 == r2 / 3 && c / 3 == c2 / 3));
}

static void load(struct et_repo *repo, const char *shared, const char *file, const char *channel)
{
	char *path = nbk_xasprintf("%s/data/conda/repodata/%s", shared, file);
	char *url = nbk_xasprintf("https://conda.anaconda.org/%s/linux-64", channel);
	struct et_repo_id id = { channel, url, "linux-64", 0 };
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_buf json = NBK_BUF_INIT;

	if (nbk_read_file(path, (size_t)1 << 30, &json, &err) < 0 ||
	    et_repo_parse(repo, &id, json.data, json.len, &err) < 0) {
		fprintf(stderr, "solvebench: %s\n", err.msg);
		exit(1);
	}
	nbk_buf_release(&json);
	free(path);
	free(url);
}

int main(int argc, char **argv)
{
	static const char *const puzzle[9] = {
		"53..7....", "6..195...", ".98....6.", "8...6...3", "4..8.3..1",
		"7...2...6", ".6....28.", "...419..5", "....8..79",
	};
	struct et_repo repo = ET_REPO_INIT;
	struct et_solve_repo repos[2];
	struct et_solve_request req = { 0 };
	struct et_solution t = ET_SOLUTION_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec specs = NBK_STRVEC_INIT;
	uint64_t t0, t1, t2;
	int rc, r, c, v;

	if (argc < 2 || (strcmp(argv[1], "sudoku") && argc < 3)) {
		fprintf(stderr, "usage: solvebench pytorch|numpy SHARED | solvebench sudoku\n");
		return 2;
	}
	t0 = nbk_now_us();
	memset(repos, 0, sizeof(repos));
	if (!strcmp(argv[1], "pytorch")) {
		load(&repo, argv[2], "pytorch-linux-64.json", "pytorch");
		pytorch_stubs();
		repos[0] = (struct et_solve_repo){ .records = repo.records,
						   .n = repo.n,
						   .priority = 0,
						   .name = "pytorch/linux-64",
						   .channel_url = NULL };
		repos[1] = (struct et_solve_repo){ .records = recs,
						   .n = nrecs,
						   .priority = 1,
						   .name = "defaults/linux-64",
						   .channel_url = NULL };
		req.nrepos = 2;
		nbk_strvec_push(&specs, "pytorch");
	} else if (!strcmp(argv[1], "numpy")) {
		load(&repo, argv[2], "conda-forge-numpy-linux-64.json", "conda-forge");
		repos[0] = (struct et_solve_repo){ .records = repo.records,
						   .n = repo.n,
						   .priority = 0,
						   .name = "conda-forge/linux-64",
						   .channel_url = NULL };
		req.nrepos = 1;
		nbk_strvec_push(&specs, "numpy");
	} else {
		for (r = 0; r < 9; r++)
			for (c = 0; c < 9; c++)
				for (v = 1; v <= 9; v++) {
					struct nbk_buf deps = NBK_BUF_INIT;
					char name[32], ver[4];
					int r2, c2;

					for (r2 = 0; r2 < 9; r2++)
						for (c2 = 0; c2 < 9; c2++)
							if (peers(r, c, r2, c2))
								nbk_buf_addf(&deps,
									     "%ssudoku_%d_%d !=%d",
									     deps.len ? ";" : "",
									     r2, c2, v);
					snprintf(name, sizeof(name), "sudoku_%d_%d", r, c);
					snprintf(ver, sizeof(ver), "%d", v);
					add(name, ver, "0", deps.data, NULL);
					nbk_buf_release(&deps);
				}
		repos[0] = (struct et_solve_repo){ .records = recs,
						   .n = nrecs,
						   .priority = 0,
						   .name = "sudoku/noarch",
						   .channel_url = NULL };
		req.nrepos = 1;
		for (r = 0; r < 9; r++)
			for (c = 0; c < 9; c++) {
				if (puzzle[r][c] == '.')
					nbk_strvec_pushf(&specs, "sudoku_%d_%d", r, c);
				else
					nbk_strvec_pushf(&specs, "sudoku_%d_%d %c", r, c,
							 puzzle[r][c]);
			}
	}
	req.repos = repos;
	req.specs = (const char *const *)specs.v;
	req.nspecs = specs.n;
	t1 = nbk_now_us();
	rc = et_solve(&req, &t, &err);
	t2 = nbk_now_us();
	if (rc != 0) {
		fprintf(stderr, "solvebench %s: %s\n", argv[1], rc < 0 ? err.msg : t.problem);
		return 1;
	}
	printf("load_ms=%.2f solve_ms=%.2f linked=%zu\n", (double)(t1 - t0) / 1e3,
	       (double)(t2 - t1) / 1e3, t.nlink);
	et_solution_release(&t);
	return 0;
}
