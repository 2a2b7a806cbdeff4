/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transfer loop, the libcurl settings and the time and byte bounds of
 * every envtool transfer (transfer.h).
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/proc.h"
#include "nbkit/url.h"
#include "nbk_version.h"
#include "transfer.h"
#include "interrupt.h"

/*
 * libcurl's progress callback: dlnow counts every body byte received for
 * this request, those it drains without a word (a followed redirect's body)
 * included.  Decoding may turn few wire bytes into many (never the other
 * way by more than a small overhead), so wire bytes far ahead of the bytes
 * handed over mean a body nobody reads.
 */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct et_body_bound *b = user;
	uint64_t wire = dlnow > 0 ? (uint64_t)dlnow : 0;

	(void)dltotal;
	(void)ultotal;
	(void)ulnow;
	if (et_interrupted())
		return 1; /* Ctrl-C: cut the transfer (finished() says why) */
	if (wire > b->fed + ET_ERROR_BODY_MAX + wire / 8) {
		b->drain_cut = true;
		return 1;
	}
	return 0;
}

/*
 * The settings every transfer shares: url, redirects limited to http(s),
 * user agent, connect timeout, the low-speed limit, ssl_verify / CA bundle
 * and proxy_servers from cfg, and a progress callback that stops a transfer
 * whose bytes are drained, not handed over (bound, borrowed: it must
 * outlive the transfer).
 */
static void curl_setup(CURL *e, const struct et_config *cfg, const char *url,
		       struct et_body_bound *bound)
{
	const char *scheme_https = "https://";
	bool https = !strncmp(url, scheme_https, strlen(scheme_https));
	long window = (long)(cfg->read_timeout_s + 0.999);

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "envtool/" NBK_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(cfg->connect_timeout_s * 1000.0));
	/*
	 * conda's read timeout, as a rate: nothing, or a trickle (issue 9: one
	 * byte every half second), for that long ends the transfer.
	 */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, ET_LOW_SPEED_LIMIT);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, window > 0 ? window : 1L);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, bound);
	if (cfg->ssl_verify == ET_SSL_VERIFY_OFF) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (cfg->ca_bundle) {
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_bundle);
	}
	/* proxy_servers from .condarc; otherwise libcurl reads http_proxy,
	 * HTTPS_PROXY and NO_PROXY itself */
	if (https ? cfg->proxy_https != NULL : cfg->proxy_http != NULL)
		curl_easy_setopt(e, CURLOPT_PROXY, https ? cfg->proxy_https : cfg->proxy_http);
}

/* A curl error worth retrying with backoff (connection refused or dropped, timeout, stalled). */
static bool curl_transient(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

void et_body_bound_start(struct et_body_bound *b, uint64_t max, uint64_t got)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->got = got;
}

enum et_body_verdict et_body_bound_feed(struct et_body_bound *b, CURL *e, size_t n)
{
	if (b->status == 0 && e)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &b->status);
	b->error_body = b->status < 200 || b->status > 299;
	b->fed += n;
	if (b->error_body) {
		/* nobody reads error bodies: keep none, stop an endless one */
		b->dropped += n;
		if (b->dropped > ET_ERROR_BODY_MAX) {
			b->error_cut = true;
			return ET_BODY_STOP;
		}
		return ET_BODY_DROP;
	}
	if (n > b->max || b->got > b->max - n) {
		b->too_big = true;
		return ET_BODY_STOP;
	}
	b->got += n;
	return ET_BODY_KEEP;
}

void et_transfer_set_url(struct et_transfer *t, const char *url)
{
	char *copy = nbk_xstrdup(url);

	free(t->url);
	free(t->shown_url);
	t->url = copy;
	t->shown_url = nbk_url_redact(copy);
}

void et_transfer_set_cap(struct et_transfer *t, uint64_t max, const char *fmt, ...)
{
	struct nbk_buf b = NBK_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	nbk_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	free(t->cap_msg);
	t->cap_msg = nbk_buf_detach(&b, NULL);
	t->max = max;
}

void et_transfer_add_header(struct et_transfer *t, const char *line)
{
	struct curl_slist *l = curl_slist_append(t->headers, line);

	/* out of memory: the request goes without it (a conditional header: a full answer) */
	if (l)
		t->headers = l;
}

void et_transfer_release(struct et_transfer *t)
{
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->url);
	free(t->shown_url);
	free(t->cap_msg);
	t->easy = NULL;
	t->headers = NULL;
	t->url = t->shown_url = t->cap_msg = NULL;
}

/* The loop's failures, one shape: "'SHOWN_URL': WHAT[TAIL]". */
static void transfer_fail(struct et_transfer *t, const char *what, const char *tail)
{
	t->failed = true;
	nbk_error_set(&t->err, 0, "'%s': %s%s", t->shown_url ? t->shown_url : "", what, tail);
}

/* libcurl's write callback: the bound first, then the caller's sink. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct et_transfer *t = user;
	size_t n = size * nmemb;

	if (!t->body_started) {
		long status = 0;

		t->body_started = true;
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200 && t->range_from) {
			/* the server ignored our Range: the body starts over */
			t->bound.got = 0;
			if (t->ops->rewind(t) < 0) {
				t->sink_failed = true;
				return 0;
			}
		}
	}
	switch (et_body_bound_feed(&t->bound, t->easy, n)) {
	case ET_BODY_DROP:
		return n;
	case ET_BODY_STOP:
		return 0;
	case ET_BODY_KEEP:
		break;
	}
	if (t->ops->write(t, data, n) < 0) {
		t->sink_failed = true;
		return 0;
	}
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct et_transfer *t = user;

	t->ops->header(t, data, size * nmemb);
	return size * nmemb;
}

static void finish(struct et_transfer *t)
{
	t->done = true;
	t->ops->done(t);
}

/*
 * The credentials of t's next request (auth.h's order): those in its URL
 * as they are; else the authentication file's entry for it (a bearer
 * header, a user and password, or a conda token put in the URL, which is
 * then returned, a new string); else ~/.netrc through libcurl.  t->creds
 * says which, for a 401/403 message.
 */
static char *with_credentials(CURL *e, const struct et_config *cfg, struct et_transfer *t)
{
	const struct et_auth_entry *a;
	const char *netrc = getenv("NETRC");

	curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	if (netrc && *netrc)
		curl_easy_setopt(e, CURLOPT_NETRC_FILE, netrc);
	if (nbk_url_has_credentials(t->url)) {
		t->creds = "the credentials in the channel's URL";
		return NULL;
	}
	if (!(a = et_auth_find(&cfg->auth, t->url))) {
		t->creds = cfg->auth.path
				   ? "none (no entry of the authentication file matches; "
				     "~/.netrc has none for the host either)"
				   : "none (no authentication file; ~/.netrc has none for the "
				     "host either)";
		return NULL;
	}
	t->creds = a->kind == ET_AUTH_BEARER  ? "the authentication file's bearer token"
		   : a->kind == ET_AUTH_BASIC ? "the authentication file's user and password"
					      : "the authentication file's conda token";
	switch (a->kind) {
	case ET_AUTH_BEARER: {
		_cleanup_free_ char *h = nbk_xasprintf("Authorization: Bearer %s", a->token);

		et_transfer_add_header(t, h);
		return NULL;
	}
	case ET_AUTH_BASIC:
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, a->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, a->password);
		return NULL;
	case ET_AUTH_CONDA_TOKEN:
		return et_url_with_token(t->url, a->token);
	}
	return NULL;
}

/*
 * Start t's next request on multi.  Returns 0 when it is in flight, -1
 * when it finished without one (ops->done was called).
 */
static int request(const struct et_config *cfg, CURLM *multi, struct et_transfer *t)
{
	_cleanup_free_ char *authed = NULL;
	char range[48];
	CURL *e;
	int r;

	curl_slist_free_all(t->headers);
	t->headers = NULL;
	t->range_from = 0;
	t->decode = false;
	t->errbuf[0] = '\0';
	t->body_started = t->sink_failed = false;
	r = t->ops->start(t);
	if (r != 0) {
		if (r < 0)
			t->sink_failed = true;
		finish(t);
		return -1;
	}
	if (!t->easy && !(t->easy = curl_easy_init())) {
		transfer_fail(t, "cannot start a transfer", "");
		finish(t);
		return -1;
	}
	e = t->easy;
	curl_easy_reset(e);
	authed = with_credentials(e, cfg, t);
	curl_setup(e, cfg, authed ? authed : t->url, &t->bound);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	if (t->ops->header) {
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	}
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	if (t->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	if (t->decode)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (t->range_from) {
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)t->range_from);
		curl_easy_setopt(e, CURLOPT_RANGE, range);
	}
	et_body_bound_start(&t->bound, t->max, t->range_from);
	t->attempts++;
	if (curl_multi_add_handle(multi, e) != CURLM_OK) {
		transfer_fail(t, "cannot start a transfer", "");
		finish(t);
		return -1;
	}
	t->active = true;
	return 0;
}

static void retry_later(const struct et_config *cfg, struct et_transfer *t)
{
	double delay = cfg->backoff_factor * (double)(1u << (t->retries < 16 ? t->retries : 16));

	t->retries++;
	t->not_before_ms = nbk_now_ms() + (uint64_t)(delay * 1000.0);
	nbk_debug("%s: retrying in %.2f s", t->shown_url, delay);
}

/* A request of t ended with code: retry it, ask again, or finish it. */
static void finished(const struct et_config *cfg, struct et_transfer *t, CURLcode code)
{
	unsigned max_retries = cfg->max_retries > 0 ? (unsigned)cfg->max_retries : 0;
	const char *after, *why;
	enum et_transfer_next next;
	char answered[256];
	long status = 0;

	t->active = false;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	t->status = status;
	if (t->bound.error_cut) {
		/* an endless error body: the status is the answer */
		nbk_debug("%s: HTTP %ld, body cut after %llu bytes", t->shown_url, status,
			  (unsigned long long)t->bound.dropped);
		code = CURLE_OK;
	}
	if (et_interrupted()) {
		/* no retry, no answer judged: stop */
		transfer_fail(t, "interrupted", "");
		t->err.errnum = ET_ERR_INTERRUPTED;
		next = ET_TRANSFER_DONE;
	} else if (t->sink_failed) {
		next = ET_TRANSFER_DONE; /* the caller's error stands */
	} else if (t->bound.too_big) {
		transfer_fail(t, t->cap_msg ? t->cap_msg : "the body is too large", "");
		next = ET_TRANSFER_DONE;
	} else if (t->bound.drain_cut) {
		transfer_fail(t, ET_DRAIN_CUT_MSG, "");
		next = ET_TRANSFER_DONE;
	} else if (code != CURLE_OK) {
		next = curl_transient(code) ? ET_TRANSFER_RETRY : ET_TRANSFER_STATUS;
	} else {
		next = t->ops->answer(t, status);
		if (next == ET_TRANSFER_STATUS && (status >= 500 || status == 429 || status == 408))
			next = ET_TRANSFER_RETRY;
	}
	if (next == ET_TRANSFER_RETRY && t->retries < max_retries) {
		retry_later(cfg, t);
		return;
	}
	if (next == ET_TRANSFER_AGAIN) {
		t->not_before_ms = 0;
		return;
	}
	if (next != ET_TRANSFER_DONE) {
		/* a status or a curl error, retried as far as it could be */
		after = t->retries ? " (after retries)" : "";
		why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(code);
		if (status == 401 || status == 403)
			snprintf(answered, sizeof(answered),
				 "the server answered HTTP %ld: credentials tried: %s", status,
				 t->creds ? t->creds : "none");
		else
			snprintf(answered, sizeof(answered), "the server answered HTTP %ld",
				 status);
		if (code == CURLE_OK)
			transfer_fail(t, answered, after);
		else if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE)
			transfer_fail(
				t, why,
				" (the server's certificate is not trusted: name its CA bundle "
				"with ssl_verify: /path/ca.pem in .condarc or REQUESTS_CA_BUNDLE)");
		else
			transfer_fail(t, why, after);
	}
	finish(t);
}

/*
 * The one curl_multi loop (transfer.h has the caller's view): starts at
 * most opts->max_active transfers of ts at once, each when its backoff
 * (not_before) has passed; polls with curl_multi_poll at most
 * ET_TRANSFER_TICK_MS; judges each finished transfer once (finished():
 * retry, ask again, fail or done) and calls its ops->done exactly once.
 * ts and their callbacks stay the caller's.  Returns 0 when every transfer
 * is done (each may have failed: its own error is in it), -1 with err only
 * when the multi handle cannot be set up, before any transfer started.
 */
int et_transfer_run_all(const struct et_config *cfg, struct et_transfer **ts, size_t n,
			const struct et_transfer_opts *opts, struct nbk_error *err)
{
	static const struct et_transfer_opts defaults = { 0, 0, NULL, NULL };
	CURLM *multi = NULL;
	size_t i, pending = n;
	unsigned active = 0;

	if (!opts)
		opts = &defaults;
	if (!n)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(multi = curl_multi_init()))
		return nbk_error_set(err, 0, "cannot initialise libcurl");
	if (opts->max_active)
		curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)opts->max_active);
	if (opts->max_per_host)
		curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, opts->max_per_host);
	for (i = 0; i < n; i++) {
		ts[i]->active = ts[i]->done = ts[i]->failed = false;
		ts[i]->retries = ts[i]->attempts = 0;
		ts[i]->not_before_ms = 0;
		ts[i]->status = 0;
		nbk_error_clear(&ts[i]->err);
	}
	while (pending) {
		uint64_t now = nbk_now_ms(), wait_ms = 1000;
		int running = 0, left;
		CURLMsg *msg;

		for (i = 0; i < n && (!opts->max_active || active < opts->max_active); i++) {
			struct et_transfer *t = ts[i];

			if (t->done || t->active)
				continue;
			if (et_interrupted()) {
				/* Ctrl-C: what has not started never starts */
				transfer_fail(t, "interrupted", "");
				t->err.errnum = ET_ERR_INTERRUPTED;
				finish(t);
				pending--;
				continue;
			}
			if (t->not_before_ms > now) {
				if (t->not_before_ms - now < wait_ms)
					wait_ms = t->not_before_ms - now;
				continue;
			}
			if (request(cfg, multi, t) == 0)
				active++;
			else
				pending--;
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left))) {
			struct et_transfer *t = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			curl_multi_remove_handle(multi, msg->easy_handle);
			active--;
			finished(cfg, t, msg->data.result);
			if (t->done)
				pending--;
			/* a slot is free, or a transfer asks again at once */
			wait_ms = 0;
		}
		if (opts->tick)
			opts->tick(opts->user);
		if (pending && wait_ms)
			curl_multi_poll(multi, NULL, 0,
					(int)(wait_ms > ET_TRANSFER_TICK_MS ? ET_TRANSFER_TICK_MS
									    : wait_ms),
					NULL);
	}
	curl_multi_cleanup(multi);
	return 0;
}
