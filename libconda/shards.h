/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sharded repodata (CEP 16, conda.org/learn/ceps/cep-0016, which
 * conda-forge serves and rattler, pixi and conda read): instead of one
 * repodata.json, a subdir has an index, SUBDIR/repodata_shards.msgpack.zst
 * (zstd-compressed msgpack):
 *
 *   {"version": 1,
 *    "info": {"base_url": ..., "shards_base_url": ..., "subdir": ..., ...},
 *    "shards": {NAME: <the sha256 of NAME's shard, 32 bytes>, ...}}
 *
 * and one shard a package name, SHARDS_BASE_URL/<sha256 hex>.msgpack.zst,
 * holding that name's records (repodata.h, struct et_repo_shard).  A
 * client fetches the index, then the shards of the names it needs, then
 * those of the names their records depend on, round by round.  This is
 * the layer below that walk: fetching indexes, fetching the shards of a
 * set of names (all subdirs and names of one round at once), and their
 * records.
 *
 * The index is fetched and cached as repodata.json is (fetch.h: CACHE/
 * HASH.shards.msgpack, decompressed, and HASH.shards.info.json; ETag,
 * Last-Modified, Cache-Control or local_repodata_ttl, 304, --offline);
 * 404 or 501 for it means the subdir has no shards: read repodata.json
 * as before (et_fetch_all()).  base_url and shards_base_url are resolved
 * against CHANNEL/SUBDIR/, the index's folder (et_repo_resolve_base()).
 *
 * Shards are content-addressed, so never revalidated: a shard is fetched
 * once into CACHE/shards/<sha256 hex>.msgpack.zst (the compressed bytes the
 * server sent), and only after their sha256 matched the index's: a
 * mismatch is an error naming the channel, subdir and package, and leaves
 * nothing in the cache.  A cached shard is hashed again when read (a
 * damaged one is fetched again; with --offline it is an error).  A file://
 * channel's shards are read in place (and hashed too); its index is
 * decompressed into the cache, as its repodata.json.zst would be.  The transfers run
 * in transfer.c's loop (its retries, bounds, credentials and CA settings);
 * a shard's body is written to a temporary file beside its cache entry as
 * it arrives, never whole into memory, and a shard is decompressed to at
 * most repodata_max_bytes.
 *
 * Hostile input: the index is refused (an error, not a fallback) when its
 * msgpack is malformed or its shards are not 32-byte hashes; an http(s)
 * index cannot point its shards at a file:// URL; a shard is refused as
 * et_repo_from_shards() says.
 *
 * Nothing here prints; errors come back in struct nbk_error, naming the
 * channel (credentials masked), the subdir and, for a shard, the package:
 * "channel 'C', subdir 'S': shard index: offset N: ...", "channel 'C',
 * subdir 'S': shard of 'NAME': ..." (fetching, checking, decompressing),
 * "repodata shard of 'NAME' in 'C/S': offset N: ..." (its records).
 */
#ifndef LIBCONDA_SHARDS_H
#define LIBCONDA_SHARDS_H

#include <stdbool.h>
#include <stddef.h>

#include "nbkit/error.h"
#include "channel.h"
#include "config.h"
#include "repodata.h"

/* The file names (CEP 16). */
#define ET_SHARD_INDEX_FILE "repodata_shards.msgpack.zst"
#define ET_SHARD_SUFFIX ".msgpack.zst"
/* The folder of the cache folder (et_cache_dir()) that holds the shards. */
#define ET_SHARDS_CACHE_DIR "shards"

struct et_shard_entry;

/* A subdir's shard index: which names it has, and where their shards are. */
struct et_shard_index {
	char *channel;    /* the channel's name, as records carry it */
	char *url;        /* CHANNEL_URL/SUBDIR (with the channel's credentials) */
	char *subdir;     /* "linux-64", "noarch" ... */
	char *base_url;   /* info.base_url as written ("": none), for et_repo_from_shards() */
	char *shards_url; /* info.shards_base_url resolved: a shard is SHARDS_URL/HEX.msgpack.zst */
	size_t n;         /* how many names it has */
	bool downloaded;  /* it came over the network in this run (not the cache or file://) */
	/* private */
	unsigned char *data; /* the msgpack document; entries point into it */
	size_t len;
	struct et_shard_entry *entries; /* sorted by name */
};

/* clang-format off */
#define ET_SHARD_INDEX_INIT { NULL, NULL, NULL, NULL, NULL, 0, false, NULL, 0, NULL }
/* clang-format on */

struct et_shard_index_job {
	const struct et_channel *channel; /* set by the caller, borrowed */
	const char *subdir;               /* set by the caller, borrowed */
	/* results */
	bool sharded;                /* false: no shard index; read repodata.json (fetch.h) */
	struct et_shard_index index; /* when sharded */
};

/*
 * Fetch the shard index of each of jobs[0..n) at once (fetch.h's
 * et_fetch_all(), kind ET_FETCH_SHARD_INDEX) and decode it.  Each job's
 * results are reset, then filled: sharded and index, or sharded false
 * when the subdir has none (404 or 501, a file:// channel without the
 * file, --offline or no writable cache without a cached index, an index
 * of another version than 1, and an index that did not come: a transfer
 * that failed, after retries, is logged (-v) and that subdir reads its
 * repodata.json, whose fetch reports what is wrong with the server).
 * Returns 0, or -1 with err for the first index that came but cannot be
 * read or does not decode ("channel 'C', subdir 'S': shard index: offset
 * N: ...").  Release
 * each job with et_shard_index_job_release(), on success and failure
 * alike.
 */
int et_shard_index_fetch_all(const struct et_config *cfg, struct et_shard_index_job *jobs, size_t n,
			     struct nbk_error *err);
void et_shard_index_job_release(struct et_shard_index_job *job);

/*
 * Decode a shard index: len bytes of msgpack at data (malloc'd, taken
 * over: index owns it from here, on failure too) for the subdir at url
 * (CHANNEL_URL/SUBDIR) of channel.  index (initialised or released) is
 * filled.  Returns 0; 1 when it is of a version other than 1 (index stays
 * empty: fall back); -1 with err ("offset N: ...", for the caller to name
 * the subdir) when it is malformed: not a map, a name twice or with a NUL
 * byte, a hash that is not 32 bytes, an http(s) index whose shards_base_url
 * is not http(s).
 */
int et_shard_index_decode(struct et_shard_index *index, const char *channel, const char *url,
			  const char *subdir, unsigned char *data, size_t len,
			  struct nbk_error *err);
void et_shard_index_release(struct et_shard_index *index);

/* The sha256 (32 bytes, in the index) of name's shard, or NULL when the index lacks name. */
const unsigned char *et_shard_index_hash(const struct et_shard_index *index, const char *name);

/* Does the index have a shard for name? */
bool et_shard_index_has(const struct et_shard_index *index, const char *name);

/* Name i (0 <= i < index->n), in byte order: a new string. */
char *et_shard_index_name(const struct et_shard_index *index, size_t i);

/* One subdir's share of a round: the names wanted from one index. */
struct et_shards_job {
	const struct et_shard_index *index; /* set by the caller, borrowed */
	const char *const *names;           /* set by the caller: the names wanted */
	size_t n_names;
	int channel_index; /* set by the caller: the records' priority (repodata.h) */
	/*
	 * results: repo holds the records of the wanted names the index has
	 * (borrowed records, alive as long as repo); the caller may take it
	 * over (copy the struct, then set job->repo to ET_REPO_INIT) to keep
	 * a round's records after the job is released.
	 */
	struct et_repo repo;
	size_t n_shards;     /* shards read: the wanted names the index has, each once */
	size_t n_downloaded; /* of them, fetched in this call (the rest: cache or file://) */
};

/*
 * Get the shards of every job's names (those the index lacks have no
 * records, and are no error; a name asked twice is read once), all jobs'
 * at once: the cached ones from the cache, the rest through one
 * et_transfer_run_all() (at most 6 connections a host), each verified,
 * cached, decompressed and turned into records: job->repo, as
 * et_repo_from_shards() makes it (the index's base_url, the job's
 * channel_index).  A shard two jobs share (the same hash) is fetched
 * once.  Each job's results are reset, then filled.  Returns 0, or -1
 * with err for the first failure (a transfer, a sha256 mismatch, not
 * cached with --offline, no writable cache, a shard that does not
 * decompress: "channel 'C', subdir 'S': shard of 'NAME': ..."; a shard
 * whose msgpack or records are refused: et_repo_from_shards()'s message);
 * the jobs' repos are then empty.  Release each job with
 * et_shards_job_release(), on success and failure alike.
 */
int et_shards_fetch(const struct et_config *cfg, struct et_shards_job *jobs, size_t n,
		    struct nbk_error *err);
void et_shards_job_release(struct et_shards_job *job);

#endif
