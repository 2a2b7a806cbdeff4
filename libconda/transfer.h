/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every envtool transfer shares (repodata in fetch.c, packages in
 * download.c): the libcurl settings, and the bounds in time and bytes that
 * a hostile or broken server cannot get past (issue 9).  This file is the
 * one owner of those limits:
 *
 *  time     a transfer slower than ET_LOW_SPEED_LIMIT bytes/s for
 *           remote_read_timeout_secs seconds (conda's key, default 60) is
 *           stopped with CURLE_OPERATION_TIMEDOUT, which the callers retry
 *           like any timeout and then report: a server that drips a byte
 *           now and then cannot hold envtool.  Connecting is bounded by
 *           remote_connect_timeout_secs.
 *  errors   the body of an answer outside 2xx is never kept: it is counted
 *           and dropped, and after ET_ERROR_BODY_MAX bytes the transfer is
 *           stopped with the status standing as the answer (an endless 404
 *           body is a 404, an endless 500 body a 500).
 *  bodies   a 2xx body is cut off once it passes its caller's maximum
 *           (repodata: repodata_max_bytes, default ET_DEFAULT_REPODATA_MAX_BYTES;
 *           a package: its record's size, else ET_PACKAGE_MAX), counted
 *           after Content-Encoding decoding, so a gzip bomb stops at the
 *           maximum, not at its end.
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
#include <stdint.h>

#include "config.h"

/* Below this many bytes per second for remote_read_timeout_secs: stalled. */
#define ET_LOW_SPEED_LIMIT 1024L
/* Most bytes of an error body (4xx, 5xx ...) read before the transfer is stopped. */
#define ET_ERROR_BODY_MAX ((uint64_t)64 << 10)
/* Why a transfer with drain_cut failed, for the callers' messages. */
#define ET_DRAIN_CUT_MSG "the server sent more than 64 KiB of a body that is not the answer (a redirect's?)"
/* Largest package accepted when its record gives no size. */
#define ET_PACKAGE_MAX ((uint64_t)8 << 30)

struct et_body_bound;

/*
 * The settings every envtool transfer shares: url, redirects limited to
 * http(s), user agent, connect timeout, the low-speed limit, ssl_verify /
 * CA bundle and proxy_servers from cfg, and a progress callback that stops
 * a transfer whose bytes are drained, not handed over (bound, borrowed:
 * it must outlive the transfer).  The caller adds its own callbacks and
 * headers, and feeds every body chunk to bound.
 */
void et_curl_setup(CURL *e, const struct et_config *cfg, const char *url,
		   struct et_body_bound *bound);

/* A curl error worth retrying with backoff (connection refused or dropped, timeout, stalled). */
bool et_curl_transient(CURLcode c);

/* The bound on one response's body; reset with et_body_bound_start() before each request. */
struct et_body_bound {
	uint64_t max;       /* most bytes a 2xx body may have (decoded) */
	uint64_t got;       /* 2xx body bytes so far, a resumed prefix included */
	uint64_t dropped;   /* error-body bytes read and dropped */
	uint64_t fed;       /* bytes handed to the write callback in this request */
	long status;        /* the answer the body belongs to; 0 before its first byte */
	bool error_body;    /* the body is an error answer's (not 2xx) */
	bool error_cut;     /* ET_ERROR_BODY_MAX reached: stopped, the status stands */
	bool too_big;       /* the 2xx body went past max: stopped, the transfer failed */
	bool drain_cut;     /* libcurl drained too many bytes it never handed over: stopped */
};

enum et_body_verdict {
	ET_BODY_KEEP,       /* write the chunk */
	ET_BODY_DROP,       /* an error body: return n from the write callback, keep nothing */
	ET_BODY_STOP,       /* return 0 from the write callback: the transfer ends */
};

/* Before a request: a 2xx body may have max bytes; got of them are already there (a Range resume). */
void et_body_bound_start(struct et_body_bound *b, uint64_t max, uint64_t got);

/*
 * From a write callback, for each chunk of n (decoded) bytes of e's
 * response, before using it.  The first call reads the response status
 * into b->status (when e is NULL, the caller has set it).
 */
enum et_body_verdict et_body_bound_feed(struct et_body_bound *b, CURL *e, size_t n);

/*
 * url for a message, credentials masked: the user:password of
 * "scheme://user:password@host" and the TOKEN of a "/t/TOKEN/" segment
 * (anaconda.org's token form) become "***".  Returns a new string.
 */
char *et_url_redact(const char *url);

#endif
