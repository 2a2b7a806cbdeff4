/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every envtool transfer (repodata in fetch.c, packages in download.c):
 * the one loop that runs them, the libcurl settings, and the bounds in
 * time and bytes that a hostile or broken server cannot get past (issue 9).
 * This file is the one owner of those (issue 10: fetch.c and download.c
 * each ran a curl_multi loop of their own, and the two had drifted apart:
 * a 408 was retried for a package, not for repodata; only repodata said
 * what to do about an untrusted certificate).  The callers say WHAT to
 * transfer and what to do with the bytes (struct et_transfer_ops); HOW is
 * et_transfer_run_all()'s:
 *
 *  loop     one curl_multi, at most max_active transfers at a time (and
 *           max_per_host connections to one host), woken by
 *           curl_multi_poll() at least every ET_TRANSFER_TICK_MS.
 *  retries  a dropped or refused connection, a timeout or a stall, and an
 *           answer 5xx, 429 or 408 are asked again remote_max_retries
 *           times, remote_backoff_factor * 2^n seconds apart.
 *  messages a failure the loop sees (all of the above once the retries are
 *           spent, a bound below, an untrusted certificate) is one message
 *           of one shape, "'URL': WHAT[ (after retries)]", URL with its
 *           credentials masked (nbk_url_redact()); the caller puts its
 *           subject in front ("cannot fetch 'zlib-1.2.13-0': ...").
 *  time     a transfer slower than ET_LOW_SPEED_LIMIT bytes/s for
 *           remote_read_timeout_secs seconds (conda's key, default 60) is
 *           stopped with CURLE_OPERATION_TIMEDOUT, retried like any timeout
 *           and then reported: a server that drips a byte now and then
 *           cannot hold envtool.  Connecting is bounded by
 *           remote_connect_timeout_secs.
 *  errors   the body of an answer outside 2xx is never kept: it is counted
 *           and dropped, and after ET_ERROR_BODY_MAX bytes the transfer is
 *           stopped with the status standing as the answer (an endless 404
 *           body is a 404, an endless 500 body a 500).
 *  bodies   a 2xx body is cut off once it passes its caller's maximum
 *           (et_transfer_set_cap(); repodata: repodata_max_bytes, default
 *           ET_DEFAULT_REPODATA_MAX_BYTES; a package: its record's size,
 *           else ET_PACKAGE_MAX), counted after Content-Encoding decoding,
 *           so a gzip bomb stops at the maximum, not at its end.
 *  drained  bytes libcurl reads without handing them over (the body of a
 *           redirect it follows: libcurl 7.88 drains it to the end, forever
 *           when it is endless) are bounded too: a transfer whose received
 *           bytes run ahead of those handed over by more than
 *           ET_ERROR_BODY_MAX (plus an eighth, for encoding overhead) is
 *           stopped.
 */
#ifndef LIBCONDA_TRANSFER_H
#define LIBCONDA_TRANSFER_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbkit/error.h"
#include "nbkit/url.h" /* nbk_url_redact() */
#include "config.h"

/* Below this many bytes per second for remote_read_timeout_secs: stalled. */
#define ET_LOW_SPEED_LIMIT 1024L
/* Most bytes of an error body (4xx, 5xx ...) read before the transfer is stopped. */
#define ET_ERROR_BODY_MAX ((uint64_t)64 << 10)
/* Why a transfer with drain_cut failed. */
#define ET_DRAIN_CUT_MSG \
	"the server sent more than 64 KiB of a body that is not the answer (a redirect's?)"
/* Largest package accepted when its record gives no size. */
#define ET_PACKAGE_MAX ((uint64_t)8 << 30)
/* The loop wakes at least this often (for the callers' progress bars). */
#define ET_TRANSFER_TICK_MS 100

/* The bound on one response's body; reset with et_body_bound_start() before each request. */
struct et_body_bound {
	uint64_t max;     /* most bytes a 2xx body may have (decoded) */
	uint64_t got;     /* 2xx body bytes so far, a resumed prefix included */
	uint64_t dropped; /* error-body bytes read and dropped */
	uint64_t fed;     /* bytes handed to the write callback in this request */
	long status;      /* the answer the body belongs to; 0 before its first byte */
	bool error_body;  /* the body is an error answer's (not 2xx) */
	bool error_cut;   /* ET_ERROR_BODY_MAX reached: stopped, the status stands */
	bool too_big;     /* the 2xx body went past max: stopped, the transfer failed */
	bool drain_cut;   /* libcurl drained too many bytes it never handed over: stopped */
};

enum et_body_verdict {
	ET_BODY_KEEP, /* write the chunk */
	ET_BODY_DROP, /* an error body: return n from the write callback, keep nothing */
	ET_BODY_STOP, /* return 0 from the write callback: the transfer ends */
};

/* Before a request: a 2xx body may have max bytes; got of them are already there (a Range resume). */
void et_body_bound_start(struct et_body_bound *b, uint64_t max, uint64_t got);

/*
 * From a write callback, for each chunk of n (decoded) bytes of e's
 * response, before using it.  The first call reads the response status
 * into b->status (when e is NULL, the caller has set it).
 */
enum et_body_verdict et_body_bound_feed(struct et_body_bound *b, CURL *e, size_t n);

struct et_transfer;

/* What becomes of a transfer after an answer (struct et_transfer_ops.answer). */
enum et_transfer_next {
	ET_TRANSFER_DONE,  /* finished, well or not (a failure: the caller's error is set) */
	ET_TRANSFER_RETRY, /* ask again after the backoff; none left: "the server answered HTTP N" */
	ET_TRANSFER_AGAIN, /* ask again now, not counted as a retry (e.g. another URL) */
	ET_TRANSFER_STATUS, /* the loop's rule: 5xx, 429 and 408 are retried, any other status fails */
};

/*
 * What a caller does with a transfer.  Each callback gets the transfer;
 * t->user is the caller's.  Callbacks that fail set the caller's own error
 * (wherever the caller keeps it) and return -1: the loop stops that
 * transfer and calls done.
 */
struct et_transfer_ops {
	/*
	 * Before each request: et_transfer_set_url() (once is enough when the
	 * URL never changes), et_transfer_set_cap(), headers, range_from,
	 * decode; open what the body goes to.  Returns 0 to send the request,
	 * 1 when there is nothing to ask (done, well), -1 on failure.
	 */
	int (*start)(struct et_transfer *t);
	/*
	 * A request with range_from answered 200 (the whole body): forget the
	 * range_from bytes kept.  Needed when start sets range_from.
	 */
	int (*rewind)(struct et_transfer *t);
	/* n bytes of a 2xx body, within the cap.  Returns 0 or -1. */
	int (*write)(struct et_transfer *t, const char *data, size_t n);
	/* A response header line as libcurl gives it ("HTTP/1.1 200 OK\r\n", "ETag: ..."); may be NULL. */
	void (*header)(struct et_transfer *t, const char *line, size_t n);
	/*
	 * An answer came whole (status 0: none was parsed), not failed by the
	 * loop's bounds: decide.  A 2xx body is whole only here.
	 */
	enum et_transfer_next (*answer)(struct et_transfer *t, long status);
	/*
	 * Once, when the transfer is finished for good, well or not; when the
	 * loop failed it, t->failed is set and t->err holds its message.
	 */
	void (*done)(struct et_transfer *t);
};

/*
 * One transfer.  Zero it (ET_TRANSFER_INIT), set ops and user, and free
 * what it holds with et_transfer_release() (also when it was never run).
 */
struct et_transfer {
	const struct et_transfer_ops *ops;
	void *user; /* the caller's */
	/* the request, set by ops->start */
	char *url;                  /* et_transfer_set_url() */
	char *shown_url;            /* url, credentials masked: for messages */
	uint64_t max;               /* et_transfer_set_cap(): most bytes of a 2xx body */
	char *cap_msg;              /* ... and what passing it is called */
	struct curl_slist *headers; /* et_transfer_add_header(); cleared before each start */
	uint64_t range_from;        /* ask for the body from this byte on; 0 before each start */
	bool decode; /* accept any Content-Encoding (counted decoded); false before each start */
	const char *creds; /* where this request's credentials came from, for a 401/403 message */
	/* the loop's */
	CURL *easy;
	struct et_body_bound bound;
	char errbuf[CURL_ERROR_SIZE];
	bool body_started;      /* this response's first body byte was seen */
	bool active;            /* a request is in flight */
	bool done;              /* finished for good: ops->done was called */
	bool sink_failed;       /* a callback failed: the caller's error stands */
	unsigned retries;       /* backoffs so far */
	uint64_t not_before_ms; /* no request before this time */
	/* results */
	unsigned attempts;    /* requests sent */
	long status;          /* the last answer's HTTP status, 0 when none */
	bool failed;          /* the loop failed it: err */
	struct nbk_error err; /* "'SHOWN_URL': WHAT[ (after retries)]" */
};

/* clang-format off */
#define ET_TRANSFER_INIT { .ops = NULL }
/* clang-format on */

/* Set the URL of the next request (a copy; shown_url follows). */
void et_transfer_set_url(struct et_transfer *t, const char *url);

/* A 2xx body may have max bytes (decoded); past them the transfer fails with "'URL': MSG". */
void et_transfer_set_cap(struct et_transfer *t, uint64_t max, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Send "Name: value" with the next request. */
void et_transfer_add_header(struct et_transfer *t, const char *line);

/* Free what t holds (not t); it may be run again after et_transfer_set_url(). */
void et_transfer_release(struct et_transfer *t);

struct et_transfer_opts {
	unsigned max_active; /* most transfers at once; 0: all of them */
	long max_per_host;   /* most connections to one host; 0: no limit of ours */
	/* called after each turn of the loop (at least every ET_TRANSFER_TICK_MS); may be NULL */
	void (*tick)(void *user);
	void *user;
};

/*
 * Run the transfers ts[0..n) until each one is done: ops->done has been
 * called for each, in the order they finish (its own result is in the
 * transfer and wherever its callbacks put it).  The settings come from cfg:
 * timeouts, retries, backoff, ssl_verify, CA bundle, proxy_servers.
 * Returns 0, or -1 with err when libcurl could not be set up (then no
 * transfer ran and no done was called).  opts may be NULL.
 */
int et_transfer_run_all(const struct et_config *cfg, struct et_transfer **ts, size_t n,
			const struct et_transfer_opts *opts, struct nbk_error *err);

#endif
