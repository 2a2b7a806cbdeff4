/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: what every envtool transfer shares (libconda/transfer.c):
 * the body bound's verdicts at its edges, credentials masked in URLs, and
 * the one transfer loop (et_transfer_run_all()) against a real server
 * (tests/envtool/lib/hostile_server.py on 127.0.0.1, started here): bodies
 * handed over, parallelism bounded, retries, "ask again", and every failure
 * told in one shape.  The attacks themselves run against the same server
 * through envtool in tests/envtool/sec_transfer_*.sh, and the loop's two
 * callers side by side in tests/envtool/transfer_one_loop.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "nbkit/url.h"
#include "extract.h"
#include "transfer.h"
#include "unit_server.h"

static void test_body_2xx(void **state)
{
	struct et_body_bound b;

	(void)state;
	et_body_bound_start(&b, 10, 0);
	b.status = 200;
	assert_int_equal(et_body_bound_feed(&b, NULL, 4), ET_BODY_KEEP);
	assert_int_equal(et_body_bound_feed(&b, NULL, 6), ET_BODY_KEEP);
	assert_int_equal(b.got, 10);
	assert_false(b.too_big);
	/* one byte past the maximum stops the transfer */
	assert_int_equal(et_body_bound_feed(&b, NULL, 1), ET_BODY_STOP);
	assert_true(b.too_big);
	assert_false(b.error_body);

	/* a resumed prefix counts; a huge chunk cannot wrap the sum */
	et_body_bound_start(&b, 10, 8);
	b.status = 206;
	assert_int_equal(et_body_bound_feed(&b, NULL, 3), ET_BODY_STOP);
	et_body_bound_start(&b, 10, 8);
	b.status = 206;
	assert_int_equal(et_body_bound_feed(&b, NULL, SIZE_MAX), ET_BODY_STOP);
}

static void test_body_error(void **state)
{
	static const long statuses[] = { 404, 500, 416, 100, 302 };
	struct et_body_bound b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		uint64_t seen = 0;
		enum et_body_verdict v;

		et_body_bound_start(&b, UINT64_MAX, 0);
		b.status = statuses[i];
		/* dropped, never kept, whatever the 2xx maximum; stopped past 64 KiB */
		while ((v = et_body_bound_feed(&b, NULL, 1000)) == ET_BODY_DROP)
			seen += 1000;
		assert_int_equal(v, ET_BODY_STOP);
		assert_true(seen <= ET_ERROR_BODY_MAX);
		assert_true(seen + 1000 > ET_ERROR_BODY_MAX);
		assert_true(b.error_body);
		assert_true(b.error_cut);
		assert_false(b.too_big);
		assert_int_equal(b.got, 0);
	}
}

static const struct {
	const char *in, *out;
} urls[] = {
	{ "https://conda.anaconda.org/conda-forge", "https://conda.anaconda.org/conda-forge" },
	{ "https://user:s3cret@repo.example/chan/noarch/x.conda",
	  "https://***@repo.example/chan/noarch/x.conda" },
	{ "https://user@repo.example/chan", "https://***@repo.example/chan" },
	{ "https://u:p@ss@repo.example/c", "https://***@repo.example/c" },
	{ "https://repo.example/t/tk-1234/chan/linux-64/repodata.json",
	  "https://repo.example/t/***/chan/linux-64/repodata.json" },
	{ "https://u:p@repo.example/t/tk/chan", "https://***@repo.example/t/***/chan" },
	{ "https://repo.example/c/p?q=a@b", "https://repo.example/c/p?q=a@b" },
	{ "https://repo.example/t/", "https://repo.example/t/" },
	{ "/srv/chan/noarch", "/srv/chan/noarch" },
	{ "", "" },
};

static void test_redact(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char *r = nbk_url_redact(urls[i].in);

		assert_string_equal(r, urls[i].out);
		free(r);
	}
}

/* ---- the loop, against hostile_server.py ---- */

static char tmp[PATH_MAX];
static pid_t server = -1;
static int port;
/* what the server serves as every file (a package, as far as it knows) */
static const char blob[] = "0123456789abcdef0123456789abcdef";

/* Start the server; its port comes on a pipe (unit_server_start). */
static int start_server(void)
{
	const char *s = getenv("NBK_SRC");
	_cleanup_free_ char *script =
		nbk_xasprintf("%s/tests/envtool/lib/hostile_server.py", s ? s : ".");
	_cleanup_free_ char *log = nbk_xasprintf("%s/server.log", tmp);
	_cleanup_free_ char *root = nbk_xasprintf("%s/srv", tmp);
	char *argv[] = { (char *)"python3", script, root, log, NULL };

	return unit_server_start(argv, &server, &port);
}

static int setup(void **state)
{
	_cleanup_free_ char *dir = NULL, *file = NULL;

	(void)state;
	/* the transfers go straight to 127.0.0.1 */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	snprintf(tmp, sizeof(tmp), "/tmp/nbk-transfer-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	dir = nbk_xasprintf("%s/srv/chan/noarch", tmp);
	file = nbk_xasprintf("%s/blob.tar.bz2", dir);
	if (nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, NULL) < 0 ||
	    nbk_write_file_atomic(file, blob, strlen(blob), 0644, (uid_t)-1, (gid_t)-1, NULL) < 0)
		return -1;
	return start_server();
}

static int teardown(void **state)
{
	(void)state;
	return unit_server_teardown(&server, tmp);
}

/* One transfer of the test: where it goes, what it got, what became of it. */
struct probe {
	struct et_transfer t;
	const char *url;   /* the first request's URL, PORT for the port */
	const char *again; /* a 404 asks this URL instead (once) */
	struct nbk_buf body;
	unsigned dones;
};

static struct probe *probes;
static size_t n_probes;
static unsigned most_in_flight;

static char *url_of(const char *pattern)
{
	struct nbk_buf b = NBK_BUF_INIT;
	const char *at = strstr(pattern, "PORT");

	nbk_buf_add(&b, pattern, (size_t)(at - pattern));
	nbk_buf_addf(&b, "%d%s", port, at + 4);
	return nbk_buf_detach(&b, NULL);
}

static int probe_start(struct et_transfer *t)
{
	struct probe *p = t->user;
	unsigned in_flight = 1;
	size_t i;

	if (!t->url) {
		_cleanup_free_ char *url = url_of(p->url);

		et_transfer_set_url(t, url);
	}
	nbk_buf_reset(&p->body);
	for (i = 0; i < n_probes; i++)
		in_flight += probes[i].t.active;
	if (in_flight > most_in_flight)
		most_in_flight = in_flight;
	return 0;
}

static int probe_write(struct et_transfer *t, const char *data, size_t n)
{
	struct probe *p = t->user;

	nbk_buf_add(&p->body, data, n);
	return 0;
}

static enum et_transfer_next probe_answer(struct et_transfer *t, long status)
{
	struct probe *p = t->user;

	if (status == 200)
		return ET_TRANSFER_DONE;
	if (status == 404 && p->again) {
		_cleanup_free_ char *url = url_of(p->again);

		et_transfer_set_url(t, url);
		p->again = NULL;
		return ET_TRANSFER_AGAIN;
	}
	return ET_TRANSFER_STATUS;
}

static void probe_done(struct et_transfer *t)
{
	struct probe *p = t->user;

	p->dones++;
}

static const struct et_transfer_ops probe_ops = {
	.start = probe_start,
	.write = probe_write,
	.answer = probe_answer,
	.done = probe_done,
};

#define SRV "http://127.0.0.1:PORT"
#define BLOB "/chan/noarch/blob.tar.bz2"
#define MISSING "/chan/noarch/missing.tar.bz2"

static void test_loop(void **state)
{
	static const struct {
		const char *url, *again;
		uint64_t cap;      /* 0: 1 MiB */
		const char *shown; /* the URL in the message; NULL: url */
		const char *msg;   /* NULL: the blob arrives; else what follows the URL */
		unsigned attempts;
	} cases[] = {
		{ SRV "/ok" BLOB, NULL, 0, NULL, NULL, 1 },
		/* asked again at once, elsewhere: not a retry */
		{ SRV "/ok" MISSING, SRV "/ok" BLOB, 0, NULL, NULL, 2 },
		{ SRV "/ok" MISSING, SRV "/pkg-408" BLOB, 0, SRV "/pkg-408" BLOB,
		  "the server answered HTTP 408 (after retries)", 4 },
		/* 1 + max_retries requests, then one message */
		{ SRV "/pkg-408" BLOB, NULL, 0, NULL,
		  "the server answered HTTP 408 (after retries)", 3 },
		{ SRV "/pkg-500" BLOB, NULL, 0, NULL,
		  "the server answered HTTP 500 (after retries)", 3 },
		{ SRV "/ok" MISSING, NULL, 0, NULL, "the server answered HTTP 404", 1 },
		/* the bounds */
		{ SRV "/pkg-redirect" BLOB, NULL, 0, NULL, ET_DRAIN_CUT_MSG, 1 },
		{ SRV "/ok" BLOB, NULL, 10, NULL, "no more than 10 bytes", 1 },
		/* credentials never in a message */
		{ "http://user:s3cret@127.0.0.1:PORT/pkg-408" BLOB, NULL, 0,
		  "http://***@127.0.0.1:PORT/pkg-408" BLOB,
		  "the server answered HTTP 408 (after retries)", 3 },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct et_transfer_opts opts = { .max_active = 2 };
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_transfer *ts[N];
	struct probe ps[N];
	struct et_config cfg;
	size_t i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.connect_timeout_s = 5;
	cfg.read_timeout_s = 10;
	cfg.max_retries = 2;
	cfg.backoff_factor = 0.01;
	cfg.ssl_verify = ET_SSL_VERIFY_ON;
	memset(ps, 0, sizeof(ps));
	probes = ps;
	n_probes = N;
	for (i = 0; i < N; i++) {
		uint64_t cap = cases[i].cap ? cases[i].cap : 1 << 20;

		ps[i].t.ops = &probe_ops;
		ps[i].t.user = &ps[i];
		ps[i].url = cases[i].url;
		ps[i].again = cases[i].again;
		nbk_buf_init(&ps[i].body);
		et_transfer_set_cap(&ps[i].t, cap, "no more than %llu bytes",
				    (unsigned long long)cap);
		ts[i] = &ps[i].t;
	}
	assert_int_equal(et_transfer_run_all(&cfg, ts, N, &opts, &err), 0);
	for (i = 0; i < N; i++) {
		struct et_transfer *t = &ps[i].t;
		_cleanup_free_ char *want = NULL;

		if (ps[i].dones != 1 || !t->done)
			fail_msg("%s: done %u times", cases[i].url, ps[i].dones);
		if (t->attempts != cases[i].attempts)
			fail_msg("%s: %u requests, not %u", cases[i].url, t->attempts,
				 cases[i].attempts);
		if (!cases[i].msg) {
			if (t->failed)
				fail_msg("%s: %s", cases[i].url, t->err.msg);
			assert_string_equal(ps[i].body.data, blob);
			continue;
		}
		/* one shape: "'URL': WHAT" */
		want = url_of(cases[i].shown ? cases[i].shown : cases[i].url);
		assert_true(t->failed);
		if (strncmp(t->err.msg, "'", 1) || strncmp(t->err.msg + 1, want, strlen(want)) ||
		    strncmp(t->err.msg + 1 + strlen(want), "': ", 3) ||
		    strcmp(t->err.msg + 4 + strlen(want), cases[i].msg))
			fail_msg("%s: '%s'", cases[i].url, t->err.msg);
		assert_null(strstr(t->err.msg, "s3cret"));
	}
	/* max_active at once, never more */
	assert_int_equal(most_in_flight, 2);
	for (i = 0; i < N; i++) {
		et_transfer_release(&ps[i].t);
		nbk_buf_release(&ps[i].body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_2xx),
		cmocka_unit_test(test_body_error),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_loop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
