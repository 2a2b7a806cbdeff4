/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Extracting conda packages: .conda (a zip holding info-*.tar.zst and
 * pkg-*.tar.zst, stored or deflated, with or without data descriptors,
 * zip64) and .tar.bz2, streamed through libarchive (and zstd for the inner
 * tarballs) with no temporary tarball.
 *
 * Hostile archives: an entry with an absolute path or a ".." component, a
 * symlink whose target leads out of the package (absolute, or climbing
 * above the root), a hard link to a path outside it or not yet extracted,
 * a device, FIFO or socket, or anything but a regular file, folder, symlink
 * or hard link is refused with an error naming the package; a leading "./"
 * is accepted.  Files are never written through a symlink that the
 * archive itself made (no entry may have a symlink among its parents).
 *
 * Atomicity: the package is extracted into DEST.tmp-XXXXXX next to DEST and
 * renamed into place only when complete, so a crash never leaves a DEST
 * that looks complete; a failed extraction removes its temporary folder.
 */
#ifndef LIBCONDA_EXTRACT_H
#define LIBCONDA_EXTRACT_H

#include <stddef.h>

#include "nbkit/error.h"

/*
 * Run on the complete temporary folder just before it is renamed to DEST
 * (pkgcache.c writes info/repodata_record.json there).  Returns 0, or -1
 * with err to abandon the extraction.  Called from a worker thread.
 */
typedef int (*et_extract_finish_fn)(const char *tmpdir, void *user, struct nbk_error *err);

struct et_extract_job {
	/* set by the caller; borrowed */
	const char *archive;         /* path of the .conda or .tar.bz2 */
	const char *dest;            /* folder to create; must not exist */
	const char *label;           /* the package, for messages */
	et_extract_finish_fn finish; /* may be NULL */
	void *user;
	/* results */
	int rc;               /* 0 or -1 */
	struct nbk_error err; /* when rc < 0 */
	unsigned long files;  /* entries written */
};

/*
 * Extract archive's contents into the existing, empty folder dir (no
 * temporary folder, no rename: the building block, also for tests).
 * label names the package in messages.  Returns 0 or -1 with err.
 */
int et_extract_into(const char *archive, const char *dir, const char *label, unsigned long *files,
		    struct nbk_error *err);

/*
 * Extract one job: DEST.tmp-XXXXXX, finish(), rename to dest.  Fills
 * job->rc / job->err and returns job->rc.
 */
int et_extract_one(struct et_extract_job *job);

/*
 * Extract every job on up to `threads` worker threads (0: one per online
 * CPU, never more than n).  Returns 0 when all succeeded, or -1 with err
 * copied from the first failed job (in order); each job's own result is in
 * jobs[i].rc / jobs[i].err.
 */
int et_extract_all(struct et_extract_job *jobs, size_t n, unsigned threads, struct nbk_error *err);

/*
 * A worker pool that takes jobs while downloads are still running:
 * et_extract_pool_start(), et_extract_pool_add() as each archive arrives
 * (the job must stay valid until et_extract_pool_finish() returns), then
 * et_extract_pool_finish() waits for all of them and frees the pool.
 */
struct et_extract_pool;
struct et_extract_pool *et_extract_pool_start(unsigned threads);
void et_extract_pool_add(struct et_extract_pool *pool, struct et_extract_job *job);
void et_extract_pool_finish(struct et_extract_pool *pool);

#endif
