/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/log.h"
#include "fetch.h"
#include "index.h"

int et_index_load(const struct et_config *cfg, const struct et_channel_sources *src,
		  struct et_index *idx, struct nbk_error *err)
{
	struct et_fetch_job *jobs;
	size_t i, j, n = 0;
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
	jobs = nbk_xcalloc(n ? n : 1, sizeof(*jobs));
	for (i = 0, n = 0; i < idx->n_channels; i++) {
		for (j = 0; j < idx->channels[i].subdirs.n; j++, n++) {
			jobs[n].channel = &idx->channels[i];
			jobs[n].subdir = idx->channels[i].subdirs.v[j];
			/* the order fetched in is the solver's priority order (-v shows it) */
			nbk_info("channel %zu: %s/%s", i + 1, idx->channels[i].url, jobs[n].subdir);
		}
	}
	if (et_fetch_all(cfg, jobs, n, err) < 0) {
		ret = -1;
		goto out;
	}
	idx->repos = nbk_xcalloc(n ? n : 1, sizeof(*idx->repos));
	for (i = 0; i < n; i++) {
		const struct et_channel *c = jobs[i].channel;
		struct et_repo_id id = { c->name, jobs[i].url, jobs[i].subdir,
					 (int)(c - idx->channels) };

		if (!jobs[i].json_path) {
			/* a platform subdir the channel does not have: no records */
			static const char empty[] = "{}";

			if (et_repo_parse(&idx->repos[idx->n_repos], &id, empty, 2, err) < 0) {
				ret = -1;
				goto out;
			}
		} else if (et_repo_load(&idx->repos[idx->n_repos], &id, jobs[i].json_path,
					jobs[i].cache_path, err) < 0) {
			ret = -1;
			goto out;
		}
		idx->n_repos++;
	}
out:
	for (i = 0; i < n; i++)
		et_fetch_job_release(&jobs[i]);
	free(jobs);
	return ret;
}

void et_index_release(struct et_index *idx)
{
	size_t i;

	for (i = 0; i < idx->n_repos; i++)
		et_repo_release(&idx->repos[i]);
	free(idx->repos);
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
}
