/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conda's VersionOrder: parsing and comparison (see version.h for the
 * rules).  The parser works on caller-provided storage so that
 * et_version_strcmp() can compare two strings on the stack; the bounds are
 * computed from the length up front: a normalised string of n bytes has at
 * most n + 2 components (epoch, one per separator, plus one) and at most
 * n + components atoms (one per byte, plus a 0 in front of each).
 */
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "version.h"

static const char dev_str[] = "DEV";
static const struct et_vatom zero_atom = { "", 0, ET_VATOM_NUM };

struct vwork {
	char *norm;             /* n + 1 bytes */
	struct et_vcomp *comps; /* n + 2 */
	struct et_vatom *atoms; /* 2n + 2 */
	uint32_t ncomps;
	uint32_t natoms;
	uint32_t nver;
};

/* Python's str.strip() on ASCII: whitespace and the separators 0x1c-0x1f. */
static bool is_pyspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_sep(char c)
{
	return c == '.' || c == '_';
}

/* version_check_re: ^[*.+!_0-9a-z]+$ */
static bool valid_char(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '*' || c == '.' || c == '+' ||
	       c == '!' || c == '_';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_pyspace((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_pyspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Split one component's text into atoms (version_split_re). */
static int add_component(struct vwork *w, const char *p, size_t n, struct nbk_error *err)
{
	struct et_vcomp *c = &w->comps[w->ncomps++];
	size_t i = 0;

	if (n == 0)
		return nbk_error_set(err, 0, "empty version component");
	c->first = w->natoms;
	if (!is_digit(p[0]))
		w->atoms[w->natoms++] = zero_atom;
	while (i < n) {
		struct et_vatom *a = &w->atoms[w->natoms++];
		size_t j = i;

		if (is_digit(p[i])) {
			while (j < n && is_digit(p[j]))
				j++;
			while (i < j && p[i] == '0')
				i++;
			a->kind = ET_VATOM_NUM;
		} else if (p[i] == '*') {
			while (j < n && p[j] == '*')
				j++;
			a->kind = ET_VATOM_STR;
		} else {
			while (j < n && !is_digit(p[j]) && p[j] != '*')
				j++;
			a->kind = ET_VATOM_STR;
			if (j - i == 4 && memcmp(p + i, "post", 4) == 0)
				a->kind = ET_VATOM_POST;
		}
		a->s = p + i;
		a->len = (uint32_t)(j - i);
		if (a->kind == ET_VATOM_STR && a->len == 3 && memcmp(a->s, "dev", 3) == 0)
			a->s = dev_str;
		i = j;
	}
	c->n = w->natoms - c->first;
	return 0;
}

/*
 * Split p[0..n) at '.' and '_' into components.  With glue_underscore, a
 * trailing '_' is not a separator but part of the last component (conda
 * 4.x+: "1.1_" sorts between "1.1dev1" and "1.1a1").
 */
static int add_part(struct vwork *w, const char *p, size_t n, bool glue_underscore,
		    struct nbk_error *err)
{
	size_t end = n, start = 0, i;
	bool glued = glue_underscore && n && p[n - 1] == '_';

	if (glued)
		end = n - 1;
	for (i = 0; i <= end; i++) {
		if (i < end && !is_sep(p[i]))
			continue;
		if (i == end && glued) {
			if (add_component(w, p + start, end - start + 1, err) < 0)
				return -1;
		} else if (add_component(w, p + start, i - start, err) < 0) {
			return -1;
		}
		start = i + 1;
	}
	return 0;
}

/*
 * Parse s[0..len) into w, whose arrays must hold the bounds above for
 * len bytes.  Returns 0, or -1 with err set.
 */
static int parse_into(struct vwork *w, const char *s, size_t len, struct nbk_error *err)
{
	size_t i, nbang = 0, nplus = 0, bang = 0, plus = 0;
	bool invalid = false, dash = false, under = false;
	char *p = w->norm;

	w->ncomps = w->natoms = w->nver = 0;
	if (len == 0)
		return nbk_error_set(err, 0, "empty version string");
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!valid_char(c))
			invalid = true;
		if (c == '-')
			dash = true;
		if (c == '_')
			under = true;
		p[i] = c;
	}
	p[len] = '\0';
	if (invalid && dash && !under) {
		/* Dashes are allowed as long as there are no underscores. */
		invalid = false;
		for (i = 0; i < len; i++) {
			if (p[i] == '-')
				p[i] = '_';
			if (!valid_char(p[i]))
				invalid = true;
		}
	}
	if (invalid)
		return nbk_error_set(err, 0, "invalid character(s)");

	for (i = 0; i < len; i++) {
		if (p[i] == '!') {
			nbang++;
			bang = i;
		}
	}
	if (nbang > 1)
		return nbk_error_set(err, 0, "duplicated epoch separator '!'");
	if (nbang == 1) {
		if (bang == 0)
			return nbk_error_set(err, 0, "epoch must be an integer");
		for (i = 0; i < bang; i++)
			if (!is_digit(p[i]))
				return nbk_error_set(err, 0, "epoch must be an integer");
		if (add_component(w, p, bang, err) < 0)
			return -1;
		bang++;
	} else {
		static const char zero_epoch[] = "0";

		if (add_component(w, zero_epoch, 1, err) < 0)
			return -1;
	}

	for (i = bang; i < len; i++) {
		if (p[i] == '+') {
			nplus++;
			plus = i;
		}
	}
	if (nplus > 1)
		return nbk_error_set(err, 0, "duplicated local version separator '+'");
	if (nplus == 0)
		plus = len;
	if (plus == bang)
		return nbk_error_set(err, 0, "missing version before local version separator '+'");
	if (add_part(w, p + bang, plus - bang, true, err) < 0)
		return -1;
	w->nver = w->ncomps;
	if (nplus && add_part(w, p + plus + 1, len - plus - 1, false, err) < 0)
		return -1;
	return 0;
}

int et_version_parse(const char *s, size_t len, struct et_version **out, struct nbk_error *err)
{
	struct et_version *v;
	struct vwork w;
	size_t ncap, acap;
	char *block;

	*out = NULL;
	trim(&s, &len);
	if (len > ET_VERSION_MAX)
		return nbk_error_set(err, 0, "version longer than %d bytes", ET_VERSION_MAX);
	ncap = len + 2;
	acap = 2 * len + 2;
	/* One block: struct, atoms, components, string. */
	block = nbk_xmalloc(sizeof(*v) + acap * sizeof(struct et_vatom) +
			    ncap * sizeof(struct et_vcomp) + len + 1);
	v = (struct et_version *)(void *)block;
	w.atoms = (struct et_vatom *)(void *)(block + sizeof(*v));
	w.comps = (struct et_vcomp *)(void *)(w.atoms + acap);
	w.norm = (char *)(w.comps + ncap);
	if (parse_into(&w, s, len, err) < 0) {
		free(block);
		return -1;
	}
	v->norm = w.norm;
	v->nver = w.nver;
	v->nlocal = w.ncomps - w.nver;
	v->comps = w.comps;
	v->atoms = w.atoms;
	*out = v;
	return 0;
}

void et_version_free(struct et_version *v)
{
	free(v);
}

static int atom_cmp(const struct et_vatom *a, const struct et_vatom *b)
{
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case ET_VATOM_NUM:
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
		return a->len ? memcmp(a->s, b->s, a->len) : 0;
	case ET_VATOM_STR:
		c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		if (c)
			return c;
		return a->len < b->len ? -1 : a->len > b->len;
	default:
		return 0;
	}
}

/* A run of components, for the comparisons below. */
struct crange {
	const struct et_vcomp *c;
	const struct et_vatom *atoms;
	uint32_t n;
};

static int comp_cmp(const struct et_vatom *a, uint32_t na, const struct et_vatom *b, uint32_t nb)
{
	uint32_t j, m = na > nb ? na : nb;

	for (j = 0; j < m; j++) {
		int c = atom_cmp(j < na ? &a[j] : &zero_atom, j < nb ? &b[j] : &zero_atom);

		if (c)
			return c;
	}
	return 0;
}

/* zip_longest over components with [] as fill, then over atoms with 0. */
static int range_cmp(struct crange a, struct crange b)
{
	uint32_t i, m = a.n > b.n ? a.n : b.n;

	for (i = 0; i < m; i++) {
		const struct et_vatom *pa = NULL, *pb = NULL;
		uint32_t na = 0, nb = 0;
		int c;

		if (i < a.n) {
			pa = a.atoms + a.c[i].first;
			na = a.c[i].n;
		}
		if (i < b.n) {
			pb = b.atoms + b.c[i].first;
			nb = b.c[i].n;
		}
		c = comp_cmp(pa, na, pb, nb);
		if (c)
			return c;
	}
	return 0;
}

static struct crange ver_range(const struct et_version *v)
{
	struct crange r = { v->comps, v->atoms, v->nver };

	return r;
}

static struct crange local_range(const struct et_version *v)
{
	struct crange r = { v->comps + v->nver, v->atoms, v->nlocal };

	return r;
}

int et_version_compare(const struct et_version *a, const struct et_version *b)
{
	int c = range_cmp(ver_range(a), ver_range(b));

	return c ? c : range_cmp(local_range(a), local_range(b));
}

bool et_version_startswith(const struct et_version *v, const struct et_version *prefix)
{
	struct crange t1, t2, h1, h2;
	const struct et_vatom *v1 = NULL, *v2, *c1, *c2;
	uint32_t nt, n1 = 0, n2;

	if (prefix->nlocal) {
		if (range_cmp(ver_range(v), ver_range(prefix)) != 0)
			return false;
		t1 = local_range(v);
		t2 = local_range(prefix);
	} else {
		t1 = ver_range(v);
		t2 = ver_range(prefix);
	}
	/* t1[:nt] == t2[:nt] with nt = len(t2) - 1 */
	nt = t2.n - 1;
	h1 = t1;
	h1.n = t1.n < nt ? t1.n : nt;
	h2 = t2;
	h2.n = nt;
	if (range_cmp(h1, h2) != 0)
		return false;
	if (t1.n > nt) {
		v1 = t1.atoms + t1.c[nt].first;
		n1 = t1.c[nt].n;
	}
	v2 = t2.atoms + t2.c[nt].first;
	n2 = t2.c[nt].n;
	/* v1[:n2-1] == v2[:n2-1], then the last atom of v2 */
	nt = n2 - 1;
	if (comp_cmp(v1, n1 < nt ? n1 : nt, v2, nt) != 0)
		return false;
	c1 = n1 <= nt ? &zero_atom : &v1[nt];
	c2 = &v2[nt];
	if (c2->kind == ET_VATOM_STR)
		return c1->kind == ET_VATOM_STR && c1->len >= c2->len &&
		       memcmp(c1->s, c2->s, c2->len) == 0;
	return atom_cmp(c1, c2) == 0;
}

/*
 * Storage for parsing on the stack: enough for the common case, heap
 * beyond.
 */
#define SMALL 48

struct vstack {
	struct vwork w;
	struct et_version v;
	void *heap;
	char norm[SMALL + 1];
	struct et_vcomp comps[SMALL + 2];
	struct et_vatom atoms[2 * SMALL + 2];
};

static int stack_parse(struct vstack *st, const char *s)
{
	size_t len = strlen(s);

	st->heap = NULL;
	trim(&s, &len);
	if (len > ET_VERSION_MAX)
		return -1;
	if (len <= SMALL) {
		st->w.norm = st->norm;
		st->w.comps = st->comps;
		st->w.atoms = st->atoms;
	} else {
		char *b = nbk_xmalloc((2 * len + 2) * sizeof(struct et_vatom) +
				      (len + 2) * sizeof(struct et_vcomp) + len + 1);

		st->heap = b;
		st->w.atoms = (struct et_vatom *)(void *)b;
		st->w.comps = (struct et_vcomp *)(void *)(st->w.atoms + 2 * len + 2);
		st->w.norm = (char *)(st->w.comps + len + 2);
	}
	if (parse_into(&st->w, s, len, NULL) < 0) {
		free(st->heap);
		st->heap = NULL;
		return -1;
	}
	st->v.norm = st->w.norm;
	st->v.nver = st->w.nver;
	st->v.nlocal = st->w.ncomps - st->w.nver;
	st->v.comps = st->w.comps;
	st->v.atoms = st->w.atoms;
	return 0;
}

bool et_version_valid(const char *s)
{
	struct vstack st;

	if (stack_parse(&st, s) < 0)
		return false;
	free(st.heap);
	return true;
}

int et_version_strcmp(const char *a, const char *b)
{
	struct vstack sa, sb;
	int ra, rb, c;

	ra = stack_parse(&sa, a);
	rb = stack_parse(&sb, b);
	if (ra < 0 || rb < 0) {
		c = ra < 0 && rb < 0 ? strcmp(a, b) : (ra < 0 ? -1 : 1);
	} else {
		c = et_version_compare(&sa.v, &sb.v);
		c = c < 0 ? -1 : c > 0;
	}
	free(sa.heap);
	free(sb.heap);
	return c;
}
