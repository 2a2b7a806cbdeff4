/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The repodata of each channel subdir into the cache (fetch.h): what to
 * ask for (.zst or .json, conditional on the cached ETag/Last-Modified),
 * where the body goes, and what each answer means.  The transfers run in
 * transfer.c's loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "nbkit/str.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/json.h"
#include "nbkit/log.h"
#include "nbkit/md5.h"
#include "nbkit/path.h"
#include "nbkit/url.h"
#include "nbkit/yaml.h"
#include "fetch.h"
#include "pkgcache.h"
#include "transfer.h"

#define MAX_STATE_SIZE (64 * 1024)
#define MAX_HEADER_VALUE 1024
/* What a .zst body is decompressed through on its way to the file. */
#define ZBUF_SIZE (128 * 1024)
#define COPY_CHUNK (1 << 20)
/* Ask again for .zst this long after a 404 for it (conda: 7 days). */
#define ZST_RECHECK_NS (7ULL * 24 * 3600 * 1000000000ULL)

/*
 * What a job kind fetches (fetch.h): the file in CHANNEL/SUBDIR (its .zst
 * too), where it goes in the cache, and whether it may be missing.
 */
struct fetch_kind {
	const char *file;      /* "repodata.json"; the .zst is FILE.zst */
	const char *cache_ext; /* CACHE/HASH + this: the document, decompressed */
	const char *state_ext; /* CACHE/HASH + this: its state */
	bool only_zst;         /* only FILE.zst exists */
	bool optional;         /* 404 or 501: none, in any subdir (shards: fall back) */
};

static const struct fetch_kind kinds[] = {
	[ET_FETCH_REPODATA] = { "repodata.json", ".json", ".info.json", false, false },
	[ET_FETCH_SHARD_INDEX] = { "repodata_shards.msgpack", ".shards.msgpack",
				   ".shards.info.json", true, true },
};

/* What HASH.info.json remembers about HASH.json. */
struct state {
	char *url;
	char *etag;
	char *mod;
	char *cache_control;
	uint64_t size;
	uint64_t mtime_ns;
	uint64_t refresh_ns;
	int has_zst; /* -1 unknown, 0 no, 1 yes */
	uint64_t zst_checked_ns;
};

struct xfer {
	struct et_fetch_job *job;
	const struct fetch_kind *kind;
	struct et_transfer t; /* the request: its URL (shown_url for messages), cap, state */
	uint64_t max_bytes;   /* cfg's repodata_max_bytes */
	/* the sink: a 2xx body goes to out (decompressed when zst), never to memory */
	struct nbk_atomic_file out; /* JSON_CACHE.tmp.XXXXXX; out.fd -1 when none */
	ZSTD_DStream *zs;           /* decompressing a .zst body as it arrives */
	char *zbuf;                 /* ZBUF_SIZE, zs's output */
	size_t zst_left;            /* ZSTD_decompressStream's last hint: 0 at a frame's end */
	uint64_t plain_len;         /* bytes written to out */
	char *etag, *mod, *cache_control;
	bool zst;
	bool done;        /* no request needed (prepare()), or failed */
	char *json_cache; /* HASH.json */
	char *state_path; /* HASH.info.json */
	struct state st;
	bool have_cache; /* HASH.json exists and matches st */
	struct nbk_error err;
	bool failed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void state_release(struct state *st)
{
	free(st->url);
	free(st->etag);
	free(st->mod);
	free(st->cache_control);
	memset(st, 0, sizeof(*st));
	st->has_zst = -1;
}

static uint64_t node_u64(const struct nbk_node *root, const char *key)
{
	uint64_t v;

	return nbk_parse_u64(nbk_node_get_scalar(root, key), &v) < 0 ? 0 : v;
}

/* Read HASH.info.json (JSON, read with the YAML loader: JSON is YAML). */
static void state_load(const char *path, struct state *st)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	const char *s;

	state_release(st);
	if (access(path, F_OK) != 0 || nbk_yaml_load_file(path, MAX_STATE_SIZE, &root, NULL) < 0 ||
	    root->kind != NBK_NODE_MAP)
		return;
	if ((s = nbk_node_get_scalar(root, "url")))
		st->url = nbk_xstrdup(s);
	if ((s = nbk_node_get_scalar(root, "etag")))
		st->etag = nbk_xstrdup(s);
	if ((s = nbk_node_get_scalar(root, "mod")))
		st->mod = nbk_xstrdup(s);
	if ((s = nbk_node_get_scalar(root, "cache_control")))
		st->cache_control = nbk_xstrdup(s);
	st->size = node_u64(root, "size");
	st->mtime_ns = node_u64(root, "mtime_ns");
	st->refresh_ns = node_u64(root, "refresh_ns");
	st->zst_checked_ns = node_u64(root, "zst_checked_ns");
	if ((s = nbk_node_get_scalar(root, "has_zst")))
		st->has_zst = !strcmp(s, "true") ? 1 : !strcmp(s, "false") ? 0 : -1;
}

static int state_save(const char *path, const struct state *st, struct nbk_error *err)
{
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_json w;

	nbk_json_init(&w, &b, NBK_JSON_PRETTY);
	nbk_json_object_begin(&w);
	nbk_json_key_string(&w, "url", st->url);
	nbk_json_key_string(&w, "etag", st->etag);
	nbk_json_key_string(&w, "mod", st->mod);
	nbk_json_key_string(&w, "cache_control", st->cache_control);
	nbk_json_key_uint(&w, "size", st->size);
	nbk_json_key_uint(&w, "mtime_ns", st->mtime_ns);
	nbk_json_key_uint(&w, "refresh_ns", st->refresh_ns);
	nbk_json_key(&w, "has_zst");
	if (st->has_zst < 0)
		nbk_json_null(&w);
	else
		nbk_json_bool(&w, st->has_zst);
	nbk_json_key_uint(&w, "zst_checked_ns", st->zst_checked_ns);
	nbk_json_object_end(&w);
	nbk_buf_addch(&b, '\n');
	return nbk_write_file_atomic(path, b.data, b.len, 0644, (uid_t)-1, (gid_t)-1, err);
}

static bool file_matches(const char *path, const struct state *st)
{
	struct stat sb;

	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return false;
	return (uint64_t)sb.st_size == st->size &&
	       (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL + (uint64_t)sb.st_mtim.tv_nsec ==
		       st->mtime_ns;
}

/* max-age from a Cache-Control value, or -1. */
static long max_age(const char *cc)
{
	const char *p;
	char *end;
	long v;

	if (!cc || !(p = strcasestr(cc, "max-age=")))
		return -1;
	errno = 0;
	v = strtol(p + 8, &end, 10);
	if (errno || end == p + 8 || v < 0)
		return -1;
	return v;
}

static bool cache_fresh(const struct et_config *cfg, const struct state *st)
{
	uint64_t age, limit;
	long ma;

	if (cfg->local_repodata_ttl == 0)
		return false;
	if (cfg->local_repodata_ttl > 1) {
		limit = (uint64_t)cfg->local_repodata_ttl;
	} else {
		ma = max_age(st->cache_control);
		if (ma <= 0)
			return false;
		limit = (uint64_t)ma;
	}
	age = now_ns() - st->refresh_ns;
	return st->refresh_ns <= now_ns() && age < limit * 1000000000ULL;
}

int et_cache_dir(const struct et_config *cfg, char **out, struct nbk_error *err)
{
	size_t i;

	for (i = 0; i < cfg->pkgs_dirs.n; i++) {
		_cleanup_free_ char *dir = nbk_xasprintf("%s/cache", cfg->pkgs_dirs.v[i]);

		/* Another user who can write there could plant repodata, and
		 * with it the sha256 every archive is checked against. */
		if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, NULL) == 0 &&
		    access(dir, W_OK) == 0 && et_pkgcache_trusted_dir(dir)) {
			*out = nbk_steal_pointer(&dir);
			return 0;
		}
	}
	return nbk_error_set(err, 0,
			     "no writable package cache of your own among pkgs_dirs (%zu tried)",
			     cfg->pkgs_dirs.n);
}

void et_fetch_job_release(struct et_fetch_job *job)
{
	free(job->url);
	free(job->json_path);
	free(job->cache_path);
	job->url = job->json_path = job->cache_path = NULL;
}

static int job_error(struct xfer *x, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int job_error(struct xfer *x, int errnum, const char *fmt, ...)
{
	_cleanup_free_ char *name = NULL;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->failed = true;
	x->done = true;
	name = nbk_url_redact(x->job->channel->name);
	return nbk_error_set(&x->err, errnum, "channel '%s', subdir '%s': %s", name, x->job->subdir,
			     msg);
}

/*
 * The body of a 2xx answer goes straight to a temporary file beside
 * json_cache, decompressed on the way when it is .zst, and never whole into
 * memory: each subdir fetched at once would otherwise hold up to
 * repodata_max_bytes (issue 9).  sink_write() counts the decoded bytes
 * against max_bytes, sink_commit() renames the file into place,
 * sink_discard() removes it.  Errors go to the job (job_error()).
 */
static void sink_discard(struct xfer *x)
{
	nbk_atomic_discard(&x->out);
	if (x->zs) {
		ZSTD_freeDStream(x->zs);
		x->zs = NULL;
	}
	x->zst_left = 0;
	x->plain_len = 0;
}

/* A job's error from a sink step's err (its message ends with strerror already). */
static int sink_error(struct xfer *x, const struct nbk_error *err)
{
	return job_error(x, 0, "cannot store repodata: %s", err->msg);
}

static int sink_open(struct xfer *x)
{
	struct nbk_error err = NBK_ERROR_INIT;

	if (nbk_atomic_open(&x->out, x->json_cache, &err) < 0)
		return sink_error(x, &err);
	if (x->zst) {
		if (!(x->zs = ZSTD_createDStream()))
			return job_error(x, ENOMEM, "cannot decompress '%s'", x->t.shown_url);
		ZSTD_initDStream(x->zs);
		if (!x->zbuf)
			x->zbuf = nbk_xmalloc(ZBUF_SIZE);
	}
	return 0;
}

/* Append n decoded bytes to the file, within max_bytes. */
static int sink_put(struct xfer *x, const char *p, size_t n)
{
	if (n > x->max_bytes - x->plain_len)
		return job_error(x, 0,
				 "'%s' decompresses to more than %llu bytes (repodata_max_bytes)",
				 x->t.shown_url, (unsigned long long)x->max_bytes);
	struct nbk_error err = NBK_ERROR_INIT;

	x->plain_len += n;
	if (nbk_atomic_write(&x->out, p, n, &err) < 0)
		return sink_error(x, &err);
	return 0;
}

static int sink_write(struct xfer *x, const char *data, size_t n)
{
	ZSTD_inBuffer ib = { data, n, 0 };

	if (x->out.fd < 0 && sink_open(x) < 0)
		return -1;
	if (!x->zs)
		return sink_put(x, data, n);
	for (;;) {
		ZSTD_outBuffer ob = { x->zbuf, ZBUF_SIZE, 0 };
		size_t r = ZSTD_decompressStream(x->zs, &ob, &ib);

		if (ZSTD_isError(r))
			return job_error(x, 0, "'%s' is not valid zstd data: %s", x->t.shown_url,
					 ZSTD_getErrorName(r));
		x->zst_left = r;
		/* a bomb stops here, one buffer past max_bytes at most */
		if (ob.pos && sink_put(x, x->zbuf, ob.pos) < 0)
			return -1;
		/* done when the input is used up and nothing more comes out */
		if (ib.pos == ib.size && ob.pos < ob.size)
			return 0;
	}
}

/* The body is whole: put the file in place as json_cache. */
static int sink_commit(struct xfer *x)
{
	struct nbk_error err = NBK_ERROR_INIT;

	if (x->out.fd < 0 && sink_open(x) < 0)
		return -1;
	if (x->zs && x->zst_left != 0)
		return job_error(x, 0, "'%s' is truncated zstd data", x->t.shown_url);
	if (nbk_atomic_commit(&x->out, 0644, (uid_t)-1, (gid_t)-1, &err) < 0)
		return sink_error(x, &err);
	sink_discard(x);
	return 0;
}

static int on_body(struct et_transfer *t, const char *data, size_t n)
{
	return sink_write(t->user, data, n);
}

static void header_value(char **dst, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n > MAX_HEADER_VALUE)
		return;
	free(*dst);
	*dst = nbk_xstrndup(v, n);
}

static void on_header(struct et_transfer *t, const char *data, size_t n)
{
	struct xfer *x = t->user;

	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new response (after a redirect or 100): forget the last one's */
		free(x->etag);
		free(x->mod);
		free(x->cache_control);
		x->etag = x->mod = x->cache_control = NULL;
	} else if (n > 5 && !strncasecmp(data, "ETag:", 5)) {
		header_value(&x->etag, data + 5, n - 5);
	} else if (n > 14 && !strncasecmp(data, "Last-Modified:", 14)) {
		header_value(&x->mod, data + 14, n - 14);
	} else if (n > 14 && !strncasecmp(data, "Cache-Control:", 14)) {
		header_value(&x->cache_control, data + 14, n - 14);
	}
}

static void xfer_reset_response(struct xfer *x)
{
	sink_discard(x);
	free(x->etag);
	free(x->mod);
	free(x->cache_control);
	x->etag = x->mod = x->cache_control = NULL;
}

static void xfer_release(struct xfer *x)
{
	et_transfer_release(&x->t);
	sink_discard(x);
	free(x->zbuf);
	free(x->etag);
	free(x->mod);
	free(x->cache_control);
	free(x->json_cache);
	free(x->state_path);
	state_release(&x->st);
}

/* Before each request: .zst or .json, conditional when the cache is of that URL. */
static int on_start(struct et_transfer *t)
{
	struct xfer *x = t->user;
	_cleanup_free_ char *url =
		nbk_xasprintf("%s/%s%s", x->job->url, x->kind->file, x->zst ? ".zst" : "");

	_cleanup_free_ char *bare = nbk_url_strip_credentials(url);

	xfer_reset_response(x);
	et_transfer_set_url(t, url);
	/* the state records the URL without its credentials (auth.h) */
	if (x->have_cache && x->st.url && !strcmp(x->st.url, bare)) {
		_cleanup_free_ char *inm = NULL, *ims = NULL;

		if (x->st.etag) {
			inm = nbk_xasprintf("If-None-Match: %s", x->st.etag);
			et_transfer_add_header(t, inm);
		}
		if (x->st.mod) {
			ims = nbk_xasprintf("If-Modified-Since: %s", x->st.mod);
			et_transfer_add_header(t, ims);
		}
	}
	t->decode = true;
	return 0;
}

/* Store a 200 answer as HASH.json and its state. */
static int store(struct xfer *x)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct stat sb;

	if (sink_commit(x) < 0)
		return -1;
	if (stat(x->json_cache, &sb) < 0)
		return job_error(x, errno, "cannot store repodata: cannot read '%s'",
				 x->json_cache);
	free(x->st.url);
	free(x->st.etag);
	free(x->st.mod);
	free(x->st.cache_control);
	x->st.url = nbk_url_strip_credentials(x->t.url);
	x->st.etag = x->etag ? nbk_xstrdup(x->etag) : NULL;
	x->st.mod = x->mod ? nbk_xstrdup(x->mod) : NULL;
	x->st.cache_control = x->cache_control ? nbk_xstrdup(x->cache_control) : NULL;
	x->st.size = (uint64_t)sb.st_size;
	x->st.mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL + (uint64_t)sb.st_mtim.tv_nsec;
	x->st.refresh_ns = now_ns();
	if (x->zst) {
		x->st.has_zst = 1;
		x->st.zst_checked_ns = x->st.refresh_ns;
	}
	if (state_save(x->state_path, &x->st, &err) < 0)
		nbk_debug("%s", err.msg);
	x->job->json_path = nbk_xstrdup(x->json_cache);
	x->job->downloaded = true;
	return 0;
}

/* What an answer means for repodata (transfer.c judged the rest). */
static enum et_transfer_next on_answer(struct et_transfer *t, long status)
{
	struct xfer *x = t->user;

	if (status == 304 && x->have_cache) {
		struct nbk_error err = NBK_ERROR_INIT;

		x->st.refresh_ns = now_ns();
		if (x->cache_control) {
			free(x->st.cache_control);
			x->st.cache_control = nbk_xstrdup(x->cache_control);
		}
		if (state_save(x->state_path, &x->st, &err) < 0)
			nbk_debug("%s", err.msg);
		x->job->json_path = nbk_xstrdup(x->json_cache);
		return ET_TRANSFER_DONE;
	}
	if (status >= 200 && status < 300) {
		store(x);
		return ET_TRANSFER_DONE;
	}
	if ((status == 404 || status == 501) && x->kind->optional) {
		/* none here (a shard index: fall back); remember, and forget an old copy */
		struct nbk_error err = NBK_ERROR_INIT;

		x->st.has_zst = 0;
		x->st.zst_checked_ns = now_ns();
		if (state_save(x->state_path, &x->st, &err) < 0)
			nbk_debug("%s", err.msg);
		unlink(x->json_cache);
		return ET_TRANSFER_DONE;
	}
	if (status == 404 && x->zst && !x->kind->only_zst) {
		/* no .zst on this server: ask for the .json now, and remember */
		struct nbk_error err = NBK_ERROR_INIT;

		x->zst = false;
		x->st.has_zst = 0;
		x->st.zst_checked_ns = now_ns();
		if (x->have_cache && state_save(x->state_path, &x->st, &err) < 0)
			nbk_debug("%s", err.msg);
		return ET_TRANSFER_AGAIN;
	}
	if (status == 404) {
		if (!strcmp(x->job->subdir, "noarch"))
			job_error(
				x, 0,
				"channel not found: '%s' answered 404 (is the channel name right?)",
				x->t.shown_url);
		/* else conda's rule: a missing platform subdir is an empty one */
		return ET_TRANSFER_DONE;
	}
	return ET_TRANSFER_STATUS;
}

static void on_done(struct et_transfer *t)
{
	if (t->failed)
		job_error(t->user, 0, "cannot fetch %s", t->err.msg);
}

static const struct et_transfer_ops fetch_ops = {
	.start = on_start,
	.write = on_body,
	.header = on_header,
	.answer = on_answer,
	.done = on_done,
};

/*
 * A file:// channel that has only repodata.json.zst: decompressed once into
 * the cache (CACHE/HASH.json, given the .zst's mtime, so that an unchanged
 * .zst is not decompressed again and the binary cache stays fresh).
 */
static int local_zst(const char *cache_dir, const char *hex, const char *zst, struct xfer *x)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int in = -1;
	struct stat zs, js;
	struct timespec times[2];

	if (!cache_dir)
		return job_error(x, 0, "no writable package cache to decompress '%s'", zst);
	if (stat(zst, &zs) < 0)
		return job_error(x, errno, "cannot read '%s'", zst);
	out = nbk_xasprintf("%s/%s%s", cache_dir, hex, x->kind->cache_ext);
	if (stat(out, &js) == 0 && js.st_mtim.tv_sec == zs.st_mtim.tv_sec &&
	    js.st_mtim.tv_nsec == zs.st_mtim.tv_nsec) {
		x->job->json_path = nbk_steal_pointer(&out);
		return 0;
	}
	et_transfer_set_url(&x->t, zst);
	x->zst = true;
	x->json_cache = nbk_xstrdup(out);
	if ((in = open(zst, O_RDONLY | O_CLOEXEC)) < 0)
		return job_error(x, errno, "cannot read '%s'", zst);
	buf = nbk_xmalloc(COPY_CHUNK);
	for (;;) {
		ssize_t r = read(in, buf, COPY_CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return job_error(x, errno, "cannot read '%s'", zst);
		if (r == 0)
			break;
		if (sink_write(x, buf, (size_t)r) < 0)
			return -1;
	}
	if (sink_commit(x) < 0)
		return -1;
	times[0] = zs.st_mtim;
	times[1] = zs.st_mtim;
	if (utimensat(AT_FDCWD, out, times, 0) < 0)
		nbk_debug("cannot set the time of '%s': %s", out, strerror(errno));
	x->job->json_path = nbk_steal_pointer(&out);
	return 0;
}

static int prepare(const struct et_config *cfg, const char *cache_dir, struct xfer *x)
{
	struct et_fetch_job *job = x->job;
	_cleanup_free_ char *keyurl = NULL;
	_cleanup_free_ char *local = NULL;
	char hex[NBK_MD5_HEX_LEN + 1];

	job->url = nbk_xasprintf("%s/%s", job->channel->url, job->subdir);
	keyurl = nbk_xasprintf("%s/", job->url);
	nbk_md5_hex(keyurl, strlen(keyurl), hex);
	hex[8] = '\0';
	if (cache_dir && job->kind == ET_FETCH_REPODATA)
		job->cache_path = nbk_xasprintf("%s/%s.nbkrd", cache_dir, hex);
	local = et_url_local_path(job->url);
	if (local) {
		/* a file:// channel is read in place */
		_cleanup_free_ char *json = nbk_xasprintf("%s/%s", local, x->kind->file);

		_cleanup_free_ char *zst = nbk_xasprintf("%s/%s.zst", local, x->kind->file);

		x->done = true;
		if (!x->kind->only_zst && access(json, R_OK) == 0) {
			job->json_path = nbk_steal_pointer(&json);
		} else if (access(zst, R_OK) == 0) {
			return local_zst(cache_dir, hex, zst, x);
		} else if (!strcmp(job->subdir, "noarch") && !x->kind->optional) {
			return job_error(x, errno, "channel not found: cannot read '%s'", json);
		}
		return 0;
	}
	et_transfer_set_url(&x->t, job->url);
	if (!cache_dir) {
		x->done = true;
		if (x->kind->optional)
			return 0; /* none: the fallback says what is wrong */
		return job_error(x, 0, "no writable package cache for the repodata of '%s'",
				 x->t.shown_url);
	}
	x->json_cache = nbk_xasprintf("%s/%s%s", cache_dir, hex, x->kind->cache_ext);
	x->state_path = nbk_xasprintf("%s/%s%s", cache_dir, hex, x->kind->state_ext);
	state_load(x->state_path, &x->st);
	x->have_cache = file_matches(x->json_cache, &x->st);
	if (cfg->offline) {
		x->done = true;
		if (access(x->json_cache, R_OK) == 0) {
			job->json_path = nbk_xstrdup(x->json_cache);
			return 0;
		}
		if (x->kind->optional)
			return 0;
		return job_error(x, 0, "'%s' is not in the cache and --offline was given",
				 x->t.shown_url);
	}
	if (x->have_cache && cache_fresh(cfg, &x->st)) {
		x->done = true;
		job->json_path = nbk_xstrdup(x->json_cache);
		return 0;
	}
	x->zst = !(x->st.has_zst == 0 && now_ns() - x->st.zst_checked_ns < ZST_RECHECK_NS);
	if (!x->zst && x->kind->only_zst)
		x->done = true; /* a recent 404: none, without asking */
	return 0;
}

/*
 * Fetch the repodata of each of jobs[0..n) (channel and subdir set by the
 * caller, borrowed) through the cache folder of et_cache_dir(): a fresh
 * cached copy, --offline or a file:// channel needs no request; the rest go
 * over one curl multi handle (at most 6 connections a host), conditional on
 * the cached ETag and Last-Modified, .zst first where the server has it.
 * Every result field of each job is reset, then filled; the caller releases
 * each job with et_fetch_job_release(), on success and failure alike.
 * Returns 0, or -1 with err a copy of the first failed job's error (naming
 * its channel and subdir), or "cannot initialise libcurl".  Warns once when
 * ssl_verify is off for an https channel.  Nothing else outlives the call.
 */
int et_fetch_all(const struct et_config *cfg, struct et_fetch_job *jobs, size_t n,
		 struct nbk_error *err)
{
	/* every subdir at once, at most 6 connections to one host */
	static const struct et_transfer_opts opts = { .max_per_host = 6 };
	_cleanup_free_ char *cache_dir = NULL;
	struct xfer *xs = nbk_xcalloc(n ? n : 1, sizeof(*xs));
	struct et_transfer **ts = nbk_xcalloc(n ? n : 1, sizeof(*ts));
	size_t i, pending = 0;
	int ret = 0;

	if (et_cache_dir(cfg, &cache_dir, NULL) < 0)
		cache_dir = NULL;
	if (cfg->ssl_verify == ET_SSL_VERIFY_OFF && !cfg->offline) {
		for (i = 0; i < n; i++) {
			if (!strncmp(jobs[i].channel->url, "https://", 8)) {
				nbk_warn(
					"ssl_verify is false: the certificates of https channels are not checked");
				break;
			}
		}
	}
	for (i = 0; i < n; i++) {
		struct xfer *x = &xs[i];

		x->job = &jobs[i];
		x->kind = &kinds[jobs[i].kind == ET_FETCH_SHARD_INDEX ? ET_FETCH_SHARD_INDEX
								      : ET_FETCH_REPODATA];
		x->t.ops = &fetch_ops;
		x->t.user = x;
		x->max_bytes = (uint64_t)cfg->repodata_max_bytes;
		jobs[i].url = jobs[i].json_path = jobs[i].cache_path = NULL;
		jobs[i].downloaded = false;
		x->out = (struct nbk_atomic_file)NBK_ATOMIC_FILE_INIT;
		state_release(&x->st);
		prepare(cfg, cache_dir, x);
		if (x->done)
			continue;
		et_transfer_set_cap(
			&x->t, x->max_bytes,
			"more than %llu bytes of repodata (decoded; repodata_max_bytes)",
			(unsigned long long)x->max_bytes);
		ts[pending++] = &x->t;
	}
	if (et_transfer_run_all(cfg, ts, pending, &opts, err) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (xs[i].failed && ret == 0) {
			*err = xs[i].err;
			ret = -1;
		}
	}
out:
	for (i = 0; i < n; i++)
		xfer_release(&xs[i]);
	free(ts);
	free(xs);
	return ret;
}
