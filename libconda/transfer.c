/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libcurl settings and the time and byte bounds of every envtool
 * transfer (transfer.h).
 */
#include <curl/curl.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbk_version.h"
#include "transfer.h"

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
	if (wire > b->fed + ET_ERROR_BODY_MAX + wire / 8) {
		b->drain_cut = true;
		return 1;
	}
	return 0;
}

void et_curl_setup(CURL *e, const struct et_config *cfg, const char *url,
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

bool et_curl_transient(CURLcode c)
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

char *et_url_redact(const char *url)
{
	struct nbk_buf b = NBK_BUF_INIT;
	const char *s = strstr(url, "://");
	const char *host = s ? s + 3 : url;
	const char *end = host + strcspn(host, "/?#");
	const char *at = NULL, *p;

	/* the last '@' before the path ends the userinfo (RFC 3986 3.2.1) */
	for (p = host; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		nbk_buf_add(&b, url, (size_t)(host - url));
		nbk_buf_addstr(&b, "***");
		p = at;
	} else {
		p = url;
	}
	while (*p) {
		const char *t = strstr(p, "/t/");
		size_t len;

		if (!t) {
			nbk_buf_addstr(&b, p);
			break;
		}
		nbk_buf_add(&b, p, (size_t)(t - p) + 3);
		len = strcspn(t + 3, "/?#");
		if (len) {
			nbk_buf_addstr(&b, "***");
			p = t + 3 + len;
		} else {
			p = t + 3;
		}
	}
	return nbk_buf_detach(&b, NULL);
}
