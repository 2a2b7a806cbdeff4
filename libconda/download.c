/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Package downloads (download.h): one libcurl multi handle, at most
 * max_connections transfers at a time, each written to DEST.partial and
 * hashed as it arrives.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/proc.h"
#include "nbkit/sha256.h"
#include "channel.h"
#include "download.h"
#include "md5.h"
#include "transfer.h"

#define REDRAW_MS 100
#define COPY_CHUNK (1 << 20)

struct dlx {
	struct et_download *dl;
	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	char *partial;
	char *shown_url;            /* dl->url for messages: credentials masked */
	int fd;                     /* the .partial, open while a transfer runs */
	struct nbk_sha256 sha;
	uint64_t have;              /* bytes in the .partial (hashed) */
	bool range;                 /* this request asked for a Range */
	bool body_started;          /* the write callback has seen this response */
	struct et_body_bound bound; /* the record's size, or ET_PACKAGE_MAX */
	bool write_failed;
	int write_errno;
	bool active, done;
	unsigned retries;
	uint64_t not_before_ms;
};

static int dl_fail(struct dlx *x, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int dl_fail(struct dlx *x, int errnum, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->done = true;
	x->dl->ok = false;
	return nbk_error_set(&x->dl->err, errnum, "cannot fetch '%s': %s", x->dl->label, msg);
}

static bool has(const char *s)
{
	return s && *s;
}

static uint64_t size_limit(const struct et_download *dl)
{
	return dl->size ? dl->size : ET_PACKAGE_MAX;
}

/* Hash the whole of an open file with md5 (mmap: md5.h is one-shot). */
static int md5_of_fd(int fd, uint64_t len, char hex[33])
{
	void *p;

	if (len == 0) {
		et_md5_hex("", 0, hex);
		return 0;
	}
	p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	et_md5_hex(p, (size_t)len, hex);
	munmap(p, (size_t)len);
	return 0;
}

/*
 * Compare what was received (len bytes, sha256 context c already fed with
 * them, file fd) with the record.  Returns 0 or -1 with err.
 */
static int check_digest(const char *label, int fd, uint64_t len, struct nbk_sha256 *c,
			uint64_t size, const char *sha256, const char *md5, struct nbk_error *err)
{
	if (size && len != size)
		return nbk_error_set(err, 0, "cannot fetch '%s': size mismatch: expected %llu bytes, got %llu",
				     label, (unsigned long long)size, (unsigned long long)len);
	if (has(sha256)) {
		char hex[NBK_SHA256_HEX_LEN + 1];

		nbk_sha256_final_hex(c, hex);
		if (strcasecmp(hex, sha256))
			return nbk_error_set(err, 0, "cannot fetch '%s': sha256 mismatch: expected %s, got %s",
					     label, sha256, hex);
	} else if (has(md5)) {
		char hex[33];

		if (md5_of_fd(fd, len, hex) < 0)
			return nbk_error_set(err, errno, "cannot fetch '%s': cannot read it back", label);
		if (strcasecmp(hex, md5))
			return nbk_error_set(err, 0, "cannot fetch '%s': md5 mismatch: expected %s, got %s",
					     label, md5, hex);
	}
	return 0;
}

/* Feed the first len bytes of fd into c. */
static int hash_fd(int fd, uint64_t len, struct nbk_sha256 *c)
{
	_cleanup_free_ char *buf = nbk_xmalloc(COPY_CHUNK);
	uint64_t off = 0;

	while (off < len) {
		size_t want = len - off < COPY_CHUNK ? (size_t)(len - off) : COPY_CHUNK;
		ssize_t r = pread(fd, buf, want, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		nbk_sha256_update(c, buf, (size_t)r);
		off += (uint64_t)r;
	}
	return 0;
}

int et_download_verify_file(const char *path, const char *label, uint64_t size,
			    const char *sha256, const char *md5, struct nbk_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct nbk_sha256 c;
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb) < 0)
		return nbk_error_set(err, errno, "cannot read '%s'", path);
	if (!S_ISREG(sb.st_mode))
		return nbk_error_set(err, 0, "'%s' is not a regular file", path);
	if (size && (uint64_t)sb.st_size != size)
		return check_digest(label, fd, (uint64_t)sb.st_size, NULL, size, NULL, NULL, err);
	nbk_sha256_init(&c);
	if (has(sha256) && hash_fd(fd, (uint64_t)sb.st_size, &c) < 0)
		return nbk_error_set(err, errno, "cannot read '%s'", path);
	return check_digest(label, fd, (uint64_t)sb.st_size, &c, size, sha256, md5, err);
}

/* Verify the complete .partial and rename it into place; on mismatch delete it. */
static void complete(struct dlx *x)
{
	struct et_download *dl = x->dl;

	x->done = true;
	if (fsync(x->fd) < 0) {
		dl_fail(x, errno, "cannot write '%s'", x->partial);
	} else if (check_digest(dl->label, x->fd, x->have, &x->sha, dl->size, dl->sha256, dl->md5,
				&dl->err) < 0) {
		dl->ok = false;
	} else if (rename(x->partial, dl->dest) < 0) {
		dl_fail(x, errno, "cannot rename '%s'", x->partial);
	} else {
		dl->ok = true;
	}
	close(x->fd);
	x->fd = -1;
	if (!dl->ok) {
		/* never leave unverified bytes behind */
		unlink(x->partial);
		unlink(dl->dest);
	}
}

/* Copy a local archive (file:// or a path), hashing it on the way. */
static void copy_local(struct dlx *x, const char *src)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	uint64_t limit = size_limit(x->dl);

	x->dl->attempts++;
	if (in < 0) {
		dl_fail(x, errno, "cannot open '%s'", src);
		return;
	}
	x->fd = open(x->partial, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (x->fd < 0) {
		dl_fail(x, errno, "cannot create '%s'", x->partial);
		return;
	}
	buf = nbk_xmalloc(COPY_CHUNK);
	for (;;) {
		ssize_t r = read(in, buf, COPY_CHUNK);
		const char *p = buf;
		size_t left;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			dl_fail(x, errno, "cannot read '%s'", src);
			break;
		}
		if (r == 0) {
			complete(x);
			return;
		}
		if (x->have + (uint64_t)r > limit) {
			dl_fail(x, 0, "size mismatch: more than the expected %llu bytes",
				(unsigned long long)limit);
			break;
		}
		nbk_sha256_update(&x->sha, buf, (size_t)r);
		for (left = (size_t)r; left;) {
			ssize_t w = write(x->fd, p, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				dl_fail(x, errno, "cannot write '%s'", x->partial);
				goto fail;
			}
			p += w;
			left -= (size_t)w;
		}
		x->have += (uint64_t)r;
		x->dl->bytes += (uint64_t)r;
	}
fail:
	close(x->fd);
	x->fd = -1;
	unlink(x->partial);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct dlx *x = user;
	size_t n = size * nmemb, left = n;
	const char *p = data;

	if (!x->body_started) {
		long status = 0;

		x->body_started = true;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200 && x->have) {
			/* the server ignored our Range: start over */
			if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0) {
				x->write_failed = true;
				x->write_errno = errno;
				return 0;
			}
			x->have = 0;
			x->bound.got = 0;
			nbk_sha256_init(&x->sha);
		}
	}
	switch (et_body_bound_feed(&x->bound, x->easy, n)) {
	case ET_BODY_DROP:
		return n;
	case ET_BODY_STOP:
		return 0;
	case ET_BODY_KEEP:
		break;
	}
	nbk_sha256_update(&x->sha, data, n);
	while (left) {
		ssize_t w = write(x->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			x->write_failed = true;
			x->write_errno = errno;
			return 0;
		}
		p += w;
		left -= (size_t)w;
	}
	x->have += n;
	x->dl->bytes += n;
	return n;
}

/* Open the .partial for a (re)start: keep and hash what it holds, to resume. */
static int open_partial(struct dlx *x)
{
	struct stat sb;

	if (x->fd >= 0) {
		close(x->fd);
		x->fd = -1;
	}
	nbk_sha256_init(&x->sha);
	x->have = 0;
	x->fd = open(x->partial, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (x->fd < 0 || fstat(x->fd, &sb) < 0)
		return dl_fail(x, errno, "cannot create '%s'", x->partial);
	if ((uint64_t)sb.st_size > size_limit(x->dl) || hash_fd(x->fd, (uint64_t)sb.st_size, &x->sha) < 0) {
		if (ftruncate(x->fd, 0) < 0)
			return dl_fail(x, errno, "cannot truncate '%s'", x->partial);
		nbk_sha256_init(&x->sha);
		sb.st_size = 0;
	}
	x->have = (uint64_t)sb.st_size;
	if (lseek(x->fd, (off_t)x->have, SEEK_SET) < 0)
		return dl_fail(x, errno, "cannot seek '%s'", x->partial);
	return 0;
}

static int start(const struct et_config *cfg, CURLM *multi, struct dlx *x)
{
	char range[48];

	if (open_partial(x) < 0)
		return -1;
	if (x->dl->size && x->have == x->dl->size) {
		/* a previous run got it all */
		complete(x);
		return 0;
	}
	if (!x->easy && !(x->easy = curl_easy_init()))
		return dl_fail(x, 0, "cannot start a transfer");
	curl_easy_reset(x->easy);
	et_curl_setup(x->easy, cfg, x->dl->url, &x->bound);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	x->range = x->have > 0;
	if (x->range) {
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)x->have);
		curl_easy_setopt(x->easy, CURLOPT_RANGE, range);
		x->dl->resumed = true;
	}
	x->errbuf[0] = '\0';
	x->body_started = x->write_failed = false;
	et_body_bound_start(&x->bound, size_limit(x->dl), x->have);
	x->dl->attempts++;
	if (curl_multi_add_handle(multi, x->easy) != CURLM_OK)
		return dl_fail(x, 0, "cannot start a transfer for '%s'", x->shown_url);
	x->active = true;
	return 0;
}

static void retry_later(const struct et_config *cfg, struct dlx *x)
{
	double delay = cfg->backoff_factor * (double)(1u << (x->retries < 16 ? x->retries : 16));

	x->retries++;
	x->not_before_ms = nbk_now_ms() + (uint64_t)(delay * 1000.0);
	nbk_debug("%s: retrying in %.2f s (%llu bytes kept)", x->shown_url, delay,
		  (unsigned long long)x->have);
}

static void finished(const struct et_config *cfg, struct dlx *x, CURLcode code)
{
	long status = 0;
	bool can_retry = x->retries < (unsigned)(cfg->max_retries > 0 ? cfg->max_retries : 0);

	x->active = false;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	x->dl->http_status = status;
	if (x->bound.error_cut) {
		/* an endless error body: the status is the answer */
		nbk_debug("%s: HTTP %ld, body cut after %llu bytes", x->shown_url, status,
			  (unsigned long long)x->bound.dropped);
		code = CURLE_OK;
	}
	if (x->write_failed) {
		dl_fail(x, x->write_errno, "cannot write '%s'", x->partial);
	} else if (x->bound.too_big) {
		if (x->dl->size)
			dl_fail(x, 0, "'%s': size mismatch: the server sent more than the expected %llu bytes",
				x->shown_url, (unsigned long long)x->dl->size);
		else
			dl_fail(x, 0, "'%s': the server sent more than %llu bytes (the most accepted when "
				"the record gives no size)", x->shown_url, (unsigned long long)ET_PACKAGE_MAX);
	} else if (x->bound.drain_cut) {
		dl_fail(x, 0, "'%s': %s", x->shown_url, ET_DRAIN_CUT_MSG);
	} else if (code != CURLE_OK) {
		if (et_curl_transient(code) && can_retry) {
			retry_later(cfg, x);
			return;
		}
		dl_fail(x, 0, "'%s': %s%s", x->shown_url, x->errbuf[0] ? x->errbuf : curl_easy_strerror(code),
			x->retries ? " (after retries)" : "");
	} else if (status == 200 || status == 206 || (status == 0 && !x->bound.error_body)) {
		complete(x);
		return;
	} else if (status == 416 && x->range && can_retry) {
		/* our .partial is not a prefix the server knows: start over */
		if (ftruncate(x->fd, 0) < 0)
			dl_fail(x, errno, "cannot truncate '%s'", x->partial);
		else
			retry_later(cfg, x);
		return;
	} else if ((status >= 500 || status == 429 || status == 408) && can_retry) {
		retry_later(cfg, x);
		return;
	} else {
		dl_fail(x, 0, "'%s': the server answered HTTP %ld%s", x->shown_url, status,
			x->retries ? " (after retries)" : "");
	}
	/* failed for good: a .partial of a failed request is worth nothing */
	if (x->fd >= 0) {
		close(x->fd);
		x->fd = -1;
	}
	unlink(x->partial);
}

/* Progress bars, mamba's way: one line per active download and a total. */
struct bars {
	unsigned lines;             /* drawn last time */
	uint64_t last_ms;
};

static void human(char *out, size_t n, uint64_t bytes)
{
	if (bytes >= 1000ULL * 1000 * 1000)
		snprintf(out, n, "%.1f GB", (double)bytes / 1e9);
	else if (bytes >= 1000ULL * 1000)
		snprintf(out, n, "%.1f MB", (double)bytes / 1e6);
	else
		snprintf(out, n, "%.0f kB", (double)bytes / 1e3);
}

static void bar(struct nbk_buf *b, const char *label, uint64_t have, uint64_t total, const char *tail)
{
	char h[32], t[32];
	int width = 30, fill = total ? (int)((double)have / (double)total * width) : 0, i;

	if (fill > width)
		fill = width;
	human(h, sizeof(h), have);
	human(t, sizeof(t), total);
	nbk_buf_addf(b, "\x1b[2K%-40.40s [", label);
	for (i = 0; i < width; i++)
		nbk_buf_addch(b, i < fill ? '=' : i == fill ? '>' : ' ');
	nbk_buf_addf(b, "] %9s / %-9s %s\n", h, total ? t : "?", tail);
}

static void draw(struct bars *bs, struct dlx *xs, size_t n, bool final)
{
	_cleanup_buf_ struct nbk_buf b = NBK_BUF_INIT;
	uint64_t now = nbk_now_ms(), have = 0, total = 0;
	size_t i, ndone = 0;
	unsigned lines = 0;
	char tail[32];
	ssize_t w;

	if (!final && now - bs->last_ms < REDRAW_MS)
		return;
	bs->last_ms = now;
	if (bs->lines)
		nbk_buf_addf(&b, "\x1b[%uA", bs->lines);
	for (i = 0; i < n; i++) {
		have += xs[i].have;
		total += xs[i].dl->size ? xs[i].dl->size : xs[i].have;
		ndone += xs[i].done;
		if (!final && xs[i].active) {
			bar(&b, xs[i].dl->label, xs[i].have, xs[i].dl->size, "");
			lines++;
		}
	}
	snprintf(tail, sizeof(tail), "%zu/%zu", ndone, n);
	if (!final) {
		bar(&b, "Total", have, total, tail);
		lines++;
	}
	/* erase what the last frame drew below */
	for (i = lines; i < bs->lines; i++)
		nbk_buf_addstr(&b, "\x1b[2K\n");
	if (bs->lines > lines)
		nbk_buf_addf(&b, "\x1b[%uA", bs->lines - lines);
	bs->lines = lines;
	do
		w = write(STDERR_FILENO, b.data, b.len);
	while (w < 0 && errno == EINTR);
}

/*
 * Download each of dls[0..n) (url and dest set, borrowed) to its dest
 * through DEST.partial, at most opts->max_connections at once on one curl
 * multi handle; a local path or file:// URL is copied, not fetched.  Every
 * result field of dls[i] is reset first, then filled; opts->on_done (may be
 * NULL; opts itself may be NULL) is called once per download as it ends,
 * from this thread.  Retries, resumes and limits are as download.h says.
 * Returns 0 when every one is ok, or -1 with err a copy of the first failed
 * one's err (or "cannot initialise libcurl"); each failed download's
 * .partial is removed.  No allocation outlives the call; curl's global
 * state is initialised (curl_global_init()) and left so.
 */
int et_download_all(const struct et_config *cfg, struct et_download *dls, size_t n,
		    const struct et_download_opts *opts, struct nbk_error *err)
{
	static const struct et_download_opts defaults = { 0, 0, NULL, NULL };
	struct dlx *xs = nbk_xcalloc(n ? n : 1, sizeof(*xs));
	unsigned maxconn, active = 0;
	struct bars bs = { 0, 0 };
	CURLM *multi = NULL;
	size_t i, pending = 0;
	int ret = 0;

	if (!opts)
		opts = &defaults;
	maxconn = opts->max_connections ? opts->max_connections : ET_DL_DEFAULT_CONNECTIONS;
	for (i = 0; i < n; i++) {
		struct dlx *x = &xs[i];
		_cleanup_free_ char *local = NULL;

		x->dl = &dls[i];
		x->fd = -1;
		x->dl->ok = x->dl->resumed = false;
		x->dl->attempts = 0;
		x->dl->bytes = 0;
		x->dl->http_status = 0;
		nbk_error_clear(&x->dl->err);
		if (!x->dl->label)
			x->dl->label = x->dl->dest;
		x->partial = nbk_xasprintf("%s.partial", x->dl->dest);
		x->shown_url = et_url_redact(x->dl->url);
		nbk_sha256_init(&x->sha);
		local = x->dl->url[0] == '/' ? nbk_xstrdup(x->dl->url) : et_url_local_path(x->dl->url);
		if (local) {
			copy_local(x, local);
			if (opts->on_done)
				opts->on_done(x->dl, opts->user);
		} else {
			pending++;
		}
	}
	if (pending) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(multi = curl_multi_init())) {
			ret = nbk_error_set(err, 0, "cannot initialise libcurl");
			goto out;
		}
		curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)maxconn);
	}
	while (pending) {
		uint64_t now = nbk_now_ms(), wait_ms = 1000;
		int running = 0, left;
		CURLMsg *msg;

		for (i = 0; i < n && active < maxconn; i++) {
			struct dlx *x = &xs[i];

			if (x->done || x->active)
				continue;
			if (x->not_before_ms > now) {
				if (x->not_before_ms - now < wait_ms)
					wait_ms = x->not_before_ms - now;
				continue;
			}
			start(cfg, multi, x);
			if (x->active) {
				active++;
			} else if (x->done) {
				pending--;
				if (opts->on_done)
					opts->on_done(x->dl, opts->user);
			}
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct dlx *x = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			curl_multi_remove_handle(multi, msg->easy_handle);
			active--;
			finished(cfg, x, msg->data.result);
			if (x->done) {
				pending--;
				if (opts->on_done)
					opts->on_done(x->dl, opts->user);
			}
			wait_ms = 0;
		}
		if (opts->flags & ET_DL_PROGRESS)
			draw(&bs, xs, n, false);
		if (pending && wait_ms)
			curl_multi_poll(multi, NULL, 0, (int)(wait_ms > REDRAW_MS ? REDRAW_MS : wait_ms), NULL);
	}
	if ((opts->flags & ET_DL_PROGRESS) && bs.lines)
		draw(&bs, xs, n, true);
	for (i = 0; i < n; i++) {
		if (!dls[i].ok && ret == 0) {
			if (err)
				*err = dls[i].err;
			ret = -1;
		}
	}
out:
	for (i = 0; i < n; i++) {
		if (xs[i].easy) {
			if (xs[i].active)
				curl_multi_remove_handle(multi, xs[i].easy);
			curl_easy_cleanup(xs[i].easy);
		}
		if (xs[i].fd >= 0)
			close(xs[i].fd);
		if (!xs[i].done && ret < 0)
			unlink(xs[i].partial);
		free(xs[i].partial);
		free(xs[i].shown_url);
	}
	if (multi)
		curl_multi_cleanup(multi);
	free(xs);
	return ret;
}
