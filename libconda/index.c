/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "fetch.h"
#include "index.h"
#include "matchspec.h"
#include "shards.h"

/* A sharded subdir (shards.h): its index, and its records fetched step by step. */
struct et_sharded {
	struct et_shard_set *set;
	size_t repo; /* its place in idx->repos (an empty repo: messages go there) */
	int channel_index;
	struct et_shard_index index;
	struct et_repo *rounds; /* one a fetch */
	size_t nrounds;
	struct nbk_strvec asked; /* the names asked of it, sorted */
	struct et_record *every; /* all(): copies of every record, made once */
	size_t n_every;
	struct et_record **matched; /* et_index_match()'s answers, kept until release */
	size_t n_matched;
};

/* The sharded subdirs of an index: fetched together, a step's names at a time. */
struct et_shard_set {
	const struct et_config *cfg;
	struct et_sharded *s;
	size_t n;
	struct nbk_error err; /* the first fetch that failed during a solve */
	bool failed;
};

/*
 * Fetch, from every sharded subdir at once, the shards of those of names
 * it has and was not asked for yet (et_shards_fetch(): one round, all in
 * parallel).  A failure is kept in the set, for et_index_error().
 */
static void fetch_names(struct et_shard_set *set, const char *const *names, size_t n)
{
	struct et_shards_job *jobs = nbk_xcalloc(set->n + 1, sizeof(*jobs));
	struct nbk_strvec *want = nbk_xcalloc(set->n + 1, sizeof(*want));
	struct et_sharded **of = nbk_xcalloc(set->n + 1, sizeof(*of));
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i, k, nj = 0;

	for (i = 0; i < set->n; i++) {
		struct et_sharded *s = &set->s[i];

		nbk_strvec_init(&want[i]);
		for (k = 0; k < n; k++) {
			if (nbk_strvec_find_sorted(&s->asked, names[k]))
				continue;
			if (et_shard_index_has(&s->index, names[k]))
				nbk_strvec_push(&want[i], names[k]);
			nbk_strvec_push(&s->asked, names[k]);
		}
		nbk_strvec_sort(&s->asked);
		if (!want[i].n)
			continue;
		jobs[nj].index = &s->index;
		jobs[nj].names = (const char *const *)want[i].v;
		jobs[nj].n_names = want[i].n;
		jobs[nj].channel_index = s->channel_index;
		of[nj++] = s;
	}
	if (nj && et_shards_fetch(set->cfg, jobs, nj, &err) < 0) {
		if (!set->failed)
			set->err = err;
		set->failed = true;
	} else {
		for (i = 0; i < nj; i++) {
			struct et_sharded *s = of[i];

			s->rounds = nbk_xrealloc(s->rounds, (s->nrounds + 1) * sizeof(*s->rounds));
			s->rounds[s->nrounds++] = jobs[i].repo;
			jobs[i].repo = (struct et_repo)ET_REPO_INIT;
		}
	}
	for (i = 0; i < nj; i++)
		et_shards_job_release(&jobs[i]);
	for (i = 0; i < set->n; i++)
		nbk_strvec_release(&want[i]);
	free(jobs);
	free(want);
	free(of);
}

static void sharded_prefetch(void *data, const char *const *names, size_t n)
{
	struct et_sharded *s = data;

	fetch_names(s->set, names, n);
}

static const struct et_record *sharded_by_name(void *data, const char *name, size_t len, size_t *n)
{
	struct et_sharded *s = data;
	_cleanup_free_ char *nm = nbk_xstrndup(name, len);
	size_t r;

	if (!nbk_strvec_find_sorted(&s->asked, nm)) {
		const char *one = nm;

		fetch_names(s->set, &one, 1);
	}
	*n = 0;
	for (r = 0; r < s->nrounds; r++) {
		const struct et_record *v = et_repo_name(&s->rounds[r], name, len, n);

		if (v)
			return v;
	}
	return NULL;
}

/* Every record of a sharded subdir: every shard of its index (a glob, a feature). */
static const struct et_record *sharded_all(void *data, size_t *n)
{
	struct et_sharded *s = data;
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	size_t i, r, at = 0;

	if (!s->every) {
		for (i = 0; i < s->index.n; i++)
			nbk_strvec_push_owned(&names, et_shard_index_name(&s->index, i));
		fetch_names(s->set, (const char *const *)names.v, names.n);
		for (r = 0; r < s->nrounds; r++) {
			et_repo_all(&s->rounds[r]);
			s->n_every += s->rounds[r].n;
		}
		s->every = nbk_xcalloc(s->n_every + 1, sizeof(*s->every));
		for (r = 0; r < s->nrounds; r++) {
			memcpy(s->every + at, s->rounds[r].records,
			       s->rounds[r].n * sizeof(*s->every));
			at += s->rounds[r].n;
		}
	}
	*n = s->n_every;
	return s->every;
}

static void shard_set_free(struct et_shard_set *set)
{
	size_t i, r;

	if (!set)
		return;
	for (i = 0; i < set->n; i++) {
		for (r = 0; r < set->s[i].nrounds; r++)
			et_repo_release(&set->s[i].rounds[r]);
		free(set->s[i].rounds);
		free(set->s[i].every);
		for (r = 0; r < set->s[i].n_matched; r++)
			free(set->s[i].matched[r]);
		free(set->s[i].matched);
		nbk_strvec_release(&set->s[i].asked);
		et_shard_index_release(&set->s[i].index);
	}
	free(set->s);
	free(set);
}

/* The empty repo that stands for a subdir without records of its own (for now). */
static int empty_repo(struct et_repo *repo, const struct et_repo_id *id, struct nbk_error *err)
{
	static const char empty[] = "{}";

	return et_repo_parse(repo, id, empty, 2, err);
}

/*
 * et_index_load() (index.h): every subdir's shard index first, all at
 * once; the subdirs that have one are read shard by shard (struct
 * et_sharded), the others from repodata.json through the binary cache,
 * all of those fetched at once too.
 */
int et_index_load(const struct et_config *cfg, const struct et_channel_sources *src,
		  struct et_index *idx, struct nbk_error *err)
{
	struct et_shard_index_job *sjobs = NULL;
	struct et_fetch_job *jobs = NULL;
	size_t i, j, n = 0, nr = 0, *rof = NULL;
	int ret = 0;

	*idx = (struct et_index)ET_INDEX_INIT;
	if (et_channels_order(cfg, src, &idx->channels, &idx->n_channels, err) < 0)
		return -1;
	if (!idx->n_channels)
		return nbk_error_set(
			err, 0,
			"no channel to search: give -c CHANNEL or set 'channels' in .condarc");
	for (i = 0; i < idx->n_channels; i++)
		n += idx->channels[i].subdirs.n;
	sjobs = nbk_xcalloc(n ? n : 1, sizeof(*sjobs));
	jobs = nbk_xcalloc(n ? n : 1, sizeof(*jobs));
	rof = nbk_xcalloc(n ? n : 1, sizeof(*rof));
	for (i = 0, n = 0; i < idx->n_channels; i++) {
		for (j = 0; j < idx->channels[i].subdirs.n; j++, n++) {
			sjobs[n].channel = &idx->channels[i];
			sjobs[n].subdir = idx->channels[i].subdirs.v[j];
		}
	}
	if (et_shard_index_fetch_all(cfg, sjobs, n, err) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* the order fetched in is the solver's priority order (-v shows it) */
		nbk_info("channel %zu: %s/%s%s", (size_t)(sjobs[i].channel - idx->channels) + 1,
			 sjobs[i].channel->url, sjobs[i].subdir,
			 sjobs[i].sharded ? " (sharded)" : "");
		if (sjobs[i].sharded)
			continue;
		jobs[nr].channel = sjobs[i].channel;
		jobs[nr].subdir = sjobs[i].subdir;
		rof[i] = nr++;
	}
	if (et_fetch_all(cfg, jobs, nr, err) < 0) {
		ret = -1;
		goto out;
	}
	idx->repos = nbk_xcalloc(n ? n : 1, sizeof(*idx->repos));
	idx->shards = nbk_xcalloc(1, sizeof(*idx->shards));
	idx->shards->cfg = cfg;
	idx->shards->s = nbk_xcalloc(n ? n : 1, sizeof(*idx->shards->s));
	for (i = 0; i < n; i++) {
		const struct et_channel *c = sjobs[i].channel;
		const struct et_fetch_job *fj = sjobs[i].sharded ? NULL : &jobs[rof[i]];
		struct et_repo_id id = { c->name, fj ? fj->url : sjobs[i].index.url,
					 sjobs[i].subdir, (int)(c - idx->channels) };
		struct et_repo *repo = &idx->repos[idx->n_repos];

		if (sjobs[i].sharded) {
			struct et_sharded *s = &idx->shards->s[idx->shards->n++];

			s->set = idx->shards;
			s->repo = idx->n_repos;
			s->channel_index = id.channel_index;
			s->index = sjobs[i].index;
			sjobs[i].index = (struct et_shard_index)ET_SHARD_INDEX_INIT;
			sjobs[i].sharded = false;
			nbk_strvec_init(&s->asked);
			if (empty_repo(repo, &id, err) < 0) {
				ret = -1;
				goto out;
			}
		} else if (!fj->json_path) {
			/* a platform subdir the channel does not have: no records */
			if (empty_repo(repo, &id, err) < 0) {
				ret = -1;
				goto out;
			}
		} else if (et_repo_load(repo, &id, fj->json_path, fj->cache_path, err) < 0) {
			ret = -1;
			goto out;
		}
		idx->n_repos++;
	}
out:
	for (i = 0; i < n; i++)
		et_shard_index_job_release(&sjobs[i]);
	for (i = 0; i < nr; i++)
		et_fetch_job_release(&jobs[i]);
	free(sjobs);
	free(jobs);
	free(rof);
	return ret;
}

const struct et_record *et_index_match(struct et_index *idx, size_t i,
				       const struct et_matchspec *ms, size_t *n)
{
	_cleanup_strvec_ struct nbk_strvec names = NBK_STRVEC_INIT;
	struct et_sharded *s = NULL;
	struct et_record *v = NULL;
	size_t k, j, nr;

	for (k = 0; idx->shards && k < idx->shards->n; k++)
		if (idx->shards->s[k].repo == i)
			s = &idx->shards->s[k];
	if (!s) {
		et_repo_all(&idx->repos[i]);
		*n = idx->repos[i].n;
		return idx->repos[i].records;
	}
	/* a sharded subdir: the shards of the index's names that match, only */
	for (k = 0; k < s->index.n; k++) {
		char *name = et_shard_index_name(&s->index, k);

		if (et_matchspec_match_name(ms, name))
			nbk_strvec_push_owned(&names, name);
		else
			free(name);
	}
	fetch_names(s->set, (const char *const *)names.v, names.n);
	*n = 0;
	for (k = 0; k < names.n; k++) {
		const struct et_record *recs =
			sharded_by_name(s, names.v[k], strlen(names.v[k]), &nr);

		v = nbk_xrealloc(v, (*n + nr + 1) * sizeof(*v));
		for (j = 0; j < nr; j++)
			v[(*n)++] = recs[j];
	}
	s->matched = nbk_xrealloc(s->matched, (s->n_matched + 1) * sizeof(*s->matched));
	s->matched[s->n_matched++] = v;
	return v;
}

int et_index_error(const struct et_index *idx, struct nbk_error *err)
{
	if (!idx->shards || !idx->shards->failed)
		return 0;
	*err = idx->shards->err;
	return -1;
}

void et_index_refused(struct et_index *idx)
{
	size_t i, r, k;

	for (i = 0; idx->shards && i < idx->shards->n; i++) {
		struct et_sharded *s = &idx->shards->s[i];
		struct et_repo *to = &idx->repos[s->repo];

		to->n_refused = 0;
		nbk_strvec_release(&to->refused);
		for (r = 0; r < s->nrounds; r++) {
			to->n_refused += s->rounds[r].n_refused;
			for (k = 0;
			     k < s->rounds[r].refused.n && to->refused.n < ET_REPO_REFUSED_SHOWN;
			     k++)
				nbk_strvec_push(&to->refused, s->rounds[r].refused.v[k]);
		}
	}
}

void et_index_release(struct et_index *idx)
{
	size_t i;

	for (i = 0; i < idx->n_repos; i++)
		et_repo_release(&idx->repos[i]);
	free(idx->repos);
	shard_set_free(idx->shards);
	et_channels_free(idx->channels, idx->n_channels);
	*idx = (struct et_index)ET_INDEX_INIT;
}

static const struct et_record *repo_by_name(void *data, const char *name, size_t len, size_t *n)
{
	return et_repo_name(data, name, len, n);
}

static const struct et_record *repo_every(void *data, size_t *n)
{
	struct et_repo *repo = data;

	et_repo_all(repo);
	*n = repo->n;
	return repo->records;
}

void et_index_solve_repos(struct et_index *idx, struct et_solve_repo *repos)
{
	size_t i;

	for (i = 0; i < idx->n_repos; i++) {
		struct et_repo *rp = &idx->repos[i];

		memset(&repos[i], 0, sizeof(repos[i]));
		repos[i].priority = rp->channel_index;
		repos[i].name = rp->url;
		repos[i].channel_url = rp->channel_index >= 0 &&
						       (size_t)rp->channel_index < idx->n_channels
					       ? idx->channels[rp->channel_index].url
					       : NULL;
		repos[i].by_name = repo_by_name;
		repos[i].all = repo_every;
		repos[i].data = rp;
	}
	for (i = 0; idx->shards && i < idx->shards->n; i++) {
		struct et_sharded *s = &idx->shards->s[i];

		repos[s->repo].by_name = sharded_by_name;
		repos[s->repo].all = sharded_all;
		repos[s->repo].prefetch = sharded_prefetch;
		repos[s->repo].data = s;
	}
}
