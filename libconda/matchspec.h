/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conda's VersionSpec and MatchSpec (conda/models/version.py,
 * conda/models/match_spec.py).
 *
 * VersionSpec: "1.7.1" (exact, "1.7" == "1.7.0"), "==1.7", "!=", "<", "<=",
 * ">", ">=", "~=1.10" (>= and same prefix without the last component), "=1.7"
 * and "1.7.*" / "1.7*" (component prefix), "*" (anything), globs with an
 * inner '*' ("1.*.1"), "^...$" regexes (POSIX extended), combined with ","
 * (and, binding tighter) and "|" (or), with parentheses.
 *
 * MatchSpec: "name", "name VERSION [BUILD]", "name=VERSION[=BUILD]",
 * "name==VERSION", "name>=1,<2", "channel::name", "channel/subdir::name",
 * bracket keys "name[version='>=1.2',build=py311*,build_number=2]" (they
 * win over the rest, except name=, which is ignored as conda does; a
 * bracket version is cleaned as one outside: "[version='==3.9.*']" is
 * "3.9.*"; license and license_family match case-insensitively), text
 * after the brackets ("(target=...,optional)", ignored), "# comment",
 * "feature@" (legacy track_features).  A bare version ("numpy 1.7") is
 * exact, "numpy=1.7" a prefix.  Names follow CEP 26 (a-z 0-9 . _ -, no
 * two separators in a row; "__" only before a virtual package's name):
 * another is refused with its column, as conda refuses it.
 */
#ifndef LIBCONDA_MATCHSPEC_H
#define LIBCONDA_MATCHSPEC_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "nbkit/error.h"
#include "record.h"
#include "version.h"

/* Longest spec accepted (specs come from repodata too: hostile). */
#define ET_SPEC_MAX 4096

enum et_vspec_kind {
	ET_VSPEC_ANY,   /* "*" */
	ET_VSPEC_AND,   /* kids, all */
	ET_VSPEC_OR,    /* kids, any */
	ET_VSPEC_OP,    /* op against ver */
	ET_VSPEC_GLOB,  /* text with '*' wildcards, on the raw string */
	ET_VSPEC_REGEX, /* ^...$ on the raw string */
	ET_VSPEC_STR,   /* text compared as a string (conda: contains '@') */
};

enum et_vspec_op {
	ET_OP_EQ,
	ET_OP_NE,
	ET_OP_LT,
	ET_OP_LE,
	ET_OP_GT,
	ET_OP_GE,
	ET_OP_PREFIX,     /* "=1.7", "1.7.*" */
	ET_OP_NOT_PREFIX, /* "!=1.7.*" */
	ET_OP_COMPAT,     /* "~=1.7.2" */
};

/* A version spec tree.  Free with et_vspec_free(). */
struct et_vspec {
	enum et_vspec_kind kind;
	enum et_vspec_op op;
	struct et_version *ver;  /* OP */
	struct et_version *ver2; /* COMPAT: the prefix (ver without its last '.' part) */
	char *text;              /* GLOB, STR: the pattern; every node: its spec text */
	regex_t *re;             /* REGEX */
	struct et_vspec **kids;  /* AND, OR */
	size_t nkids;
};

/*
 * Parse a version spec.  Returns 0 and *out (free with et_vspec_free()), or
 * -1 with err naming the offending part and its byte offset in s.
 */
int et_vspec_parse(const char *s, struct et_vspec **out, struct nbk_error *err);
void et_vspec_free(struct et_vspec *vs);

/*
 * Does a version match?  raw is the version string as in the record (globs
 * and regexes look at it); v its parse, or NULL when raw does not parse
 * (then only globs, regexes and "*" can match).
 */
bool et_vspec_match(const struct et_vspec *vs, const char *raw, const struct et_version *v);
/* The same, parsing raw itself. */
bool et_vspec_match_str(const struct et_vspec *vs, const char *raw);
/* true when the spec is one exact version ("1.7", "==1.7"). */
bool et_vspec_is_exact(const struct et_vspec *vs);

/* How a string field is matched: exactly, by '*' glob, or by ^...$ regex. */
enum et_strmatch_kind { ET_STR_NONE, ET_STR_EXACT, ET_STR_GLOB, ET_STR_REGEX };

struct et_strmatch {
	enum et_strmatch_kind kind;
	bool icase; /* license: compare lower-cased */
	char *pat;
	regex_t *re;
};

/* How build_number is matched: exactly, by operator, or by regex. */
struct et_bnmatch {
	bool set;
	bool any;
	enum et_vspec_op op; /* ET_OP_EQ for an exact number */
	long num;            /* exact */
	struct et_version *ver;
	regex_t *re;
	char *text;
};

/*
 * A parsed MatchSpec.  Absent fields match anything.  Free with
 * et_matchspec_free().
 */
struct et_matchspec {
	char *name; /* lower case; "*" or a glob when name_glob */
	bool name_glob;
	char *channel; /* canonical name or URL, NULL when absent */
	struct et_strmatch subdir;
	struct et_vspec *version; /* NULL when absent */
	struct et_strmatch build;
	struct et_bnmatch build_number;
	struct et_strmatch md5, sha256, fn, url, license, license_family;
	bool has_track_features, has_features;
	struct nbk_strvec track_features; /* sorted, set equality */
	struct nbk_strvec features;
	bool optional;      /* "(optional)" */
	char *text;         /* the spec as given, comment stripped, trimmed */
	char *version_text; /* the version part, as conda normalises it, or NULL */
};

/*
 * Parse a MatchSpec.  Returns 0 and *out, or -1 with err saying what is
 * wrong and where: "invalid spec 'numpy >=1.': at 6: ...".
 */
int et_matchspec_parse(const char *s, struct et_matchspec **out, struct nbk_error *err);
void et_matchspec_free(struct et_matchspec *ms);

/* Does rec satisfy every field of ms? */
bool et_matchspec_match(const struct et_matchspec *ms, const struct et_record *rec);
/* The same with the record's version already parsed (NULL if invalid). */
bool et_matchspec_match_v(const struct et_matchspec *ms, const struct et_record *rec,
			  const struct et_version *v);
/* Only the name part (exact or glob). */
bool et_matchspec_match_name(const struct et_matchspec *ms, const char *name);

/*
 * The package name a spec is about, found without parsing the rest: after
 * the last ':' ("conda-forge::numpy >=1.2"), up to a blank or one of
 * "=<>!~[(" ("py*[version=3]": "py*").  Returns its length (0: none) and
 * *start; the name is as written (not lower-cased, a glob or "mkl@" kept).
 * Cheap enough for the solver's closure over every dependency of a
 * channel; et_matchspec_parse() is the judge of whether the spec is valid.
 */
size_t et_spec_name_span(const char *spec, const char **start);

/*
 * The '*'-glob matcher used for names, builds and version globs: every
 * other byte is literal.
 */
bool et_glob_match(const char *pat, const char *s);

#endif
