/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The records a request sees: its channels resolved (channel.h), every
 * CHANNEL/SUBDIR fetched at once (fetch.h) and loaded (repodata.h, through
 * the binary cache), in priority order.  Records are made when asked for
 * (repodata.h): by name for a solve, all of them for a listing.  A subdir
 * that offers a CEP 16 shard index (shards.h) is read shard by shard: only
 * the shards of the names a solve reaches are fetched, a step of the walk
 * at a time, every subdir's at once.
 */
#ifndef LIBCONDA_INDEX_H
#define LIBCONDA_INDEX_H

#include <stddef.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "channel.h"
#include "config.h"
#include "repodata.h"
#include "solve.h"

struct et_shard_set;
struct et_matchspec;

struct et_index {
	struct et_channel *channels; /* priority order */
	size_t n_channels;
	/*
	 * One per channel and subdir, priority order.  A sharded subdir's
	 * (shards.h) is empty: its records are fetched as a solve reaches
	 * their names (et_index_solve_repos()).
	 */
	struct et_repo *repos;
	size_t n_repos;
	struct et_shard_set *shards; /* private */
};

/* clang-format off */
#define ET_INDEX_INIT { NULL, 0, NULL, 0, NULL }
/* clang-format on */

/*
 * Load the request's channels, in et_channels_order()'s order (channel.h),
 * for cfg->platform and noarch.  Returns 0, or -1 with err naming the
 * channel and subdir that failed, or saying there is no channel; idx must
 * be released either way.
 */
int et_index_load(const struct et_config *cfg, const struct et_channel_sources *src,
		  struct et_index *idx, struct nbk_error *err);
void et_index_release(struct et_index *idx);

/*
 * idx's repos as the solver takes them (solve.h), into repos (n_repos
 * entries): read by name, so that a solve reads only the names its
 * request reaches (a sharded subdir fetches their shards then).  They
 * borrow idx.
 */
void et_index_solve_repos(struct et_index *idx, struct et_solve_repo *repos);

/*
 * The records of idx->repos[i] that a search for ms (a name that is a
 * glob) looks at: every record of a subdir read from repodata.json; for a
 * sharded subdir, the records of those of its index's names that the glob
 * matches (only their shards are fetched, not every shard).  *n of them,
 * borrowed from idx.  Check et_index_error() after.
 */
const struct et_record *et_index_match(struct et_index *idx, size_t i,
				       const struct et_matchspec *ms, size_t *n);

/*
 * After a solve or a search: -1 with err when fetching a shard failed
 * on the way (a transfer, a hash that does not match, --offline without
 * it in the cache: shards.h's messages), else 0.  The answer is then not
 * to be trusted: records are missing.
 */
int et_index_error(const struct et_index *idx, struct nbk_error *err);

/*
 * Gather the refused records of what sharded subdirs fetched into their
 * repos' n_refused and refused (repodata.h), for the caller to show.
 */
void et_index_refused(struct et_index *idx);

#endif
