/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The trust bundle (bootstrap.h, bs_tls_bundle): a bank's mirror and MinIO
 * sign with the bank's own CA, mounted from a secret as tls.ca_files.
 * Every program of the notebook (pip, requests, curl, conda/envtool,
 * Node) is pointed at one bundle: the system's CAs, then those.
 *
 * Only the certificates of each file are copied (its PEM CERTIFICATE
 * blocks): a secret that also holds a private key gives no key to the
 * bundle.  A listed file in the home is read as the user, any other as
 * root (bs_read_as_owner()): root never reads through a path the user can
 * change.  The bundle is root's and world-readable
 * when bootstrap runs as root; else it is the user's, in ~/.cache/nbkit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/log.h"
#include "nbkit/path.h"

#define TLS_SYSTEM_MAX (8 * 1024 * 1024) /* the system's bundle */
#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

/* The variables that name a CA bundle, for the programs that read them. */
static const char *const bundle_vars[] = {
	"SSL_CERT_FILE",       /* OpenSSL, Python's ssl, git */
	"REQUESTS_CA_BUNDLE",  /* requests, conda, envtool */
	"CURL_CA_BUNDLE",      /* curl */
	"PIP_CERT",            /* pip */
	"NODE_EXTRA_CA_CERTS", /* Node (added to its own roots) */
	NULL,
};

/*
 * Append the PEM CERTIFICATE blocks of text to out, each ending in a
 * newline.  Returns how many there were.
 */
static size_t tls_copy_certs(const char *text, struct nbk_buf *out)
{
	const char *p = text, *b, *e;
	size_t n = 0;

	while ((b = strstr(p, PEM_BEGIN)) && (e = strstr(b, PEM_END))) {
		e += strlen(PEM_END);
		nbk_buf_add(out, b, (size_t)(e - b));
		nbk_buf_addch(out, '\n');
		n++;
		p = e;
	}
	return n;
}

/* Where the bundle goes: root's /run/nbkit, or the user's ~/.cache/nbkit. */
static int write_bundle(struct bs_ctx *ctx, const struct nbk_buf *b, char **path,
			struct nbk_error *err)
{
	_cleanup_free_ char *dir = NULL;

	if (ctx->is_root) {
		*path = nbk_xstrdup(BS_TLS_BUNDLE);
		dir = nbk_path_dirname(*path);
		if (nbk_mkdir_p(dir, 0755, 0, 0, NULL, err) < 0 ||
		    nbk_write_file_atomic(*path, b->data, b->len, 0644, 0, 0, err) < 0)
			return -1;
		return 0;
	}
	if (ctx->home_readonly)
		return nbk_error_set(err, 0,
				     "the home is not writable and bootstrap is not root: "
				     "nowhere to write the trust bundle");
	dir = nbk_xasprintf("%s/.cache/nbkit", ctx->home);
	*path = nbk_xasprintf("%s/ca-bundle.pem", dir);
	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, err) < 0 ||
	    nbk_write_file_atomic(*path, b->data, b->len, 0644, (uid_t)-1, (gid_t)-1, err) < 0)
		return -1;
	return 0;
}

int bs_tls_bundle(struct bs_ctx *ctx, struct nbk_buf *said, struct nbk_error *err)
{
	const struct nbk_strvec *files = &ctx->cfg.tls_ca_files;
	_cleanup_buf_ struct nbk_buf bundle = NBK_BUF_INIT;
	_cleanup_buf_ struct nbk_buf text = NBK_BUF_INIT;
	struct nbk_error e = NBK_ERROR_INIT;
	size_t i, system_certs = 0, added = 0;
	char *path = NULL;

	if (!files->n)
		return 0;
	if (nbk_read_file(BS_SYSTEM_CA_BUNDLE, TLS_SYSTEM_MAX, &text, &e) == 0)
		system_certs = tls_copy_certs(text.data, &bundle);
	else if (e.errnum != ENOENT)
		nbk_warn("tls: %s: the bundle has only tls.ca_files", e.msg);
	for (i = 0; i < files->n; i++) {
		_cleanup_free_ char *f = NULL;
		size_t n;
		int r;

		if (nbk_path_expand_user(files->v[i], ctx->home, &f, err) < 0)
			return nbk_error_prefix(err, "tls.ca_files");
		nbk_buf_reset(&text);
		/* the deployment's file as root; one in the home as the user (skipped when bad) */
		r = bs_read_as_owner(ctx, "tls.ca_files", f, NULL, &text, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		n = tls_copy_certs(text.data, &bundle);
		if (!n && bs_path_in_home(ctx, f)) {
			nbk_log(NBK_LOG_WARN, "tls",
				"tls.ca_files: '%s' holds no PEM certificate: skipped", f);
			continue;
		}
		if (!n)
			return nbk_error_set(err, 0, "tls.ca_files: '%s' holds no PEM certificate",
					     f);
		added += n;
	}
	if (write_bundle(ctx, &bundle, &path, err) < 0) {
		free(path);
		return nbk_error_prefix(err, "tls: cannot write the trust bundle");
	}
	for (i = 0; bundle_vars[i]; i++)
		bs_env_set_default(ctx, bundle_vars[i], path);
	free(ctx->tls_bundle);
	ctx->tls_bundle = path;
	nbk_buf_addf(said, "; trust bundle %s: %zu system CA(s) and %zu from tls.ca_files", path,
		     system_certs, added);
	return 0;
}
