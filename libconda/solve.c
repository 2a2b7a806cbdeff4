/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conda's solver semantics on Debian's libsolv (solve.h says what is
 * encoded how).  Why namespace dependencies: libsolv 0.7.23 in Debian is
 * built without LIBSOLV_FEATURE_CONDA, so it cannot parse "numpy >=1.24"
 * itself; a REL_NAMESPACE dependency hands each spec to nscallback(), which
 * returns the solvables that match.  libsolv accepts an install job whose
 * namespace has no provider without a word, so the user's specs are
 * checked for candidates before solving.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/problems.h>
#include <solv/queue.h>
#include <solv/repo.h>
#include <solv/rules.h>
#include <solv/solver.h>
#include <solv/transaction.h>

#include "matchspec.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/str.h"
#include "solve.h"
#include "version.h"

/* A spec that failed to parse: cached so that it is reported once. */
#define BAD_SPEC ((struct et_matchspec *)(uintptr_t)1)

/* Lines of explanation per problem, at most. */
#define EXPLAIN_MAX_LINES 12

struct sctx {
	Pool *pool;
	Repo *installed;
	Id ns_match;   /* "conda": solvables matching the spec */
	Id ns_nomatch; /* "conda-not": same name, not matching */
	/* by solvable id */
	const struct et_record **recs;
	struct et_version **vers;
	unsigned char *parsed;
	unsigned char *is_virtual;
	const char **chan_url; /* the record's channel base URL, or NULL */
	Id nsolv;
	/* solvables grouped by name: byname[name_start[nameid] .. + name_count[nameid]) */
	Id *byname;
	Id *name_start;
	Id *name_count;
	Id nnames;
	/* parsed specs by string id */
	struct et_matchspec **specs;
	struct nbk_strvec **spec_urls; /* a spec's channel as base URLs (resolve_channel) */
	Id nspecs;
	struct nbk_strvec owned_urls; /* installed records' channel URLs */
	bool pip_dep;                 /* add_pip, and a channel has pip */
	/* the user's specs: dep ids of the jobs */
	Id *job_deps;
	size_t njob_deps;
	const struct et_solve_request *req;
};

static const struct et_version *sver(struct sctx *c, Id p)
{
	if (!c->parsed[p]) {
		const char *v = c->recs[p]->version;

		c->parsed[p] = 1;
		(void)et_version_parse(v, strlen(v), &c->vers[p], NULL);
	}
	return c->vers[p];
}

static struct et_matchspec *spec_of(struct sctx *c, Id sid)
{
	if (sid >= c->nspecs) {
		/* geometric: tie_break() and the solve keep adding strings */
		Id n = c->pool->ss.nstrings + c->pool->ss.nstrings / 2 + 64;

		c->specs = nbk_xrealloc(c->specs, (size_t)n * sizeof(*c->specs));
		memset(c->specs + c->nspecs, 0, (size_t)(n - c->nspecs) * sizeof(*c->specs));
		c->spec_urls = nbk_xrealloc(c->spec_urls, (size_t)n * sizeof(*c->spec_urls));
		memset(c->spec_urls + c->nspecs, 0,
		       (size_t)(n - c->nspecs) * sizeof(*c->spec_urls));
		c->nspecs = n;
	}
	if (!c->specs[sid]) {
		struct et_matchspec *ms;

		if (et_matchspec_parse(pool_id2str(c->pool, sid), &ms, NULL) < 0)
			ms = BAD_SPEC;
		/*
		 * "conda-forge::numpy": the channel as the channel module
		 * resolves it (alias, custom_channels, default_channels, URLs;
		 * "defaults" is several), compared with the URL of the record's
		 * channel, not by the tail of its name.
		 */
		if (ms != BAD_SPEC && ms->channel && c->req->resolve_channel) {
			struct nbk_strvec *urls = nbk_xcalloc(1, sizeof(*urls));

			nbk_strvec_init(urls);
			if (c->req->resolve_channel(ms->channel, c->req->resolve_data, urls) == 0) {
				c->spec_urls[sid] = urls;
				free(ms->channel);
				ms->channel = NULL;
			} else {
				nbk_strvec_release(urls);
				free(urls);
			}
		}
		c->specs[sid] = ms;
	}
	return c->specs[sid] == BAD_SPEC ? NULL : c->specs[sid];
}

/* The channel URLs of the spec with string id sid (spec_of() first), or NULL. */
static const struct nbk_strvec *spec_url(struct sctx *c, Id sid)
{
	return sid > 0 && sid < c->nspecs ? c->spec_urls[sid] : NULL;
}

static bool url_eq(const char *a, const char *b)
{
	size_t la = nbk_str_rtrim_len(a, '/');

	return la == nbk_str_rtrim_len(b, '/') && memcmp(a, b, la) == 0;
}

static bool url_in(const struct nbk_strvec *urls, const char *url)
{
	size_t i;

	for (i = 0; url && i < urls->n; i++)
		if (url_eq(urls->v[i], url))
			return true;
	return false;
}

static bool match_p(struct sctx *c, const struct et_matchspec *ms, const struct nbk_strvec *urls,
		    Id p)
{
	if (urls && !url_in(urls, c->chan_url[p]))
		return false;
	return et_matchspec_match_v(ms, c->recs[p], sver(c, p));
}

/* The solvables whose record matches (want true) or, with the same name, does not. */
static void candidates(struct sctx *c, Id sid, const struct et_matchspec *ms, bool want, Queue *q)
{
	const struct nbk_strvec *url = spec_url(c, sid);
	Id p;

	if (!ms->name_glob) {
		Id nid = pool_str2id(c->pool, ms->name, 0);
		Id i;

		if (!nid || nid >= c->nnames)
			return;
		for (i = 0; i < c->name_count[nid]; i++) {
			p = c->byname[c->name_start[nid] + i];
			if (match_p(c, ms, url, p) == want)
				queue_push(q, p);
		}
		return;
	}
	for (p = 2; p < c->nsolv; p++) {
		if (!c->recs[p] || !et_matchspec_match_name(ms, c->recs[p]->name))
			continue;
		if (match_p(c, ms, url, p) == want)
			queue_push(q, p);
	}
}

static Id nscallback(Pool *pool, void *data, Id name, Id evr)
{
	struct sctx *c = data;
	struct et_matchspec *ms;
	Queue q;
	Id r;

	if (name != c->ns_match && name != c->ns_nomatch)
		return 0;
	ms = spec_of(c, evr);
	if (!ms)
		return 0;
	queue_init(&q);
	candidates(c, evr, ms, name == c->ns_match, &q);
	r = q.count ? pool_queuetowhatprovides(pool, &q) : 0;
	queue_free(&q);
	return r;
}

/* ---- ranking ----------------------------------------------------------- */

struct rankent {
	const struct et_record *rec;
	struct et_version *ver;
	int prio; /* channel priority, flexible only */
	Id name;
	const char *url;   /* the channel's base URL, or NULL */
	long repo;         /* its repo in the request; -1: installed or virtual */
	unsigned penalty;  /* track_features + legacy features nobody activated */
	unsigned active;   /* legacy features that are activated */
	bool requested;    /* its name is one that a user's spec names */
	unsigned long dev; /* tie-break: how far its dependencies fall below the best */
	unsigned rank;
};

/*
 * conda's preference, best last: channel priority (flexible), fewer
 * track_features (and legacy features nothing activated: libmamba's
 * first key), version, build number; conda's feature metric (more
 * activated legacy features: `cpuonly` requested prefers the `features:
 * cpuonly` build) comes after the build number for a requested package
 * and before the version for a dependency, as in conda's objectives
 * (requested versions, feature count, feature metric, requested builds,
 * dependency versions).  Then pref_cmp()'s tie-break and timestamp.
 */
static int pref_base(const struct rankent *a, const struct rankent *b)
{
	int c;

	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (a->penalty != b->penalty)
		return a->penalty > b->penalty ? -1 : 1;
	if (!a->requested && a->active != b->active)
		return a->active < b->active ? -1 : 1;
	if (a->ver && b->ver) {
		c = et_version_compare(a->ver, b->ver);
		if (c)
			return c;
	} else if (a->ver || b->ver) {
		return a->ver ? 1 : -1;
	}
	if (a->rec->build_number != b->rec->build_number)
		return a->rec->build_number < b->rec->build_number ? -1 : 1;
	if (a->requested && a->active != b->active)
		return a->active < b->active ? -1 : 1;
	return 0;
}

/*
 * pref_base(), then the tie-break (dev, filled by tie_break()) before the
 * timestamp: conda's test_timestamps_and_deps, where the older build whose
 * dependency can take libpng 1.5 beats the newer one held to libpng 1.2.
 */
static int pref_cmp(const struct rankent *a, const struct rankent *b)
{
	int c = pref_base(a, b);

	if (c)
		return c;
	if (a->dev != b->dev)
		return a->dev > b->dev ? -1 : 1;
	if (a->rec->timestamp_ms != b->rec->timestamp_ms)
		return a->rec->timestamp_ms < b->rec->timestamp_ms ? -1 : 1;
	return 0;
}

static int rank_sort(const void *pa, const void *pb)
{
	const struct rankent *a = *(struct rankent *const *)pa, *b = *(struct rankent *const *)pb;

	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	return pref_cmp(a, b);
}

/* v sorted by name: the first index of each name's run, by name id (-1: none). */
static long *name_runs(struct rankent **v, size_t n, Id nnames)
{
	long *start = nbk_xmalloc(((size_t)nnames + 1) * sizeof(*start));
	size_t i;

	for (i = 0; i <= (size_t)nnames; i++)
		start[i] = -1;
	for (i = 0; i < n; i++)
		if (start[v[i]->name] < 0)
			start[v[i]->name] = (long)i;
	return start;
}

/* How far below the best of its name the best record that spec sid allows lies (tie_break()). */
static unsigned long dep_shortfall(struct sctx *c, Id sid, struct rankent **v, size_t n,
				   const long *start, Id nstart)
{
	const struct et_matchspec *ms = spec_of(c, sid);
	const struct nbk_strvec *urls = spec_url(c, sid);
	unsigned best = 0, top = 0;
	Id nid;
	long s, e;

	if (!ms || ms->name_glob)
		return 0;
	nid = pool_str2id(c->pool, ms->name, 0);
	if (nid <= 0 || nid >= nstart || (s = start[nid]) < 0)
		return 0;
	/* the run is sorted worst first: its last rank is the top, the first match from the end the best */
	for (e = s; (size_t)e < n && v[e]->name == nid; e++)
		;
	top = v[e - 1]->rank;
	while (e-- > s) {
		if ((!urls || url_in(urls, v[e]->url)) &&
		    et_matchspec_match_v(ms, v[e]->rec, v[e]->ver)) {
			best = v[e]->rank;
			break;
		}
	}
	return top - best;
}

/*
 * conda's tie-break: when builds tie on everything above (numpy 1.7.1
 * py27_0 and py33_0 on conda's test index), conda's optimiser prefers the
 * one whose dependencies can take newer versions, because it maximises the
 * versions of every package in the solution.  For each record of a tie
 * group, dev sums, over its dependencies, how many ranks the best record
 * that dependency allows lies below the best of that name (a dependency
 * nothing satisfies counts the whole name).  Each dependency string is
 * parsed once (spec_of(), shared with the solve) and measured once.  v is
 * sorted and ranked; records with no tie keep dev 0.
 */
static void tie_break(struct sctx *c, struct rankent **v, size_t n)
{
	/* names are ids below nstart: strings added from here on name no record */
	Id nstart = c->pool->ss.nstrings;
	long *start = name_runs(v, n, nstart);
	unsigned long *memo = NULL;
	size_t i = 0, j, k, d, nmemo = 0;

	while (i < n) {
		for (j = i + 1; j < n && v[j]->name == v[i]->name && pref_base(v[i], v[j]) == 0;
		     j++)
			;
		for (k = i; j - i > 1 && k < j; k++) {
			const struct et_record *r = v[k]->rec;

			for (d = 0; d < r->depends.n; d++) {
				Id sid = pool_str2id(c->pool, r->depends.v[d], 1);

				if ((size_t)sid >= nmemo) {
					size_t m = (size_t)sid + (size_t)sid / 2 + 1024;

					memo = nbk_xrealloc(memo, m * sizeof(*memo));
					memset(memo + nmemo, 0xff, (m - nmemo) * sizeof(*memo));
					nmemo = m;
				}
				if (memo[sid] == ULONG_MAX)
					memo[sid] = dep_shortfall(c, sid, v, n, start, nstart);
				v[k]->dev += memo[sid];
			}
		}
		i = j;
	}
	free(memo);
	free(start);
}

static void assign_ranks(struct rankent **v, size_t n)
{
	size_t i;
	unsigned rank = 1;

	qsort(v, n, sizeof(*v), rank_sort);
	for (i = 0; i < n; i++) {
		if (i && v[i]->name != v[i - 1]->name)
			rank = 1;
		else if (i && pref_cmp(v[i - 1], v[i]) != 0)
			rank++;
		v[i]->rank = rank;
	}
}

/* ---- building the pool ------------------------------------------------- */

static Id dep_id(struct sctx *c, Id ns, const char *spec)
{
	return pool_rel2id(c->pool, ns, pool_str2id(c->pool, spec, 1), REL_NAMESPACE, 1);
}

/* conda's add_pip_as_python_dependency: "python" 2.x or 3.x of a channel, without pip in its depends. */
static bool needs_pip(const struct et_record *r)
{
	size_t i;

	if (strcmp(r->name, "python") != 0 ||
	    (strncmp(r->version, "2.", 2) != 0 && strncmp(r->version, "3.", 2) != 0))
		return false;
	for (i = 0; i < r->depends.n; i++) {
		const char *name;

		if (et_spec_name_span(r->depends.v[i], &name) == 3 && !strncmp(name, "pip", 3))
			return false;
	}
	return true;
}

/* The per-solvable arrays hold at least want entries (new ones zeroed). */
static void grow_solv(struct sctx *c, Id want)
{
	Id n = want + 1024;

	if (want <= c->nsolv)
		return;
	c->recs = nbk_xrealloc(c->recs, (size_t)n * sizeof(*c->recs));
	c->vers = nbk_xrealloc(c->vers, (size_t)n * sizeof(*c->vers));
	c->parsed = nbk_xrealloc(c->parsed, (size_t)n);
	c->is_virtual = nbk_xrealloc(c->is_virtual, (size_t)n);
	c->chan_url = nbk_xrealloc(c->chan_url, (size_t)n * sizeof(*c->chan_url));
	memset(c->chan_url + c->nsolv, 0, (size_t)(n - c->nsolv) * sizeof(*c->chan_url));
	memset(c->recs + c->nsolv, 0, (size_t)(n - c->nsolv) * sizeof(*c->recs));
	memset(c->vers + c->nsolv, 0, (size_t)(n - c->nsolv) * sizeof(*c->vers));
	memset(c->parsed + c->nsolv, 0, (size_t)(n - c->nsolv));
	memset(c->is_virtual + c->nsolv, 0, (size_t)(n - c->nsolv));
	c->nsolv = n;
}

static void add_solvable(struct sctx *c, Repo *repo, struct rankent *e, bool is_virtual)
{
	Pool *pool = c->pool;
	const struct et_record *r = e->rec;
	char evr[16];
	Solvable *s;
	Id p;
	size_t i;

	p = repo_add_solvable(repo);
	s = pool_id2solvable(pool, p);
	snprintf(evr, sizeof(evr), "%u", e->rank);
	s->name = e->name;
	s->evr = pool_str2id(pool, evr, 1);
	s->arch = ARCH_NOARCH;
	s->provides =
		repo_addid_dep(repo, s->provides, pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
	/*
	 * A record's legacy features need no package: conda satisfies them
	 * with its virtual "FEATURE@" record (never a whole `mkl`), and
	 * libmamba ignores them; what they cost is the ranking's penalty.
	 */
	for (i = 0; i < r->depends.n; i++)
	s->requires = repo_addid_dep(repo, s->requires, dep_id(c, c->ns_match, r->depends.v[i]), 0);
	if (c->pip_dep && repo != c->installed && !is_virtual && needs_pip(r))
	s->requires = repo_addid_dep(repo, s->requires, dep_id(c, c->ns_match, "pip"), 0);
	for (i = 0; i < r->constrains.n; i++)
		s->conflicts = repo_addid_dep(repo, s->conflicts,
					      dep_id(c, c->ns_nomatch, r->constrains.v[i]), 0);
	grow_solv(c, p + 1);
	c->recs[p] = r;
	/* the rank entry's parse moves to the solvable */
	c->vers[p] = e->ver;
	c->parsed[p] = 1;
	e->ver = NULL;
	c->is_virtual[p] = is_virtual;
	c->chan_url[p] = e->url;
}

static void index_names(struct sctx *c)
{
	Id p, n = c->pool->ss.nstrings;
	Id *fill;

	c->nnames = n;
	c->name_start = nbk_xcalloc((size_t)n, sizeof(Id));
	c->name_count = nbk_xcalloc((size_t)n, sizeof(Id));
	c->byname = nbk_xcalloc((size_t)c->pool->nsolvables + 1, sizeof(Id));
	fill = nbk_xcalloc((size_t)n, sizeof(Id));
	for (p = 2; p < c->pool->nsolvables; p++)
		c->name_count[c->pool->solvables[p].name]++;
	for (p = 1; p < n; p++)
		c->name_start[p] = c->name_start[p - 1] + c->name_count[p - 1];
	for (p = 2; p < c->pool->nsolvables; p++) {
		Id nm = c->pool->solvables[p].name;

		c->byname[c->name_start[nm] + fill[nm]++] = p;
	}
	free(fill);
	grow_solv(c, c->pool->nsolvables); /* a closure may hold no record at all */
}

/*
 * "mkl@" or "*[track_features=mkl]" and nothing else: a request to
 * activate features, which conda satisfies with its virtual "mkl@"
 * record; here it is no job, only the activation (activate_features()).
 */
static bool is_activation(const struct et_matchspec *ms)
{
	return ms->name_glob && strcmp(ms->name, "*") == 0 && ms->has_track_features &&
	       !ms->version && ms->build.kind == ET_STR_NONE && !ms->build_number.set &&
	       !ms->channel && ms->subdir.kind == ET_STR_NONE;
}

/*
 * Legacy features that the request activates: those an activation spec
 * names ("mkl@"), those tracked by every candidate of one of the user's
 * specs, and by installed records.  Then each entry's penalty
 * (track_features, and features nothing activates: conda counts the
 * feature its virtual record brings in) and its count of activated
 * features; and whether a user's spec names its package (pref_base()).
 */
static void activate_features(struct sctx *c, struct rankent **v, size_t n)
{
	const struct et_solve_request *req = c->req;
	_cleanup_strvec_ struct nbk_strvec active = NBK_STRVEC_INIT;
	size_t i, j, s;

	for (s = 0; s < req->nspecs; s++) {
		struct et_matchspec *ms;
		_cleanup_strvec_ struct nbk_strvec common = NBK_STRVEC_INIT;
		bool first = true;

		if (et_matchspec_parse(req->specs[s], &ms, NULL) < 0)
			continue;
		if (is_activation(ms)) {
			for (j = 0; j < ms->track_features.n; j++)
				if (nbk_strvec_find(&active, ms->track_features.v[j]) < 0)
					nbk_strvec_push(&active, ms->track_features.v[j]);
			et_matchspec_free(ms);
			continue;
		}
		if (!ms->name_glob) {
			Id nm = pool_str2id(c->pool, ms->name, 0);

			for (i = 0; nm && i < n; i++)
				v[i]->requested |= v[i]->name == nm;
		}
		for (i = 0; i < n; i++) {
			const struct et_record *r = v[i]->rec;

			if (!et_matchspec_match_name(ms, r->name) ||
			    !et_matchspec_match_v(ms, r, v[i]->ver))
				continue;
			if (first) {
				for (j = 0; j < r->track_features.n; j++)
					nbk_strvec_push(&common, r->track_features.v[j]);
				first = false;
				continue;
			}
			for (j = common.n; j-- > 0;)
				if (nbk_strvec_find(&r->track_features, common.v[j]) < 0)
					nbk_strvec_remove(&common, j);
		}
		for (j = 0; j < common.n; j++)
			if (nbk_strvec_find(&active, common.v[j]) < 0)
				nbk_strvec_push(&active, common.v[j]);
		et_matchspec_free(ms);
	}
	for (i = 0; i < req->ninstalled; i++)
		for (j = 0; j < req->installed[i].track_features.n; j++)
			if (nbk_strvec_find(&active, req->installed[i].track_features.v[j]) < 0)
				nbk_strvec_push(&active, req->installed[i].track_features.v[j]);
	for (i = 0; i < n; i++) {
		const struct et_record *r = v[i]->rec;

		v[i]->penalty = (unsigned)r->track_features.n;
		for (j = 0; j < r->features.n; j++) {
			if (nbk_strvec_find(&active, r->features.v[j]) >= 0)
				v[i]->active++;
			else
				v[i]->penalty++;
		}
	}
}

/*
 * The channel records that take part, in one flat list: its record, its
 * repo (index in the request) and its name id; head[name] and chain[]
 * link the records of one name in list order.  By name id (cap_names
 * entries): head, best (the best channel priority that has the name) and
 * reached (the closure's names).  lazy: the repos are read by name
 * (et_solve_repo.by_name): a name's records join the list when the walk
 * reaches it, so the list holds the closure only.
 */
struct flat {
	const struct et_record **rec;
	size_t *repo;
	Id *name;
	long *chain;
	size_t n, cap;
	long *head;
	int *best;
	unsigned char *reached;
	Id cap_names;
	size_t nused; /* names that have a record */
	bool lazy;
};

static void flat_free(struct flat *f)
{
	free(f->rec);
	free(f->repo);
	free(f->name);
	free(f->chain);
	free(f->head);
	free(f->best);
	free(f->reached);
	memset(f, 0, sizeof(*f));
}

/* Room for name ids up to nm. */
static void flat_names(struct flat *f, Id nm)
{
	Id cap = f->cap_names, i;

	if (nm < cap)
		return;
	f->cap_names = nm + 1 > 2 * cap ? nm + 1 : 2 * cap;
	f->head = nbk_xrealloc(f->head, (size_t)f->cap_names * sizeof(*f->head));
	f->best = nbk_xrealloc(f->best, (size_t)f->cap_names * sizeof(*f->best));
	f->reached = nbk_xrealloc(f->reached, (size_t)f->cap_names);
	for (i = cap; i < f->cap_names; i++) {
		f->head[i] = -1;
		f->best[i] = INT_MAX;
		f->reached[i] = 0;
	}
}

static void flat_add(struct flat *f, const struct et_record *rec, size_t repo, Id nm, int prio)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->rec = nbk_xrealloc(f->rec, f->cap * sizeof(*f->rec));
		f->repo = nbk_xrealloc(f->repo, f->cap * sizeof(*f->repo));
		f->name = nbk_xrealloc(f->name, f->cap * sizeof(*f->name));
		f->chain = nbk_xrealloc(f->chain, f->cap * sizeof(*f->chain));
	}
	f->rec[f->n] = rec;
	f->repo[f->n] = repo;
	f->name[f->n] = nm;
	f->n++;
	flat_names(f, nm);
	if (prio < f->best[nm])
		f->best[nm] = prio;
}

/* Link the records added since from into their names' chains (list order kept). */
static void flat_link(struct flat *f, size_t from)
{
	size_t fr;

	for (fr = f->n; fr-- > from;) {
		f->nused += f->head[f->name[fr]] < 0;
		f->chain[fr] = f->head[f->name[fr]];
		f->head[f->name[fr]] = (long)fr;
	}
}

/* A repo's every record (a repo read by name makes them all). */
static const struct et_record *repo_all(const struct et_solve_repo *rp, size_t *n)
{
	if (rp->records || !rp->all) {
		*n = rp->n;
		return rp->records;
	}
	return rp->all(rp->data, n);
}

/*
 * The closure's walk: the names still to visit, and (read by name) those
 * reached whose records are not read yet, read together (load_pending()).
 */
struct closure {
	size_t nreached;
	Queue todo;
	Queue pending;
	bool all; /* a glob, a feature name, or most names: every record takes part */
};

/*
 * Read the records of the pending names, every repo's, into the list: the
 * names of one step of the walk at once (a repo that fetches them, as
 * sharded repodata does, is told them all first: et_solve_repo.prefetch).
 */
static void load_pending(struct sctx *c, struct flat *f, struct closure *cl)
{
	const struct et_solve_request *req = c->req;
	const char **names;
	size_t i, j, k, n;

	if (!cl->pending.count)
		return;
	names = nbk_xmalloc((size_t)cl->pending.count * sizeof(*names));
	for (k = 0; k < (size_t)cl->pending.count; k++)
		names[k] = pool_id2str(c->pool, cl->pending.elements[k]);
	for (i = 0; i < req->nrepos; i++)
		if (req->repos[i].prefetch)
			req->repos[i].prefetch(req->repos[i].data, names, k);
	for (k = 0; k < (size_t)cl->pending.count; k++) {
		Id nm = cl->pending.elements[k];
		size_t from = f->n;

		for (i = 0; i < req->nrepos; i++) {
			const struct et_solve_repo *rp = &req->repos[i];
			const struct et_record *recs =
				rp->by_name(rp->data, names[k], strlen(names[k]), &n);

			for (j = 0; j < n; j++)
				flat_add(f, &recs[j], i, nm, rp->priority);
		}
		flat_link(f, from);
	}
	free(names);
	queue_empty(&cl->pending);
}

/*
 * Reach the name of len bytes at name; a glob or "feature@" reaches
 * everything.  Read by name, its records are read with the others of its
 * step (load_pending()) before it is visited.
 */
static void reach_name(struct sctx *c, struct flat *f, struct closure *cl, const char *name,
		       size_t len)
{
	char low[256];
	size_t i;
	Id nm;

	if (!len || memchr(name, '*', len) || memchr(name, '@', len)) {
		cl->all = true;
		return;
	}
	if (len >= sizeof(low))
		return; /* longer than any name a record can have */
	for (i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	nm = pool_strn2id(c->pool, low, (unsigned)len, f->lazy);
	if (nm <= 0 || (!f->lazy && nm >= f->cap_names))
		return;
	flat_names(f, nm);
	if (f->reached[nm])
		return;
	f->reached[nm] = 1;
	queue_push(&cl->todo, nm);
	if (f->lazy)
		queue_push(&cl->pending, nm);
	/* most of the channel: the rest of the walk would cost more than it saves */
	if (!f->lazy && ++cl->nreached > f->nused / 2 + 16)
		cl->all = true;
}

static void reach_spec(struct sctx *c, struct flat *f, struct closure *cl, const char *spec)
{
	const char *s;
	size_t n = et_spec_name_span(spec, &s);

	reach_name(c, f, cl, s, n);
}

/*
 * The closure's first names: the user's specs and pins, the installed
 * records and their dependencies, the records that have a feature the
 * request asks for (conda's reduced index takes its trackers).
 */
static void closure_seed(struct sctx *c, struct flat *f, struct closure *cl)
{
	const struct et_solve_request *req = c->req;
	size_t i, d, r;

	for (i = 0; i < req->nspecs + req->npins && !cl->all; i++) {
		const char *s = i < req->nspecs ? req->specs[i] : req->pins[i - req->nspecs];
		struct et_matchspec *ms;

		if (et_matchspec_parse(s, &ms, NULL) < 0)
			continue;
		if (is_activation(ms) && f->lazy) {
			cl->all = true; /* every record must be looked at */
		} else if (is_activation(ms)) {
			/* the records that have the feature, tracked or legacy (unknown_feature()) */
			for (d = 0; d < ms->track_features.n; d++)
				for (r = 0; r < f->n; r++)
					if (nbk_strvec_find(&f->rec[r]->track_features,
							    ms->track_features.v[d]) >= 0 ||
					    nbk_strvec_find(&f->rec[r]->features,
							    ms->track_features.v[d]) >= 0)
						reach_name(c, f, cl, f->rec[r]->name,
							   strlen(f->rec[r]->name));
		} else {
			reach_name(c, f, cl, ms->name, strlen(ms->name));
		}
		et_matchspec_free(ms);
	}
	for (i = 0; i < req->ninstalled && !cl->all; i++) {
		reach_name(c, f, cl, req->installed[i].name, strlen(req->installed[i].name));
		for (d = 0; d < req->installed[i].depends.n; d++)
			reach_spec(c, f, cl, req->installed[i].depends.v[d]);
	}
}

/*
 * The rest of the walk (issue 14: the pool follows the answer, not the
 * channel): every dependency of every record of a reached name (those
 * that strict priority drops excepted), and pip for python when add_pip
 * applies.  constrains reach nothing: a constraint on a name outside the
 * closure cannot bind.  Stops early (cl->all) at a name that is a glob,
 * or, with every record in the list, when the closure grows past half the
 * channel's names (then the walk costs more than the records it would
 * leave out: the sudoku, where every name is reached).
 */
static void closure_walk(struct sctx *c, struct flat *f, struct closure *cl)
{
	const struct et_solve_request *req = c->req;
	Id python = pool_str2id(c->pool, "python", 1);
	bool strict = req->priority == ET_PRIORITY_STRICT;
	size_t d;

	while (cl->todo.count && !cl->all) {
		Id nm;
		long k;

		load_pending(c, f, cl); /* the names the last step reached */
		nm = queue_shift(&cl->todo);
		if (nm == python && req->add_pip)
			reach_name(c, f, cl, "pip", 3);
		for (k = f->head[nm]; k >= 0 && !cl->all; k = f->chain[k]) {
			if (strict && req->repos[f->repo[k]].priority != f->best[nm])
				continue;
			for (d = 0; d < f->rec[k]->depends.n; d++)
				reach_spec(c, f, cl, f->rec[k]->depends.v[d]);
		}
	}
}

/*
 * "conda-forge::numpy" asks for that channel's numpy even when a
 * higher-priority channel has one: strict priority keeps the named
 * channel for that name (conda and mamba do the same).
 */
static void named_channels(struct sctx *c, struct flat *f)
{
	const struct et_solve_request *req = c->req;
	size_t i;

	for (i = 0; i < req->nspecs; i++) {
		struct et_matchspec *ms;
		_cleanup_strvec_ struct nbk_strvec urls = NBK_STRVEC_INIT;

		if (et_matchspec_parse(req->specs[i], &ms, NULL) < 0)
			continue;
		if (ms->channel && !ms->name_glob && req->resolve_channel &&
		    req->resolve_channel(ms->channel, req->resolve_data, &urls) == 0) {
			Id nm = pool_str2id(c->pool, ms->name, 0);
			int best = INT_MAX;
			long r;

			/* the best of the named channels ("defaults" is several) that has it */
			for (r = nm > 0 && nm < f->cap_names ? f->head[nm] : -1; r >= 0;
			     r = f->chain[r]) {
				const struct et_solve_repo *rp = &req->repos[f->repo[r]];

				if (rp->priority < best && url_in(&urls, rp->channel_url))
					best = rp->priority;
			}
			if (best != INT_MAX)
				f->best[nm] = best;
		}
		et_matchspec_free(ms);
	}
}

/* Repo order, then name, then list order: the order of a whole list (a blob groups by name). */
static int cmp_flat(const void *a, const void *b, void *data)
{
	const struct flat *f = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r;

	if (f->repo[x] != f->repo[y])
		return f->repo[x] < f->repo[y] ? -1 : 1;
	if (f->name[x] != f->name[y] && (r = strcmp(f->rec[x]->name, f->rec[y]->name)) != 0)
		return r;
	return x < y ? -1 : x > y;
}

/*
 * Fill f with the records that take part: the closure of the request's
 * names, read by name when every repo can be (and the request names no
 * glob or feature), else from every record (then *reached says which
 * names the closure keeps, or is NULL: all of them).  The list ends in
 * the order a whole list has, so that the pool is the same either way.
 */
static void flat_build(struct sctx *c, struct flat *f, bool lazy, unsigned char **reached)
{
	const struct et_solve_request *req = c->req;
	struct closure cl = { 0, { 0 }, { 0 }, false };
	size_t i, j, n;

	memset(f, 0, sizeof(*f));
	f->lazy = lazy;
	*reached = NULL;
	for (i = 0; !lazy && i < req->nrepos; i++) {
		const struct et_record *recs = repo_all(&req->repos[i], &n);

		for (j = 0; j < n; j++)
			flat_add(f, &recs[j], i, pool_str2id(c->pool, recs[j].name, 1),
				 req->repos[i].priority);
	}
	flat_names(f, c->pool->ss.nstrings);
	flat_link(f, 0);
	queue_init(&cl.todo);
	queue_init(&cl.pending);
	if (!req->whole_pool)
		closure_seed(c, f, &cl);
	if (!cl.all)
		load_pending(c, f, &cl); /* the specs' own names, before named_channels() */
	if (req->priority == ET_PRIORITY_STRICT)
		named_channels(c, f);
	if (!req->whole_pool && !cl.all)
		closure_walk(c, f, &cl);
	queue_free(&cl.todo);
	queue_free(&cl.pending);
	if (lazy && cl.all) {
		/* a glob or a feature: every record after all */
		flat_free(f);
		flat_build(c, f, false, reached);
		return;
	}
	if (lazy) {
		size_t *idx = nbk_xmalloc((f->n ? f->n : 1) * sizeof(*idx));
		struct flat g;

		for (i = 0; i < f->n; i++)
			idx[i] = i;
		qsort_r(idx, f->n, sizeof(*idx), cmp_flat, f);
		memset(&g, 0, sizeof(g));
		for (i = 0; i < f->n; i++)
			flat_add(&g, f->rec[idx[i]], f->repo[idx[i]], f->name[idx[i]],
				 req->repos[f->repo[idx[i]]].priority);
		flat_names(&g, f->cap_names - 1);
		for (i = 0; i < (size_t)f->cap_names; i++)
			g.best[i] = f->best[i];
		flat_link(&g, 0);
		free(idx);
		flat_free(f);
		*f = g;
	} else if (!req->whole_pool && !cl.all) {
		*reached = f->reached;
		f->reached = NULL;
	}
}

/*
 * Every record that takes part, ranked.  Strict channel priority drops,
 * for each name, the records of channels below the best one that has it.
 */
static void build_pool(struct sctx *c)
{
	const struct et_solve_request *req = c->req;
	size_t total, i, k = 0, fr;
	struct rankent *ents, **order;
	bool strict = req->priority == ET_PRIORITY_STRICT, lazy = req->nrepos > 0;
	Repo **repos;
	struct flat f;
	unsigned char *reached;

	for (i = 0; i < req->nrepos; i++)
		lazy &= !req->repos[i].records && req->repos[i].by_name;
	flat_build(c, &f, lazy && !req->whole_pool, &reached);
	nbk_debug("solve: %zu channel records of %zu names%s", f.n, f.nused,
		  f.lazy    ? ", read by name"
		  : reached ? ", the closure's kept"
			    : "");
	total = f.n + req->ninstalled + req->nvirtual;
	ents = nbk_xcalloc(total ? total : 1, sizeof(*ents));
	order = nbk_xcalloc(total ? total : 1, sizeof(*order));
	for (fr = 0; fr < f.n; fr++) {
		const struct et_record *rec = f.rec[fr];
		struct rankent *e = &ents[k];
		size_t ri = f.repo[fr];

		e->name = f.name[fr];
		if (reached && !reached[e->name])
			continue;
		if (strict && req->repos[ri].priority != f.best[e->name])
			continue;
		c->pip_dep |= req->add_pip && strcmp(rec->name, "pip") == 0;
		e->rec = rec;
		e->repo = (long)ri;
		e->url = req->repos[ri].channel_url;
		e->prio = req->priority == ET_PRIORITY_FLEXIBLE ? req->repos[ri].priority : 0;
		(void)et_version_parse(rec->version, strlen(rec->version), &e->ver, NULL);
		order[k] = e;
		k++;
	}
	for (i = 0; i < req->ninstalled + req->nvirtual; i++) {
		const struct et_record *r = i < req->ninstalled
						    ? &req->installed[i]
						    : &req->virtual_pkgs[i - req->ninstalled];
		struct rankent *e = &ents[k];

		e->rec = r;
		e->repo = -1;
		e->name = pool_str2id(c->pool, r->name, 1);
		/* an installed record's channel as written in its conda-meta */
		if (i < req->ninstalled && req->resolve_channel && *r->channel) {
			_cleanup_strvec_ struct nbk_strvec urls = NBK_STRVEC_INIT;

			if (req->resolve_channel(r->channel, req->resolve_data, &urls) == 0 &&
			    urls.n == 1) {
				char *url = nbk_steal_pointer(&urls.v[0]);

				nbk_strvec_push_owned(&c->owned_urls, url);
				e->url = url;
			}
		}
		/* installed records rank with the channels' (same fields, same rank) */
		e->prio = 0;
		(void)et_version_parse(r->version, strlen(r->version), &e->ver, NULL);
		order[k] = e;
		k++;
	}
	free(reached);
	flat_free(&f);
	activate_features(c, order, k);
	/* rank over a copy of the order, then add in input order */
	{
		struct rankent **sorted = nbk_xmalloc((k ? k : 1) * sizeof(*sorted));

		memcpy(sorted, order, k * sizeof(*sorted));
		assign_ranks(sorted, k);
		tie_break(c, sorted, k);
		assign_ranks(sorted, k);
		free(sorted);
	}
	repos = nbk_xcalloc(req->nrepos + 1, sizeof(*repos));
	for (i = 0; i < req->nrepos; i++) {
		repos[i] =
			repo_create(c->pool, req->repos[i].name ? req->repos[i].name : "channel");
		/* flexible: libsolv also prefers the higher channel when choosing */
		if (req->priority == ET_PRIORITY_FLEXIBLE)
			repos[i]->priority = -req->repos[i].priority;
	}
	c->installed = repo_create(c->pool, "@installed");
	for (i = 0; i < k; i++) {
		struct rankent *e = order[i];
		const struct et_record *r = e->rec;
		Repo *repo = c->installed;
		bool is_virtual = false;

		if (req->ninstalled && r >= req->installed &&
		    r < req->installed + req->ninstalled) {
			repo = c->installed;
		} else if (req->nvirtual && r >= req->virtual_pkgs &&
			   r < req->virtual_pkgs + req->nvirtual) {
			is_virtual = true;
		} else if (e->repo >= 0) {
			repo = repos[e->repo];
		}
		add_solvable(c, repo, e, is_virtual);
	}
	for (i = 0; i < req->nrepos; i++)
		repo_internalize(repos[i]);
	repo_internalize(c->installed);
	pool_set_installed(c->pool, c->installed);
	for (i = 0; i < total; i++)
		et_version_free(ents[i].ver);
	free(ents);
	free(order);
	free(repos);
	index_names(c);
	pool_createwhatprovides(c->pool);
}

/* ---- explanations ------------------------------------------------------ */

static void describe(struct sctx *c, Id p, struct nbk_buf *b)
{
	const struct et_record *r = c->recs[p];

	if (!r) {
		nbk_buf_addstr(b, "(system)");
		return;
	}
	nbk_buf_addf(b, "%s %s %s", r->name, r->version, r->build);
}

static const char *dep_spec(struct sctx *c, Id dep)
{
	if (ISRELDEP(dep)) {
		Reldep *rd = GETRELDEP(c->pool, dep);

		if (rd->flags == REL_NAMESPACE)
			return pool_id2str(c->pool, rd->evr);
	}
	return pool_dep2str(c->pool, dep);
}

static const char *dep_name(struct sctx *c, Id dep)
{
	struct et_matchspec *ms;

	if (!ISRELDEP(dep) || GETRELDEP(c->pool, dep)->flags != REL_NAMESPACE)
		return NULL;
	ms = spec_of(c, GETRELDEP(c->pool, dep)->evr);
	return ms ? ms->name : NULL;
}

/* The user's spec asking for packages named name, or NULL. */
static const char *job_for_name(struct sctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->njob_deps; i++) {
		const char *n = dep_name(c, c->job_deps[i]);

		if (n && strcmp(n, name) == 0)
			return c->req->specs[i];
	}
	return NULL;
}

static const char *pin_for_name(struct sctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->req->npins; i++) {
		Id sid = pool_str2id(c->pool, c->req->pins[i], 0);
		struct et_matchspec *ms = sid ? spec_of(c, sid) : NULL;

		if (ms && strcmp(ms->name, name) == 0)
			return c->req->pins[i];
	}
	return NULL;
}

static bool add_line(struct nbk_strvec *lines, char *line)
{
	if (nbk_strvec_find(lines, line) >= 0) {
		free(line);
		return false;
	}
	nbk_strvec_push_owned(lines, line);
	return true;
}

/* "a", "a or b", "a, b or 3 others" */
static void join_specs(struct nbk_buf *b, const struct nbk_strvec *v)
{
	size_t i, shown = v->n > 3 ? 2 : v->n;

	for (i = 0; i < shown; i++) {
		if (i)
			nbk_buf_addstr(b, i + 1 == v->n ? " or " : ", ");
		/* "\001spec": a constrains entry */
		if (v->v[i][0] == '\001')
			nbk_buf_addf(b, "'%s' (constrains)", v->v[i] + 1);
		else
			nbk_buf_addf(b, "'%s'", v->v[i]);
	}
	if (shown < v->n)
		nbk_buf_addf(b, " or %zu others", v->n - shown);
}

struct pair {
	const char *from;    /* the user's spec (or a package) that requires */
	const char *against; /* the user's spec or pin it clashes with */
	const char *what;    /* "was requested" / "is pinned" / "is installed" */
	struct nbk_strvec deps;
};

/*
 * Direct clashes between two of the user's specs (or a spec and a pin):
 * every candidate of `from` that depends on (or constrains) the other's
 * name asks for something none of the other's candidates is.  This is what
 * a data scientist can act on, however long libsolv's proof was.
 */
static void explain_pairs(struct sctx *c, const char *from, const char *other, const char *what,
			  struct nbk_strvec *lines)
{
	Id sf = pool_str2id(c->pool, from, 1), so = pool_str2id(c->pool, other, 1);
	struct et_matchspec *mf = spec_of(c, sf), *mo;
	_cleanup_strvec_ struct nbk_strvec deps = NBK_STRVEC_INIT;
	Queue qf, qo;
	bool clash = true;
	int i, j, k, pass;

	mo = spec_of(c, so);
	if (!mf || !mo || mo->name_glob || strcmp(mf->name, mo->name) == 0)
		return;
	queue_init(&qf);
	queue_init(&qo);
	candidates(c, sf, mf, true, &qf);
	candidates(c, so, mo, true, &qo);
	for (i = 0; i < qf.count && clash; i++) {
		const struct et_record *r = c->recs[qf.elements[i]];

		for (pass = 0; pass < 2 && clash; pass++) {
			const struct nbk_strvec *v = pass ? &r->constrains : &r->depends;

			for (j = 0; j < (int)v->n && clash; j++) {
				Id sd = pool_str2id(c->pool, v->v[j], 1);
				struct et_matchspec *md = spec_of(c, sd);

				if (!md || strcmp(md->name, mo->name) != 0)
					continue;
				if (pass)
					nbk_strvec_pushf(&deps, "\001%s", v->v[j]);
				else if (nbk_strvec_find(&deps, v->v[j]) < 0)
					nbk_strvec_push(&deps, v->v[j]);
				for (k = 0; k < qo.count; k++) {
					Id q = qo.elements[k];

					if (match_p(c, md, spec_url(c, sd), q))
						clash = false;
				}
			}
		}
	}
	if (clash && deps.n) {
		struct nbk_buf b = NBK_BUF_INIT;
		_cleanup_strvec_ struct nbk_strvec uniq = NBK_STRVEC_INIT;

		for (i = 0; i < (int)deps.n; i++)
			if (nbk_strvec_find(&uniq, deps.v[i]) < 0)
				nbk_strvec_push(&uniq, deps.v[i]);
		nbk_strvec_sort(&uniq);
		nbk_buf_addf(&b, "  - %s requires ", from);
		join_specs(&b, &uniq);
		nbk_buf_addf(&b, ", but %s %s", other, what);
		add_line(lines, nbk_buf_detach(&b, NULL));
	}
	queue_free(&qf);
	queue_free(&qo);
}

/*
 * Append to lines (the caller's vector; each line "  - ...", a duplicate
 * of a line already there is dropped) why libsolv's problem number problem
 * of solv has no solution, in the user's words where it can: first pairs
 * of the user's specs and pins that clash ("A requires X, but B was
 * requested / is pinned / is installed"; at most 16 pairs), and only when
 * there are none, the solver's rules as facts about named packages, at most
 * EXPLAIN_MAX_LINES of them.  A name an explanation points at that is built
 * here ("dn VERSION" of an installed package) is pushed to owned, which the
 * caller releases after lines are joined.  c and solv are only read.
 * Nothing is returned; it cannot fail.
 */
static void explain_problem(struct sctx *c, Solver *solv, Id problem, struct nbk_strvec *lines,
			    struct nbk_strvec *owned)
{
	Pool *pool = c->pool;
	struct pair pairs[16];
	size_t npairs = 0, i, start = lines->n;
	Queue rq;
	int k;

	queue_init(&rq);
	solver_findallproblemrules(solv, problem, &rq);
	for (i = 0; i < c->req->nspecs; i++) {
		size_t j;

		for (j = 0; j < c->req->nspecs; j++)
			if (i != j)
				explain_pairs(c, c->req->specs[i], c->req->specs[j],
					      "was requested", lines);
		for (j = 0; j < c->req->npins; j++)
			explain_pairs(c, c->req->specs[i], c->req->pins[j], "is pinned", lines);
	}
	/* first the pairs of the user's specs: "A requires X, but B was requested" */
	for (k = 0; k < rq.count; k++) {
		Id source, target, dep;
		SolverRuleinfo type = solver_ruleinfo(solv, rq.elements[k], &source, &target, &dep);
		const char *from, *against = NULL, *what = "was requested", *dn;
		const struct et_record *sr = source > 0 && source < c->nsolv ? c->recs[source]
									     : NULL;

		if (type != SOLVER_RULE_PKG_REQUIRES && type != SOLVER_RULE_PKG_CONFLICTS)
			continue;
		if (!sr)
			continue;
		from = job_for_name(c, sr->name);
		if (!from)
			continue;
		if (type == SOLVER_RULE_PKG_REQUIRES) {
			dn = dep_name(c, dep);
		} else {
			const struct et_record *tr =
				target > 0 && target < c->nsolv ? c->recs[target] : NULL;

			dn = tr ? tr->name : NULL;
		}
		if (!dn)
			continue;
		against = job_for_name(c, dn);
		if (against == from)
			continue;
		if (!against) {
			against = pin_for_name(c, dn);
			what = "is pinned";
		}
		if (!against) {
			Id p;

			/* an installed package that the request has to keep */
			for (p = 2; p < pool->nsolvables && !against; p++) {
				if (pool->solvables[p].repo == c->installed && c->recs[p] &&
				    !c->is_virtual[p] && strcmp(c->recs[p]->name, dn) == 0) {
					nbk_strvec_pushf(owned, "%s %s", dn, c->recs[p]->version);
					against = owned->v[owned->n - 1];
					what = "is installed";
				}
			}
			if (!against)
				continue;
		}
		for (i = 0; i < npairs; i++)
			if (pairs[i].from == from && pairs[i].against == against)
				break;
		if (i == npairs) {
			if (npairs == sizeof(pairs) / sizeof(pairs[0]))
				continue;
			pairs[npairs].from = from;
			pairs[npairs].against = against;
			pairs[npairs].what = what;
			nbk_strvec_init(&pairs[npairs].deps);
			npairs++;
		}
		if (type == SOLVER_RULE_PKG_CONFLICTS) {
			/* constrains: say which */
			const char *d = dep_spec(c, dep);
			char *s = nbk_xasprintf("\001%s", d);

			if (nbk_strvec_find(&pairs[i].deps, s) < 0)
				nbk_strvec_push_owned(&pairs[i].deps, s);
			else
				free(s);
		} else if (nbk_strvec_find(&pairs[i].deps, dep_spec(c, dep)) < 0) {
			nbk_strvec_push(&pairs[i].deps, dep_spec(c, dep));
		}
	}
	for (i = 0; i < npairs; i++) {
		struct nbk_buf b = NBK_BUF_INIT;

		nbk_strvec_sort(&pairs[i].deps);
		nbk_buf_addf(&b, "  - %s requires ", pairs[i].from);
		join_specs(&b, &pairs[i].deps);
		nbk_buf_addf(&b, ", but %s %s", pairs[i].against, pairs[i].what);
		add_line(lines, nbk_buf_detach(&b, NULL));
		nbk_strvec_release(&pairs[i].deps);
	}
	if (lines->n > start) {
		queue_free(&rq);
		return;
	}
	/* otherwise the facts, packages named as name version build */
	for (k = 0; k < rq.count && lines->n - start < EXPLAIN_MAX_LINES; k++) {
		Id source, target, dep;
		SolverRuleinfo type = solver_ruleinfo(solv, rq.elements[k], &source, &target, &dep);
		struct nbk_buf b = NBK_BUF_INIT;

		switch (type) {
		case SOLVER_RULE_JOB:
		case SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP:
			if (dep)
				nbk_buf_addf(&b, "  - '%s' was requested", dep_spec(c, dep));
			break;
		case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
			nbk_buf_addf(&b, "  - nothing provides '%s' needed by ", dep_spec(c, dep));
			describe(c, source, &b);
			break;
		case SOLVER_RULE_PKG_REQUIRES:
			nbk_buf_addstr(&b, "  - ");
			describe(c, source, &b);
			nbk_buf_addf(&b, " requires '%s'", dep_spec(c, dep));
			break;
		case SOLVER_RULE_PKG_CONFLICTS:
			nbk_buf_addstr(&b, "  - ");
			describe(c, source, &b);
			nbk_buf_addf(&b, " constrains '%s', which excludes ", dep_spec(c, dep));
			describe(c, target, &b);
			break;
		case SOLVER_RULE_PKG_SAME_NAME:
		case SOLVER_RULE_PKG_IMPLICIT_OBSOLETES:
		case SOLVER_RULE_PKG_OBSOLETES:
		case SOLVER_RULE_PKG_INSTALLED_OBSOLETES:
			nbk_buf_addstr(&b, "  - only one of ");
			describe(c, source, &b);
			nbk_buf_addstr(&b, " and ");
			describe(c, target, &b);
			nbk_buf_addstr(&b, " can be installed");
			break;
		case SOLVER_RULE_PKG_SELF_CONFLICT:
			nbk_buf_addstr(&b, "  - ");
			describe(c, source, &b);
			nbk_buf_addf(&b, " constrains itself out ('%s')", dep_spec(c, dep));
			break;
		case SOLVER_RULE_UPDATE:
		case SOLVER_RULE_FEATURE:
			nbk_buf_addstr(&b, "  - ");
			describe(c, source, &b);
			nbk_buf_addstr(&b, " is installed and would have to change");
			break;
		default:
			break;
		}
		if (b.len)
			add_line(lines, nbk_buf_detach(&b, NULL));
		nbk_buf_release(&b);
	}
	queue_free(&rq);
}

/* A user's spec without any candidate: say what there is instead. */
static char *explain_empty(struct sctx *c, const char *spec, const struct et_matchspec *ms)
{
	struct nbk_buf b = NBK_BUF_INIT;
	Id nid = ms->name_glob ? 0 : pool_str2id(c->pool, ms->name, 0);
	Id n = nid && nid < c->nnames ? c->name_count[nid] : 0, i, best = 0;

	if (!n) {
		nbk_buf_addf(&b, "  - nothing provides '%s': no package named '%s' in the channels",
			     spec, ms->name);
		return nbk_buf_detach(&b, NULL);
	}
	for (i = 0; i < n; i++) {
		Id p = c->byname[c->name_start[nid] + i];

		if (!best || et_version_strcmp(c->recs[p]->version, c->recs[best]->version) > 0)
			best = p;
	}
	nbk_buf_addf(&b,
		     "  - nothing provides '%s': none of the %d packages named '%s' matches "
		     "(newest: %s %s)",
		     spec, (int)n, ms->name, c->recs[best]->version, c->recs[best]->build);
	return nbk_buf_detach(&b, NULL);
}

/* ---- solving ----------------------------------------------------------- */

/* The first feature of an activation spec that no record has, tracked or legacy; NULL: none. */
static const char *unknown_feature(struct sctx *c, const struct et_matchspec *ms)
{
	size_t f;
	Id p;

	for (f = 0; f < ms->track_features.n; f++) {
		const char *want = ms->track_features.v[f];
		bool known = false;

		for (p = 2; p < c->nsolv && !known; p++)
			known = c->recs[p] &&
				(nbk_strvec_find(&c->recs[p]->track_features, want) >= 0 ||
				 nbk_strvec_find(&c->recs[p]->features, want) >= 0);
		if (!known)
			return want;
	}
	return NULL;
}

void et_solution_release(struct et_solution *sol)
{
	free(sol->link);
	free(sol->unlink);
	free(sol->problem);
	memset(sol, 0, sizeof(*sol));
}

static void sctx_release(struct sctx *c)
{
	Id i;

	for (i = 0; i < c->nspecs; i++) {
		if (c->specs[i] && c->specs[i] != BAD_SPEC)
			et_matchspec_free(c->specs[i]);
		if (c->spec_urls[i]) {
			nbk_strvec_release(c->spec_urls[i]);
			free(c->spec_urls[i]);
		}
	}
	free(c->spec_urls);
	free(c->chan_url);
	nbk_strvec_release(&c->owned_urls);
	for (i = 0; i < c->nsolv; i++)
		et_version_free(c->vers[i]);
	free(c->specs);
	free(c->vers);
	free(c->recs);
	free(c->parsed);
	free(c->is_virtual);
	free(c->byname);
	free(c->name_start);
	free(c->name_count);
	free(c->job_deps);
	if (c->pool)
		pool_free(c->pool);
}

static char *join_lines(const struct nbk_strvec *lines)
{
	struct nbk_buf b = NBK_BUF_INIT;
	size_t i;

	for (i = 0; i < lines->n; i++) {
		nbk_buf_addstr(&b, lines->v[i]);
		nbk_buf_addch(&b, '\n');
	}
	return nbk_buf_detach(&b, NULL);
}

/*
 * Solve req with libsolv (solve.h has the caller's view).  req and every
 * record it points to are borrowed and must outlive *sol, whose link and
 * unlink arrays point into them; sol is cleared first and is the caller's to
 * release with et_solution_release() whatever the result.  Returns -1
 * with err (prefixed "request" or "pinned package") when a spec or pin does
 * not parse, before anything is built; 1 when libsolv finds no solution,
 * with sol->problem the explanation of every problem (explain_problem(), and
 * explain_empty() for a spec nothing matches), or "the request cannot be
 * satisfied" when nothing could be said; 0 with sol filled in libsolv's
 * order, dependencies first.  Virtual packages never appear in sol.  The pool
 * and solver are freed before returning.
 */
int et_solve(const struct et_solve_request *req, struct et_solution *sol, struct nbk_error *err)
{
	struct sctx c;
	_cleanup_strvec_ struct nbk_strvec lines = NBK_STRVEC_INIT;
	Solver *solv = NULL;
	Transaction *trans = NULL;
	Queue job;
	size_t i;
	int rc = -1;

	memset(sol, 0, sizeof(*sol));
	memset(&c, 0, sizeof(c));
	nbk_strvec_init(&c.owned_urls);
	c.req = req;
	/* the user's specs and pins first: a bad one is the user's error */
	for (i = 0; i < req->nspecs + req->npins; i++) {
		const char *s = i < req->nspecs ? req->specs[i] : req->pins[i - req->nspecs];
		struct et_matchspec *ms;

		if (et_matchspec_parse(s, &ms, err) < 0)
			return nbk_error_prefix(err,
						i < req->nspecs ? "request" : "pinned package");
		et_matchspec_free(ms);
	}
	c.pool = pool_create();
	pool_setdisttype(c.pool, DISTTYPE_RPM);
	c.pool->nscallback = nscallback;
	c.pool->nscallbackdata = &c;
	c.ns_match = pool_str2id(c.pool, "conda", 1);
	c.ns_nomatch = pool_str2id(c.pool, "conda-not", 1);
	build_pool(&c);
	queue_init(&job);

	c.job_deps = nbk_xcalloc(req->nspecs + 1, sizeof(Id));
	c.njob_deps = req->nspecs;
	for (i = 0; i < req->nspecs; i++) {
		Id dep = dep_id(&c, c.ns_match, req->specs[i]);
		Id sid = GETRELDEP(c.pool, dep)->evr;
		struct et_matchspec *ms = spec_of(&c, sid);
		Queue q;

		c.job_deps[i] = dep;
		if (is_activation(ms)) {
			const char *unknown = unknown_feature(&c, ms);

			if (unknown)
				add_line(&lines,
					 nbk_xasprintf("  - nothing provides '%s': no package "
						       "has the feature '%s'",
						       req->specs[i], unknown));
			continue;
		}
		queue_init(&q);
		candidates(&c, sid, ms, true, &q);
		if (!q.count)
			add_line(&lines, explain_empty(&c, req->specs[i], ms));
		queue_free(&q);
		queue_push2(&job, SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES, dep);
		if (req->mode == ET_SOLVE_UPDATE)
			queue_push2(&job, SOLVER_UPDATE | SOLVER_SOLVABLE_PROVIDES, dep);
	}
	if (lines.n) {
		sol->problem = join_lines(&lines);
		rc = 1;
		goto out;
	}
	for (i = 0; i < req->npins; i++) {
		Id sid = pool_str2id(c.pool, req->pins[i], 1);
		struct et_matchspec *ms = spec_of(&c, sid);
		Queue q;

		queue_init(&q);
		candidates(&c, sid, ms, false, &q);
		if (q.count) {
			Id what = pool_queuetowhatprovides(c.pool, &q);

			queue_push2(&job, SOLVER_ERASE | SOLVER_SOLVABLE_ONE_OF, what);
		}
		queue_free(&q);
	}
	if (req->mode == ET_SOLVE_UPDATE_ALL)
		queue_push2(&job, SOLVER_UPDATE | SOLVER_SOLVABLE_ALL, 0);

	solv = solver_create(c.pool);
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_DOWNGRADE, 1);
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_VENDORCHANGE, 1);
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_NAMECHANGE, 1);
	solver_set_flag(solv, SOLVER_FLAG_BEST_OBEY_POLICY, 1);
	if (solver_solve(solv, &job) != 0) {
		Id pr, count = (Id)solver_problem_count(solv);

		_cleanup_strvec_ struct nbk_strvec owned = NBK_STRVEC_INIT;

		for (pr = 1; pr <= count; pr++)
			explain_problem(&c, solv, pr, &lines, &owned);
		if (!lines.n)
			add_line(&lines, nbk_xstrdup("  - the request cannot be satisfied"));
		sol->problem = join_lines(&lines);
		rc = 1;
		goto out;
	}
	trans = solver_create_transaction(solv);
	transaction_order(trans, 0);
	sol->link = nbk_xcalloc((size_t)trans->steps.count + 1, sizeof(*sol->link));
	sol->unlink = nbk_xcalloc((size_t)trans->steps.count + 1, sizeof(*sol->unlink));
	for (i = 0; i < (size_t)trans->steps.count; i++) {
		Id p = trans->steps.elements[i];
		Solvable *s = pool_id2solvable(c.pool, p);

		if (!c.recs[p] || c.is_virtual[p])
			continue;
		if (s->repo == c.installed)
			sol->unlink[sol->nunlink++] = c.recs[p];
		else
			sol->link[sol->nlink++] = c.recs[p];
	}
	rc = 0;
out:
	if (trans)
		transaction_free(trans);
	if (solv)
		solver_free(solv);
	queue_free(&job);
	sctx_release(&c);
	return rc;
}
