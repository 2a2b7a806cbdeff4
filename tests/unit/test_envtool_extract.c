/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Extraction: the real packages of shared/data/conda/packages (zlib in both
 * formats gives the same tree, symlinks and hard links, zip64, info only,
 * "./" entries, a re-zipped deflate/data-descriptor .conda, relative and
 * dangling links), hostile archives written here with libarchive (absolute
 * path, "..", symlink escapes, hard links out, devices, FIFOs, writing
 * through a link), corrupt archives, and the worker pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/path.h"
#include "extract.h"

static char tmp[PATH_MAX];
static char pkgs[PATH_MAX];

static int setup(void **state)
{
	const char *shared = getenv("NBK_SHARED");

	(void)state;
	snprintf(pkgs, sizeof(pkgs), "%s/data/conda/packages", shared ? shared : "../shared");
	snprintf(tmp, sizeof(tmp), "/tmp/nbk-extract-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	return nbk_remove_tree(tmp, &err);
}

static char *pkg(const char *fn)
{
	return nbk_xasprintf("%s/%s", pkgs, fn);
}

/* Number of DEST.tmp-* leftovers in tmp. */
static int leftovers(void)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strstr(e->d_name, ".tmp-") != NULL;
	closedir(d);
	return n;
}

static int extract(const char *archive, const char *name, struct et_extract_job *job)
{
	char *dest = nbk_xasprintf("%s/%s", tmp, name);

	memset(job, 0, sizeof(*job));
	job->archive = archive;
	job->dest = dest;
	job->label = name;
	return et_extract_one(job);
}

static void test_real_packages(void **state)
{
	static const char *const fns[] = {
		"_r-mutex-1.0.1-anacondar_1.tar.bz2",
		"ca-certificates-2024.7.4-hbcca054_0.conda",
		"clobber-1-0.1.0-h4616a5c_0.tar.bz2",
		"clobber-python-0.1.0-cpython.conda",
		"clobber-with-symlink-a-0.1.0-h4616a5c_0.conda",
		"cph_test_data-0.0.1-0.tar.bz2",
		"dotslash-test-1.0.0-0.conda",
		"empty-0.1.0-h4616a5c_0.conda",
		"info-only-1.0.0-0.conda",
		"link-scripts-0.1.0-h4616a5c_0.conda",
		"sample_noarch_python-1.0-py_0.conda",
		"symlink-test-1.0.0-0.conda",
		"test-package-0.1-0.tar.bz2",
		"zip64-test-1.0.0-0.conda",
		"zlib-1.2.11-h7b6447c_3.conda",
		"zlib-1.2.11-h7b6447c_3.tar.bz2",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		_cleanup_free_ char *a = pkg(fns[i]);
		_cleanup_free_ char *name = nbk_xasprintf("real-%zu", i);
		_cleanup_free_ char *index = NULL;
		struct et_extract_job job;

		if (extract(a, name, &job) < 0)
			fail_msg("%s: %s", fns[i], job.err.msg);
		index = nbk_xasprintf("%s/info/index.json", job.dest);
		assert_int_equal(access(index, R_OK), 0);
		free((char *)job.dest);
	}
	assert_int_equal(leftovers(), 0);
}

static void check_link(const char *dir, const char *rel, const char *target)
{
	_cleanup_free_ char *p = nbk_xasprintf("%s/%s", dir, rel);
	char buf[PATH_MAX];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, target);
}

static void test_zlib_formats_same_tree(void **state)
{
	_cleanup_free_ char *c = pkg("zlib-1.2.11-h7b6447c_3.conda");
	_cleanup_free_ char *t = pkg("zlib-1.2.11-h7b6447c_3.tar.bz2");
	_cleanup_free_ char *cmd = NULL;
	struct et_extract_job a, b;

	(void)state;
	assert_int_equal(extract(c, "zc", &a), 0);
	assert_int_equal(extract(t, "zt", &b), 0);
	cmd = nbk_xasprintf("diff -r --no-dereference '%s' '%s' >&2", a.dest, b.dest);
	assert_int_equal(system(cmd), 0);
	/* the .conda's empty link targets and the .tar.bz2's empty files,
	 * repaired from paths.json */
	check_link(a.dest, "lib/libz.so.1", "libz.so.1.2.11");
	check_link(b.dest, "lib/libz.so", "libz.so.1.2.11");
	free((char *)a.dest);
	free((char *)b.dest);
}

static void test_links_and_odd_zips(void **state)
{
	_cleanup_free_ char *s = pkg("symlink-test-1.0.0-0.conda");
	_cleanup_free_ char *ca = pkg("ca-certificates-2024.7.4-hbcca054_0.conda");
	_cleanup_free_ char *z = pkg("zip64-test-1.0.0-0.conda");
	_cleanup_free_ char *d = pkg("dotslash-test-1.0.0-0.conda");
	_cleanup_free_ char *cph = pkg("cph_test_data-0.0.1-0.tar.bz2");
	_cleanup_free_ char *p1 = NULL, *p2 = NULL, *p3 = NULL;
	struct et_extract_job j;
	struct stat s1, s2;

	(void)state;
	assert_int_equal(extract(s, "sl", &j), 0);
	check_link(j.dest, "lib/liblink.so", "libreal.so.1");
	p1 = nbk_xasprintf("%s/lib/libhard.so", j.dest);
	p2 = nbk_xasprintf("%s/lib/libreal.so.1", j.dest);
	assert_int_equal(lstat(p1, &s1), 0);
	assert_int_equal(lstat(p2, &s2), 0);
	assert_int_equal(s1.st_ino, s2.st_ino);
	free((char *)j.dest);

	assert_int_equal(extract(ca, "ca", &j), 0);
	p3 = nbk_xasprintf("%s/ssl/cacert.pem", j.dest);
	assert_int_equal(stat(p3, &s1), 0);
	assert_true(s1.st_size > 100000);
	check_link(j.dest, "ssl/cert.pem", "cacert.pem");
	free((char *)j.dest);

	assert_int_equal(extract(z, "z64", &j), 0);
	free(p1);
	p1 = nbk_xasprintf("%s/bin/hello.txt", j.dest);
	assert_int_equal(access(p1, R_OK), 0);
	free((char *)j.dest);

	assert_int_equal(extract(d, "dot", &j), 0);
	free(p2);
	p2 = nbk_xasprintf("%s/lib/data.txt", j.dest);
	assert_int_equal(access(p2, R_OK), 0);
	free((char *)j.dest);

	/* links to folders, to ../bin, and a dangling one are fine */
	assert_int_equal(extract(cph, "cph", &j), 0);
	check_link(j.dest, "lib/libdangle.lib", "libdangle.lib.1");
	check_link(j.dest, "lib/terminfo", "../share/terminfo");
	check_link(j.dest, "libexec/greetings", "../bin/hello");
	free((char *)j.dest);
}

/* A hostile .tar.bz2: info/index.json, then the entries. */
struct hentry {
	const char *path;
	mode_t type;        /* AE_IFREG ... ; 0: a hard link */
	const char *target; /* symlink target or hard link source */
};

static char *write_hostile(const char *name, const struct hentry *es, size_t n)
{
	char *path = nbk_xasprintf("%s/%s.tar.bz2", tmp, name);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	static const char body[] = "{}\n";
	size_t i;

	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_bzip2(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_pathname(e, "info/index.json");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 3);
	archive_write_header(a, e);
	archive_write_data(a, body, 3);
	for (i = 0; i < n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, es[i].path);
		archive_entry_set_perm(e, 0644);
		if (es[i].type == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, es[i].target);
			archive_entry_set_size(e, 0);
		} else {
			archive_entry_set_filetype(e, es[i].type);
			if (es[i].type == AE_IFLNK)
				archive_entry_set_symlink(e, es[i].target);
			if (es[i].type == AE_IFCHR)
				archive_entry_set_rdev(e, makedev(1, 3));
			archive_entry_set_size(e, es[i].type == AE_IFREG ? 3 : 0);
		}
		assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
		if (es[i].type == AE_IFREG)
			archive_write_data(a, body, 3);
	}
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

static void test_hostile(void **state)
{
	static const struct {
		const char *name;
		struct hentry e[2];
		size_t n;
		const char *why;
	} cases[] = {
		{ "abs", { { "/tmp/nbk-evil", AE_IFREG, NULL } }, 1, "absolute path" },
		{ "dotdot", { { "lib/../../evil", AE_IFREG, NULL } }, 1, "'..'" },
		{ "linkabs", { { "lib/l", AE_IFLNK, "/etc/passwd" } }, 1, "symlink leads out" },
		{ "linkup", { { "lib/l", AE_IFLNK, "../../etc/passwd" } }, 1, "symlink leads out" },
		{ "linkmid",
		  { { "a/s", AE_IFLNK, ".." }, { "e", AE_IFLNK, "a/s/../x" } },
		  2,
		  "symlink leads out" },
		{ "through",
		  { { "l", AE_IFLNK, "lib" }, { "l/x", AE_IFREG, NULL } },
		  2,
		  "parent folder is a symlink" },
		{ "hardout", { { "h", 0, "../../../etc/passwd" } }, 1, "'..'" },
		{ "hardabs", { { "h", 0, "/etc/passwd" } }, 1, "absolute path" },
		{ "hardmissing", { { "h", 0, "not/there" } }, 1, "hard link" },
		{ "dev", { { "dev/null", AE_IFCHR, NULL } }, 1, "device file" },
		{ "fifo", { { "fifo", AE_IFIFO, NULL } }, 1, "FIFO" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *a = write_hostile(cases[i].name, cases[i].e, cases[i].n);
		_cleanup_free_ char *label = nbk_xasprintf("evil-%s", cases[i].name);
		struct et_extract_job j;

		if (extract(a, label, &j) == 0)
			fail_msg("%s was extracted", cases[i].name);
		if (!strstr(j.err.msg, label) || !strstr(j.err.msg, cases[i].why))
			fail_msg("%s: unexpected message: %s", cases[i].name, j.err.msg);
		assert_int_equal(access(j.dest, F_OK), -1);
		free((char *)j.dest);
	}
	assert_int_equal(access("/tmp/nbk-evil", F_OK), -1);
	assert_int_equal(leftovers(), 0);
}

static void copy_part(const char *src, const char *dst, long len, bool garble)
{
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	long i;
	int c;

	assert_non_null(in);
	assert_non_null(out);
	for (i = 0; (len < 0 || i < len) && (c = fgetc(in)) != EOF; i++)
		fputc(garble && i > 2000 && i % 7 == 0 ? c ^ 0x55 : c, out);
	fclose(in);
	fclose(out);
}

static void test_corrupt(void **state)
{
	_cleanup_free_ char *t = pkg("zlib-1.2.11-h7b6447c_3.tar.bz2");
	_cleanup_free_ char *c = pkg("zlib-1.2.11-h7b6447c_3.conda");
	_cleanup_free_ char *t2 = nbk_xasprintf("%s/trunc.tar.bz2", tmp);
	_cleanup_free_ char *c2 = nbk_xasprintf("%s/garbled.conda", tmp);
	_cleanup_free_ char *c3 = nbk_xasprintf("%s/notzip.conda", tmp);
	struct et_extract_job j;

	(void)state;
	copy_part(t, t2, 60000, false);
	copy_part(c, c2, -1, true);
	copy_part(t, c3, 5000, false);
	assert_int_equal(extract(t2, "trunc", &j), -1);
	assert_non_null(strstr(j.err.msg, "package 'trunc'"));
	assert_int_equal(access(j.dest, F_OK), -1);
	free((char *)j.dest);
	assert_int_equal(extract(c2, "garbled", &j), -1);
	assert_non_null(strstr(j.err.msg, "package 'garbled'"));
	free((char *)j.dest);
	assert_int_equal(extract(c3, "notzip", &j), -1);
	assert_non_null(strstr(j.err.msg, "package 'notzip'"));
	free((char *)j.dest);
	assert_int_equal(leftovers(), 0);
}

static void test_pool(void **state)
{
	static const char *const fns[] = {
		"zlib-1.2.11-h7b6447c_3.conda",
		"zlib-1.2.11-h7b6447c_3.tar.bz2",
		"symlink-test-1.0.0-0.conda",
		"cph_test_data-0.0.1-0.tar.bz2",
		"ca-certificates-2024.7.4-hbcca054_0.conda",
		"info-only-1.0.0-0.conda",
	};
	struct et_extract_job jobs[6];
	char *archives[6], *dests[6];
	struct nbk_error err = NBK_ERROR_INIT;
	size_t i;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 6; i++) {
		archives[i] = pkg(fns[i]);
		dests[i] = nbk_xasprintf("%s/pool-%zu", tmp, i);
		jobs[i].archive = archives[i];
		jobs[i].dest = dests[i];
		jobs[i].label = fns[i];
	}
	assert_int_equal(et_extract_all(jobs, 6, 3, &err), 0);
	for (i = 0; i < 6; i++) {
		assert_int_equal(jobs[i].rc, 0);
		assert_int_equal(access(dests[i], F_OK), 0);
		free(archives[i]);
		free(dests[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_packages),
		cmocka_unit_test(test_zlib_formats_same_tree),
		cmocka_unit_test(test_links_and_odd_zips),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_pool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
