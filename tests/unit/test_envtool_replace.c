/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Streamed prefix replacement (replace.h), table-driven: each case runs
 * with windows from 1 byte up, so every placeholder also lands across two
 * reads (the carry), and a string's NUL beyond the window (binary mode's
 * read-ahead).  Expected outputs are what conda's replace_prefix,
 * binary_replace and replace_long_shebang give.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/fd.h"
#include "../../libconda/replace.h"

#define PH "/opt/ph" /* 7 bytes */
#define S(s) s, sizeof(s) - 1
#define X10 "xxxxxxxxxx"
#define X130 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10

struct rcase {
	const char *name;
	enum et_file_mode mode;
	const char *in;
	size_t inlen;
	const char *prefix;
	const char *want; /* NULL: an error is expected */
	size_t wantlen;
	int rc;
};

static const struct rcase cases[] = {
	{ "text: every placeholder", ET_FILE_MODE_TEXT, S("a " PH " b " PH PH " c " PH), "/p",
	  S("a /p b /p/p c /p"), 0 },
	{ "text: nothing to replace", ET_FILE_MODE_TEXT, S("abc /opt/p /opt/pX"), "/p",
	  S("abc /opt/p /opt/pX"), 1 },
	{ "text: empty file", ET_FILE_MODE_TEXT, S(""), "/p", S(""), 1 },
	{ "text: a cut placeholder at the end", ET_FILE_MODE_TEXT, S("xx /opt/p"), "/p",
	  S("xx /opt/p"), 1 },
	{ "text: overlapping candidates", ET_FILE_MODE_TEXT, S("/opt/opt/ph/opt/pph"), "/p",
	  S("/opt/p/opt/pph"), 0 },
	{ "text: a prefix longer than the placeholder", ET_FILE_MODE_TEXT, S(PH "/x " PH),
	  "/home/user/envs/a", S("/home/user/envs/a/x /home/user/envs/a"), 0 },
	{ "text: the placeholder itself", ET_FILE_MODE_TEXT, S("a " PH), PH, S("a " PH), 1 },
	{ "shebang: short stays", ET_FILE_MODE_TEXT, S("#!" PH "/bin/python -u\nprint('" PH "')\n"),
	  "/p", S("#!/p/bin/python -u\nprint('/p')\n"), 0 },
	{ "shebang: longer than 127 bytes", ET_FILE_MODE_TEXT,
	  S("#!" PH "/bin/python3.11 -u\nprint('" PH "')\n"), "/" X130,
	  S("#!/usr/bin/env python3.11 -u\nprint('/" X130 "')\n"), 0 },
	{ "shebang: a prefix with a space", ET_FILE_MODE_TEXT,
	  S("#!" PH "/bin/python3.11 -u\nprint('" PH "')\n"), "/home/a b",
	  S("#!/usr/bin/env python3.11 -u\nprint('/home/a b')\n"), 0 },
	{ "shebang: CRLF", ET_FILE_MODE_TEXT, S("#!" PH "/bin/python\r\nx\r\n"), "/" X130,
	  S("#!/usr/bin/env python\r\nx\r\n"), 0 },
	{ "shebang: long without the placeholder (conda rewrites it too)", ET_FILE_MODE_TEXT,
	  S("#!/" X130 "/bin/perl -w\n" PH "\n"), "/p", S("#!/usr/bin/env perl -w\n/p\n"), 0 },
	{ "shebang: long, EXE without a slash: left", ET_FILE_MODE_TEXT, S("#!" X130 " " PH "\n"),
	  "/p", S("#!" X130 " /p\n"), 0 },
	{ "shebang: options get the prefix", ET_FILE_MODE_TEXT,
	  S("#!" PH "/bin/sh " PH "/etc/rc\n"), "/" X130, S("#!/usr/bin/env sh /" X130 "/etc/rc\n"),
	  0 },
	{ "first line: #!PLACEHOLDER escaped anywhere in it", ET_FILE_MODE_TEXT,
	  S("x #!" PH "/y\n#!" PH "\n"), "/home/a b", S("x #!/home/a\\ b/y\n#!/home/a b\n"), 0 },
	{ "no newline: no escaping, EXE ends at the space", ET_FILE_MODE_TEXT, S("#!" PH "/bin/sh"),
	  "/home/a b", S("#!/home/a b/bin/sh"), 0 },
	{ "binary: one string padded", ET_FILE_MODE_BINARY, S("AAA" PH "/lib\0BBB"), "/p",
	  S("AAA/p/lib\0\0\0\0\0\0BBB"), 0 },
	{ "binary: two placeholders in a string", ET_FILE_MODE_BINARY, S(PH ":" PH "/x\0Z"), "/p",
	  S("/p:/p/x\0\0\0\0\0\0\0\0\0\0\0Z"), 0 },
	{ "binary: adjacent placeholders", ET_FILE_MODE_BINARY, S(PH PH "\0"), "/p",
	  S("/p/p\0\0\0\0\0\0\0\0\0\0\0"), 0 },
	{ "binary: no NUL after it: left", ET_FILE_MODE_BINARY, S("A" PH "/lib"), "/p",
	  S("A" PH "/lib"), 1 },
	{ "binary: a string, then one without a NUL", ET_FILE_MODE_BINARY, S(PH "\0 " PH "x"), "/p",
	  S("/p\0\0\0\0\0\0 " PH "x"), 0 },
	{ "binary: a newline inside the string", ET_FILE_MODE_BINARY, S(PH "\n" PH "\0"), "/p",
	  S("/p\n/p\0\0\0\0\0\0\0\0\0\0\0"), 0 },
	{ "binary: same length prefix", ET_FILE_MODE_BINARY, S(PH "\0"), "/abcdef", S("/abcdef\0"),
	  0 },
	{ "binary: prefix too long", ET_FILE_MODE_BINARY, S(PH "\0"), "/a/longer/prefix", NULL, 0,
	  -1 },
	{ "binary: prefix too long, no NUL: left", ET_FILE_MODE_BINARY, S("x" PH),
	  "/a/longer/prefix", S("x" PH), 1 },
};

static int memfd_with(const char *data, size_t len)
{
	int fd = memfd_create("replace-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(nbk_write_all(fd, data, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Run et_replace_fd() on data; *out gets the output. */
static int run(const char *data, size_t len, const char *ph, const char *prefix,
	       enum et_file_mode mode, size_t window, struct nbk_buf *out, struct nbk_error *err)
{
	int in = memfd_with(data, len), o = memfd_create("replace-out", MFD_CLOEXEC);
	char chunk[65536];
	ssize_t n;
	int rc;

	assert_true(o >= 0);
	rc = et_replace_fd(in, o, ph, prefix, mode, window, 0, err);
	assert_int_equal(lseek(o, 0, SEEK_SET), 0);
	nbk_buf_reset(out);
	while ((n = read(o, chunk, sizeof(chunk))) > 0)
		nbk_buf_add(out, chunk, (size_t)n);
	close(in);
	close(o);
	return rc;
}

static void test_table(void **state)
{
	static const size_t windows[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 64, 0 };
	struct nbk_buf out = NBK_BUF_INIT;
	size_t i, w;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];

		for (w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
			struct nbk_error err = NBK_ERROR_INIT;
			int rc = run(c->in, c->inlen, PH, c->prefix, c->mode, windows[w], &out,
				     &err);

			if (rc != c->rc || (c->want && (out.len != c->wantlen ||
							memcmp(out.data, c->want, out.len)))) {
				print_error(
					"case '%s', window %zu: rc %d (want %d), output (%zu bytes) '%.*s' err '%s'\n",
					c->name, windows[w], rc, c->rc, out.len, (int)out.len,
					out.data, err.msg);
				fail();
			}
			if (!c->want)
				assert_non_null(strstr(err.msg, "longer than the placeholder"));
		}
	}
	nbk_buf_release(&out);
}

/* The plain text reference: every placeholder replaced (no shebang involved). */
static void reference(const char *d, size_t n, const char *ph, const char *p, struct nbk_buf *out)
{
	size_t pos = 0, phl = strlen(ph);
	const char *hit;

	while ((hit = memmem(d + pos, n - pos, ph, phl))) {
		nbk_buf_add(out, d + pos, (size_t)(hit - (d + pos)));
		nbk_buf_addstr(out, p);
		pos = (size_t)(hit - d) + phl;
	}
	nbk_buf_add(out, d + pos, n - pos);
}

/*
 * Placeholders around the default window and the head (64 KiB): one
 * starting at every offset from 64 KiB - 8 to 64 KiB + 1, in files of a
 * few hundred KiB, text and binary.
 */
static void test_boundaries(void **state)
{
	const char *ph = "/opt/anaconda1anaconda2anaconda3";
	size_t phl = strlen(ph), size = 3 * ET_REPLACE_WINDOW + 1000, at;
	char *d = malloc(size);
	struct nbk_buf out = NBK_BUF_INIT, want = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	for (at = ET_REPLACE_WINDOW - phl - 1; at <= ET_REPLACE_WINDOW + 1; at++) {
		size_t second = 2 * ET_REPLACE_WINDOW - (at - ET_REPLACE_WINDOW + phl) % phl;

		memset(d, 'a', size);
		d[10] = '\n';
		memcpy(d + at, ph, phl);
		memcpy(d + second, ph, phl);
		memcpy(d + size - phl, ph, phl); /* at the very end */
		nbk_buf_reset(&want);
		reference(d, size, ph, "/env", &want);
		assert_int_equal(run(d, size, ph, "/env", ET_FILE_MODE_TEXT, 0, &out, &err), 0);
		assert_int_equal(out.len, want.len);
		assert_memory_equal(out.data, want.data, want.len);
		/* binary: the string from `at` ends at a NUL 100 KiB on (read ahead) */
		d[at + phl + 100000] = '\0';
		assert_int_equal(run(d, size, ph, "/env", ET_FILE_MODE_BINARY, 0, &out, &err), 0);
		assert_int_equal(out.len, size);
		assert_memory_equal(out.data, d, at);
		assert_memory_equal(out.data + at, "/env", 4);
		/* the string held a second placeholder when `second` falls in it */
		assert_int_equal(out.data[at + phl + 100000], '\0');
		assert_memory_equal(out.data + at + phl + 100001, d + at + phl + 100001,
				    size - (at + phl + 100001));
	}
	free(d);
	nbk_buf_release(&out);
	nbk_buf_release(&want);
}

/* The first line: a long one streams; a long shebang is refused. */
static void test_head(void **state)
{
	size_t size = ET_REPLACE_HEAD + 5000;
	char *d = malloc(size);
	struct nbk_buf out = NBK_BUF_INIT, want = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	memset(d, 'b', size);
	memcpy(d + ET_REPLACE_HEAD - 3, PH, 7);
	reference(d, size, PH, "/p", &want);
	assert_int_equal(run(d, size, PH, "/p", ET_FILE_MODE_TEXT, 0, &out, &err), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	memcpy(d, "#!", 2);
	assert_int_equal(run(d, size, PH, "/p", ET_FILE_MODE_TEXT, 0, &out, &err), -1);
	assert_non_null(strstr(err.msg, "a shebang line longer than"));
	/* a shebang line that ends inside the head is fine */
	d[ET_REPLACE_HEAD - 10] = '\n';
	d[2] = '/';
	assert_int_equal(run(d, size, PH, "/p", ET_FILE_MODE_TEXT, 0, &out, &err), 0);
	assert_memory_equal(out.data, "#!/usr/bin/env bbb", 18);
	free(d);
	nbk_buf_release(&out);
	nbk_buf_release(&want);
}

/* The output bound and a bad placeholder. */
static void test_limits(void **state)
{
	struct nbk_buf out = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;
	int in = memfd_with(S(PH PH PH)), o = memfd_create("o", MFD_CLOEXEC);

	(void)state;
	assert_int_equal(et_replace_fd(in, o, PH, "/a/much/longer/prefix", ET_FILE_MODE_TEXT, 0, 30,
				       &err),
			 -1);
	assert_non_null(strstr(err.msg, "would grow past 30 bytes"));
	close(in);
	close(o);
	assert_int_equal(run(S("x"), "", "/p", ET_FILE_MODE_TEXT, 0, &out, &err), -1);
	assert_int_equal(run(S("x"), "a\nb", "/p", ET_FILE_MODE_TEXT, 0, &out, &err), -1);
	nbk_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
