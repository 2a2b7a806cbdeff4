/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An environment's installed set as conda records it: one
 * PREFIX/conda-meta/NAME-VERSION-BUILD.json per package (conda's
 * PrefixRecord), read as records for the solver (install/update --dry-run)
 * and the commands' output.  Only the fields a record has are read; the
 * file lists (files, paths_data) are skipped.
 */
#ifndef ENVTOOL_INSTALLED_H
#define ENVTOOL_INSTALLED_H

#include <stddef.h>

#include "nbkit/error.h"
#include "record.h"

/* Largest conda-meta file read (python's lists 14,000 files: a few MB). */
#define ET_META_MAX_SIZE (256u * 1024 * 1024)

/*
 * Read PREFIX/conda-meta/ *.json into *out (an array of *n owned records,
 * sorted by name; free with et_installed_free()).  Returns 0; 1 when the
 * prefix has no conda-meta folder (not an environment); -1 with err naming
 * the file for one that is unreadable or not a record.
 */
int et_installed_load(const char *prefix, struct et_record **out, size_t *n,
		      struct nbk_error *err);
void et_installed_free(struct et_record *v, size_t n);

#endif
