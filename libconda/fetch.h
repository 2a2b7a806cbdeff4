/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Getting every CHANNEL/SUBDIR/repodata.json of a request into the local
 * cache, all at once (libcurl multi).
 *
 * Cache layout (conda's): in the first writable package cache's cache/
 * folder, HASH.json is the repodata (decompressed), HASH.info.json its
 * state (url, etag, mod, cache_control, size, mtime_ns, refresh_ns,
 * has_zst), and HASH.nbkrd our binary cache of it; HASH is the first 8 hex
 * digits of md5("CHANNEL_URL/SUBDIR/").
 *
 * Per subdir: a fresh cache (Cache-Control max-age, or local_repodata_ttl
 * seconds) is used without asking; otherwise repodata.json.zst is asked
 * for first (unless the server said 404 for it before) with If-None-Match
 * and If-Modified-Since; 304 reuses the cache, 404 for .zst falls back to
 * .json, 404 for a platform subdir means an empty subdir (as conda), 404
 * for noarch means the channel does not exist.  5xx, 429, 408, timeouts
 * and dropped connections are retried remote_max_retries times after
 * remote_backoff_factor * 2^n seconds (transfer.c's loop runs the
 * transfers; its failures read "cannot fetch 'URL': WHAT").  file:// channels are read in place.
 * --offline uses only the cache.  A 200's body goes to a temporary file
 * (decompressed on the way when .zst), never whole into memory, and is
 * renamed to HASH.json once complete.  Bounds (transfer.h): a body past
 * repodata_max_bytes once decoded (gzip, or the .zst decompressed) is an
 * error, an error answer's body is dropped (an endless one is cut after
 * ET_ERROR_BODY_MAX bytes and its status stands), and a stalled transfer
 * is a timeout, retried, then an error.
 *
 * A CEP 16 shard index (kind ET_FETCH_SHARD_INDEX; shards.h) is fetched the
 * same way, from SUBDIR/repodata_shards.msgpack.zst into HASH.shards.msgpack
 * (decompressed) and HASH.shards.info.json, with these differences: only
 * the .zst exists; 404 or 501 means "no shards" for every subdir (the caller
 * falls back to repodata.json), is remembered in the state and asked again
 * after 7 days, as a missing repodata.json.zst is; --offline without a
 * cached index, or no writable cache, also means "no shards", not an error.
 */
#ifndef LIBCONDA_FETCH_H
#define LIBCONDA_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/error.h"
#include "channel.h"
#include "config.h"

/* What a job fetches. */
enum et_fetch_kind {
	ET_FETCH_REPODATA,    /* SUBDIR/repodata.json, .zst preferred */
	ET_FETCH_SHARD_INDEX, /* SUBDIR/repodata_shards.msgpack.zst (CEP 16; shards.h reads it) */
};

struct et_fetch_job {
	const struct et_channel *channel; /* set by the caller */
	const char *subdir;               /* set by the caller */
	enum et_fetch_kind kind;          /* set by the caller (0: repodata) */
	/* results */
	char *url; /* CHANNEL_URL/SUBDIR */
	/*
	 * The document to read: the repodata.json, or the shard index's msgpack
	 * (decompressed).  NULL: the subdir does not exist, or has no shard
	 * index (fall back to repodata.json).
	 */
	char *json_path;
	char *cache_path; /* where its binary cache goes; NULL: none (always for a shard index) */
	bool downloaded;  /* false: fresh cache, 304, offline or a local channel */
};

/*
 * The cache folder: PKGS_DIR/cache of the first pkgs_dirs entry where it
 * can be created and written.  *out is a new string.
 */
int et_cache_dir(const struct et_config *cfg, char **out, struct nbk_error *err);

/*
 * Fetch every job; each job's channel and subdir are set by the caller.
 * Returns 0 when every job has its result, or -1 with err for the first job
 * that failed (naming its channel and subdir); results of the others are
 * still filled.  Release with et_fetch_job_release().
 */
int et_fetch_all(const struct et_config *cfg, struct et_fetch_job *jobs, size_t n,
		 struct nbk_error *err);
void et_fetch_job_release(struct et_fetch_job *job);

#endif
