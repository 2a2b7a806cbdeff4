/* SPDX-License-Identifier: Apache-2.0 */
/* The credentials a URL carries (url.h). */
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/url.h"

/* The authority of url: after "scheme://", up to the path, query or fragment. */
static void authority(const char *url, const char **start, const char **end)
{
	const char *s = strstr(url, "://");

	*start = s ? s + 3 : url;
	*end = *start + strcspn(*start, "/?#");
}

/* The last '@' of the authority, which ends the userinfo (RFC 3986 3.2.1), or NULL. */
static const char *userinfo_end(const char *start, const char *end)
{
	const char *p, *at = NULL;

	for (p = start; p < end; p++)
		if (*p == '@')
			at = p;
	return at;
}

void nbk_url_host_span(const char *url, const char **host, const char **end)
{
	const char *at;

	authority(url, host, end);
	if ((at = userinfo_end(*host, *end)))
		*host = at + 1;
}

/* url with its credentials masked (mask "***") or taken out (mask NULL). */
static char *url_rewrite(const char *url, const char *mask)
{
	struct nbk_buf b = NBK_BUF_INIT;
	const char *host, *end, *at, *p = url;

	authority(url, &host, &end);
	if ((at = userinfo_end(host, end))) {
		nbk_buf_add(&b, url, (size_t)(host - url));
		if (mask)
			nbk_buf_addstr(&b, mask);
		p = mask ? at : at + 1;
	}
	while (*p) {
		const char *t = strstr(p, "/t/");
		size_t len;

		if (!t) {
			nbk_buf_addstr(&b, p);
			break;
		}
		len = strcspn(t + 3, "/?#");
		if (!len) {
			nbk_buf_add(&b, p, (size_t)(t - p) + 3);
		} else if (mask) {
			nbk_buf_add(&b, p, (size_t)(t - p) + 3);
			nbk_buf_addstr(&b, mask);
		} else {
			nbk_buf_add(&b, p, (size_t)(t - p));
		}
		p = t + 3 + len;
	}
	return nbk_buf_detach(&b, NULL);
}

char *nbk_url_redact(const char *url)
{
	return url_rewrite(url, "***");
}

char *nbk_url_strip_credentials(const char *url)
{
	return url_rewrite(url, NULL);
}

bool nbk_url_has_credentials(const char *url)
{
	_cleanup_free_ char *stripped = nbk_url_strip_credentials(url);

	return strcmp(stripped, url) != 0;
}

char *nbk_url_with_userinfo(const char *url, const char *user, const char *password)
{
	struct nbk_buf b = NBK_BUF_INIT;
	const char *host, *end;

	authority(url, &host, &end);
	nbk_buf_add(&b, url, (size_t)(host - url));
	nbk_buf_add_percent_encoded(&b, user);
	nbk_buf_addch(&b, ':');
	nbk_buf_add_percent_encoded(&b, password);
	nbk_buf_addch(&b, '@');
	nbk_buf_addstr(&b, host);
	return nbk_buf_detach(&b, NULL);
}
