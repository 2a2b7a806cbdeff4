/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A channel subdir's records: repodata.json parsed by a purpose-built,
 * zero-copy parser (docs/decisions.md says why and how fast), kept in a
 * compact blob (fixed-size records, 32-bit offsets into an interned string
 * pool) that is also the on-disk binary cache, and exposed as an array of
 * borrowed `struct et_record` (record.h).
 *
 * Parsing follows conda (conda/models/records.py, core/subdir_data.py):
 * - records come from `packages` and `packages.conda`; when the same
 *   package (file name without extension) is in both, only the .conda one
 *   is kept;
 * - a document whose top-level keys are file names (conda's test
 *   index.json) is read as records keyed by file name;
 * - `track_features` and `features` may be a string (split on spaces and
 *   commas) or a list; timestamps above 253402300799 are milliseconds, below
 *   are seconds; the legacy `requires` list is read only when a record has
 *   no `depends`; `noarch: true` means generic; a record without `subdir`
 *   gets the repo's; `url` defaults to BASE/fn where BASE is info.base_url
 *   (CEP 15, resolved against the repodata's URL) or the repo's URL.
 *
 * Hostile input: every string kept is at most ET_REPO_MAX_STRING bytes,
 * nesting is bounded, numbers are range-checked, and every error names the
 * repo ("repodata of 'conda-forge/linux-64': line 3, column 7: ...").  A
 * binary cache is checked (magic, version, source key, sizes, the string
 * pool's ends, the name table) at load, and each record's offsets and
 * lengths when the record is made: nothing in it is used unchecked, and a
 * record that fails is refused like a bad name.  There is no checksum of
 * the whole file: reading every byte of a 170 MB cache was a fifth of a
 * warm `create` (issue 14); the cache is ours, written atomically.
 *
 * Records are made when asked for: et_repo_name() makes one name's (a
 * solve reads the names its request reaches, docs/envtool.md), and
 * et_repo_all() every record, into repo->records.
 */
#ifndef LIBCONDA_REPODATA_H
#define LIBCONDA_REPODATA_H

#include <stddef.h>
#include <stdint.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "record.h"

/* Longest string (name, version, depends entry ...) kept from repodata. */
#define ET_REPO_MAX_STRING (64 * 1024)
/* Deepest nesting accepted in skipped values. */
#define ET_REPO_MAX_DEPTH 128

/* Which repo a document is: filled by the caller, copied by the repo. */
struct et_repo_id {
	const char *channel; /* canonical name ("conda-forge") or URL; records' `channel` */
	const char *url;     /* CHANNEL_URL/SUBDIR, no trailing slash */
	const char *subdir;  /* "linux-64", "noarch" ... */
	int channel_index;   /* priority, 0 highest; copied into the records */
};

/*
 * What identifies the source a binary cache was made from: when any of it
 * differs, the cache is stale.  Fill it from stat() of the cached JSON.
 */
struct et_repo_key {
	uint64_t size;
	uint64_t mtime_ns;
};

struct et_repo_blob;

/* Refused records whose messages a repo keeps (the rest are counted). */
#define ET_REPO_REFUSED_SHOWN 5

struct et_repo {
	char *channel;
	char *url;
	char *subdir;
	int channel_index;
	/*
	 * Every record, borrowed, grouped by name in strcmp order and in
	 * document order within a name: empty until et_repo_all().
	 */
	const struct et_record *records;
	size_t n;
	struct et_repo_blob *blob; /* private */
	/*
	 * Records left out because et_record_check_names() refused them
	 * (a file name that is not a plain NAME-VERSION-BUILD.conda ...):
	 * how many, and the first ET_REPO_REFUSED_SHOWN messages, each
	 * "repodata of 'CHANNEL/SUBDIR': package 'FN': why".  Checked when
	 * the records are made (et_repo_name(), et_repo_all()), from the
	 * JSON or the binary cache alike: so a request hears of the refused
	 * records of the names it reached.
	 */
	size_t n_refused;
	struct nbk_strvec refused;
};

/* clang-format off */
#define ET_REPO_INIT { NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NBK_STRVEC_INIT }
/* clang-format on */

/*
 * Parse a repodata document of len bytes; json[len] must be readable and
 * NUL (an nbk_buf is).  On success repo (initialised with ET_REPO_INIT or
 * released) holds the records (made on demand: et_repo_name(),
 * et_repo_all()); on failure it stays empty and err says why,
 * naming "CHANNEL/SUBDIR".
 */
int et_repo_parse(struct et_repo *repo, const struct et_repo_id *id, const char *json, size_t len,
		  struct nbk_error *err);

/*
 * Write repo's blob to path atomically, marked with key (the source's size
 * and mtime) and id->url.
 */
int et_repo_cache_write(const struct et_repo *repo, const char *path, const struct et_repo_key *key,
			struct nbk_error *err);

/*
 * Load a binary cache.  Returns 0 when loaded; 1 when the file is missing or
 * stale (another key or URL, another format version); -1 when it is corrupt
 * or unreadable (err says how).  repo stays empty unless 0 is returned.
 */
int et_repo_cache_load(struct et_repo *repo, const struct et_repo_id *id, const char *path,
		       const struct et_repo_key *key, struct nbk_error *err);

/*
 * The usual way in: records of the repodata.json at json_path, from the
 * binary cache at cache_path when it is fresh, otherwise parsed and the
 * cache (re)written (a cache that cannot be written only costs speed; a
 * corrupt one is replaced).  cache_path may be NULL (no cache).
 */
int et_repo_load(struct et_repo *repo, const struct et_repo_id *id, const char *json_path,
		 const char *cache_path, struct nbk_error *err);

/*
 * The records named name (len bytes; exact, as repodata writes names),
 * made on the first call and kept: *n of them, or NULL and 0 when the
 * repo has none.  They live as long as repo.
 */
const struct et_record *et_repo_name(struct et_repo *repo, const char *name, size_t len, size_t *n);

/*
 * Make every record: repo->records and repo->n (a second call does
 * nothing).  A record is refused (and counted) once, whether its name was
 * read before or not.
 */
void et_repo_all(struct et_repo *repo);

/*
 * One CEP 16 shard (shards.h fetches them): the records of one package
 * name as a msgpack map {"packages": {FN: record}, "packages.conda": {FN:
 * record}, "removed": [FN ...]}, its records' fields as in repodata.json
 * except md5 and sha256, which may be bytes (kept as hex).
 */
struct et_repo_shard {
	const char *name;          /* the package name the shard is for */
	const unsigned char *data; /* the msgpack document (decompressed), borrowed */
	size_t len;
};

/*
 * Records from shards[0..n) into repo (initialised with ET_REPO_INIT or
 * released), as et_repo_parse() makes them from repodata.json: the same
 * fields with the same meanings (one owner), the same .tar.bz2 twins
 * dropped, the same names check (refused records counted in repo), and
 * url = BASE/fn where BASE is base_url (the shard index's info.base_url,
 * resolved against id->url as CEP 15's is; NULL or "": id->url).  Left
 * out: a record listed in its shard's "removed", and one whose name is not
 * the shard's (counted in repo->n_refused, like a refused name, so that a
 * shard cannot add records to another package's name).  The shards are
 * only read: the repo copies what it keeps.  Returns 0, or -1 with err
 * ("repodata shard of 'NAME' in 'CHANNEL/SUBDIR': offset N: ...") for a
 * shard that is not a shard: malformed or truncated msgpack, a value of
 * the wrong type, a record with no name or version, a string with a NUL
 * byte or longer than ET_REPO_MAX_STRING; repo is then empty.
 */
int et_repo_from_shards(struct et_repo *repo, const struct et_repo_id *id, const char *base_url,
			const struct et_repo_shard *shards, size_t n, struct nbk_error *err);

/*
 * A base_url (CEP 15's in repodata.json, CEP 16's in a shard index)
 * resolved against the repodata's own URL (url: CHANNEL/SUBDIR, the folder
 * both files are in): an absolute URL is kept, "//host/x" takes url's
 * scheme, "/x" is on url's host, "x" and "./x" are below url, "../x"
 * climbs from it (never above its host).  No trailing slash.  A new
 * string.
 */
char *et_repo_resolve_base(const char *url, const char *base);

/* Free everything repo holds and make it empty. */
void et_repo_release(struct et_repo *repo);

/* Bytes of the blob (the binary cache's size); for benchmarks and info. */
size_t et_repo_blob_size(const struct et_repo *repo);

#endif
