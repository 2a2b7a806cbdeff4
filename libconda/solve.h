/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The solver: conda's semantics on libsolv.
 *
 * Debian's libsolv 0.7.23 is built without its conda support, so every
 * dependency is a namespace dependency whose providers our callback
 * computes by matching the MatchSpec against the records (matchspec.h).
 * conda's preferences become each package's libsolv version: within a name,
 * records are ranked by (channel priority when flexible,) fewer
 * track_features, higher version, higher build number, more activated
 * legacy features, newer timestamp, then (conda's tie-break) dependencies
 * that can resolve to newer versions, and the rank is what libsolv
 * compares.  A legacy feature is activated when every candidate of one of
 * the user's specs, or an installed record, tracks it (conda: `cpuonly`
 * requested makes the `features: cpuonly` builds preferred, not
 * penalised).  Channel priority "strict" keeps, for
 * each name, only the records of the highest-priority channel that has the
 * name.  `constrains` are conflicts with the records of that name that do
 * not match; legacy `features` require a record that tracks the feature;
 * pins forbid the records of their name that do not match.
 *
 * An unsatisfiable request is explained in terms of the user's specs
 * ("numpy >=2 requires python >=3.9, but python 3.8.* was requested"), not
 * as libsolv rules.
 */
#ifndef LIBCONDA_SOLVE_H
#define LIBCONDA_SOLVE_H

#include <stddef.h>

#include "nbkit/error.h"
#include "record.h"

enum et_channel_priority {
	ET_PRIORITY_STRICT,   /* conda's default */
	ET_PRIORITY_FLEXIBLE, /* prefer higher-priority channels, allow others */
	ET_PRIORITY_DISABLED, /* channels do not matter, versions do */
};

/* One channel subdir's records, borrowed for the solve. */
struct et_solve_repo {
	const struct et_record *records; /* every record; NULL: read by name */
	size_t n;
	int priority;            /* 0 = highest (the first channel) */
	const char *name;        /* "conda-forge/linux-64", for messages */
	const char *channel_url; /* the channel's base URL (channel.h), for
				 * "channel::name" specs; NULL: match by name */
	/*
	 * A repo read by name (records NULL; repodata.h's et_repo_name()):
	 * by_name gives the records named name (len bytes, lower case), NULL
	 * and *n = 0 when none; all gives every record, for a request that
	 * needs them all (a glob, a feature to activate).  What they return
	 * must last as long as the solution.  When every repo is read by
	 * name, only the names the request reaches are read (the solve
	 * costs what its answer does, not what the channels hold).
	 */
	const struct et_record *(*by_name)(void *data, const char *name, size_t len, size_t *n);
	const struct et_record *(*all)(void *data, size_t *n);
	/*
	 * Optional, read by name: told the names of one step of the walk
	 * (every name the last step reached) before by_name is asked for
	 * each, so that a repo that fetches records (sharded repodata) can
	 * fetch them all at once.  A failure is the repo's to keep and
	 * report: by_name then gives what it has.
	 */
	void (*prefetch)(void *data, const char *const *names, size_t n);
	void *data;
};

enum et_solve_mode {
	ET_SOLVE_INSTALL,    /* create / install: add the specs, keep the rest */
	ET_SOLVE_UPDATE,     /* update SPEC...: the specs' packages to the best */
	ET_SOLVE_UPDATE_ALL, /* update --all */
};

struct et_solve_request {
	const struct et_solve_repo *repos;
	size_t nrepos;
	const struct et_record *installed; /* an environment's conda-meta */
	size_t ninstalled;
	const struct et_record *virtual_pkgs; /* virtual.h */
	size_t nvirtual;
	const char *const *specs; /* the user's MatchSpecs */
	size_t nspecs;
	const char *const *pins; /* pinned_packages */
	size_t npins;
	enum et_channel_priority priority;
	enum et_solve_mode mode;
	/*
	 * conda's add_pip_as_python_dependency: a channel's python 2.x and
	 * 3.x need pip, when the channels have a pip (mamba's guard: else
	 * python could not be installed at all).
	 */
	bool add_pip;
	/*
	 * Every channel record takes part, not only the closure of the
	 * request's names (solve.c, closure_walk()): the answers are the
	 * same; tests compare the two, benchmarks time them.
	 */
	bool whole_pool;
	/*
	 * How a spec's channel ("conda-forge", "https://.../conda-forge",
	 * "file:///srv/chan", "defaults") becomes base URLs, appended to urls:
	 * et_channel_spec_urls() (channel.h).  Returns 0, or -1 when it
	 * does not resolve: then the record's channel name is compared as
	 * matchspec.h does.  NULL: always that.
	 */
	int (*resolve_channel)(const char *channel, void *data, struct nbk_strvec *urls);
	void *resolve_data;
};

/*
 * The solution: the solver's answer, what a change would do, in memory
 * only (transaction.h carries it out and keeps the on-disk journal,
 * struct et_journal, that an interrupted change is finished from).
 * link: records to install, dependencies first; unlink:
 * installed records to remove.  Both point into the request's arrays (they
 * live as long as those do).  problem: when unsatisfiable, the explanation
 * (lines, each "  - ..."), else NULL.
 */
struct et_solution {
	const struct et_record **link;
	size_t nlink;
	const struct et_record **unlink;
	size_t nunlink;
	char *problem;
};

/* clang-format off */
#define ET_SOLUTION_INIT { NULL, 0, NULL, 0, NULL }
/* clang-format on */

/*
 * Solve req.  Returns 0 with the solution in *sol; 1 when there is none
 * (sol->problem explains); -1 when the request itself is wrong (a spec or
 * pin that does not parse: err says which and where).  Release sol with
 * et_solution_release() in every case.
 */
int et_solve(const struct et_solve_request *req, struct et_solution *sol, struct nbk_error *err);
void et_solution_release(struct et_solution *sol);

#endif
