/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Package downloads (download.h): what each download asks for (a Range
 * when DEST.partial holds a prefix), and its bytes written to DEST.partial
 * and hashed as they arrive, then verified.  The transfers run in
 * transfer.c's loop, at most max_connections at a time.
 */
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
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/md5.h"
#include "nbkit/proc.h"
#include "nbkit/sha256.h"
#include "nbkit/str.h"
#include "channel.h"
#include "download.h"
#include "transfer.h"

#define COPY_CHUNK (1 << 20)

struct dlx {
	struct et_download *dl;
	const struct et_download_opts *opts;
	struct et_transfer t; /* dl->url; capped at the record's size, or ET_PACKAGE_MAX */
	char *partial;
	int fd; /* the .partial, open while a transfer runs */
	struct nbk_sha256 sha;
	uint64_t have; /* bytes in the .partial (hashed) */
	bool done;     /* verified, or failed for good */
};

/*
 * x failed for good: dl->err becomes "cannot fetch 'LABEL': WHAT 'PATH'"
 * (without PATH when it is NULL), then ": strerror(errnum)" when errnum
 * is not 0.  Returns -1.
 */
static int dl_fail(struct dlx *x, int errnum, const char *what, const char *path)
{
	x->done = true;
	x->dl->ok = false;
	if (!path)
		return nbk_error_set(&x->dl->err, errnum, "cannot fetch '%s': %s", x->dl->label,
				     what);
	return nbk_error_set(&x->dl->err, errnum, "cannot fetch '%s': %s '%s'", x->dl->label, what,
			     path);
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
static int md5_of_fd(int fd, uint64_t len, char hex[NBK_MD5_HEX_LEN + 1])
{
	void *p;

	if (len == 0) {
		nbk_md5_hex("", 0, hex);
		return 0;
	}
	p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	nbk_md5_hex(p, (size_t)len, hex);
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
		return nbk_error_set(
			err, 0, "cannot fetch '%s': size mismatch: expected %llu bytes, got %llu",
			label, (unsigned long long)size, (unsigned long long)len);
	if (has(sha256)) {
		char hex[NBK_SHA256_HEX_LEN + 1];

		nbk_sha256_final_hex(c, hex);
		if (strcasecmp(hex, sha256))
			return nbk_error_set(
				err, 0, "cannot fetch '%s': sha256 mismatch: expected %s, got %s",
				label, sha256, hex);
	} else if (has(md5)) {
		char hex[33];

		if (md5_of_fd(fd, len, hex) < 0)
			return nbk_error_set(err, errno, "cannot fetch '%s': cannot read it back",
					     label);
		if (strcasecmp(hex, md5))
			return nbk_error_set(err, 0,
					     "cannot fetch '%s': md5 mismatch: expected %s, got %s",
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

int et_download_verify_file(const char *path, const char *label, uint64_t size, const char *sha256,
			    const char *md5, struct nbk_error *err)
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
		dl_fail(x, errno, "cannot write", x->partial);
	} else if (check_digest(dl->label, x->fd, x->have, &x->sha, dl->size, dl->sha256, dl->md5,
				&dl->err) < 0) {
		dl->ok = false;
	} else if (rename(x->partial, dl->dest) < 0) {
		dl_fail(x, errno, "cannot rename", x->partial);
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

	if (in < 0) {
		dl_fail(x, errno, "cannot open", src);
		return;
	}
	x->fd = open(x->partial, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (x->fd < 0) {
		dl_fail(x, errno, "cannot create", x->partial);
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
			dl_fail(x, errno, "cannot read", src);
			break;
		}
		if (r == 0) {
			complete(x);
			return;
		}
		if (x->have + (uint64_t)r > limit) {
			char what[80];

			snprintf(what, sizeof(what),
				 "size mismatch: more than the expected %llu bytes",
				 (unsigned long long)limit);
			dl_fail(x, 0, what, NULL);
			break;
		}
		nbk_sha256_update(&x->sha, buf, (size_t)r);
		for (left = (size_t)r; left;) {
			ssize_t w = write(x->fd, p, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				dl_fail(x, errno, "cannot write", x->partial);
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

/* A Range request answered with the whole body: start the .partial over. */
static int on_rewind(struct et_transfer *t)
{
	struct dlx *x = t->user;

	if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0)
		return dl_fail(x, errno, "cannot write", x->partial);
	x->have = 0;
	nbk_sha256_init(&x->sha);
	return 0;
}

static int on_body(struct et_transfer *t, const char *data, size_t n)
{
	struct dlx *x = t->user;
	const char *p = data;
	size_t left = n;

	nbk_sha256_update(&x->sha, data, n);
	while (left) {
		ssize_t w = write(x->fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return dl_fail(x, errno, "cannot write", x->partial);
		p += w;
		left -= (size_t)w;
	}
	x->have += n;
	x->dl->bytes += n;
	return 0;
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
		return dl_fail(x, errno, "cannot create", x->partial);
	if ((uint64_t)sb.st_size > size_limit(x->dl) ||
	    hash_fd(x->fd, (uint64_t)sb.st_size, &x->sha) < 0) {
		if (ftruncate(x->fd, 0) < 0)
			return dl_fail(x, errno, "cannot truncate", x->partial);
		nbk_sha256_init(&x->sha);
		sb.st_size = 0;
	}
	x->have = (uint64_t)sb.st_size;
	if (lseek(x->fd, (off_t)x->have, SEEK_SET) < 0)
		return dl_fail(x, errno, "cannot seek", x->partial);
	return 0;
}

/* Before each request: ask for what the .partial lacks. */
static int on_start(struct et_transfer *t)
{
	struct dlx *x = t->user;

	if (open_partial(x) < 0)
		return -1;
	if (x->dl->size && x->have == x->dl->size) {
		/* a previous run got it all */
		complete(x);
		return 1;
	}
	t->range_from = x->have;
	if (x->have)
		x->dl->resumed = true;
	return 0;
}

/* What an answer means for a package (transfer.c judged the rest). */
static enum et_transfer_next on_answer(struct et_transfer *t, long status)
{
	struct dlx *x = t->user;

	if (status == 200 || status == 206 || (status == 0 && !t->bound.error_body)) {
		complete(x);
		return ET_TRANSFER_DONE;
	}
	if (status == 416 && t->range_from) {
		/* our .partial is not a prefix the server knows: start over */
		if (ftruncate(x->fd, 0) < 0) {
			dl_fail(x, errno, "cannot truncate", x->partial);
			return ET_TRANSFER_DONE;
		}
		return ET_TRANSFER_RETRY;
	}
	return ET_TRANSFER_STATUS;
}

static void on_done(struct et_transfer *t)
{
	struct dlx *x = t->user;

	if (t->failed)
		dl_fail(x, 0, t->err.msg, NULL);
	if (!x->dl->ok) {
		/* failed for good: a .partial of a failed request is worth nothing */
		if (x->fd >= 0) {
			close(x->fd);
			x->fd = -1;
		}
		unlink(x->partial);
	}
	if (x->opts->on_done)
		x->opts->on_done(x->dl, x->opts->user);
}

static const struct et_transfer_ops download_ops = {
	.start = on_start,
	.rewind = on_rewind,
	.write = on_body,
	.answer = on_answer,
	.done = on_done,
};

/* The loop's tick: every download as it stands, to opts->progress. */
struct progress {
	const struct et_download_opts *opts;
	struct dlx *xs;
	struct et_download_progress *rows;
	size_t n;
};

static void report(struct progress *p, bool final)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		p->rows[i].label = p->xs[i].dl->label;
		p->rows[i].have = p->xs[i].have;
		p->rows[i].size = p->xs[i].dl->size;
		p->rows[i].active = !final && p->xs[i].t.active;
		p->rows[i].done = p->xs[i].done;
	}
	p->opts->progress(p->rows, p->n, final, p->opts->progress_user);
}

static void tick(void *user)
{
	report(user, false);
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
	static const struct et_download_opts defaults = { 0, NULL, NULL, NULL, NULL };
	struct dlx *xs = nbk_xcalloc(n ? n : 1, sizeof(*xs));
	struct et_transfer **ts = nbk_xcalloc(n ? n : 1, sizeof(*ts));
	struct progress prog = { opts ? opts : &defaults, xs, NULL, n };
	struct et_transfer_opts topts = { 0, 0, NULL, &prog };
	size_t i, pending = 0;
	int ret = 0;

	if (!opts)
		opts = &defaults;
	topts.max_active = opts->max_connections ? opts->max_connections
						 : ET_DL_DEFAULT_CONNECTIONS;
	if (opts->progress) {
		prog.rows = nbk_xcalloc(n ? n : 1, sizeof(*prog.rows));
		topts.tick = tick;
	}
	for (i = 0; i < n; i++) {
		struct dlx *x = &xs[i];
		_cleanup_free_ char *local = NULL;

		x->dl = &dls[i];
		x->opts = opts;
		x->fd = -1;
		x->dl->ok = x->dl->resumed = false;
		x->dl->bytes = 0;
		nbk_error_clear(&x->dl->err);
		if (!x->dl->label)
			x->dl->label = x->dl->dest;
		x->partial = nbk_xasprintf("%s.partial", x->dl->dest);
		nbk_sha256_init(&x->sha);
		local = x->dl->url[0] == '/' ? nbk_xstrdup(x->dl->url)
					     : et_url_local_path(x->dl->url);
		if (local) {
			copy_local(x, local);
			if (opts->on_done)
				opts->on_done(x->dl, opts->user);
			continue;
		}
		x->t.ops = &download_ops;
		x->t.user = x;
		et_transfer_set_url(&x->t, x->dl->url);
		if (x->dl->size)
			et_transfer_set_cap(
				&x->t, x->dl->size,
				"size mismatch: the server sent more than the expected %llu bytes",
				(unsigned long long)x->dl->size);
		else
			et_transfer_set_cap(
				&x->t, ET_PACKAGE_MAX,
				"the server sent more than %llu bytes (the most accepted when "
				"the record gives no size)",
				(unsigned long long)ET_PACKAGE_MAX);
		ts[pending++] = &x->t;
	}
	if (et_transfer_run_all(cfg, ts, pending, &topts, err) < 0) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!dls[i].ok && ret == 0) {
			if (err)
				*err = dls[i].err;
			ret = -1;
		}
	}
out:
	if (opts->progress)
		report(&prog, true);
	for (i = 0; i < n; i++) {
		et_transfer_release(&xs[i].t);
		if (xs[i].fd >= 0)
			close(xs[i].fd);
		if (!xs[i].done && ret < 0)
			unlink(xs[i].partial);
		free(xs[i].partial);
	}
	free(prog.rows);
	free(ts);
	free(xs);
	return ret;
}
