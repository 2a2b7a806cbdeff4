/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A package record: one entry of a channel's repodata (or of an
 * environment's conda-meta), the unit that specs match and the solver
 * chooses.  Shared by matchspec.c (matching), repodata.c (parsing, binary
 * cache), solve.c (libsolv) and the commands.
 *
 * Ownership: every string and vector is owned by the record and freed by
 * et_record_release().  Strings are never NULL once a record is filled:
 * "" means absent.
 *
 * Borrowed records: the records a loaded repo hands out (repodata.h,
 * et_repo_records()) point into the repo's string pool so that 500,000 of
 * them cost no allocation; they are `const`, live as long as the repo, and
 * are never released.  et_record_copy() makes an owned record from any
 * record.
 */
#ifndef LIBCONDA_RECORD_H
#define LIBCONDA_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbkit/error.h"
#include "nbkit/strvec.h"

enum et_noarch { ET_NOARCH_NONE, ET_NOARCH_GENERIC, ET_NOARCH_PYTHON };

struct et_record {
	char *name;
	char *version;
	char *build; /* build string, e.g. "py311h64a7726_0" */
	long build_number;
	char *subdir;  /* "linux-64", "noarch" ... */
	char *fn;      /* file name, e.g. "numpy-1.26.4-py311h64a7726_0.conda" */
	char *url;     /* full download URL */
	char *channel; /* canonical channel name ("conda-forge") or its URL */
	char *md5;     /* hex, "" when absent */
	char *sha256;  /* hex, "" when absent */
	char *license;
	char *license_family; /* "BSD", "GPL3": conda's license_family */
	uint64_t size;        /* bytes, 0 when absent */
	uint64_t timestamp_ms; /* normalised to milliseconds (conda's rule: values < 253402300799 are seconds) */
	enum et_noarch noarch;
	struct nbk_strvec depends;        /* MatchSpec strings */
	struct nbk_strvec constrains;     /* MatchSpec strings */
	struct nbk_strvec track_features; /* split from a string or a list */
	struct nbk_strvec features;       /* legacy `features` */
	int channel_index; /* position of its channel in the request (0 = highest priority) */
};

void et_record_init(struct et_record *r);
void et_record_release(struct et_record *r);
/* Fill dst (not initialised) with owned copies of src's fields. */
void et_record_copy(struct et_record *dst, const struct et_record *src);

/* Longest package file name kept: NAME_MAX of the filesystems a cache lives on. */
#define ET_RECORD_FN_MAX 255

/*
 * Can rec's names become file names?  Every record from data (repodata,
 * an @EXPLICIT line, a conda-meta or journal record, a package's
 * index.json) passes here before its names are used: the package cache
 * folder is PKGS/<fn without extension>, the archive PKGS/<fn>, the
 * conda-meta file NAME-VERSION-BUILD.json (issue 9: a record whose fn was
 * "...conda" made the cache folder "PKGS/..").  The grammar:
 * - name and version are not empty; name, version and build hold no '/'
 *   and no control character; name does not start with '.';
 * - fn, when the record has one, is a plain NAME-VERSION-BUILD.conda or
 *   NAME-VERSION-BUILD.tar.bz2: at most ET_RECORD_FN_MAX bytes, no '/',
 *   no control character, no leading '.', no "..", a non-empty stem, and
 *   the stem is the record's NAME-VERSION-BUILD (NAME-VERSION-... when the
 *   build is unknown).
 * Returns 0, or -1 with err saying "package 'FN': why" (names escaped,
 * one line).
 */
int et_record_check_names(const struct et_record *rec, struct nbk_error *err);

/*
 * The length of a package archive's name without its ".conda" or
 * ".tar.bz2" (NAME-VERSION-BUILD, the "dist" conda names folders after),
 * or 0 when fn has neither ending or nothing before it.
 */
size_t et_record_fn_stem(const char *fn);

#endif
