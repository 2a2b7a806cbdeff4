/* SPDX-License-Identifier: Apache-2.0 */
#include <curl/curl.h>
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
#include "nbkit/path.h"
#include "nbkit/proc.h"
#include "nbkit/yaml.h"
#include "fetch.h"
#include "pkgcache.h"
#include "md5.h"
#include "transfer.h"

#define MAX_STATE_SIZE (64 * 1024)
#define MAX_HEADER_VALUE 1024
/* What a .zst body is decompressed through on its way to the file. */
#define ZBUF_SIZE (128 * 1024)
#define COPY_CHUNK (1 << 20)
/* Ask again for .zst this long after a 404 for it (conda: 7 days). */
#define ZST_RECHECK_NS (7ULL * 24 * 3600 * 1000000000ULL)

/* What HASH.info.json remembers about HASH.json. */
struct state {
	char *url;
	char *etag;
	char *mod;
	char *cache_control;
	uint64_t size;
	uint64_t mtime_ns;
	uint64_t refresh_ns;
	int has_zst;           /* -1 unknown, 0 no, 1 yes */
	uint64_t zst_checked_ns;
};

struct xfer {
	struct et_fetch_job *job;
	CURL *easy;
	struct curl_slist *headers;
	struct et_body_bound bound;  /* repodata_max_bytes, decoded */
	uint64_t max_bytes;          /* cfg's repodata_max_bytes */
	/* the sink: a 2xx body goes to tmp_path (decompressed when zst), never to memory */
	int fd;                      /* tmp_path, open; -1 when none */
	char *tmp_path;              /* JSON_CACHE.tmp.XXXXXX */
	ZSTD_DStream *zs;            /* decompressing a .zst body as it arrives */
	char *zbuf;                  /* ZBUF_SIZE, zs's output */
	size_t zst_left;             /* ZSTD_decompressStream's last hint: 0 at a frame's end */
	uint64_t plain_len;          /* bytes written to tmp_path */
	char *etag, *mod, *cache_control;
	char errbuf[CURL_ERROR_SIZE];
	char *req_url;
	char *shown_url;       /* req_url for messages: credentials masked */
	bool zst;
	bool active;
	bool done;
	unsigned retries;
	uint64_t not_before_ms;
	char *json_cache;      /* HASH.json */
	char *state_path;      /* HASH.info.json */
	struct state st;
	bool have_cache;       /* HASH.json exists and matches st */
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

static const char *node_str(const struct nbk_node *root, const char *key)
{
	const struct nbk_node *n = nbk_node_get(root, key);

	return n && n->kind == NBK_NODE_SCALAR ? n->scalar : NULL;
}

static uint64_t node_u64(const struct nbk_node *root, const char *key)
{
	uint64_t v;

	return nbk_parse_u64(node_str(root, key), &v) < 0 ? 0 : v;
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
	if ((s = node_str(root, "url")))
		st->url = nbk_xstrdup(s);
	if ((s = node_str(root, "etag")))
		st->etag = nbk_xstrdup(s);
	if ((s = node_str(root, "mod")))
		st->mod = nbk_xstrdup(s);
	if ((s = node_str(root, "cache_control")))
		st->cache_control = nbk_xstrdup(s);
	st->size = node_u64(root, "size");
	st->mtime_ns = node_u64(root, "mtime_ns");
	st->refresh_ns = node_u64(root, "refresh_ns");
	st->zst_checked_ns = node_u64(root, "zst_checked_ns");
	if ((s = node_str(root, "has_zst")))
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
	       (uint64_t)sb.st_mtim.tv_sec * 1000000000ULL + (uint64_t)sb.st_mtim.tv_nsec == st->mtime_ns;
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
	return nbk_error_set(err, 0, "no writable package cache of your own among pkgs_dirs (%zu tried)",
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
	name = et_url_redact(x->job->channel->name);
	return nbk_error_set(&x->err, errnum, "channel '%s', subdir '%s': %s", name, x->job->subdir, msg);
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
	if (x->fd >= 0) {
		close(x->fd);
		x->fd = -1;
	}
	if (x->tmp_path) {
		unlink(x->tmp_path);
		free(x->tmp_path);
		x->tmp_path = NULL;
	}
	if (x->zs) {
		ZSTD_freeDStream(x->zs);
		x->zs = NULL;
	}
	x->zst_left = 0;
	x->plain_len = 0;
}

static int sink_open(struct xfer *x)
{
	int e;

	x->tmp_path = nbk_xasprintf("%s.tmp.XXXXXX", x->json_cache);
	x->fd = mkostemp(x->tmp_path, O_CLOEXEC);
	if (x->fd < 0) {
		e = errno;
		free(x->tmp_path);
		x->tmp_path = NULL;
		return job_error(x, e, "cannot create a temporary file for '%s'", x->json_cache);
	}
	if (x->zst) {
		if (!(x->zs = ZSTD_createDStream()))
			return job_error(x, ENOMEM, "cannot decompress '%s'", x->shown_url);
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
		return job_error(x, 0, "'%s' decompresses to more than %llu bytes (repodata_max_bytes)",
				 x->shown_url, (unsigned long long)x->max_bytes);
	x->plain_len += n;
	while (n) {
		ssize_t w = write(x->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return job_error(x, w < 0 ? errno : EIO, "cannot write '%s'", x->tmp_path);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int sink_write(struct xfer *x, const char *data, size_t n)
{
	ZSTD_inBuffer ib = { data, n, 0 };

	if (x->fd < 0 && sink_open(x) < 0)
		return -1;
	if (!x->zs)
		return sink_put(x, data, n);
	for (;;) {
		ZSTD_outBuffer ob = { x->zbuf, ZBUF_SIZE, 0 };
		size_t r = ZSTD_decompressStream(x->zs, &ob, &ib);

		if (ZSTD_isError(r))
			return job_error(x, 0, "'%s' is not valid zstd data: %s", x->shown_url,
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
	int e;

	if (x->fd < 0 && sink_open(x) < 0)
		return -1;
	if (x->zs && x->zst_left != 0)
		return job_error(x, 0, "'%s' is truncated zstd data", x->shown_url);
	if (fchmod(x->fd, 0644) < 0 || fsync(x->fd) < 0) {
		e = errno;
		return job_error(x, e, "cannot store repodata: cannot finish writing '%s'", x->tmp_path);
	}
	e = close(x->fd) < 0 ? errno : 0;
	x->fd = -1;
	if (e || rename(x->tmp_path, x->json_cache) < 0)
		return job_error(x, e ? e : errno, "cannot store repodata: cannot replace '%s'",
				 x->json_cache);
	free(x->tmp_path);
	x->tmp_path = NULL;
	sink_discard(x);
	return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	size_t n = size * nmemb;

	switch (et_body_bound_feed(&x->bound, x->easy, n)) {
	case ET_BODY_DROP:
		return n;
	case ET_BODY_STOP:
		return 0;
	case ET_BODY_KEEP:
		break;
	}
	return sink_write(x, data, n) < 0 ? 0 : n;
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

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	size_t n = size * nmemb;

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
	return n;
}

static void xfer_reset_response(struct xfer *x)
{
	sink_discard(x);
	free(x->etag);
	free(x->mod);
	free(x->cache_control);
	x->etag = x->mod = x->cache_control = NULL;
	et_body_bound_start(&x->bound, x->max_bytes, 0);
	x->errbuf[0] = '\0';
}

static void xfer_release(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	sink_discard(x);
	free(x->zbuf);
	free(x->etag);
	free(x->mod);
	free(x->cache_control);
	free(x->req_url);
	free(x->shown_url);
	free(x->json_cache);
	free(x->state_path);
	state_release(&x->st);
}

static void set_req_url(struct xfer *x, char *url)
{
	free(x->req_url);
	free(x->shown_url);
	x->req_url = url;
	x->shown_url = et_url_redact(url);
}

static int start_request(const struct et_config *cfg, CURLM *multi, struct xfer *x)
{
	CURL *e;

	xfer_reset_response(x);
	set_req_url(x, nbk_xasprintf("%s/repodata.json%s", x->job->url, x->zst ? ".zst" : ""));
	if (!x->easy && !(x->easy = curl_easy_init()))
		return job_error(x, 0, "cannot start a transfer");
	e = x->easy;
	curl_easy_reset(e);
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	if (x->have_cache && x->st.url && !strcmp(x->st.url, x->req_url)) {
		_cleanup_free_ char *inm = NULL, *ims = NULL;

		if (x->st.etag) {
			inm = nbk_xasprintf("If-None-Match: %s", x->st.etag);
			x->headers = curl_slist_append(x->headers, inm);
		}
		if (x->st.mod) {
			ims = nbk_xasprintf("If-Modified-Since: %s", x->st.mod);
			x->headers = curl_slist_append(x->headers, ims);
		}
	}
	et_curl_setup(e, cfg, x->req_url, &x->bound);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	x->job->attempts++;
	if (curl_multi_add_handle(multi, e) != CURLM_OK)
		return job_error(x, 0, "cannot start a transfer for '%s'", x->shown_url);
	x->active = true;
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
		return job_error(x, errno, "cannot store repodata: cannot read '%s'", x->json_cache);
	free(x->st.url);
	free(x->st.etag);
	free(x->st.mod);
	free(x->st.cache_control);
	x->st.url = nbk_xstrdup(x->req_url);
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
	x->done = true;
	return 0;
}

static void schedule_retry(const struct et_config *cfg, struct xfer *x)
{
	double delay = cfg->backoff_factor * (double)(1u << (x->retries < 16 ? x->retries : 16));

	x->retries++;
	x->not_before_ms = nbk_now_ms() + (uint64_t)(delay * 1000.0);
	nbk_debug("%s: retrying in %.2f s", x->shown_url, delay);
}

static void finished(const struct et_config *cfg, struct xfer *x, CURLcode code)
{
	long status = 0;

	x->active = false;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	x->job->http_status = status;
	if (x->failed)
		return;     /* the sink failed: its error stands */
	if (x->bound.error_cut) {
		/* an endless error body: the status is the answer */
		nbk_debug("%s: HTTP %ld, body cut after %llu bytes", x->shown_url, status,
			  (unsigned long long)x->bound.dropped);
		code = CURLE_OK;
	}
	if (code != CURLE_OK) {
		if (x->bound.too_big) {
			job_error(x, 0, "cannot fetch '%s': more than %llu bytes of repodata "
				  "(decoded; repodata_max_bytes)", x->shown_url,
				  (unsigned long long)x->bound.max);
		} else if (x->bound.drain_cut) {
			job_error(x, 0, "cannot fetch '%s': %s", x->shown_url, ET_DRAIN_CUT_MSG);
		} else if (et_curl_transient(code) && x->retries < (unsigned)cfg->max_retries) {
			schedule_retry(cfg, x);
		} else if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE) {
			job_error(x, 0, "cannot fetch '%s': %s (the server's certificate is not trusted: "
				  "name its CA bundle with ssl_verify: /path/ca.pem in .condarc or "
				  "REQUESTS_CA_BUNDLE)", x->shown_url,
				  x->errbuf[0] ? x->errbuf : curl_easy_strerror(code));
		} else {
			job_error(x, 0, "cannot fetch '%s': %s%s", x->shown_url,
				  x->errbuf[0] ? x->errbuf : curl_easy_strerror(code),
				  x->retries ? " (after retries)" : "");
		}
		return;
	}
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
		x->done = true;
		return;
	}
	if (status >= 200 && status < 300) {
		store(x);
		return;
	}
	if (status == 404 && x->zst) {
		/* no .zst on this server: ask for the .json now, and remember */
		struct nbk_error err = NBK_ERROR_INIT;

		x->zst = false;
		x->st.has_zst = 0;
		x->st.zst_checked_ns = now_ns();
		if (x->have_cache && state_save(x->state_path, &x->st, &err) < 0)
			nbk_debug("%s", err.msg);
		x->not_before_ms = 0;
		return;
	}
	if (status == 404) {
		if (!strcmp(x->job->subdir, "noarch")) {
			job_error(x, 0, "channel not found: '%s' answered 404 (is the channel name right?)",
				  x->shown_url);
			return;
		}
		/* conda: a missing platform subdir is an empty one */
		x->done = true;
		return;
	}
	if ((status >= 500 || status == 429) && x->retries < (unsigned)cfg->max_retries) {
		schedule_retry(cfg, x);
		return;
	}
	job_error(x, 0, "cannot fetch '%s': the server answered HTTP %ld%s", x->shown_url, status,
		  x->retries ? " (after retries)" : "");
}

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
	out = nbk_xasprintf("%s/%s.json", cache_dir, hex);
	if (stat(out, &js) == 0 && js.st_mtim.tv_sec == zs.st_mtim.tv_sec &&
	    js.st_mtim.tv_nsec == zs.st_mtim.tv_nsec) {
		x->job->json_path = nbk_steal_pointer(&out);
		return 0;
	}
	set_req_url(x, nbk_xstrdup(zst));
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
	char hex[33];

	job->url = nbk_xasprintf("%s/%s", job->channel->url, job->subdir);
	keyurl = nbk_xasprintf("%s/", job->url);
	et_md5_hex(keyurl, strlen(keyurl), hex);
	hex[8] = '\0';
	if (cache_dir)
		job->cache_path = nbk_xasprintf("%s/%s.nbkrd", cache_dir, hex);
	local = et_url_local_path(job->url);
	if (local) {
		/* a file:// channel is read in place */
		_cleanup_free_ char *json = nbk_xasprintf("%s/repodata.json", local);

		_cleanup_free_ char *zst = nbk_xasprintf("%s/repodata.json.zst", local);

		x->done = true;
		if (access(json, R_OK) == 0) {
			job->json_path = nbk_steal_pointer(&json);
		} else if (access(zst, R_OK) == 0) {
			return local_zst(cache_dir, hex, zst, x);
		} else if (!strcmp(job->subdir, "noarch")) {
			return job_error(x, errno, "channel not found: cannot read '%s'", json);
		}
		return 0;
	}
	set_req_url(x, nbk_xstrdup(job->url));
	if (!cache_dir)
		return job_error(x, 0, "no writable package cache for the repodata of '%s'", x->shown_url);
	x->json_cache = nbk_xasprintf("%s/%s.json", cache_dir, hex);
	x->state_path = nbk_xasprintf("%s/%s.info.json", cache_dir, hex);
	state_load(x->state_path, &x->st);
	x->have_cache = file_matches(x->json_cache, &x->st);
	if (cfg->offline) {
		x->done = true;
		if (access(x->json_cache, R_OK) == 0) {
			job->json_path = nbk_xstrdup(x->json_cache);
			return 0;
		}
		return job_error(x, 0, "'%s' is not in the cache and --offline was given", x->shown_url);
	}
	if (x->have_cache && cache_fresh(cfg, &x->st)) {
		x->done = true;
		job->json_path = nbk_xstrdup(x->json_cache);
		return 0;
	}
	x->zst = !(x->st.has_zst == 0 && now_ns() - x->st.zst_checked_ns < ZST_RECHECK_NS);
	return 0;
}

int et_fetch_all(const struct et_config *cfg, struct et_fetch_job *jobs, size_t n,
		 struct nbk_error *err)
{
	_cleanup_free_ char *cache_dir = NULL;
	struct xfer *xs = nbk_xcalloc(n ? n : 1, sizeof(*xs));
	CURLM *multi = NULL;
	size_t i, pending = 0;
	int ret = 0;

	if (et_cache_dir(cfg, &cache_dir, NULL) < 0)
		cache_dir = NULL;
	if (cfg->ssl_verify == ET_SSL_VERIFY_OFF && !cfg->offline) {
		for (i = 0; i < n; i++) {
			if (!strncmp(jobs[i].channel->url, "https://", 8)) {
				nbk_warn("ssl_verify is false: the certificates of https channels are not checked");
				break;
			}
		}
	}
	for (i = 0; i < n; i++) {
		xs[i].job = &jobs[i];
		xs[i].max_bytes = (uint64_t)cfg->repodata_max_bytes;
		jobs[i].url = jobs[i].json_path = jobs[i].cache_path = NULL;
		jobs[i].downloaded = false;
		jobs[i].http_status = 0;
		jobs[i].attempts = 0;
		xs[i].fd = -1;
		state_release(&xs[i].st);
		prepare(cfg, cache_dir, &xs[i]);
		if (!xs[i].done)
			pending++;
	}
	if (pending) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(multi = curl_multi_init())) {
			ret = nbk_error_set(err, 0, "cannot initialise libcurl");
			goto out;
		}
		curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
	}
	while (pending) {
		uint64_t now = nbk_now_ms(), wait_ms = 1000;
		int running = 0, left;
		CURLMsg *msg;

		for (i = 0; i < n; i++) {
			struct xfer *x = &xs[i];

			if (x->done || x->active)
				continue;
			if (x->not_before_ms > now) {
				if (x->not_before_ms - now < wait_ms)
					wait_ms = x->not_before_ms - now;
				continue;
			}
			if (start_request(cfg, multi, x) < 0)
				pending--;
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct xfer *x = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			curl_multi_remove_handle(multi, msg->easy_handle);
			finished(cfg, x, msg->data.result);
			if (x->done)
				pending--;
			else
				wait_ms = 0;
		}
		if (pending && wait_ms)
			curl_multi_poll(multi, NULL, 0, (int)(wait_ms > 100 ? 100 : wait_ms), NULL);
	}
	for (i = 0; i < n; i++) {
		if (xs[i].failed && ret == 0) {
			*err = xs[i].err;
			ret = -1;
		}
	}
out:
	for (i = 0; i < n; i++) {
		if (xs[i].easy && multi && xs[i].active)
			curl_multi_remove_handle(multi, xs[i].easy);
		xfer_release(&xs[i]);
	}
	if (multi)
		curl_multi_cleanup(multi);
	free(xs);
	return ret;
}
