/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linking one extracted package (conda's pkgs layout, extract.h) into a
 * prefix, and unlinking it again, the way conda does
 * (conda/core/path_actions.py, conda/gateways/disk/create.py):
 *
 * - what a package holds comes from info/paths.json, or for older packages
 *   from info/files + info/has_prefix + info/no_link;
 * - files are hard links to the cache, copies when the package says so
 *   (no_link), when the cache is on another filesystem (EXDEV), or when
 *   the prefix is written into them; symlinks and directories as listed;
 * - prefix replacement (replace.h, streamed in bounded memory): text files
 *   get every placeholder replaced and a shebang that becomes longer than
 *   127 bytes, or whose interpreter path gets a space, becomes
 *   `#!/usr/bin/env NAME`; binary files get every NUL-terminated string
 *   holding the placeholder rewritten in place and padded with NULs (a
 *   prefix longer than the placeholder is an error);
 * - noarch: python: site-packages/ goes to lib/pythonX.Y/site-packages/,
 *   python-scripts/ to bin/, and info/link.json's entry points become
 *   scripts in bin/ (no .pyc: python writes them when it imports);
 * - a path already in the prefix is replaced with a warning (conda's
 *   clobbering: the later package wins).
 *
 * Paths from packages are hostile: every one is joined with
 * nbk_path_join_safe() (no absolute path, no "..").
 */
#ifndef LIBCONDA_LINK_H
#define LIBCONDA_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/strvec.h"
#include "record.h"
#include "replace.h"

/* conda's placeholder for packages without a has_prefix placeholder. */
#define ET_PREFIX_PLACEHOLDER "/opt/anaconda1anaconda2anaconda3"

enum et_path_type {
	ET_PATH_HARDLINK,
	ET_PATH_SOFTLINK,
	ET_PATH_DIRECTORY,
	ET_PATH_ENTRY_POINT, /* generated: conda's "unix_python_entry_point" */
};

/* One entry of a package's paths (owned strings; NULL when absent). */
struct et_path {
	char *path;        /* in the package */
	char *prefix_path; /* in the prefix (noarch: python moves it); set by et_link_package */
	enum et_path_type type;
	enum et_file_mode mode;
	char *placeholder;
	char *sha256;
	uint64_t size;
	bool has_size;
	bool no_link;
	bool rewritten; /* the prefix was written into it: sha256_in_prefix differs */
};

struct et_pkg_paths {
	struct et_path *v;
	size_t n, alloc;
};

/*
 * Read pkg_dir's paths (paths.json, or the older lists).  out is
 * initialised here; release it with et_pkg_paths_release() in every case.
 */
int et_pkg_paths_read(const char *pkg_dir, struct et_pkg_paths *out, struct nbk_error *err);
void et_pkg_paths_release(struct et_pkg_paths *p);

enum et_link_flags {
	ET_LINK_COPY = 1 << 0, /* never hard link (tests, always-copy) */
};

struct et_link_ctx {
	const char *root;   /* where files are written (create: the temporary folder) */
	const char *prefix; /* the environment's final path, written into files */
	const char
		*python_ver; /* "3.11": the environment's python, for noarch: python; may be NULL */
	unsigned flags;      /* enum et_link_flags */
};

/*
 * Link the package in pkg_dir (rec describes it; dist names it in
 * messages) under lc->root.  On success *paths holds what was written, with
 * prefix_path set (the entries of conda-meta's paths_data) and *link_type
 * conda's link type (1 hard link, 3 copy).  On failure err names the
 * package and the path; what was written so far stays (the caller rolls
 * back with the prefix paths it gets from et_pkg_paths_read()).
 */
int et_link_package(const struct et_link_ctx *lc, const char *pkg_dir, const struct et_record *rec,
		    const char *dist, struct et_pkg_paths *paths, int *link_type,
		    struct nbk_error *err);

/*
 * Where a package path lands in the prefix: noarch: python's site-packages/
 * and python-scripts/ moved, other paths unchanged.  New string.  python_ver
 * NULL with a noarch: python path is an error.
 */
int et_link_prefix_path(const struct et_record *rec, const char *python_ver, const char *path,
			char **out, struct nbk_error *err);

/*
 * Run ROOT/bin/.NAME-ACTION.sh (ACTION "post-link" or "pre-unlink") when it
 * exists, as conda does: bash -x with PREFIX (the environment's path),
 * PKG_NAME, PKG_VERSION, PKG_BUILDNUM and ROOT_PREFIX set, the
 * environment's bin first on PATH.  root is where the files are now
 * (usually prefix).  What the script prints (stdout and stderr, with the
 * trace; at most 64 KiB) is appended to out (NULL: dropped), whether it
 * succeeds or not.  A script that fails is an error naming the package.
 */
int et_link_run_script(const char *root, const char *prefix, const struct et_record *rec,
		       const char *action, struct nbk_buf *out, struct nbk_error *err);

/*
 * Remove the files of a package (prefix-relative paths) from root, skipping
 * those listed in keep (sorted; may be NULL), then every folder that this
 * left empty (never a folder that still holds something: files the user
 * made stay).  Missing files are fine.
 */
int et_unlink_files(const char *root, const struct nbk_strvec *files, const struct nbk_strvec *keep,
		    struct nbk_error *err);

#endif
