/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The anchor of issue 14's side-by-side: libsolv built with its own conda
 * support (ENABLE_CONDA, micromamba 1.x's engine), not linked into
 * nbkit.  bench/envtool/anchor/run.sh builds it from Debian's libsolv
 * source package.
 *
 *   condasolve write REPODATA.json OUT.solv   parse once, write libsolv's .solv
 *   condasolve solve IN.solv SPEC...          load the .solv, solve, print
 *
 * `solve` prints one "name-version-build" line per package to install,
 * sorted, then "load_ms=L solve_ms=S" on stderr.  Like micromamba, the
 * solve asks for the best (SOLVER_FLAG_BEST_OBEY_POLICY and downgrades
 * allowed) with an empty installed repository and no virtual packages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"
#include "conda.h"
#include "poolarch.h"
#include "repo.h"
#include "repo_conda.h"
#include "repo_solv.h"
#include "repo_write.h"
#include "solver.h"
#include "transaction.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	Pool *pool;
	Repo *repo;
	FILE *f;
	double t0, t1, t2;

	if (argc < 4 || (strcmp(argv[1], "write") && strcmp(argv[1], "solve"))) {
		fprintf(stderr,
			"usage: condasolve write REPODATA OUT.solv | solve IN.solv SPEC...\n");
		return 2;
	}
	pool = pool_create();
	pool_setdisttype(pool, DISTTYPE_CONDA);
	repo = repo_create(pool, "channel");
	f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	t0 = now_ms();
	if (!strcmp(argv[1], "write")) {
		if (repo_add_conda(repo, f, 0) != 0) {
			fprintf(stderr, "repo_add_conda: %s\n", pool_errstr(pool));
			return 1;
		}
		fclose(f);
		f = fopen(argv[3], "w");
		if (!f || repo_write(repo, f) != 0 || fclose(f) != 0) {
			fprintf(stderr, "cannot write %s\n", argv[3]);
			return 1;
		}
		fprintf(stderr, "parse_write_ms=%.1f solvables=%d\n", now_ms() - t0,
			repo->nsolvables);
		pool_free(pool);
		return 0;
	}
	if (repo_add_solv(repo, f, 0) != 0) {
		fprintf(stderr, "repo_add_solv: %s\n", pool_errstr(pool));
		return 1;
	}
	fclose(f);
	pool_set_installed(pool, repo_create(pool, "@installed"));
	pool_addfileprovides(pool);
	pool_createwhatprovides(pool);
	t1 = now_ms();
	{
		Queue job;
		Solver *solv;
		Transaction *trans;
		char **names;
		int i, n = 0, rc;

		queue_init(&job);
		for (i = 3; i < argc; i++)
			queue_push2(&job, SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES,
				    pool_conda_matchspec(pool, argv[i]));
		solv = solver_create(pool);
		solver_set_flag(solv, SOLVER_FLAG_ALLOW_DOWNGRADE, 1);
		solver_set_flag(solv, SOLVER_FLAG_BEST_OBEY_POLICY, 1);
		rc = solver_solve(solv, &job);
		t2 = now_ms();
		if (rc) {
			fprintf(stderr, "unsolvable: %s\n", solver_problem2str(solv, 1));
			return 1;
		}
		trans = solver_create_transaction(solv);
		names = calloc((size_t)trans->steps.count + 1, sizeof(*names));
		for (i = 0; i < trans->steps.count; i++) {
			Solvable *s = pool_id2solvable(pool, trans->steps.elements[i]);
			const char *build = solvable_lookup_str(s, SOLVABLE_BUILDFLAVOR);
			size_t len = strlen(pool_id2str(pool, s->name)) +
				     strlen(pool_id2str(pool, s->evr)) +
				     strlen(build ? build : "") + 3;

			names[n] = malloc(len);
			snprintf(names[n++], len, "%s-%s-%s", pool_id2str(pool, s->name),
				 pool_id2str(pool, s->evr), build ? build : "");
		}
		qsort(names, (size_t)n, sizeof(*names), cmp_str);
		for (i = 0; i < n; i++)
			printf("%s\n", names[i]);
		fprintf(stderr, "load_ms=%.1f solve_ms=%.1f packages=%d\n", t1 - t0, t2 - t1, n);
		transaction_free(trans);
		solver_free(solv);
		queue_free(&job);
	}
	pool_free(pool);
	return 0;
}
