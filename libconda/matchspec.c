/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conda's VersionSpec and MatchSpec: parsing and matching (matchspec.h).
 *
 * The parsers follow conda/models/version.py and match_spec.py step by
 * step (the same precedence, the same version/build split, the same '='
 * rewriting) and are stricter only where conda silently ignores garbage
 * ("numpy=", text after ']', "(1)(2)") or crashes: those are errors here,
 * with the column where the problem is.
 *
 * Specs arrive from repodata (depends, constrains), so every input is
 * hostile: lengths are bounded, regexes are POSIX extended with bounded
 * repetition counts, globs are matched by a linear-space matcher.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "matchspec.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/str.h"

/* ---- small helpers ---------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static void trim_range(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_space(s[*start]))
		(*start)++;
	while (*end > *start && is_space(s[*end - 1]))
		(*end)--;
}

bool et_glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++mark;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/*
 * Compile a "^...$" regex as POSIX extended.  Python's \d and \D become
 * [0-9] / [^0-9].  glibc's regcomp() copies the subexpression under every
 * '+' and {m,n} (so "a++++..." doubles the automaton at each '+'), and
 * back-references make regexec() exponential: a hostile spec gets a short
 * pattern, few '+', one small bound and no back-references.
 */
#define REGEX_MAX 256
#define REGEX_PLUS_MAX 4
#define REGEX_BOUND_MAX 16
#define REGEX_BOUNDS_MAX 1

/*
 * Compile pat (len bytes, the text between a spec's ^ and $ included, no NUL
 * needed) under the bounds above.  Returns 0 with *out a compiled regex the
 * caller frees with free_regex(); or -1 with err and *out untouched for a
 * pattern over REGEX_MAX bytes, a NUL, a back-reference, more than
 * REGEX_PLUS_MAX '+', more than REGEX_BOUNDS_MAX bounds or one above
 * REGEX_BOUND_MAX, or what regcomp() rejects.
 */
static int compile_regex(const char *pat, size_t len, regex_t **out, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
	regex_t *re;
	size_t i, nbounds = 0, nplus = 0;
	bool in_class = false;
	int rc;

	if (len > REGEX_MAX)
		return nbk_error_set(err, 0, "regex longer than %d bytes", REGEX_MAX);
	for (i = 0; i < len; i++) {
		char c = pat[i];

		if (c == '\0')
			return nbk_error_set(err, 0, "NUL in regex");
		if (c == '\\' && i + 1 < len) {
			char d = pat[i + 1];

			if (!in_class && d >= '1' && d <= '9')
				return nbk_error_set(err, 0,
						     "back-references are not supported in regex");
			if (!in_class && (d == 'd' || d == 'D')) {
				nbk_buf_addstr(&b, d == 'd' ? "[0-9]" : "[^0-9]");
			} else {
				nbk_buf_addch(&b, c);
				nbk_buf_addch(&b, d);
			}
			i++;
			continue;
		}
		if (c == '[' && !in_class) {
			in_class = true;
			nbk_buf_addch(&b, c);
			/* a ']' right after '[' or '[^' is literal */
			if (i + 1 < len && pat[i + 1] == '^') {
				nbk_buf_addch(&b, '^');
				i++;
			}
			if (i + 1 < len && pat[i + 1] == ']') {
				nbk_buf_addch(&b, ']');
				i++;
			}
			continue;
		}
		if (c == ']' && in_class)
			in_class = false;
		if (c == '+' && !in_class && ++nplus > REGEX_PLUS_MAX)
			return nbk_error_set(err, 0, "regex has more than %d '+'", REGEX_PLUS_MAX);
		if (c == '{' && !in_class) {
			size_t j = i + 1;
			unsigned long n = 0;

			if (++nbounds > REGEX_BOUNDS_MAX)
				return nbk_error_set(err, 0,
						     "regex has too many repetition bounds");
			for (; j < len && pat[j] != '}'; j++) {
				if (pat[j] >= '0' && pat[j] <= '9') {
					n = n * 10 + (unsigned long)(pat[j] - '0');
					if (n > REGEX_BOUND_MAX)
						return nbk_error_set(
							err, 0, "regex repetition bound above %d",
							REGEX_BOUND_MAX);
				} else if (pat[j] == ',') {
					n = 0;
				} else {
					break;
				}
			}
		}
		nbk_buf_addch(&b, c);
	}
	re = nbk_xmalloc(sizeof(*re));
	rc = regcomp(re, b.data, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[128];

		regerror(rc, re, msg, sizeof(msg));
		free(re);
		return nbk_error_set(err, 0, "invalid regex: %s", msg);
	}
	*out = re;
	return 0;
}

static void free_regex(regex_t *re)
{
	if (re) {
		regfree(re);
		free(re);
	}
}

static bool regex_match(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

/*
 * A spec quoted in a message: at most SHOWN_MAX bytes and "...", so that
 * the column after it always fits in the message.
 */
#define SHOWN_MAX 160
#define SHOWN(s)                                                   \
	(strlen(s) > SHOWN_MAX ? SHOWN_MAX : (int)strlen(s)), (s), \
		(strlen(s) > SHOWN_MAX ? "..." : "")

/* ---- VersionSpec ------------------------------------------------------ */

void et_vspec_free(struct et_vspec *vs)
{
	size_t i;

	if (!vs)
		return;
	for (i = 0; i < vs->nkids; i++)
		et_vspec_free(vs->kids[i]);
	free(vs->kids);
	et_version_free(vs->ver);
	et_version_free(vs->ver2);
	free_regex(vs->re);
	free(vs->text);
	free(vs);
}

static struct et_vspec *vspec_new(enum et_vspec_kind kind, const char *text, size_t len)
{
	struct et_vspec *vs = nbk_xcalloc(1, sizeof(*vs));

	vs->kind = kind;
	vs->text = nbk_xstrndup(text, len);
	return vs;
}

/* Errors inside a spec carry the offset of the problem. */
struct perr {
	struct nbk_error *err;
	size_t pos;
};

static int perr_set(struct perr *pe, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr_set(struct perr *pe, size_t pos, const char *fmt, ...)
{
	char msg[NBK_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pe->pos = pos;
	return nbk_error_set(pe->err, 0, "%s", msg);
}

static int parse_version_at(const char *s, size_t len, size_t pos, struct et_version **out,
			    struct perr *pe)
{
	struct nbk_error e = NBK_ERROR_INIT;

	if (et_version_parse(s, len, out, &e) < 0)
		return perr_set(pe, pos, "invalid version '%.*s': %s", (int)len, s, e.msg);
	return 0;
}

/*
 * One leaf of a version spec tree (no '|', ',' or parentheses in it):
 * s[0..len), already trimmed by the caller, at offset pos of what the user
 * wrote.  Becomes, in conda's order: a "^...$" regex (compile_regex()'s
 * bounds), an operator and a version ("==", "!=", "<=", ">=", "~=", "=",
 * "<", ">"; a trailing ".*" turns "!=" into "not a prefix"), "*" (any), a
 * glob, a prefix ("1.2*", "1.2.*"), a plain string when it holds '@', or
 * an exact version.  Returns 0 with *out a new node the caller frees with
 * et_vspec_free(); or -1 with pe set at the column of the problem and
 * *out NULL.
 */
static int vspec_leaf(const char *s, size_t len, size_t pos, struct et_vspec **out, struct perr *pe)
{
	struct et_vspec *vs;

	*out = NULL;
	if (len == 0)
		return perr_set(pe, pos, "empty version spec");
	if (s[0] == '^' || s[len - 1] == '$') {
		struct nbk_error e = NBK_ERROR_INIT;

		if (s[0] != '^' || s[len - 1] != '$' || len < 2)
			return perr_set(pe, pos,
					"regex specs must start with '^' and end with '$'");
		vs = vspec_new(ET_VSPEC_REGEX, s, len);
		if (compile_regex(s, len, &vs->re, &e) < 0) {
			et_vspec_free(vs);
			return perr_set(pe, pos, "%s", e.msg);
		}
		*out = vs;
		return 0;
	}
	if (strchr("=<>!~", s[0])) {
		/* version_relation_re: ^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$ */
		static const struct {
			const char *str;
			enum et_vspec_op op;
		} ops[] = {
			{ "==", ET_OP_EQ }, { "!=", ET_OP_NE },     { "<=", ET_OP_LE },
			{ ">=", ET_OP_GE }, { "~=", ET_OP_COMPAT }, { "=", ET_OP_PREFIX },
			{ "<", ET_OP_LT },  { ">", ET_OP_GT },
		};
		size_t i, oplen = 0, vlen;
		enum et_vspec_op op = ET_OP_EQ;
		const char *v;

		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			size_t n = strlen(ops[i].str);

			if (len > n && memcmp(s, ops[i].str, n) == 0 && !strchr("=<>!~", s[n])) {
				oplen = n;
				op = ops[i].op;
				break;
			}
		}
		if (!oplen)
			return perr_set(pe, pos, "invalid operator in '%.*s'", (int)len, s);
		v = s + oplen;
		vlen = len - oplen;
		for (i = 0; i < vlen; i++)
			if (is_space(v[i]))
				return perr_set(pe, pos + oplen + i, "space in '%.*s'", (int)len,
						s);
		if (vlen >= 2 && v[vlen - 2] == '.' && v[vlen - 1] == '*') {
			/* ">=1.2.*" is ">=1.2", "!=1.2.*" is "not a prefix" */
			if (op == ET_OP_COMPAT)
				return perr_set(pe, pos, "invalid operator with '.*' in '%.*s'",
						(int)len, s);
			if (op == ET_OP_NE)
				op = ET_OP_NOT_PREFIX;
			vlen -= 2;
		}
		vs = vspec_new(ET_VSPEC_OP, s, len);
		vs->op = op;
		if (parse_version_at(v, vlen, pos + oplen, &vs->ver, pe) < 0) {
			et_vspec_free(vs);
			return -1;
		}
		if (op == ET_OP_COMPAT) {
			/* ~=X.Y: >= X.Y and starts with X (split at the last '.') */
			const char *norm = vs->ver->norm, *dot = strrchr(norm, '.');

			if (!dot || dot == norm) {
				et_vspec_free(vs);
				return perr_set(pe, pos,
						"'~=' needs a version with a '.' in '%.*s'",
						(int)len, s);
			}
			if (parse_version_at(norm, (size_t)(dot - norm), pos + oplen, &vs->ver2,
					     pe) < 0) {
				et_vspec_free(vs);
				return -1;
			}
		}
		*out = vs;
		return 0;
	}
	if (len == 1 && s[0] == '*') {
		*out = vspec_new(ET_VSPEC_ANY, s, len);
		return 0;
	}
	{
		size_t stripped = len;

		while (stripped && s[stripped - 1] == '*')
			stripped--;
		if (memchr(s, '*', stripped)) {
			*out = vspec_new(ET_VSPEC_GLOB, s, len);
			return 0;
		}
		if (stripped < len) {
			/* "1.2*" and "1.2.*" are the prefix 1.2 */
			_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
			size_t n;

			/* conda: "1.2*" becomes "1.2.*" (the last '*' replaced) */
			if (len >= 2 && s[len - 2] == '.') {
				nbk_buf_add(&b, s, len);
			} else {
				nbk_buf_add(&b, s, len - 1);
				nbk_buf_addstr(&b, ".*");
			}
			n = b.len;
			while (n && b.data[n - 1] == '*')
				n--;
			while (n && b.data[n - 1] == '.')
				n--;
			vs = vspec_new(ET_VSPEC_OP, s, len);
			vs->op = ET_OP_PREFIX;
			if (parse_version_at(b.data, n, pos, &vs->ver, pe) < 0) {
				et_vspec_free(vs);
				return -1;
			}
			*out = vs;
			return 0;
		}
	}
	if (memchr(s, '@', len)) {
		*out = vspec_new(ET_VSPEC_STR, s, len);
		return 0;
	}
	vs = vspec_new(ET_VSPEC_OP, s, len);
	vs->op = ET_OP_EQ;
	if (parse_version_at(s, len, pos, &vs->ver, pe) < 0) {
		et_vspec_free(vs);
		return -1;
	}
	*out = vs;
	return 0;
}

/* Operator stack entries and output stack for treeify. */
#define VSPEC_OPS_MAX 128

struct tree {
	struct et_vspec **out;
	size_t nout, aout;
	char ops[VSPEC_OPS_MAX];
	size_t opos[VSPEC_OPS_MAX];
	size_t nops;
};

static void tree_push(struct tree *t, struct et_vspec *vs)
{
	if (t->nout == t->aout) {
		t->aout = t->aout ? 2 * t->aout : 8;
		t->out = nbk_xrealloc(t->out, t->aout * sizeof(*t->out));
	}
	t->out[t->nout++] = vs;
}

static void add_kid(struct et_vspec *p, struct et_vspec *k)
{
	if (k->kind == p->kind) {
		/* fuse (a|b)|c into a|b|c */
		size_t i;

		for (i = 0; i < k->nkids; i++)
			add_kid(p, k->kids[i]);
		k->nkids = 0;
		et_vspec_free(k);
		return;
	}
	p->kids = nbk_xrealloc(p->kids, (p->nkids + 1) * sizeof(*p->kids));
	p->kids[p->nkids++] = k;
}

/* Pop operators until one in `stop` (conda's apply_ops). */
static int apply_ops(struct tree *t, const char *stop, struct perr *pe)
{
	while (t->nops && !strchr(stop, t->ops[t->nops - 1])) {
		char c = t->ops[--t->nops];
		struct et_vspec *l, *r, *p;

		if (t->nout < 2)
			return perr_set(pe, t->opos[t->nops],
					"'%c' needs an expression on each side", c);
		r = t->out[--t->nout];
		l = t->out[--t->nout];
		p = nbk_xcalloc(1, sizeof(*p));
		p->kind = c == '|' ? ET_VSPEC_OR : ET_VSPEC_AND;
		add_kid(p, l);
		add_kid(p, r);
		tree_push(t, p);
	}
	return 0;
}

static int push_op(struct tree *t, char c, size_t pos, struct perr *pe)
{
	if (t->nops == sizeof(t->ops))
		return perr_set(pe, pos, "version spec nested too deeply");
	t->ops[t->nops] = c;
	t->opos[t->nops++] = pos;
	return 0;
}

/* Rebuild the text of inner nodes for messages. */
static void set_text(struct et_vspec *vs, bool in_and)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	if (vs->kind != ET_VSPEC_AND && vs->kind != ET_VSPEC_OR)
		return;
	if (vs->kind == ET_VSPEC_OR && in_and)
		nbk_buf_addch(&b, '(');
	for (i = 0; i < vs->nkids; i++) {
		set_text(vs->kids[i], vs->kind == ET_VSPEC_AND);
		if (i)
			nbk_buf_addch(&b, vs->kind == ET_VSPEC_AND ? ',' : '|');
		nbk_buf_addstr(&b, vs->kids[i]->text);
	}
	if (vs->kind == ET_VSPEC_OR && in_and)
		nbk_buf_addch(&b, ')');
	free(vs->text);
	vs->text = nbk_buf_detach(&b, NULL);
}

/*
 * conda's treeify: tokens are "^...$" regexes, the characters ( ) | , and
 * runs of anything else; ',' binds tighter than '|'.  pos is the offset of
 * s in what the user wrote.
 */
static int vspec_tree(const char *s, size_t len, size_t pos, struct et_vspec **out, struct perr *pe)
{
	struct tree t = { 0 };
	size_t i = 0;
	int rc = -1;

	*out = NULL;
	if (push_op(&t, '(', pos, pe) < 0)
		goto out;
	while (i <= len) {
		size_t j = i, start;

		if (i == len) {
			/* the closing parenthesis conda wraps the spec in */
			if (apply_ops(&t, "(", pe) < 0)
				goto out;
			if (!t.nops || t.ops[t.nops - 1] != '(') {
				perr_set(pe, pos + len, "unbalanced ')'");
				goto out;
			}
			t.nops--;
			break;
		}
		while (j < len && is_space(s[j]))
			j++;
		if (j < len && s[j] == '^') {
			const char *dollar = memchr(s + j, '$', len - j);

			if (dollar) {
				size_t end = (size_t)(dollar - s) + 1;
				struct et_vspec *leaf;

				if (vspec_leaf(s + j, end - j, pos + j, &leaf, pe) < 0)
					goto out;
				tree_push(&t, leaf);
				i = end;
				continue;
			}
		}
		if (j < len && strchr("()|,", s[j])) {
			char c = s[j];

			i = j + 1;
			if (c == '|') {
				if (apply_ops(&t, "(", pe) < 0 || push_op(&t, '|', pos + j, pe) < 0)
					goto out;
			} else if (c == ',') {
				if (apply_ops(&t, "|(", pe) < 0 ||
				    push_op(&t, ',', pos + j, pe) < 0)
					goto out;
			} else if (c == '(') {
				if (push_op(&t, '(', pos + j, pe) < 0)
					goto out;
			} else {
				if (apply_ops(&t, "(", pe) < 0)
					goto out;
				if (t.nops <= 1) {
					perr_set(pe, pos + j, "unbalanced ')'");
					goto out;
				}
				t.nops--;
			}
			continue;
		}
		/* a run of anything else, from i (spaces included) */
		start = i;
		j = i;
		while (j < len && !strchr("()|,", s[j]))
			j++;
		i = j;
		{
			size_t a = start, b = j;
			struct et_vspec *leaf;

			trim_range(s, &a, &b);
			if (vspec_leaf(s + a, b - a, pos + a, &leaf, pe) < 0)
				goto out;
			tree_push(&t, leaf);
		}
	}
	if (t.nops) {
		perr_set(pe, t.opos[t.nops - 1], "unbalanced '('");
		goto out;
	}
	if (t.nout != 1) {
		perr_set(pe, pos,
			 t.nout ? "missing ',' or '|' between expressions" : "empty version spec");
		goto out;
	}
	*out = t.out[0];
	t.nout = 0;
	set_text(*out, false);
	rc = 0;
out:
	while (t.nout)
		et_vspec_free(t.out[--t.nout]);
	free(t.out);
	return rc;
}

/* regex_split_re: anything with ( ) | , ^ $ goes through treeify. */
static int vspec_parse_at(const char *s, size_t len, size_t pos, struct et_vspec **out,
			  struct perr *pe)
{
	size_t a = 0, b = len;

	if (len > ET_SPEC_MAX)
		return perr_set(pe, pos, "version spec longer than %d bytes", ET_SPEC_MAX);
	if (memchr(s, '\0', len))
		return perr_set(pe, pos, "NUL in version spec");
	trim_range(s, &a, &b);
	{
		size_t i;

		for (i = a; i < b; i++)
			if (strchr("()|,^$", s[i]))
				return vspec_tree(s + a, b - a, pos + a, out, pe);
	}
	return vspec_leaf(s + a, b - a, pos + a, out, pe);
}

int et_vspec_parse(const char *s, struct et_vspec **out, struct nbk_error *err)
{
	struct perr pe = { err, 0 };

	if (vspec_parse_at(s, strlen(s), 0, out, &pe) < 0)
		return nbk_error_prefix(err, "invalid version spec '%.*s%s': column %zu", SHOWN(s),
					pe.pos + 1);
	return 0;
}

bool et_vspec_match(const struct et_vspec *vs, const char *raw, const struct et_version *v)
{
	size_t i;
	int c;

	switch (vs->kind) {
	case ET_VSPEC_ANY:
		return true;
	case ET_VSPEC_AND:
		for (i = 0; i < vs->nkids; i++)
			if (!et_vspec_match(vs->kids[i], raw, v))
				return false;
		return true;
	case ET_VSPEC_OR:
		for (i = 0; i < vs->nkids; i++)
			if (et_vspec_match(vs->kids[i], raw, v))
				return true;
		return false;
	case ET_VSPEC_GLOB:
		return et_glob_match(vs->text, raw);
	case ET_VSPEC_REGEX:
		return regex_match(vs->re, raw);
	case ET_VSPEC_STR:
		return strcmp(vs->text, raw) == 0;
	case ET_VSPEC_OP:
		break;
	}
	if (!v)
		return false;
	switch (vs->op) {
	case ET_OP_PREFIX:
		return et_version_startswith(v, vs->ver);
	case ET_OP_NOT_PREFIX:
		return !et_version_startswith(v, vs->ver);
	case ET_OP_COMPAT:
		return et_version_compare(v, vs->ver) >= 0 && et_version_startswith(v, vs->ver2);
	default:
		break;
	}
	c = et_version_compare(v, vs->ver);
	switch (vs->op) {
	case ET_OP_EQ:
		return c == 0;
	case ET_OP_NE:
		return c != 0;
	case ET_OP_LT:
		return c < 0;
	case ET_OP_LE:
		return c <= 0;
	case ET_OP_GT:
		return c > 0;
	case ET_OP_GE:
		return c >= 0;
	default:
		return false;
	}
}

bool et_vspec_match_str(const struct et_vspec *vs, const char *raw)
{
	struct et_version *v = NULL;
	bool r;

	(void)et_version_parse(raw, strlen(raw), &v, NULL);
	r = et_vspec_match(vs, raw, v);
	et_version_free(v);
	return r;
}

bool et_vspec_is_exact(const struct et_vspec *vs)
{
	return (vs->kind == ET_VSPEC_OP && vs->op == ET_OP_EQ) || vs->kind == ET_VSPEC_STR;
}

/* ---- string and build-number matchers --------------------------------- */

static void strmatch_release(struct et_strmatch *m)
{
	free(m->pat);
	free_regex(m->re);
	memset(m, 0, sizeof(*m));
}

/* GlobStrMatch: ^...$ regex, glob when it has '*', else exact. */
static int strmatch_set(struct et_strmatch *m, const char *v, bool glob, bool icase, size_t pos,
			struct perr *pe)
{
	size_t len = strlen(v), i;

	strmatch_release(m);
	m->pat = nbk_xstrdup(v);
	m->icase = icase;
	if (icase)
		for (i = 0; i < len; i++)
			m->pat[i] = (char)tolower((unsigned char)m->pat[i]);
	m->kind = ET_STR_EXACT;
	if (!glob)
		return 0;
	if (len >= 2 && v[0] == '^' && v[len - 1] == '$') {
		struct nbk_error e = NBK_ERROR_INIT;

		m->kind = ET_STR_REGEX;
		if (compile_regex(m->pat, len, &m->re, &e) < 0)
			return perr_set(pe, pos, "%s", e.msg);
	} else if (strchr(v, '*')) {
		m->kind = ET_STR_GLOB;
	}
	return 0;
}

static bool strmatch_match(const struct et_strmatch *m, const char *s)
{
	char small[128];
	char *low = NULL;
	bool r = false;

	if (m->kind == ET_STR_NONE)
		return true;
	if (m->icase) {
		size_t n = strlen(s), i;

		low = n < sizeof(small) ? small : nbk_xmalloc(n + 1);
		for (i = 0; i <= n; i++)
			low[i] = (char)tolower((unsigned char)s[i]);
		s = low;
	}
	switch (m->kind) {
	case ET_STR_EXACT:
		r = strcmp(m->pat, s) == 0;
		break;
	case ET_STR_GLOB:
		r = et_glob_match(m->pat, s);
		break;
	case ET_STR_REGEX:
		r = regex_match(m->re, s);
		break;
	default:
		break;
	}
	if (low && low != small)
		free(low);
	return r;
}

static void bnmatch_release(struct et_bnmatch *m)
{
	et_version_free(m->ver);
	free_regex(m->re);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

/* Python's int(): optional sign, digits, surrounding whitespace. */
static bool parse_int(const char *s, long *out)
{
	char *end;
	long v;

	while (is_space(*s))
		s++;
	if (!*s || !(isdigit((unsigned char)*s) || *s == '+' || *s == '-'))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s)
		return false;
	while (is_space(*end))
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

/* BuildNumberMatch */
static int bnmatch_set(struct et_bnmatch *m, const char *v, size_t pos, struct perr *pe)
{
	size_t len;

	bnmatch_release(m);
	m->set = true;
	m->text = nbk_xstrdup(v);
	if (parse_int(v, &m->num)) {
		m->op = ET_OP_EQ;
		return 0;
	}
	while (is_space(*v))
		v++;
	len = strlen(v);
	while (len && is_space(v[len - 1]))
		len--;
	if (len == 1 && v[0] == '*') {
		m->any = true;
		return 0;
	}
	if (len && strchr("=<>!", v[0])) {
		struct et_vspec *vs;

		if (vspec_leaf(v, len, pos, &vs, pe) < 0)
			return -1;
		if (vs->kind != ET_VSPEC_OP || vs->op == ET_OP_NOT_PREFIX ||
		    vs->op == ET_OP_COMPAT) {
			et_vspec_free(vs);
			return perr_set(pe, pos, "invalid build_number '%s'", m->text);
		}
		m->op = vs->op;
		m->ver = vs->ver;
		vs->ver = NULL;
		et_vspec_free(vs);
		return 0;
	}
	if (len >= 2 && v[0] == '^' && v[len - 1] == '$') {
		struct nbk_error e = NBK_ERROR_INIT;

		if (compile_regex(v, len, &m->re, &e) < 0)
			return perr_set(pe, pos, "%s", e.msg);
		return 0;
	}
	/* conda accepts it and never matches: say so instead */
	return perr_set(pe, pos, "invalid build_number '%s'", m->text);
}

static bool bnmatch_match(const struct et_bnmatch *m, long bn)
{
	char s[32];
	struct et_version *v = NULL;
	int c;
	bool r;

	if (!m->set || m->any)
		return true;
	if (!m->ver && !m->re)
		return bn == m->num;
	snprintf(s, sizeof(s), "%ld", bn);
	if (m->re)
		return regex_match(m->re, s);
	if (bn < 0 || et_version_parse(s, strlen(s), &v, NULL) < 0)
		return false;
	c = et_version_compare(v, m->ver);
	switch (m->op) {
	case ET_OP_EQ:
		r = c == 0;
		break;
	case ET_OP_NE:
		r = c != 0;
		break;
	case ET_OP_LT:
		r = c < 0;
		break;
	case ET_OP_LE:
		r = c <= 0;
		break;
	case ET_OP_GT:
		r = c > 0;
		break;
	case ET_OP_GE:
		r = c >= 0;
		break;
	case ET_OP_PREFIX:
		r = et_version_startswith(v, m->ver);
		break;
	default:
		r = false;
		break;
	}
	et_version_free(v);
	return r;
}

/* FeatureMatch: split at spaces and commas, a set. */
static void feature_set(struct nbk_strvec *sv, const char *v)
{
	const char *p = v;

	nbk_strvec_release(sv);
	while (*p) {
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, " ,");
		if (n) {
			char *f = nbk_xstrndup(p, n);

			if (nbk_strvec_find(sv, f) < 0)
				nbk_strvec_push_owned(sv, f);
			else
				free(f);
		}
		p += n;
	}
	nbk_strvec_sort(sv);
}

static bool feature_match(const struct nbk_strvec *want, const struct nbk_strvec *have)
{
	size_t i, n = 0;

	for (i = 0; i < have->n; i++) {
		const char *f = have->v[i];
		size_t j;
		bool dup = false;

		while (*f == ' ')
			f++;
		if (!*f)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(have->v[j], have->v[i]) == 0)
				dup = true;
		if (dup)
			continue;
		if (nbk_strvec_find(want, f) < 0)
			return false;
		n++;
	}
	return n == want->n;
}

/* ---- MatchSpec -------------------------------------------------------- */

void et_matchspec_free(struct et_matchspec *ms)
{
	if (!ms)
		return;
	free(ms->name);
	free(ms->channel);
	strmatch_release(&ms->subdir);
	et_vspec_free(ms->version);
	strmatch_release(&ms->build);
	bnmatch_release(&ms->build_number);
	strmatch_release(&ms->md5);
	strmatch_release(&ms->sha256);
	strmatch_release(&ms->fn);
	strmatch_release(&ms->url);
	strmatch_release(&ms->license);
	strmatch_release(&ms->license_family);
	nbk_strvec_release(&ms->track_features);
	nbk_strvec_release(&ms->features);
	free(ms->text);
	free(ms->version_text);
	free(ms);
}

static const char *const known_subdirs[] = {
	"noarch",       "linux-32",          "linux-64",      "linux-aarch64", "linux-armv6l",
	"linux-armv7l", "linux-ppc64",       "linux-ppc64le", "linux-riscv64", "linux-s390x",
	"osx-64",       "osx-arm64",         "win-32",        "win-64",        "win-arm64",
	"zos-z",        "emscripten-wasm32", "wasi-wasm32",   "freebsd-64",
};

static bool is_known_subdir(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(known_subdirs) / sizeof(known_subdirs[0]); i++)
		if (strlen(known_subdirs[i]) == n && memcmp(known_subdirs[i], s, n) == 0)
			return true;
	return false;
}

/* "conda-forge/linux-64" -> channel conda-forge, subdir linux-64 */
static void set_channel(struct et_matchspec *ms, const char *s, size_t n)
{
	const char *slash;

	while (n && s[n - 1] == '/') /* s is not NUL-terminated at n */
		n--;
	if (!n)
		return;
	slash = memrchr(s, '/', n);
	if (slash && is_known_subdir(slash + 1, n - (size_t)(slash - s) - 1)) {
		char *sub = nbk_xstrndup(slash + 1, n - (size_t)(slash - s) - 1);

		strmatch_release(&ms->subdir);
		ms->subdir.kind = ET_STR_EXACT;
		ms->subdir.pat = sub;
		n = (size_t)(slash - s);
	}
	free(ms->channel);
	ms->channel = n ? nbk_xstrndup(s, n) : NULL;
}

struct mctx {
	const char *orig; /* the spec as given */
	char *w;          /* working copy, same offsets */
	size_t len;
	struct perr pe;
};

/*
 * _parse_version_plus_build: the first split (in the regex engine's order)
 * into VERSION[ =]BUILD where the character before the separator is not
 * one of =!|,<>~ and BUILD has none of -=,|<>~; else all of it is VERSION.
 */
static bool vb_split_ok(const char *s, size_t n, size_t l)
{
	size_t i;

	if (l < 1 || l + 1 >= n || (s[l] != ' ' && s[l] != '='))
		return false;
	if (strchr("=!|,<>~", s[l - 1]))
		return false;
	for (i = l + 1; i < n; i++)
		if (strchr("-=,|<>~", s[i]))
			return false;
	return true;
}

static size_t vb_split(const char *s, size_t n)
{
	size_t k;

	for (k = 1; k < n; k++) {
		if (!strchr("><!,|", s[k]) && vb_split_ok(s, n, k + 1))
			return k + 1;
		if (vb_split_ok(s, n, k))
			return k;
	}
	return n;
}

/*
 * conda's _sanitize_version_str, the one clean-up of a version written
 * outside brackets and inside them: without a build, "==1.7" is "1.7";
 * "=1.7" is the prefix "1.7*" ("=1.7*" and "=*" lose only the '='); with
 * a build, "=1.7" and "==1.7" are "1.7"; "=" and "==" alone, and text
 * with '=', ',' or '|' after the leading '=', are kept for the parse to
 * judge.  Returns a new string; *skip is how many bytes were dropped from
 * the front (for the columns of errors).
 */
static char *sanitize_version(const char *v, bool has_build, size_t *skip)
{
	size_t eq = strspn(v, "="), rl;
	const char *rest = v + eq;

	*skip = 0;
	if (!eq || !*rest)
		return nbk_xstrdup(v);
	if (eq >= 2 && !has_build) {
		*skip = eq;
		return nbk_xstrdup(rest);
	}
	if (strpbrk(rest, "=,|"))
		return nbk_xstrdup(v);
	*skip = eq;
	rl = strlen(rest);
	if (!has_build && rest[rl - 1] != '*')
		return nbk_xasprintf("%s*", rest);
	return nbk_xstrdup(rest);
}

/*
 * The spec's version, written outside brackets (has_build: a build follows
 * it) or in them, at column pos: sanitize_version(), refused when only an
 * operator is left, parsed into ms->version; ms->version_text keeps the
 * cleaned text.  The one way in for both places.
 */
static int set_version(struct et_matchspec *ms, struct perr *pe, const char *v, bool has_build,
		       size_t pos)
{
	size_t skip;

	et_vspec_free(ms->version);
	ms->version = NULL;
	free(ms->version_text);
	ms->version_text = sanitize_version(v, has_build, &skip);
	pos += skip;
	if (!ms->version_text[strspn(ms->version_text, "=<>!~")])
		return perr_set(pe, pos, "missing version after '%s'", ms->version_text);
	return vspec_parse_at(ms->version_text, strlen(ms->version_text), pos, &ms->version, pe);
}

static bool name_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool name_sep(char c)
{
	return c == '.' || c == '_' || c == '-';
}

/*
 * CEP 26, conda's _validate_package_name, on a lower-cased name of n
 * bytes (globs are not checked): only a-z, 0-9, '.', '_' and '-'; the
 * first byte a letter, a digit or a '_' not followed by another ("__"
 * starts a virtual package, "__cuda": then a letter or digit); after
 * that, at most one separator, then runs of letters and digits each
 * followed by one separator or the end.  Returns -1 when the name is
 * valid, else the offset of the first offending byte, with *chars true
 * when it is a byte outside the alphabet.
 */
static long name_invalid_at(const char *s, size_t n, bool *chars)
{
	size_t i;

	*chars = false;
	for (i = 0; i < n; i++) {
		if (!name_alnum(s[i]) && !name_sep(s[i])) {
			*chars = true;
			return (long)i;
		}
	}
	if (!n)
		return 0;
	if (n >= 2 && s[0] == '_' && s[1] == '_') {
		if (n < 3 || !name_alnum(s[2]))
			return n < 3 ? 1 : 2;
		i = 3;
	} else if (name_alnum(s[0]) || s[0] == '_') {
		i = 1;
	} else {
		return 0;
	}
	if (i < n && name_sep(s[i]))
		i++;
	while (i < n) {
		if (!name_alnum(s[i]))
			return (long)i;
		while (i < n && name_alnum(s[i]))
			i++;
		if (i < n)
			i++; /* one separator */
	}
	return -1;
}

/* Bracket keys that MatchSpec accepts. */
static int set_field(struct et_matchspec *ms, struct mctx *c, const char *key, const char *val,
		     size_t pos)
{
	struct perr *pe = &c->pe;

	/* conda cleans it as outside brackets, always as if without a build */
	if (strcmp(key, "version") == 0)
		return set_version(ms, pe, val, false, pos);
	if (strcmp(key, "build") == 0 || strcmp(key, "build_string") == 0)
		return strmatch_set(&ms->build, val, true, false, pos, pe);
	if (strcmp(key, "build_number") == 0)
		return bnmatch_set(&ms->build_number, val, pos, pe);
	/*
	 * conda and mamba keep the name written outside the brackets:
	 * "tensorflow[name=*,md5=...]" must not install another package.
	 */
	if (strcmp(key, "name") == 0)
		return 0;
	if (strcmp(key, "channel") == 0) {
		set_channel(ms, val, strlen(val));
		return 0;
	}
	if (strcmp(key, "subdir") == 0)
		return strmatch_set(&ms->subdir, val, false, false, pos, pe);
	if (strcmp(key, "md5") == 0)
		return strmatch_set(&ms->md5, val, false, false, pos, pe);
	if (strcmp(key, "sha256") == 0)
		return strmatch_set(&ms->sha256, val, false, false, pos, pe);
	if (strcmp(key, "fn") == 0)
		return strmatch_set(&ms->fn, val, false, false, pos, pe);
	if (strcmp(key, "url") == 0)
		return strmatch_set(&ms->url, val, false, false, pos, pe);
	if (strcmp(key, "license") == 0)
		return strmatch_set(&ms->license, val, true, true, pos, pe);
	if (strcmp(key, "license_family") == 0)
		return strmatch_set(&ms->license_family, val, true, true, pos, pe);
	if (strcmp(key, "track_features") == 0) {
		ms->has_track_features = true;
		feature_set(&ms->track_features, val);
		return 0;
	}
	if (strcmp(key, "features") == 0) {
		ms->has_features = true;
		feature_set(&ms->features, val);
		return 0;
	}
	return perr_set(pe, pos, "cannot match on field '%s'", key);
}

static bool is_key_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

/*
 * Parse "key=value, key='v a l', key=\"v\"" from w[a..b) (the inside of the
 * brackets).  With apply false, only check that it is key=value pairs
 * (for a parenthesised "(optional)"/"(target=...)" section).
 */
static int parse_keyvals(struct et_matchspec *ms, struct mctx *c, size_t a, size_t b, bool apply,
			 bool *optional)
{
	const char *s = c->w;
	size_t i = a;

	while (i < b) {
		_cleanup_free_ char *key = NULL;
		_cleanup_free_ char *val = NULL;
		size_t ks, vs, ve;

		while (i < b && (s[i] == ',' || s[i] == ' '))
			i++;
		if (i >= b)
			break;
		ks = i;
		while (i < b && is_key_char(s[i]))
			i++;
		if (!apply && i - ks == 8 && memcmp(s + ks, "optional", 8) == 0 &&
		    (i == b || s[i] == ',' || s[i] == ' ')) {
			*optional = true;
			continue;
		}
		if (i == ks || i >= b || s[i] != '=')
			return perr_set(&c->pe, i, "expected key=value in brackets");
		key = nbk_xstrndup(s + ks, i - ks);
		i++;
		if (i < b && (s[i] == '\'' || s[i] == '"')) {
			char q = s[i++];

			vs = i;
			while (i < b && s[i] != q)
				i++;
			if (i >= b)
				return perr_set(&c->pe, vs - 1, "unterminated quote in brackets");
			ve = i++;
			if (i < b && s[i] != ',' && s[i] != ' ')
				return perr_set(&c->pe, i, "expected ',' after quoted value");
		} else {
			vs = i;
			while (i < b && s[i] != ',' && s[i] != ' ')
				i++;
			ve = i;
			if (memchr(s + vs, '[', ve - vs) || memchr(s + vs, ']', ve - vs))
				return perr_set(&c->pe, vs,
						"multiple brackets sections not allowed");
			if (memchr(s + vs, '\'', ve - vs) || memchr(s + vs, '"', ve - vs))
				return perr_set(&c->pe, vs, "stray quote in brackets");
		}
		if (ve == vs)
			return perr_set(&c->pe, vs,
					"key-value mismatch in brackets: empty value for '%s'",
					key);
		val = nbk_xstrndup(s + vs, ve - vs);
		if (!apply) {
			if (strcmp(key, "optional") != 0 && strcmp(key, "target") != 0)
				return -1;
			continue;
		}
		if (set_field(ms, c, key, val, vs) < 0)
			return -1;
	}
	return 0;
}

/*
 * conda's steps 4 to 7 on c->w[0..n), what is left once the comment and
 * the brackets are cut out: a trailing "(optional)" or "(target=...)"
 * section, channel::, the name (checked by name_invalid_at()), version and
 * build.  Stores into ms; returns 0, or -1 with c->pe set at a column of
 * c->w.
 */
static int parse_rest(struct et_matchspec *ms, struct mctx *c, size_t n)
{
	char *w = c->w;
	size_t i, a, b, name_s, name_e, vstart = 0, vpos = 0;
	_cleanup_free_ char *version = NULL;
	_cleanup_free_ char *build = NULL;

	/* Step 4: a trailing "(optional)" or "(target=...)" section */
	{
		const char *r = memrchr(w, ')', n);

		if (r) {
			const char *l = memrchr(w, '(', (size_t)(r - w));
			bool optional = false;
			struct perr saved = c->pe;
			struct nbk_error e = NBK_ERROR_INIT;

			c->pe.err = &e;
			if (l && parse_keyvals(ms, c, (size_t)(l - w) + 1, (size_t)(r - w), false,
					       &optional) == 0) {
				size_t k;

				for (k = (size_t)(r - w) + 1; k < n && is_space(w[k]); k++)
					;
				if (k == n) {
					n = (size_t)(l - w);
					ms->optional = optional;
				}
			}
			c->pe = saved;
		}
	}

	/* Step 5: channel::name (rsplit(':', 2)) */
	{
		char *last = memrchr(w, ':', n);

		if (last) {
			char *colon2 = memrchr(w, ':', (size_t)(last - w));

			if (colon2) {
				size_t cs = 0, ce = (size_t)(colon2 - w);

				trim_range(w, &cs, &ce);
				set_channel(ms, w + cs, ce - cs);
				if (ms->channel && strcmp(ms->channel, "*") == 0) {
					free(ms->channel);
					ms->channel = NULL;
				}
			}
			/* the namespace between the colons is reserved by conda: ignored */
			vstart = (size_t)(last - w) + 1;
		}
	}

	/* Step 6: name: ([^ =<>!~]+)?([><!=~ ].+)?, then CEP 26 */
	name_s = vstart;
	name_e = name_s;
	while (name_e < n && !strchr(" =<>!~", w[name_e]))
		name_e++;
	if (name_e == name_s)
		return perr_set(&c->pe, name_s, "no package name found");
	ms->name = nbk_xstrndup(w + name_s, name_e - name_s);
	for (i = 0; ms->name[i]; i++)
		ms->name[i] = (char)tolower((unsigned char)ms->name[i]);
	ms->name_glob = strchr(ms->name, '*') != NULL;
	if (!ms->name_glob) {
		bool chars;
		long at = name_invalid_at(ms->name, name_e - name_s, &chars);

		if (at >= 0 && chars)
			return perr_set(
				&c->pe, name_s + (size_t)at,
				"package name '%s' has a character outside a-z 0-9 . _ -%s",
				ms->name,
				ms->name[at] == '/' ? " (a channel is written CHANNEL::NAME)" : "");
		if (at >= 0)
			return perr_set(&c->pe, name_s + (size_t)at, "invalid package name '%s'",
					ms->name);
	}

	/* Step 7: version and build */
	a = name_e;
	b = n;
	trim_range(w, &a, &b);
	if (a < b) {
		size_t l = vb_split(w + a, b - a), k;
		struct nbk_buf vbuf = NBK_BUF_INIT;

		vpos = a;
		for (k = 0; k < l; k++)
			if (w[a + k] != ' ')
				nbk_buf_addch(&vbuf, w[a + k]);
		version = nbk_buf_detach(&vbuf, NULL);
		if (l < b - a) {
			size_t bs = a + l + 1, be = b;

			trim_range(w, &bs, &be);
			build = nbk_xstrndup(w + bs, be - bs);
		}
		if (set_version(ms, &c->pe, version, build != NULL, vpos) < 0)
			return -1;
		if (build && strmatch_set(&ms->build, build, true, false, vpos, &c->pe) < 0)
			return -1;
	}
	return 0;
}

/*
 * Parse c->w, a writable copy of the spec c->orig (c->len bytes), into ms,
 * conda's MatchSpec grammar in conda's order of steps (numbered below):
 * "feature@", comment and " if ", a package file or URL, [key=value]
 * brackets (from the first '[' to the last ']', cut out of the spec), then
 * parse_rest() on what is left, and the bracket keys last: they win over
 * the rest, except the name.  ms must be
 * zeroed with its strvecs initialised (et_matchspec_parse() does it); what
 * is parsed is stored into ms as it goes, owned by ms, so on failure the
 * caller frees ms with et_matchspec_free().  c->w is trimmed and cut in
 * place; c->len follows.  Returns 0, or -1 with c->pe's error set and
 * c->pe.pos the column in the trimmed spec (the caller shifts it back by
 * the leading blanks).
 */
static int matchspec_parse(struct et_matchspec *ms, struct mctx *c)
{
	char *w = c->w;
	size_t n = c->len, i, lb = SIZE_MAX, rb = SIZE_MAX, a, b, hole = 0;
	_cleanup_free_ char *bracket_copy = NULL;

	/* legacy "feature@": a track_features query */
	if (n && w[n - 1] == '@') {
		ms->name = nbk_xstrdup("*");
		ms->name_glob = true;
		ms->has_track_features = true;
		w[n - 1] = '\0';
		feature_set(&ms->track_features, w);
		ms->text = nbk_xstrdup(c->orig);
		return 0;
	}
	/* Step 1: comment; 1b: " if " conditions (ignored, as conda does) */
	for (i = 0; i < n; i++) {
		if (w[i] == '#' || (i + 4 <= n && memcmp(w + i, " if ", 4) == 0)) {
			n = i;
			break;
		}
	}
	a = 0;
	b = n;
	trim_range(w, &a, &b);
	if (a == b)
		return perr_set(&c->pe, 0, "empty spec"); /* trimmed: column 1 */
	ms->text = nbk_xstrndup(w + a, b - a);
	for (i = a; i < b; i++)
		w[i - a] = w[i];
	n = b - a;
	w[n] = '\0';
	c->len = n;
	/* the offsets below are in the trimmed string; shift errors back */

	/* Step 2: a package file or URL */
	if ((n > 6 && memcmp(w + n - 6, ".conda", 6) == 0) ||
	    (n > 8 && memcmp(w + n - 8, ".tar.bz2", 8) == 0)) {
		const char *base = memrchr(w, '/', n), *dir = NULL;
		size_t extlen = w[n - 1] == 'a' ? 6 : 8, blen;
		_cleanup_free_ char *stem = NULL;
		char *d1, *d2;

		base = base ? base + 1 : w;
		blen = (size_t)(w + n - base);
		strmatch_set(&ms->fn, base, false, false, 0, &c->pe);
		if (strstr(w, "://")) {
			strmatch_set(&ms->url, w, false, false, 0, &c->pe);
		} else {
			_cleanup_free_ char *u = nbk_xasprintf("file://%s", w);

			strmatch_set(&ms->url, u, false, false, 0, &c->pe);
		}
		if (base - w >= 2) {
			const char *e = base - 1;

			dir = e;
			while (dir > w && dir[-1] != '/')
				dir--;
			if (!is_known_subdir(dir, (size_t)(e - dir))) {
				dir = NULL;
			} else {
				ms->subdir.kind = ET_STR_EXACT;
				ms->subdir.pat = nbk_xstrndup(dir, (size_t)(e - dir));
			}
		}
		stem = nbk_xstrndup(base, blen - extlen);
		d2 = strrchr(stem, '-');
		if (d2)
			*d2 = '\0';
		d1 = d2 ? strrchr(stem, '-') : NULL;
		if (dir && d1 && d2) {
			*d1 = '\0';
			ms->name = nbk_xstrdup(stem);
			ms->version = vspec_new(ET_VSPEC_STR, d1 + 1, strlen(d1 + 1));
			ms->version_text = nbk_xstrdup(d1 + 1);
			strmatch_set(&ms->build, d2 + 1, false, false, 0, &c->pe);
		} else {
			ms->name = nbk_xstrdup("*");
			ms->name_glob = true;
		}
		return 0;
	}

	/*
	 * Step 3: brackets, cut out of the spec as conda does (what follows
	 * them, such as "(optional)", is parsed with the rest).  conda takes
	 * the last '[' that has a ']' after it, which breaks on a regex value
	 * with a class ("build='^py[23]$'"); here they run from the first '['
	 * to the last ']'.  The keys are applied last, from a copy.
	 */
	{
		const char *l = memchr(w, '[', n), *r = memrchr(w, ']', n);

		if (l && (!r || r < l))
			return perr_set(&c->pe, (size_t)(l - w), "unbalanced '['");
		if (!l && r)
			return perr_set(&c->pe, (size_t)(r - w), "unbalanced ']'");
		if (l) {
			lb = (size_t)(l - w);
			rb = (size_t)(r - w);
		}
	}
	if (lb != SIZE_MAX) {
		hole = rb - lb + 1;
		bracket_copy = nbk_xstrdup(w);
		memmove(w + lb, w + rb + 1, n - rb); /* with the NUL */
		n -= hole;
	}
	if (parse_rest(ms, c, n) < 0) {
		/* columns after the cut-out brackets move back to where they were */
		if (hole && c->pe.pos >= lb)
			c->pe.pos += hole;
		return -1;
	}

	/* Step 8: bracket keys win (but not over the name) */
	if (bracket_copy) {
		char *saved = c->w;
		int rc;

		c->w = bracket_copy;
		rc = parse_keyvals(ms, c, lb + 1, rb, true, NULL);
		c->w = saved;
		return rc;
	}
	return 0;
}

int et_matchspec_parse(const char *s, struct et_matchspec **out, struct nbk_error *err)
{
	struct et_matchspec *ms;
	struct mctx c;
	size_t len = strlen(s), lead = 0;
	int rc;

	*out = NULL;
	if (len > ET_SPEC_MAX)
		return nbk_error_set(err, 0, "invalid spec: longer than %d bytes", ET_SPEC_MAX);
	while (lead < len && is_space(s[lead]))
		lead++;
	ms = nbk_xcalloc(1, sizeof(*ms));
	nbk_strvec_init(&ms->track_features);
	nbk_strvec_init(&ms->features);
	c.orig = s;
	c.w = nbk_xstrdup(s);
	c.len = len;
	c.pe.err = err;
	c.pe.pos = 0;
	rc = matchspec_parse(ms, &c);
	free(c.w);
	if (rc < 0) {
		et_matchspec_free(ms);
		return nbk_error_prefix(err, "invalid spec '%.*s%s': column %zu", SHOWN(s),
					c.pe.pos + lead + 1);
	}
	*out = ms;
	return 0;
}

size_t et_spec_name_span(const char *spec, const char **start)
{
	const char *s = strrchr(spec, ':'), *e;

	s = s ? s + 1 : spec;
	while (is_space(*s))
		s++;
	for (e = s; *e && !is_space(*e) && !strchr("=<>!~[(#", *e); e++)
		;
	*start = s;
	return (size_t)(e - s);
}

/* Channels: a name matches itself and any URL that ends with "/name". */
static bool channel_match(const char *want, const char *have)
{
	size_t wl = nbk_str_rtrim_len(want, '/'), hl = nbk_str_rtrim_len(have, '/');

	if (strchr(want, '*')) {
		_cleanup_free_ char *h = nbk_xstrndup(have, hl);

		return et_glob_match(want, h);
	}
	if (wl == hl)
		return memcmp(want, have, wl) == 0;
	if (hl > wl && strstr(have, "://") && have[hl - wl - 1] == '/' &&
	    memcmp(have + hl - wl, want, wl) == 0)
		return true;
	if (wl > hl && strstr(want, "://") && want[wl - hl - 1] == '/' &&
	    memcmp(want + wl - hl, have, hl) == 0)
		return hl > 0;
	return false;
}

bool et_matchspec_match_name(const struct et_matchspec *ms, const char *name)
{
	if (ms->name_glob)
		return et_glob_match(ms->name, name);
	return strcmp(ms->name, name) == 0;
}

bool et_matchspec_match_v(const struct et_matchspec *ms, const struct et_record *rec,
			  const struct et_version *v)
{
	if (!et_matchspec_match_name(ms, rec->name))
		return false;
	if (ms->version && !et_vspec_match(ms->version, rec->version, v))
		return false;
	if (!strmatch_match(&ms->build, rec->build))
		return false;
	if (!bnmatch_match(&ms->build_number, rec->build_number))
		return false;
	if (ms->channel && !channel_match(ms->channel, rec->channel))
		return false;
	if (!strmatch_match(&ms->subdir, rec->subdir))
		return false;
	if (!strmatch_match(&ms->md5, rec->md5) || !strmatch_match(&ms->sha256, rec->sha256) ||
	    !strmatch_match(&ms->fn, rec->fn) || !strmatch_match(&ms->url, rec->url) ||
	    !strmatch_match(&ms->license, rec->license) ||
	    !strmatch_match(&ms->license_family, rec->license_family))
		return false;
	if (ms->has_track_features && !feature_match(&ms->track_features, &rec->track_features))
		return false;
	if (ms->has_features && !feature_match(&ms->features, &rec->features))
		return false;
	return true;
}

bool et_matchspec_match(const struct et_matchspec *ms, const struct et_record *rec)
{
	struct et_version *v = NULL;
	bool r;

	if (!et_matchspec_match_name(ms, rec->name))
		return false;
	(void)et_version_parse(rec->version, strlen(rec->version), &v, NULL);
	r = et_matchspec_match_v(ms, rec, v);
	et_version_free(v);
	return r;
}
