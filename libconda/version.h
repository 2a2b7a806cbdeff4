/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conda's VersionOrder (conda/models/version.py), exactly.
 *
 * A version string is lower-cased and checked against [*.+!_0-9a-z]
 * (dashes become underscores when there is no underscore); it splits into
 * an epoch ("N!", default 0), the version proper and a local part ("+...").
 * Each part splits into components at '.' and '_' (a trailing '_' stays
 * glued to the last component: openssl's "1.0.1_"), each component into
 * atoms: runs of digits (numbers), runs of '*', and runs of anything else
 * (strings).  A component that starts with a string gets a 0 in front, so
 * "1.1.a1" == "1.1.0a1".
 *
 * Atoms order as: strings < numbers < "post"; strings compare bytewise,
 * where "dev" sorts below every other string but above "*" runs (conda
 * upper-cases it).  A missing atom or component is the number 0, so
 * "1.1" == "1.1.0".  The local part is compared only when the rest is equal.
 * Numbers have no size limit (compared as digit strings).
 */
#ifndef LIBCONDA_VERSION_H
#define LIBCONDA_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbkit/error.h"

/* Longest version string accepted (conda has none; repodata is hostile). */
#define ET_VERSION_MAX 1024

enum et_vatom_kind { ET_VATOM_STR = 0, ET_VATOM_NUM = 1, ET_VATOM_POST = 2 };

/*
 * One atom.  For a number, s/len are its digits without leading zeros (0 is
 * len 0); for a string, its lower-case bytes ("dev" points at a static
 * "DEV").
 */
struct et_vatom {
	const char *s;
	uint32_t len;
	uint8_t kind;
};

/* A component: atoms[first .. first + n). */
struct et_vcomp {
	uint32_t first;
	uint32_t n;
};

/*
 * A parsed version.  comps[0] is the epoch, comps[0 .. nver) the version
 * proper, comps[nver .. nver + nlocal) the local part.  norm is the
 * normalised string (lower case, dashes replaced); atoms point into it.
 * One allocation: free with et_version_free().
 */
struct et_version {
	const char *norm;
	uint32_t nver;
	uint32_t nlocal;
	const struct et_vcomp *comps;
	const struct et_vatom *atoms;
};

/*
 * Parse the len bytes at s.  On success *out is a new version (free with
 * et_version_free()) and 0 is returned; on failure -1 and err says why, in
 * conda's words ("invalid character(s)", "empty version component" ...).
 */
int et_version_parse(const char *s, size_t len, struct et_version **out, struct nbk_error *err);
void et_version_free(struct et_version *v);

/* <0, 0, >0 as a sorts before, equal to, after b. */
int et_version_compare(const struct et_version *a, const struct et_version *b);

/*
 * conda's VersionOrder.startswith: v matches prefix up to prefix's last
 * atom, where that last atom, when a string, need only be a prefix
 * ("2013ab" starts with "2013a"; "1.70" does not start with "1.7").
 */
bool et_version_startswith(const struct et_version *v, const struct et_version *prefix);

/* true when s is a valid version. */
bool et_version_valid(const char *s);

/*
 * Compare two version strings without allocating (for qsort and the
 * solver).  Invalid strings sort before valid ones, and among themselves
 * by strcmp().
 */
int et_version_strcmp(const char *a, const char *b);

#endif
