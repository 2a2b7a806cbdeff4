/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Channel credentials (auth.h): the authentication file, matching a URL to
 * its entry, and the credentials a URL carries itself (masked for
 * messages, stripped for what is recorded).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/str.h"
#include "nbkit/url.h"
#include "nbkit/yaml.h"
#include "auth.h"

#define AUTH_FILE_MAX (1024 * 1024)

static int bad(struct nbk_error *err, const char *path, const char *key, const char *what)
{
	return nbk_error_set(err, 0, "authentication file '%s': entry '%s': %s", path, key, what);
}

/* One entry of the file: {"BearerToken": T} | {"BasicHTTP": {...}} | {"CondaToken": T}. */
static int load_entry(struct et_auth_entry *e, const char *path, const char *key,
		      const struct nbk_node *v, struct nbk_error *err)
{
	const struct nbk_node *n;

	memset(e, 0, sizeof(*e));
	if (!v || v->kind != NBK_NODE_MAP || v->n != 1)
		return bad(err, path, key, "expected one of BearerToken, BasicHTTP or CondaToken");
	if ((n = nbk_node_get(v, "BearerToken")) || (n = nbk_node_get(v, "CondaToken"))) {
		if (n->kind != NBK_NODE_SCALAR || !*n->scalar)
			return bad(err, path, key, "the token is not a string");
		e->kind = nbk_node_get(v, "BearerToken") ? ET_AUTH_BEARER : ET_AUTH_CONDA_TOKEN;
		e->token = nbk_xstrdup(n->scalar);
	} else if ((n = nbk_node_get(v, "BasicHTTP"))) {
		const char *u = n->kind == NBK_NODE_MAP ? nbk_node_get_scalar(n, "username") : NULL;
		const char *p = n->kind == NBK_NODE_MAP ? nbk_node_get_scalar(n, "password") : NULL;

		if (!u || !p)
			return bad(err, path, key, "BasicHTTP needs a username and a password");
		e->kind = ET_AUTH_BASIC;
		e->username = nbk_xstrdup(u);
		e->password = nbk_xstrdup(p);
	} else {
		return bad(err, path, key, "expected one of BearerToken, BasicHTTP or CondaToken");
	}
	e->key = nbk_xstrdup(key);
	/* a secret never reaches a log line, whatever quotes it */
	nbk_log_add_secret(e->token ? e->token : e->password);
	return 0;
}

int et_auth_load(struct et_auth *a, const char *path, struct nbk_error *err)
{
	_cleanup_node_ struct nbk_node *root = NULL;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (nbk_yaml_load_file(path, AUTH_FILE_MAX, &root, err) < 0)
		return nbk_error_prefix(err, "authentication file");
	if (root->kind != NBK_NODE_MAP)
		return nbk_error_set(err, 0, "authentication file '%s': expected a JSON object",
				     path);
	a->v = nbk_xcalloc(root->n + 1, sizeof(*a->v));
	for (i = 0; i < root->n; i++) {
		if (load_entry(&a->v[a->n], path, root->keys[i], root->items[i], err) < 0) {
			et_auth_release(a);
			return -1;
		}
		a->n++;
	}
	a->path = nbk_xstrdup(path);
	return 0;
}

void et_auth_release(struct et_auth *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->v[i].key);
		free(a->v[i].token);
		free(a->v[i].username);
		free(a->v[i].password);
	}
	free(a->v);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

/*
 * How well key matches the host and path of url: the key's length when
 * it does ("host" or "host/path..." a prefix at a segment boundary,
 * "*.domain" any host ending in ".domain"), else 0.
 */
static size_t match_len(const char *key, const char *url)
{
	const char *host, *end;
	size_t klen = strlen(key), hlen;

	nbk_url_host_span(url, &host, &end);
	hlen = (size_t)(end - host);
	if (key[0] == '*' && key[1] == '.') {
		size_t dlen = klen - 1; /* ".domain" */

		return hlen > dlen && !strncmp(end - dlen, key + 1, dlen) ? klen : 0;
	}
	if (strncmp(host, key, klen < hlen ? klen : hlen) != 0)
		return 0;
	if (klen == hlen)
		return klen; /* the host */
	if (klen < hlen)
		return 0;
	/* host/path prefix, ending at a '/' or the end of the URL's path */
	if (strncmp(host, key, klen) != 0)
		return 0;
	return host[klen] == '\0' || host[klen] == '/' || key[klen - 1] == '/' ? klen : 0;
}

const struct et_auth_entry *et_auth_find(const struct et_auth *a, const char *url)
{
	const struct et_auth_entry *best = NULL;
	size_t i, best_len = 0;

	for (i = 0; a && i < a->n; i++) {
		size_t l = match_len(a->v[i].key, url);

		if (l > best_len) {
			best = &a->v[i];
			best_len = l;
		}
	}
	return best;
}

char *et_url_with_token(const char *url, const char *token)
{
	const char *host, *end;

	nbk_url_host_span(url, &host, &end);
	return nbk_xasprintf("%.*s/t/%s%s", (int)(end - url), url, token, end);
}
