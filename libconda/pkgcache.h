/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The package cache, in conda's pkgs layout, so conda and mamba share it:
 *
 *   PKGS/FN                          the archive (.conda or .tar.bz2)
 *   PKGS/NAME-VERSION-BUILD/         the extracted package, with
 *     info/repodata_record.json      the record as conda writes it (url,
 *                                    channel, fn, md5, sha256, size ...)
 *   PKGS/urls.txt                    one URL per downloaded archive (appended)
 *   PKGS/.locks/NAME-VERSION-BUILD.lock   envtool's per-package locks
 *
 * pkgs_dirs comes from the configuration (CONDA_PKGS_DIRS, .condarc;
 * ~/.conda/pkgs in the images).  The first one that can be created and
 * written is the writable cache: downloads and extractions go there.  The
 * others are read-only caches: a package already extracted in one is used
 * as is, an archive in one is verified and extracted into the writable
 * cache without downloading.
 *
 * Shared caches (issue 9): an extracted folder is used as is only when
 * nobody but the user and root can change it: the folder and its cache
 * (and every folder above) are owned by the user or root and not writable
 * by group or others (an ancestor with the sticky bit is fine).  Any other
 * folder is never linked: the package is extracted again from an archive
 * verified against the record's sha256 into the writable cache, which is
 * the first pkgs_dir that is writable and trusted in the same sense (none:
 * a clear error).  The check is a few stat() calls, no hashing: the
 * user's own cache stays as fast as before.
 *
 * An extracted folder counts as present only when its
 * info/repodata_record.json agrees with the record (sha256, else md5, else
 * url/fn), and it only ever appears by a rename of a complete temporary
 * folder (extract.h).
 *
 * Several envtool processes may share one cache: a package is fetched and
 * extracted only under an exclusive flock() on its lock file, and whoever
 * takes a lock first checks again whether another process made the package
 * meanwhile; so two processes needing the same package fetch it once.
 */
#ifndef LIBCONDA_PKGCACHE_H
#define LIBCONDA_PKGCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "config.h"
#include "download.h"
#include "record.h"

struct et_pkgcache {
	const struct et_config *cfg; /* borrowed: pkgs_dirs and the network settings */
	char *write_dir;        /* the writable cache; NULL when none (then only reading works) */
	struct nbk_strvec dirs; /* every pkgs_dir, in order (write_dir among them) */
	bool *trusted;          /* trusted[i]: only we and root can change dirs.v[i] */
};

/*
 * Settle the caches of cfg->pkgs_dirs (creating the first writable one).
 * cfg must outlive the cache.  Returns 0 (also when none is writable:
 * write_dir is then NULL and et_pkgcache_ensure() fails for what is
 * missing), or -1 with err when pkgs_dirs is empty.  Release with
 * et_pkgcache_release() in every case.
 */
int et_pkgcache_open(struct et_pkgcache *cache, const struct et_config *cfg, struct nbk_error *err);
void et_pkgcache_release(struct et_pkgcache *cache);

/*
 * Can only the user and root change the folder dir (absolute or relative)?
 * It is theirs and neither group nor others can write it, and every folder
 * above it is theirs and others cannot write it (unless sticky; group
 * write is accepted there: Kubernetes' fsGroup homes); along the path as
 * given and along its real path.  false when dir does not exist.  What is
 * read from a pkgs_dir that fails this (extracted packages, and the
 * repodata cache PKGS/cache) can be planted by another user.
 */
bool et_pkgcache_trusted_dir(const char *dir);

/*
 * NAME-VERSION-BUILD of a record (conda's dist name: fn without its
 * .conda / .tar.bz2; name-version-build when fn is empty).  New string.
 */
char *et_pkgcache_dist_name(const struct et_record *rec);

enum et_pkg_state {
	ET_PKG_MISSING,   /* must be downloaded */
	ET_PKG_ARCHIVE,   /* the archive is in a cache, not yet extracted (no download) */
	ET_PKG_EXTRACTED, /* an extracted folder matches: nothing to do */
};

/*
 * Where rec stands in the caches, without locking or changing anything
 * (for --dry-run and the FETCH list of --json).  When dir_out is not NULL
 * and the state is ET_PKG_EXTRACTED, *dir_out is the folder (new string).
 * An ET_PKG_ARCHIVE archive is not verified here.
 */
enum et_pkg_state et_pkgcache_state(const struct et_pkgcache *cache, const struct et_record *rec,
				    char **dir_out);

struct et_fetch_opts {
	unsigned max_connections;         /* simultaneous downloads; 0: 5 */
	unsigned extract_threads;         /* 0: one per online CPU */
	et_download_progress_fn progress; /* the downloads as they go (download.h); may be NULL */
	void *progress_user;
};

/* What et_pkgcache_ensure() did, for messages and --json. */
struct et_pkgcache_stats {
	size_t cached;     /* already extracted */
	size_t downloaded; /* archives fetched */
	size_t extracted;  /* folders made */
	uint64_t bytes;    /* bytes downloaded */
};

/*
 * Make sure every recs[i] is extracted in a cache: download what is
 * missing (in parallel, verified, resumed, retried: download.h), extract
 * what is not yet extracted (in parallel: extract.h), write
 * info/repodata_record.json and append urls.txt.  opts and stats may be
 * NULL.
 *
 * On success returns 0 and *extracted_dirs_out is a NULL-terminated array
 * of n new strings, the extracted folder of recs[i] at index i; the caller
 * frees each string and the array (or nbk_strvec-style with
 * et_pkgcache_dirs_free()).  On failure returns -1 with err naming the
 * first package that failed ("cannot fetch 'zlib-1.2.11-h7b6447c_3':
 * sha256 mismatch ..."), *extracted_dirs_out is NULL, and no unverified
 * archive or partial folder is left in the cache (a verified archive or
 * complete folder made on the way stays: the next run reuses it).
 *
 * --offline (cfg->offline): nothing is downloaded; a missing package is an
 * error naming it.
 */
int et_pkgcache_ensure(struct et_pkgcache *cache, const struct et_record *const *recs, size_t n,
		       const struct et_fetch_opts *opts, char ***extracted_dirs_out,
		       struct et_pkgcache_stats *stats, struct nbk_error *err);

/* Free an array returned by et_pkgcache_ensure() (NULL is fine). */
void et_pkgcache_dirs_free(char **dirs);

/*
 * Write rec as PKGDIR/info/repodata_record.json (conda's keys).  Used by
 * et_pkgcache_ensure(); public for tests and for packages that arrive
 * another way.
 */
int et_pkgcache_write_record(const char *pkgdir, const struct et_record *rec,
			     struct nbk_error *err);

#endif
