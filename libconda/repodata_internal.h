/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal functions of repodata.c, visible to tests/unit/test_envtool_repodata.c
 * and tests/fuzz/fuzz_repodata.c (NBK_STATIC: static in libconda.a, extern
 * in libconda-test.a; include/nbkit/testing.h).  Only repodata.c and those
 * include this header.
 */
#ifndef LIBCONDA_REPODATA_INTERNAL_H
#define LIBCONDA_REPODATA_INTERNAL_H

#include <stddef.h>

#include "nbkit/error.h"
#include "nbkit/testing.h"
#include "repodata.h"

/*
 * repo's blob as et_repo_cache_write() writes it (its header stamped with
 * key): the bytes, owned by repo, and *len.
 */
NBK_STATIC const unsigned char *et_repo_blob_bytes(const struct et_repo *repo,
						   const struct et_repo_key *key, size_t *len);

/*
 * A blob of len bytes (data, malloc'd with a byte to spare after them,
 * taken over: freed on failure) checked and loaded into repo, as
 * et_repo_cache_load() does with a file; name names it in messages.  0, 1
 * when stale for key (NULL: not checked), -1 with err when corrupt.
 */
NBK_STATIC int et_repo_blob_load(struct et_repo *repo, const struct et_repo_id *id,
				 unsigned char *data, size_t len, const struct et_repo_key *key,
				 const char *name, struct nbk_error *err);

#endif
