/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CEP 16 sharded repodata (shards.h): the index decoded into a sorted
 * table, and the shards of a round of names fetched through transfer.c's
 * loop into the content-addressed cache, verified, decompressed and handed
 * to repodata.c for their records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "nbkit/sha256.h"
#include "nbkit/str.h"
#include "nbkit/url.h"
#include "fetch.h"
#include "msgpack.h"
#include "pkgcache.h"
#include "shards.h"
#include "transfer.h"

/* Most shard transfers at once (HTTP/2 multiplexes them), and connections to one host. */
#define SHARDS_MAX_ACTIVE 32
#define SHARDS_MAX_PER_HOST 6
/* What a shard is decompressed through. */
#define ZBUF_SIZE (64 * 1024)

struct et_shard_entry {
	const char *name; /* into the index's data, not NUL-terminated */
	uint32_t len;
	const unsigned char *hash; /* NBK_SHA256_LEN bytes, into the index's data */
};

/* ---- the index ---- */

void et_shard_index_release(struct et_shard_index *index)
{
	free(index->channel);
	free(index->url);
	free(index->subdir);
	free(index->base_url);
	free(index->shards_url);
	free(index->data);
	free(index->entries);
	*index = (struct et_shard_index)ET_SHARD_INDEX_INIT;
}

static int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : an < bn ? -1 : an > bn;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct et_shard_entry *x = a, *y = b;

	return name_cmp(x->name, x->len, y->name, y->len);
}

/* A str of the index kept as a C string: no NUL byte in it. */
static int index_string(const struct et_msgpack *mp, const struct et_msgpack_value *v,
			const char *key, char **out, struct nbk_error *err)
{
	if (v->type == ET_MSGPACK_NIL)
		return 0;
	if (v->type != ET_MSGPACK_STR || memchr(v->s, '\0', v->len))
		return nbk_error_set(err, 0, "offset %zu: 'info.%s' must be a string",
				     et_msgpack_offset(mp), key);
	free(*out);
	*out = nbk_xstrndup(v->s, v->len);
	return 0;
}

/* "info": base_url and shards_base_url kept, the rest skipped. */
static int index_info(struct et_msgpack *mp, struct et_shard_index *index, char **shards_base,
		      struct nbk_error *err)
{
	struct et_msgpack_value m, k, v;
	uint32_t i;

	if (et_msgpack_next(mp, &m, err) < 0)
		return -1;
	if (m.type != ET_MSGPACK_MAP)
		return nbk_error_set(err, 0, "offset %zu: 'info' must be a map, not %s",
				     et_msgpack_offset(mp), et_msgpack_type_name(m.type));
	for (i = 0; i < m.len; i++) {
		bool base, shards;

		if (et_msgpack_next(mp, &k, err) < 0)
			return -1;
		base = et_msgpack_str_is(&k, "base_url");
		shards = et_msgpack_str_is(&k, "shards_base_url");
		if (!base && !shards) {
			if (et_msgpack_skip(mp, err) < 0)
				return -1;
			continue;
		}
		if (et_msgpack_next(mp, &v, err) < 0 ||
		    index_string(mp, &v, base ? "base_url" : "shards_base_url",
				 base ? &index->base_url : shards_base, err) < 0)
			return -1;
	}
	return 0;
}

/* "shards": NAME -> 32-byte sha256, into index->entries (sorted, no name twice). */
static int index_shards(struct et_msgpack *mp, struct et_shard_index *index, struct nbk_error *err)
{
	struct et_msgpack_value v, k, h;
	size_t at;
	uint32_t i;

	if (et_msgpack_next(mp, &v, err) < 0)
		return -1;
	if (v.type != ET_MSGPACK_MAP)
		return nbk_error_set(err, 0, "offset %zu: 'shards' must be a map, not %s",
				     et_msgpack_offset(mp), et_msgpack_type_name(v.type));
	free(index->entries);
	/* v.len is at most half the bytes left (msgpack.h): bounded by the input */
	index->entries = nbk_xcalloc(v.len ? v.len : 1, sizeof(*index->entries));
	index->n = 0;
	for (i = 0; i < v.len; i++) {
		if (et_msgpack_next(mp, &k, err) < 0)
			return -1;
		if (k.type != ET_MSGPACK_STR || !k.len || memchr(k.s, '\0', k.len))
			return nbk_error_set(err, 0, "offset %zu: a package name must be a string",
					     et_msgpack_offset(mp));
		at = et_msgpack_offset(mp);
		if (et_msgpack_next(mp, &h, err) < 0)
			return -1;
		if (h.type != ET_MSGPACK_BIN || h.len != NBK_SHA256_LEN)
			return nbk_error_set(err, 0,
					     "offset %zu: the shard of '%.*s' must be a sha256 "
					     "(%d bytes), not %s%s",
					     at, (int)(k.len > 200 ? 200 : k.len), k.s,
					     NBK_SHA256_LEN, et_msgpack_type_name(h.type),
					     h.type == ET_MSGPACK_BIN ? " of another length" : "");
		index->entries[index->n].name = k.s;
		index->entries[index->n].len = k.len;
		index->entries[index->n].hash = (const unsigned char *)h.s;
		index->n++;
	}
	qsort(index->entries, index->n, sizeof(*index->entries), entry_cmp);
	for (i = 1; i < index->n; i++)
		if (entry_cmp(&index->entries[i - 1], &index->entries[i]) == 0)
			return nbk_error_set(
				err, 0, "the name '%.*s' has two shards",
				(int)(index->entries[i].len > 200 ? 200 : index->entries[i].len),
				index->entries[i].name);
	return 0;
}

/*
 * et_shard_index_decode() (shards.h): the top map's "version", "info" and
 * "shards" read, other keys skipped, nothing after the map; then the
 * shards' URL resolved against url, and refused when an http(s) index
 * would send us to another scheme.
 */
int et_shard_index_decode(struct et_shard_index *index, const char *channel, const char *url,
			  const char *subdir, unsigned char *data, size_t len,
			  struct nbk_error *err)
{
	_cleanup_free_ char *shards_base = NULL;
	struct et_msgpack mp;
	struct et_msgpack_value top, k, v;
	bool local = !strncmp(url, "file://", 7);
	uint32_t i;

	*index = (struct et_shard_index)ET_SHARD_INDEX_INIT;
	index->data = data;
	index->len = len;
	et_msgpack_init(&mp, data, len);
	if (et_msgpack_next(&mp, &top, err) < 0)
		goto bad;
	if (top.type != ET_MSGPACK_MAP) {
		nbk_error_set(err, 0, "offset 0: the index must be a map, not %s",
			      et_msgpack_type_name(top.type));
		goto bad;
	}
	for (i = 0; i < top.len; i++) {
		if (et_msgpack_next(&mp, &k, err) < 0)
			goto bad;
		if (et_msgpack_str_is(&k, "version")) {
			if (et_msgpack_next(&mp, &v, err) < 0)
				goto bad;
			if (v.type != ET_MSGPACK_INT || v.i != 1) {
				_cleanup_free_ char *shown = nbk_url_redact(url);

				nbk_debug("the shard index of '%s' is not of version 1: not used",
					  shown);
				et_shard_index_release(index);
				return 1;
			}
		} else if (et_msgpack_str_is(&k, "info")) {
			if (index_info(&mp, index, &shards_base, err) < 0)
				goto bad;
		} else if (et_msgpack_str_is(&k, "shards")) {
			if (index_shards(&mp, index, err) < 0)
				goto bad;
		} else if (et_msgpack_skip(&mp, err) < 0) {
			goto bad;
		}
	}
	if (et_msgpack_left(&mp)) {
		nbk_error_set(err, 0, "offset %zu: trailing data after the index",
			      et_msgpack_offset(&mp));
		goto bad;
	}
	if (!index->base_url)
		index->base_url = nbk_xstrdup("");
	index->shards_url = et_repo_resolve_base(url, shards_base ? shards_base : "");
	if (!local && strncmp(index->shards_url, "http://", 7) &&
	    strncmp(index->shards_url, "https://", 8)) {
		nbk_error_set(err, 0, "shards_base_url '%s' is not an http(s) URL", shards_base);
		goto bad;
	}
	index->channel = nbk_xstrdup(channel);
	index->url = nbk_xstrdup(url);
	index->subdir = nbk_xstrdup(subdir);
	return 0;
bad:
	et_shard_index_release(index);
	return -1;
}

static const struct et_shard_entry *index_find(const struct et_shard_index *index, const char *name)
{
	struct et_shard_entry key = { name, (uint32_t)strlen(name), NULL };

	if (!index->n)
		return NULL;
	return bsearch(&key, index->entries, index->n, sizeof(key), entry_cmp);
}

const unsigned char *et_shard_index_hash(const struct et_shard_index *index, const char *name)
{
	const struct et_shard_entry *e = index_find(index, name);

	return e ? e->hash : NULL;
}

bool et_shard_index_has(const struct et_shard_index *index, const char *name)
{
	return index_find(index, name) != NULL;
}

char *et_shard_index_name(const struct et_shard_index *index, size_t i)
{
	return nbk_xstrndup(index->entries[i].name, index->entries[i].len);
}

void et_shard_index_job_release(struct et_shard_index_job *job)
{
	et_shard_index_release(&job->index);
	job->sharded = false;
}

/*
 * et_shard_index_fetch_all() (shards.h): the indexes through
 * et_fetch_all() (its cache, conditions and fallbacks), each fetched one
 * read (at most repodata_max_bytes) and decoded.
 */
int et_shard_index_fetch_all(const struct et_config *cfg, struct et_shard_index_job *jobs, size_t n,
			     struct nbk_error *err)
{
	struct et_fetch_job *fj = nbk_xcalloc(n ? n : 1, sizeof(*fj));
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		jobs[i].sharded = false;
		jobs[i].index = (struct et_shard_index)ET_SHARD_INDEX_INIT;
		fj[i].channel = jobs[i].channel;
		fj[i].subdir = jobs[i].subdir;
		fj[i].kind = ET_FETCH_SHARD_INDEX;
	}
	/*
	 * The index is optional: a subdir whose index did not come (a
	 * transfer that failed: a server error, a dropped connection) is
	 * read from its repodata.json, as one without an index is, and that
	 * fetch says what is wrong with the server; -v says why here.  An
	 * index that came but does not decode is an error.
	 */
	if (et_fetch_all(cfg, fj, n, err) < 0)
		nbk_info("no shard index: %s; reading repodata.json", err->msg);
	ret = 0;
	for (i = 0; i < n && ret == 0; i++) {
		struct nbk_buf b = NBK_BUF_INIT;
		size_t len;
		unsigned char *data;
		int r;

		if (!fj[i].json_path)
			continue;
		if (nbk_read_file(fj[i].json_path, (size_t)cfg->repodata_max_bytes, &b, err) < 0) {
			nbk_buf_release(&b);
			ret = -1;
			break;
		}
		data = (unsigned char *)nbk_buf_detach(&b, &len);
		r = et_shard_index_decode(&jobs[i].index, jobs[i].channel->name, fj[i].url,
					  jobs[i].subdir, data, len, err);
		if (r < 0) {
			_cleanup_free_ char *shown = nbk_url_redact(jobs[i].channel->name);

			nbk_error_prefix(err, "channel '%s', subdir '%s': shard index", shown,
					 jobs[i].subdir);
			ret = -1;
			break;
		}
		jobs[i].sharded = r == 0;
		jobs[i].index.downloaded = fj[i].downloaded;
		if (r == 0) {
			_cleanup_free_ char *shown = nbk_url_redact(fj[i].url);

			nbk_debug("%s: a shard index of %zu names", shown, jobs[i].index.n);
		}
	}
	for (i = 0; i < n; i++)
		et_fetch_job_release(&fj[i]);
	free(fj);
	return ret;
}

/* ---- the shards ---- */

/* One shard to read: each distinct hash of a round once. */
struct shard_get {
	const unsigned char *hash; /* into its first index */
	char hex[NBK_SHA256_HEX_LEN + 1];
	const struct et_shard_index *index; /* the first job's that wants it */
	size_t job;                         /* that job */
	const char *name;                   /* the first name that wants it */
	char *path;    /* its compressed bytes: in the cache, or the file:// channel */
	char *cached;  /* CACHE/shards/HEX.msgpack.zst; NULL for a file:// channel */
	bool verified; /* path's bytes were hashed against hash in this call */
	bool downloaded;
	/* the transfer */
	struct et_transfer t;
	struct nbk_atomic_file out; /* the body, beside cached */
	struct nbk_sha256 sha;
	/* results */
	unsigned char *data; /* decompressed */
	size_t len;
	bool failed;
	struct nbk_error err;
};

static int get_error(struct shard_get *g, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "channel 'C', subdir 'S': shard of 'NAME': MSG" into g; returns -1. */
static int get_error(struct shard_get *g, int errnum, const char *fmt, ...)
{
	_cleanup_free_ char *shown = nbk_url_redact(g->index->channel);
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->failed = true;
	return nbk_error_set(&g->err, errnum, "channel '%s', subdir '%s': shard of '%s': %s", shown,
			     g->index->subdir, g->name, msg);
}

static void get_release(struct shard_get *g)
{
	nbk_atomic_discard(&g->out);
	et_transfer_release(&g->t);
	free(g->path);
	free(g->cached);
	free(g->data);
}

/* Before each request: the URL, the cap, a fresh temporary file and hash. */
static int get_start(struct et_transfer *t)
{
	struct shard_get *g = t->user;
	_cleanup_free_ char *url =
		nbk_xasprintf("%s/%s%s", g->index->shards_url, g->hex, ET_SHARD_SUFFIX);
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_atomic_discard(&g->out);
	et_transfer_set_url(t, url);
	t->decode = true;
	if (nbk_atomic_open(&g->out, g->cached, &err) < 0)
		return get_error(g, 0, "%s", err.msg);
	nbk_sha256_init(&g->sha);
	return 0;
}

static int get_write(struct et_transfer *t, const char *data, size_t n)
{
	struct shard_get *g = t->user;
	struct nbk_error err = NBK_ERROR_INIT;

	nbk_sha256_update(&g->sha, data, n);
	if (nbk_atomic_write(&g->out, data, n, &err) < 0)
		return get_error(g, 0, "%s", err.msg);
	return 0;
}

/* A 2xx body is whole: its sha256 against the index's, then into the cache. */
static enum et_transfer_next get_answer(struct et_transfer *t, long status)
{
	struct shard_get *g = t->user;
	struct nbk_error err = NBK_ERROR_INIT;
	unsigned char got[NBK_SHA256_LEN];
	char got_hex[NBK_SHA256_HEX_LEN + 1];

	if (status < 200 || status > 299)
		return ET_TRANSFER_STATUS;
	nbk_sha256_final(&g->sha, got);
	if (memcmp(got, g->hash, NBK_SHA256_LEN) != 0) {
		nbk_hex_encode(got, NBK_SHA256_LEN, got_hex);
		get_error(g, 0, "'%s' does not match the shard index: sha256 %s, expected %s",
			  t->shown_url, got_hex, g->hex);
		nbk_atomic_discard(&g->out);
		return ET_TRANSFER_DONE;
	}
	if (nbk_atomic_commit(&g->out, 0644, (uid_t)-1, (gid_t)-1, &err) < 0) {
		get_error(g, 0, "%s", err.msg);
		return ET_TRANSFER_DONE;
	}
	g->path = nbk_xstrdup(g->cached);
	g->verified = true;
	g->downloaded = true;
	return ET_TRANSFER_DONE;
}

static void get_done(struct et_transfer *t)
{
	struct shard_get *g = t->user;

	nbk_atomic_discard(&g->out);
	if (t->failed)
		get_error(g, 0, "cannot fetch %s", t->err.msg);
}

static const struct et_transfer_ops get_ops = {
	.start = get_start,
	.write = get_write,
	.answer = get_answer,
	.done = get_done,
};

/*
 * Read the shard at g->path (at most max bytes), check its sha256 unless
 * this call verified it, and decompress it (at most max bytes) into
 * g->data.  Returns 0; 1 when the bytes do not match the hash (the caller
 * decides: fetch again or fail); -1 with g's error.
 */
static int get_load(struct shard_get *g, size_t max)
{
	_cleanup_buf_ struct nbk_buf raw = NBK_BUF_INIT;
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	ZSTD_DStream *zs;
	ZSTD_inBuffer ib;
	size_t r = 1;

	if (nbk_read_file(g->path, max, &raw, &err) < 0)
		return get_error(g, 0, "%s", err.msg);
	if (!g->verified) {
		char hex[NBK_SHA256_HEX_LEN + 1];

		nbk_sha256_hex(raw.data, raw.len, hex);
		if (strcmp(hex, g->hex) != 0)
			return 1;
		g->verified = true;
	}
	if (!(zs = ZSTD_createDStream()))
		return get_error(g, ENOMEM, "cannot decompress '%s'", g->path);
	ZSTD_initDStream(zs);
	ib = (ZSTD_inBuffer){ raw.data, raw.len, 0 };
	while (ib.pos < ib.size || r != 0) {
		ZSTD_outBuffer ob;

		if (out.len >= max) {
			ZSTD_freeDStream(zs);
			nbk_buf_release(&out);
			return get_error(g, 0,
					 "'%s' decompresses to more than %zu bytes "
					 "(repodata_max_bytes)",
					 g->path, max);
		}
		nbk_buf_grow(&out, ZBUF_SIZE < max - out.len ? ZBUF_SIZE : max - out.len);
		ob = (ZSTD_outBuffer){ out.data + out.len, out.cap - out.len - 1, 0 };
		if (ob.size > max - out.len)
			ob.size = max - out.len;
		r = ZSTD_decompressStream(zs, &ob, &ib);
		if (ZSTD_isError(r) || (ib.pos == ib.size && ob.pos == 0 && r != 0)) {
			ZSTD_freeDStream(zs);
			nbk_buf_release(&out);
			return get_error(g, 0, "'%s' is not valid zstd data: %s", g->path,
					 ZSTD_isError(r) ? ZSTD_getErrorName(r) : "truncated");
		}
		out.len += ob.pos;
		out.data[out.len] = '\0';
	}
	ZSTD_freeDStream(zs);
	g->data = (unsigned char *)nbk_buf_detach(&out, &g->len);
	return 0;
}

/* The shards folder of the cache (made when missing, and trusted); NULL when none. */
static char *shards_dir(const struct et_config *cfg)
{
	_cleanup_free_ char *cache = NULL;
	char *dir;

	if (et_cache_dir(cfg, &cache, NULL) < 0)
		return NULL;
	dir = nbk_xasprintf("%s/%s", cache, ET_SHARDS_CACHE_DIR);
	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, NULL) < 0 ||
	    !et_pkgcache_trusted_dir(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/*
 * Where g's bytes are, before any transfer: a file:// channel's own file,
 * else the cache's (when there and matching: a damaged one is removed).
 * Returns 1 when it must be fetched, 0 when g->data is loaded, -1 on error.
 */
static int get_locate(struct shard_get *g, const struct et_config *cfg, const char *dir)
{
	_cleanup_free_ char *local = et_url_local_path(g->index->shards_url);
	size_t max = (size_t)cfg->repodata_max_bytes;
	int r;

	if (local) {
		g->path = nbk_xasprintf("%s/%s%s", local, g->hex, ET_SHARD_SUFFIX);
		r = get_load(g, max);
		if (r > 0)
			return get_error(g, 0, "'%s' does not match the shard index's sha256 %s",
					 g->path, g->hex);
		return r;
	}
	if (!dir)
		return get_error(g, 0, "no writable package cache of your own for the shards");
	g->cached = nbk_xasprintf("%s/%s%s", dir, g->hex, ET_SHARD_SUFFIX);
	if (access(g->cached, F_OK) == 0) {
		g->path = nbk_xstrdup(g->cached);
		r = get_load(g, max);
		if (r <= 0)
			return r;
		nbk_debug("'%s' does not match its name: fetching it again", g->cached);
		unlink(g->cached);
		free(g->path);
		g->path = NULL;
	}
	if (cfg->offline)
		return get_error(g, 0, "not in the cache and --offline was given");
	return 1;
}

/*
 * The distinct shards the jobs want, as gets (*out, *n_out, zeroed but
 * for hash, hex, index, job, name and out), found through a table keyed by the
 * hash (random already); (*want)[i][j] is the get of jobs[i].names[j], or
 * SIZE_MAX when its index lacks the name.
 */
static void plan(struct et_shards_job *jobs, size_t n, struct shard_get **out, size_t *n_out,
		 size_t ***want)
{
	struct shard_get *gets;
	size_t n_gets = 0, total = 0, cap = 16, i, j, k, *table;

	for (i = 0; i < n; i++)
		total += jobs[i].n_names;
	while (cap < total * 2)
		cap *= 2;
	table = nbk_xmalloc(cap * sizeof(*table));
	memset(table, 0xff, cap * sizeof(*table));
	gets = nbk_xcalloc(total ? total : 1, sizeof(*gets));
	*want = nbk_xcalloc(n ? n : 1, sizeof(**want));
	for (i = 0; i < n; i++) {
		(*want)[i] = nbk_xcalloc(jobs[i].n_names + 1, sizeof(***want));
		for (j = 0; j < jobs[i].n_names; j++) {
			const unsigned char *h =
				et_shard_index_hash(jobs[i].index, jobs[i].names[j]);
			uint64_t key;

			(*want)[i][j] = SIZE_MAX;
			if (!h)
				continue;
			memcpy(&key, h, sizeof(key));
			for (k = key & (cap - 1);
			     table[k] != SIZE_MAX && memcmp(gets[table[k]].hash, h, NBK_SHA256_LEN);
			     k = (k + 1) & (cap - 1))
				;
			if (table[k] == SIZE_MAX) {
				struct shard_get *g = &gets[n_gets];

				g->hash = h;
				nbk_hex_encode(h, NBK_SHA256_LEN, g->hex);
				g->index = jobs[i].index;
				g->job = i;
				g->name = jobs[i].names[j];
				g->out = (struct nbk_atomic_file)NBK_ATOMIC_FILE_INIT;
				table[k] = n_gets++;
			}
			(*want)[i][j] = table[k];
		}
	}
	free(table);
	*out = gets;
	*n_out = n_gets;
}

/*
 * Each job's records from its loaded gets (et_repo_from_shards()), a name
 * asked twice in a job given once.  Returns 0 or -1 with err.
 */
static int build_repos(struct et_shards_job *jobs, size_t n, struct shard_get *gets, size_t n_gets,
		       size_t **want, struct nbk_error *err)
{
	size_t *seen = nbk_xcalloc(n_gets ? n_gets : 1, sizeof(*seen)); /* job + 1 */
	const char **seen_name = nbk_xcalloc(n_gets ? n_gets : 1, sizeof(*seen_name));
	size_t i, j;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		const struct et_shard_index *x = jobs[i].index;
		struct et_repo_id id = { x->channel, x->url, x->subdir, jobs[i].channel_index };
		struct et_repo_shard *sh = nbk_xcalloc(jobs[i].n_names + 1, sizeof(*sh));
		size_t m = 0;

		for (j = 0; j < jobs[i].n_names; j++) {
			size_t k = want[i][j];

			if (k == SIZE_MAX ||
			    (seen[k] == i + 1 && !strcmp(seen_name[k], jobs[i].names[j])))
				continue;
			seen[k] = i + 1;
			seen_name[k] = jobs[i].names[j];
			sh[m].name = jobs[i].names[j];
			sh[m].data = gets[k].data;
			sh[m].len = gets[k].len;
			m++;
			if (gets[k].downloaded && gets[k].job == i)
				jobs[i].n_downloaded++;
		}
		jobs[i].n_shards = m;
		/* its errors name the shard and CHANNEL/SUBDIR */
		if (et_repo_from_shards(&jobs[i].repo, &id, x->base_url, sh, m, err) < 0)
			ret = -1;
		free(sh);
	}
	free(seen);
	free(seen_name);
	return ret;
}

/*
 * et_shards_fetch() (shards.h): plan the distinct shards (plan()), find
 * each in a file:// channel or the cache (get_locate()), fetch the others
 * in one et_transfer_run_all() (get_ops: into a temporary file, hashed on
 * the way, renamed into the cache once it matches), decompress those
 * (get_load()), then build each job's repo (build_repos()).  The first
 * error, in the order the shards were planned, is the one returned; every
 * job's repo is emptied then.
 */
int et_shards_fetch(const struct et_config *cfg, struct et_shards_job *jobs, size_t n,
		    struct nbk_error *err)
{
	static const struct et_transfer_opts opts = { .max_active = SHARDS_MAX_ACTIVE,
						      .max_per_host = SHARDS_MAX_PER_HOST };
	_cleanup_free_ char *dir = shards_dir(cfg);
	struct shard_get *gets = NULL;
	struct et_transfer **ts;
	size_t n_gets = 0, pending = 0, i, **want = NULL;
	int ret = 0;

	for (i = 0; i < n; i++) {
		jobs[i].repo = (struct et_repo)ET_REPO_INIT;
		jobs[i].n_shards = jobs[i].n_downloaded = 0;
	}
	plan(jobs, n, &gets, &n_gets, &want);
	ts = nbk_xcalloc(n_gets ? n_gets : 1, sizeof(*ts));
	for (i = 0; i < n_gets; i++) {
		struct shard_get *g = &gets[i];

		g->t.ops = &get_ops;
		g->t.user = g;
		if (get_locate(g, cfg, dir) <= 0)
			continue;
		et_transfer_set_cap(&g->t, (uint64_t)cfg->repodata_max_bytes,
				    "more than %ld bytes for a shard (repodata_max_bytes)",
				    cfg->repodata_max_bytes);
		ts[pending++] = &g->t;
	}
	if (pending)
		nbk_debug("fetching %zu of %zu shards", pending, n_gets);
	if (et_transfer_run_all(cfg, ts, pending, &opts, err) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < n_gets; i++) {
		struct shard_get *g = &gets[i];

		if (!g->failed && !g->data && g->path &&
		    get_load(g, (size_t)cfg->repodata_max_bytes))
			g->failed = true;
		if (!g->failed && !g->data)
			get_error(g, 0, "not fetched"); /* cannot happen: every way ends above */
		if (g->failed) {
			*err = g->err;
			ret = -1;
			goto out;
		}
	}
	ret = build_repos(jobs, n, gets, n_gets, want, err);
out:
	if (ret < 0)
		for (i = 0; i < n; i++)
			et_repo_release(&jobs[i].repo);
	for (i = 0; i < n_gets; i++)
		get_release(&gets[i]);
	for (i = 0; i < n; i++)
		free(want[i]);
	free(want);
	free(ts);
	free(gets);
	return ret;
}

void et_shards_job_release(struct et_shards_job *job)
{
	et_repo_release(&job->repo);
	job->n_shards = job->n_downloaded = 0;
}
