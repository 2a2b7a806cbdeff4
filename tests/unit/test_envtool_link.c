/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linking, conda-meta and transactions on the real packages of
 * ../shared/data/conda/packages (extracted here with unzip, zstd and tar,
 * the physical baseline, so these tests do not depend on extract.c) and on
 * packages the tests write by hand.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/log.h"
#include "nbkit/path.h"
#include "../../libconda/link.h"
#include "../../libconda/prefix.h"
#include "../../libconda/transaction.h"

static char scratch[256];
static char pkgs[300];

static const char *shared_pkgs(void)
{
	static char buf[512];
	const char *s = getenv("NBK_SHARED");

	snprintf(buf, sizeof(buf), "%s/data/conda/packages", s ? s : "../shared");
	return buf;
}

/* Extract a real package into pkgs/DIST; returns the folder (static buffer per call). */
static char *extract(const char *fn)
{
	char dist[256], cmd[2048], *dir;
	size_t n = strlen(fn);

	snprintf(dist, sizeof(dist), "%s", fn);
	if (n > 6 && !strcmp(fn + n - 6, ".conda"))
		dist[n - 6] = '\0';
	else if (n > 8 && !strcmp(fn + n - 8, ".tar.bz2"))
		dist[n - 8] = '\0';
	dir = nbk_xasprintf("%s/%s", pkgs, dist);
	if (access(dir, F_OK) == 0)
		return dir;
	if (dist[n - 6] == '\0' && strstr(fn, ".conda"))
		snprintf(
			cmd, sizeof(cmd),
			"set -e; mkdir -p '%s' && cd '%s' && unzip -q '%s/%s' && "
			"for t in *.tar.zst; do zstd -qdc \"$t\" | tar -x; rm \"$t\"; done; rm -f metadata.json",
			dir, dir, shared_pkgs(), fn);
	else
		snprintf(cmd, sizeof(cmd), "set -e; mkdir -p '%s' && tar -xjf '%s/%s' -C '%s'", dir,
			 shared_pkgs(), fn, dir);
	assert_int_equal(system(cmd), 0);
	/* The fixture's zlib ships lib/libz.so{,.1} as links with an empty
	 * target (.conda) or empty files (.tar.bz2); extract.c restores them
	 * from paths.json, tar does not: do it here. */
	if (!strncmp(fn, "zlib-", 5)) {
		snprintf(
			cmd, sizeof(cmd),
			"cd '%s/lib' && ln -sf libz.so.1.2.11 libz.so && ln -sf libz.so.1.2.11 libz.so.1",
			dir);
		assert_int_equal(system(cmd), 0);
	}
	return dir;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	struct nbk_error err = NBK_ERROR_INIT;
	char *dir = nbk_path_dirname(path);

	assert_int_equal(nbk_mkdir_p(dir, 0755, (uid_t)-1, (gid_t)-1, NULL, &err), 0);
	free(dir);
	assert_int_equal(nbk_write_file_atomic(path, data, len, mode, (uid_t)-1, (gid_t)-1, &err),
			 0);
}

static void write_str(const char *dir, const char *rel, const char *text)
{
	char *p = nbk_xasprintf("%s/%s", dir, rel);

	write_file(p, text, strlen(text), 0644);
	free(p);
}

static char *read_str(const char *path)
{
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_error err = NBK_ERROR_INIT;

	if (nbk_read_file(path, 1u << 24, &b, &err) < 0)
		return NULL;
	return nbk_buf_detach(&b, NULL);
}

static void rec_fill(struct et_record *r, const char *name, const char *version, const char *build,
		     enum et_noarch noarch)
{
	et_record_init(r);
	r->name = nbk_xstrdup(name);
	r->version = nbk_xstrdup(version);
	r->build = nbk_xstrdup(build);
	r->subdir = nbk_xstrdup(noarch ? "noarch" : "linux-64");
	r->fn = nbk_xasprintf("%s-%s-%s.tar.bz2", name, version, build);
	r->url = nbk_xasprintf("https://conda.anaconda.org/test/%s/%s", r->subdir, r->fn);
	r->channel = nbk_xstrdup("test");
	r->sha256 = nbk_xstrdup("0000000000000000000000000000000000000000000000000000000000000000");
	r->noarch = noarch;
}

static char *new_prefix(const char *name)
{
	return nbk_xasprintf("%s/envs/%s", scratch, name);
}

/* Where create() and change() collect what the packages say (NULL: dropped). */
static struct et_txn_output *said;

static int create(const char *prefix, struct et_txn_link *links, size_t n, struct nbk_error *err)
{
	struct et_txn t;
	int fd = -1, r;

	memset(&t, 0, sizeof(t));
	t.output = said;
	t.prefix = prefix;
	t.flags = ET_TXN_CREATE;
	t.link = links;
	t.nlink = n;
	t.cmd = "test create";
	r = et_txn_lock(prefix, true, &fd, err);
	if (r == 0)
		r = et_txn_apply(&t, err);
	if (fd >= 0)
		close(fd);
	return r;
}

static int change(const char *prefix, struct et_txn_link *links, size_t n,
		  const char *const *unlink, size_t nu, struct nbk_error *err)
{
	struct et_txn t;
	int fd = -1, r;

	memset(&t, 0, sizeof(t));
	t.output = said;
	t.prefix = prefix;
	t.link = links;
	t.nlink = n;
	t.unlink = unlink;
	t.nunlink = nu;
	t.cmd = "test change";
	r = et_txn_lock(prefix, false, &fd, err);
	if (r == 0)
		r = et_journal_recover(prefix, err);
	if (r == 0)
		r = et_txn_apply(&t, err);
	if (fd >= 0)
		close(fd);
	return r;
}

/* No temporary folder of a create is left next to the environments. */
static void assert_no_tmp(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "ls -a '%s/envs' | grep -q envtool-tmp", scratch);
	assert_int_not_equal(system(cmd), 0);
}

static void test_zlib(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_record rec;
	char *dir = extract("zlib-1.2.11-h7b6447c_3.tar.bz2"), *prefix = new_prefix("zlib");
	struct et_txn_link l = { &rec, dir, "zlib" };
	struct et_prefix p = ET_PREFIX_INIT;
	struct stat a, b;
	char *pc, *want, *f, *g;
	const char *(*version)(void);
	void *h;

	(void)state;
	rec_fill(&rec, "zlib", "1.2.11", "h7b6447c_3", ET_NOARCH_NONE);
	assert_int_equal(create(prefix, &l, 1, &err), 0);
	assert_no_tmp();
	/* zlib.pc holds the new prefix */
	f = nbk_xasprintf("%s/lib/pkgconfig/zlib.pc", prefix);
	pc = read_str(f);
	want = nbk_xasprintf("prefix=%s\n", prefix);
	assert_non_null(strstr(pc, want));
	assert_null(strstr(pc, ET_PREFIX_PLACEHOLDER));
	/* the library loads and is the one it says */
	g = nbk_xasprintf("%s/lib/libz.so", prefix);
	h = dlopen(g, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(h);
	*(void **)&version = dlsym(h, "zlibVersion");
	assert_non_null(version);
	assert_string_equal(version(), "1.2.11");
	dlclose(h);
	free(g);
	/* hard links to the cache */
	g = nbk_xasprintf("%s/lib/libz.so.1.2.11", prefix);
	free(f);
	f = nbk_xasprintf("%s/lib/libz.so.1.2.11", dir);
	assert_int_equal(stat(g, &a), 0);
	assert_int_equal(stat(f, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	/* conda-meta reads back */
	assert_int_equal(et_prefix_load(prefix, &p, &err), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].rec.name, "zlib");
	assert_string_equal(p.v[0].requested_spec, "zlib");
	assert_int_equal(p.v[0].files.n, 7);
	assert_non_null(et_prefix_find(&p, "zlib"));
	et_prefix_release(&p);
	free(f);
	f = nbk_xasprintf("%s/conda-meta/history", prefix);
	free(pc);
	pc = read_str(f);
	assert_non_null(strstr(pc, "+test::zlib-1.2.11-h7b6447c_3\n"));
	assert_non_null(strstr(pc, "# cmd: test create\n"));
	free(pc);
	free(f);
	free(g);
	free(want);
	/* a second create of the same prefix is refused, nothing changes */
	assert_int_equal(create(prefix, &l, 1, &err), -1);
	assert_non_null(strstr(err.msg, "already exists"));
	et_record_release(&rec);
	free(dir);
	free(prefix);
}

/* conda-meta has the keys and shapes conda's own files have. */
static void test_meta_shape(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	char *prefix = new_prefix("zlib"), *cmd;

	(void)state;
	cmd = nbk_xasprintf(
		"/usr/bin/python3 -c '"
		"import json,sys; d=json.load(open(\"%s/conda-meta/zlib-1.2.11-h7b6447c_3.json\"));"
		"need={\"build\",\"build_number\",\"channel\",\"depends\",\"files\",\"fn\",\"link\",\"md5\",\"name\","
		"\"paths_data\",\"requested_spec\",\"sha256\",\"size\",\"subdir\",\"url\",\"version\"};"
		"assert need <= set(d), need - set(d);"
		"assert d[\"link\"][\"type\"] == 1 and d[\"paths_data\"][\"paths_version\"] == 1;"
		"p={x[\"_path\"]: x for x in d[\"paths_data\"][\"paths\"]};"
		"assert p[\"lib/libz.so\"][\"path_type\"] == \"softlink\";"
		"assert p[\"lib/pkgconfig/zlib.pc\"][\"file_mode\"] == \"text\";"
		"assert \"sha256_in_prefix\" not in p[\"lib/pkgconfig/zlib.pc\"];"
		"assert d[\"files\"] == sorted(p), d[\"files\"]'",
		prefix);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(prefix);
	(void)err;
}

static void test_clobber_and_scripts(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_record r1, r2, r3;
	char *d1 = extract("clobber-1-0.1.0-h4616a5c_0.tar.bz2"),
	     *d2 = extract("clobber-2-0.1.0-h4616a5c_0.tar.bz2");
	char *d3 = extract("link-scripts-0.1.0-h4616a5c_0.conda"), *prefix = new_prefix("clobber");
	struct et_txn_link l[3] = { { &r1, d1, NULL }, { &r2, d2, NULL }, { &r3, d3, NULL } };
	const char *gone[] = { "link-scripts" };
	char *a, *b, *f;

	(void)state;
	rec_fill(&r1, "clobber-1", "0.1.0", "h4616a5c_0", ET_NOARCH_NONE);
	rec_fill(&r2, "clobber-2", "0.1.0", "h4616a5c_0", ET_NOARCH_NONE);
	rec_fill(&r3, "link-scripts", "0.1.0", "h4616a5c_0", ET_NOARCH_NONE);
	assert_int_equal(create(prefix, l, 3, &err), 0);
	/* the later package wins */
	f = nbk_xasprintf("%s/clobber.txt", prefix);
	a = read_str(f);
	free(f);
	f = nbk_xasprintf("%s/clobber.txt", d2);
	b = read_str(f);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(f);
	/* post-link ran in the final prefix */
	f = nbk_xasprintf("%s/i-was-post-linked", prefix);
	assert_int_equal(access(f, F_OK), 0);
	/* pre-unlink runs before removal */
	assert_int_equal(change(prefix, NULL, 0, gone, 1, &err), 0);
	assert_int_not_equal(access(f, F_OK), 0);
	free(f);
	f = nbk_xasprintf("%s/conda-meta/link-scripts-0.1.0-h4616a5c_0.json", prefix);
	assert_int_not_equal(access(f, F_OK), 0);
	free(f);
	f = nbk_xasprintf("%s/bin", prefix);
	assert_int_not_equal(access(f, F_OK), 0); /* bin/ was only the scripts': gone */
	free(f);
	et_record_release(&r1);
	et_record_release(&r2);
	et_record_release(&r3);
	free(d1);
	free(d2);
	free(d3);
	free(prefix);
}

/*
 * Redirect fd 2 to a new file until stderr_end(), which returns what was
 * written there: the engine must not print.
 */
static int saved_stderr = -1;

static void stderr_begin(void)
{
	char *f = nbk_xasprintf("%s/stderr.txt", scratch);
	int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
	free(f);
}

static char *stderr_end(void)
{
	char *f = nbk_xasprintf("%s/stderr.txt", scratch), *text;

	fflush(stderr);
	assert_int_equal(dup2(saved_stderr, 2), 2);
	close(saved_stderr);
	text = read_str(f);
	free(f);
	return text;
}

/*
 * What link scripts print and what they leave in .messages.txt reaches the
 * caller through et_txn.output, in the order the packages ran; the engine
 * itself writes nothing on stderr, and .messages.txt does not stay in the
 * environment.  With no output the words are dropped, still unprinted.
 */
static void test_script_output(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_txn_output out = { NBK_BUF_INIT, NBK_BUF_INIT };
	struct et_record r;
	char *dir = nbk_xasprintf("%s/talker-1-0", pkgs), *prefix = new_prefix("talker"), *text,
	     *f = nbk_xasprintf("%s/.messages.txt", prefix);
	struct et_txn_link l = { &r, dir, NULL };
	const char *gone[] = { "talker" };

	(void)state;
	write_str(dir, "info/files", "bin/.talker-post-link.sh\nbin/.talker-pre-unlink.sh\n");
	write_str(
		dir, "bin/.talker-post-link.sh",
		"echo hello from post-link\necho note for the user > \"$PREFIX/.messages.txt\"\n");
	write_str(dir, "bin/.talker-pre-unlink.sh", "echo bye from pre-unlink >&2\n");
	rec_fill(&r, "talker", "1", "0", ET_NOARCH_NONE);
	said = &out;
	stderr_begin();
	assert_int_equal(create(prefix, &l, 1, &err), 0);
	text = stderr_end();
	assert_string_equal(text, "");
	free(text);
	assert_non_null(strstr(out.scripts.data, "\nhello from post-link\n"));
	assert_non_null(strstr(out.scripts.data, "+ echo hello from post-link\n")); /* bash -x */
	assert_string_equal(out.messages.data, "note for the user\n");
	assert_int_not_equal(access(f, F_OK), 0);
	nbk_buf_reset(&out.scripts);
	stderr_begin();
	assert_int_equal(change(prefix, NULL, 0, gone, 1, &err), 0);
	text = stderr_end();
	assert_string_equal(text, "");
	free(text);
	assert_non_null(strstr(out.scripts.data, "bye from pre-unlink\n"));
	assert_null(strstr(out.scripts.data, "hello"));
	/* no output: dropped, and still nothing printed */
	said = NULL;
	stderr_begin();
	assert_int_equal(change(prefix, &l, 1, NULL, 0, &err), 0);
	text = stderr_end();
	assert_string_equal(text, "");
	free(text);
	assert_int_not_equal(access(f, F_OK), 0);
	nbk_buf_release(&out.scripts);
	nbk_buf_release(&out.messages);
	et_record_release(&r);
	free(dir);
	free(prefix);
	free(f);
}

/*
 * A post-link script that fails: the create fails and leaves nothing; what
 * the script printed is in the output, for the tool to show with the error.
 */
static void test_failing_script(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_txn_output out = { NBK_BUF_INIT, NBK_BUF_INIT };
	struct et_record r;
	char *dir = nbk_xasprintf("%s/badscript-1-0", pkgs), *prefix = new_prefix("badscript");
	struct et_txn_link l = { &r, dir, NULL };

	(void)state;
	write_str(dir, "info/files", "bin/.badscript-post-link.sh\n");
	write_str(dir, "bin/.badscript-post-link.sh", "echo doing; exit 3\n");
	rec_fill(&r, "badscript", "1", "0", ET_NOARCH_NONE);
	said = &out;
	assert_int_equal(create(prefix, &l, 1, &err), -1);
	said = NULL;
	assert_non_null(strstr(
		err.msg, "post-link script of 'badscript-1-0' failed (exited with status 3)"));
	assert_non_null(strstr(out.scripts.data, "\ndoing\n"));
	nbk_buf_release(&out.scripts);
	assert_int_not_equal(access(prefix, F_OK), 0);
	assert_no_tmp();
	et_record_release(&r);
	free(dir);
	free(prefix);
}

/* A package that lists a file it does not have: nothing is left behind. */
static void test_failed_create(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_record r1, r2;
	char *d1 = extract("zlib-1.2.11-h7b6447c_3.conda"),
	     *d2 = nbk_xasprintf("%s/broken-1-0", pkgs);
	char *prefix = new_prefix("broken");
	struct et_txn_link l[2] = { { &r1, d1, NULL }, { &r2, d2, NULL } };

	(void)state;
	write_str(d2, "info/files", "lib/missing.so\n");
	rec_fill(&r1, "zlib", "1.2.11", "h7b6447c_3", ET_NOARCH_NONE);
	rec_fill(&r2, "broken", "1", "0", ET_NOARCH_NONE);
	assert_int_equal(create(prefix, l, 2, &err), -1);
	assert_non_null(strstr(err.msg, "'broken-1-0'"));
	assert_int_not_equal(access(prefix, F_OK), 0);
	assert_no_tmp();
	et_record_release(&r1);
	et_record_release(&r2);
	free(d1);
	free(d2);
	free(prefix);
}

static void test_noarch_python(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_record py, s, ep;
	char *dpy = nbk_xasprintf("%s/python-3.11.4-0", pkgs),
	     *ds = extract("sample_noarch_python-1.0-py_0.conda");
	char *dep = nbk_xasprintf("%s/tool-1.0-py_0", pkgs), *prefix = new_prefix("py"), *f, *t;
	struct et_txn_link l[3] = { { &py, dpy, "python=3.11" },
				    { &s, ds, NULL },
				    { &ep, dep, NULL } };
	struct et_prefix p = ET_PREFIX_INIT;

	(void)state;
	write_str(dpy, "info/files", "");
	write_str(
		dep, "info/files",
		"site-packages/tool/__init__.py\nsite-packages/tool/__pycache__/x.cpython-39.pyc\n"
		"python-scripts/helper\n");
	write_str(dep, "site-packages/tool/__init__.py", "def main():\n    return 0\n");
	write_str(dep, "site-packages/tool/__pycache__/x.cpython-39.pyc", "junk");
	write_str(dep, "python-scripts/helper", "#!/bin/sh\n");
	write_str(
		dep, "info/link.json",
		"{\"noarch\": {\"type\": \"python\", \"entry_points\": [\"tool-cli = tool:main\"]}}");
	rec_fill(&py, "python", "3.11.4", "0", ET_NOARCH_NONE);
	rec_fill(&s, "sample_noarch_python", "1.0", "py_0", ET_NOARCH_PYTHON);
	rec_fill(&ep, "tool", "1.0", "py_0", ET_NOARCH_PYTHON);
	assert_int_equal(create(prefix, l, 3, &err), 0);
	f = nbk_xasprintf("%s/lib/python3.11/site-packages/sample.py", prefix);
	assert_int_equal(access(f, F_OK), 0);
	free(f);
	f = nbk_xasprintf("%s/bin/helper", prefix);
	assert_int_equal(access(f, F_OK), 0);
	free(f);
	f = nbk_xasprintf("%s/lib/python3.11/site-packages/tool/__pycache__/x.cpython-39.pyc",
			  prefix);
	assert_int_not_equal(access(f, F_OK), 0);
	free(f);
	f = nbk_xasprintf("%s/bin/tool-cli", prefix);
	assert_int_equal(access(f, X_OK), 0);
	t = read_str(f);
	assert_non_null(strstr(t, "from tool import main\n"));
	assert_non_null(strstr(t, "sys.exit(main())"));
	assert_true(!strncmp(t, "#!", 2) && strstr(t, "python3.11\n"));
	free(t);
	free(f);
	assert_int_equal(et_prefix_load(prefix, &p, &err), 0);
	{
		const struct et_prefix_pkg *pp = et_prefix_find(&p, "tool");

		assert_non_null(pp);
		assert_true(nbk_strvec_find(&pp->files, "bin/tool-cli") >= 0);
		assert_true(nbk_strvec_find(&pp->files,
					    "lib/python3.11/site-packages/tool/__init__.py") >= 0);
		assert_true(pp->rec.noarch == ET_NOARCH_PYTHON);
	}
	et_prefix_release(&p);
	/* without python, a noarch: python package is refused, naming it */
	free(prefix);
	prefix = new_prefix("nopy");
	assert_int_equal(create(prefix, &l[1], 1, &err), -1);
	assert_non_null(
		strstr(err.msg, "'sample_noarch_python-1.0-py_0' is a noarch: python package"));
	et_record_release(&py);
	et_record_release(&s);
	et_record_release(&ep);
	free(dpy);
	free(ds);
	free(dep);
	free(prefix);
}

/* Binary prefixes: rewritten in place and NUL-padded; a longer prefix is an error. */
static void test_binary_prefix(void **state)
{
	static const char ph[] = "/opt/placeholder_placeholder_placeholder_placeholder_xx";
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_record r;
	char *dir = nbk_xasprintf("%s/bin-1-0", pkgs), *prefix = new_prefix("bin"), *f, *hp;
	struct et_txn_link l = { &r, dir, NULL };
	char data[256], *got, *want;
	size_t n;
	struct nbk_buf b = NBK_BUF_INIT;

	(void)state;
	n = (size_t)snprintf(data, sizeof(data), "ELF%c%s/lib:%s/x%cEND", 0, ph, ph, 0) + 1;
	f = nbk_xasprintf("%s/lib/libb.so", dir);
	write_file(f, data, n, 0755);
	free(f);
	hp = nbk_xasprintf("%s binary lib/libb.so\n", ph);
	write_str(dir, "info/has_prefix", hp);
	write_str(dir, "info/files", "lib/libb.so\n");
	rec_fill(&r, "bin", "1", "0", ET_NOARCH_NONE);
	assert_int_equal(create(prefix, &l, 1, &err), 0);
	f = nbk_xasprintf("%s/lib/libb.so", prefix);
	assert_int_equal(nbk_read_file(f, 4096, &b, &err), 0);
	assert_int_equal(b.len, n); /* same size */
	got = b.data + 4;
	want = nbk_xasprintf("%s/lib:%s/x", prefix, prefix);
	assert_string_equal(got, want);
	assert_int_equal(memcmp(b.data + n - 4, "END", 4), 0);
	nbk_buf_release(&b);
	free(f);
	free(want);
	/* a prefix longer than the placeholder: an error naming the package */
	free(prefix);
	prefix = nbk_xasprintf(
		"%s/envs/%s", scratch,
		"a_very_long_environment_name_that_does_not_fit_into_the_placeholder");
	assert_int_equal(create(prefix, &l, 1, &err), -1);
	assert_non_null(strstr(err.msg, "'bin-1-0'"));
	assert_non_null(strstr(err.msg, "longer than the placeholder"));
	assert_int_not_equal(access(prefix, F_OK), 0);
	et_record_release(&r);
	free(hp);
	free(dir);
	free(prefix);
}

/* Files the user made stay; a second lock is refused. */
static void test_user_files_and_lock(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	char *prefix = new_prefix("zlib"), *f;
	const char *gone[] = { "zlib" };
	int fd1 = -1, fd2 = -1;

	(void)state;
	assert_int_equal(et_txn_lock(prefix, false, &fd1, &err), 0);
	assert_int_equal(et_txn_lock(prefix, false, &fd2, &err), -1);
	assert_non_null(strstr(err.msg, "another envtool is changing"));
	close(fd1);
	f = nbk_xasprintf("%s/lib/mine.txt", prefix);
	write_file(f, "mine", 4, 0644);
	assert_int_equal(change(prefix, NULL, 0, gone, 1, &err), 0);
	assert_int_equal(access(f, F_OK), 0);
	free(f);
	f = nbk_xasprintf("%s/lib/libz.so.1.2.11", prefix);
	assert_int_not_equal(access(f, F_OK), 0);
	free(f);
	f = nbk_xasprintf("%s/include", prefix);
	assert_int_not_equal(access(f, F_OK), 0); /* emptied, removed */
	free(f);
	free(prefix);
}

/* conda-meta tells the truth: every file it lists is there, no journal left. */
static void assert_consistent(const char *prefix)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_prefix p = ET_PREFIX_INIT;
	char *j = nbk_xasprintf("%s/conda-meta/" ET_JOURNAL, prefix);
	size_t i, k;

	assert_int_not_equal(access(j, F_OK), 0);
	assert_int_equal(et_prefix_load(prefix, &p, &err), 0);
	for (i = 0; i < p.n; i++)
		for (k = 0; k < p.v[i].files.n; k++) {
			char *f = nbk_xasprintf("%s/%s", prefix, p.v[i].files.v[k]);
			struct stat st;

			if (lstat(f, &st) < 0)
				fail_msg("'%s' of '%s' is missing", f, p.v[i].dist);
			free(f);
		}
	et_prefix_release(&p);
	free(j);
}

/* SIGKILL in the middle of a change; the next run finishes it. */
static void test_interrupted(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct et_record r1, r2, r3;
	char *d1 = extract("zlib-1.2.11-h7b6447c_3.conda"),
	     *d2 = extract("clobber-1-0.1.0-h4616a5c_0.tar.bz2");
	char *d3 = extract("symlink-test-1.0.0-0.conda"), *prefix = new_prefix("kill");
	struct et_txn_link l[3] = { { &r1, d1, NULL }, { &r2, d2, NULL }, { &r3, d3, NULL } };
	const char *names[] = { "zlib", "clobber-1", "symlink-test" };
	int round;

	(void)state;
	rec_fill(&r1, "zlib", "1.2.11", "h7b6447c_3", ET_NOARCH_NONE);
	rec_fill(&r2, "clobber-1", "0.1.0", "h4616a5c_0", ET_NOARCH_NONE);
	rec_fill(&r3, "symlink-test", "1.0.0", "0", ET_NOARCH_NONE);
	assert_int_equal(create(prefix, l, 1, &err), 0);
	for (round = 0; round < 6; round++) {
		pid_t pid;
		int status;
		bool install = round % 2 == 0;

		/* killed at step 1 (journal made), 2, 3 (after each package):
		 * at the event, not after a guessed time */
		int steps[2], go[2], step;
		char fds[32], line[5];

		assert_int_equal(pipe(steps), 0);
		assert_int_equal(pipe(go), 0);
		snprintf(fds, sizeof(fds), "%d,%d", steps[1], go[0]);
		setenv(ET_ENV_TEST_STEP_FDS, fds, 1);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct nbk_error e = NBK_ERROR_INIT;

			close(steps[0]);
			close(go[1]);
			if (install)
				_exit(change(prefix, &l[1], 2, NULL, 0, &e) ? 1 : 0);
			_exit(change(prefix, NULL, 0, &names[1], 2, &e) ? 1 : 0);
		}
		unsetenv(ET_ENV_TEST_STEP_FDS);
		close(steps[1]);
		close(go[0]);
		for (step = 1; step <= 1 + round / 2; step++) {
			assert_int_equal(read(steps[0], line, sizeof(line)), (ssize_t)sizeof(line));
			if (step < 1 + round / 2)
				assert_int_equal(write(go[1], "g", 1), 1);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(steps[0]);
		close(go[1]);
		/* the next run finishes what was started */
		{
			int fd = -1;

			assert_int_equal(et_txn_lock(prefix, false, &fd, &err), 0);
			assert_int_equal(et_journal_recover(prefix, &err), 0);
			close(fd);
		}
		assert_consistent(prefix);
		/* and leaves a state that the next change can work from */
		if (install) {
			struct et_prefix p = ET_PREFIX_INIT;

			assert_int_equal(et_prefix_load(prefix, &p, &err), 0);
			if (!et_prefix_find(&p, "clobber-1"))
				assert_int_equal(change(prefix, &l[1], 2, NULL, 0, &err), 0);
			et_prefix_release(&p);
		} else {
			struct et_prefix p = ET_PREFIX_INIT;
			size_t k;

			assert_int_equal(et_prefix_load(prefix, &p, &err), 0);
			for (k = 1; k < 3; k++)
				if (et_prefix_find(&p, names[k]))
					assert_int_equal(
						change(prefix, NULL, 0, &names[k], 1, &err), 0);
			et_prefix_release(&p);
		}
		assert_consistent(prefix);
	}
	et_record_release(&r1);
	et_record_release(&r2);
	et_record_release(&r3);
	free(d1);
	free(d2);
	free(d3);
	free(prefix);
}

static void test_environments_txt(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec v = NBK_STRVEC_INIT;
	char *prefix = new_prefix("zlib");

	(void)state;
	assert_int_equal(et_environments_read(&v, &err), 0);
	assert_true(nbk_strvec_find(&v, prefix) >= 0);
	nbk_strvec_release(&v);
	assert_int_equal(et_environments_remove(prefix, &err), 0);
	assert_int_equal(et_environments_read(&v, &err), 0);
	assert_true(nbk_strvec_find(&v, prefix) < 0);
	nbk_strvec_release(&v);
	free(prefix);
}

static int setup(void **state)
{
	char *home;

	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/nbk-link-test-XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	snprintf(pkgs, sizeof(pkgs), "%s/pkgs", scratch);
	home = nbk_xasprintf("%s/home", scratch);
	setenv("HOME", home, 1);
	free(home);
	nbk_log_set_level(NBK_LOG_ERROR);
	return 0;
}

static int teardown(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;

	(void)state;
	return nbk_remove_tree(scratch, &err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zlib),
		cmocka_unit_test(test_meta_shape),
		cmocka_unit_test(test_clobber_and_scripts),
		cmocka_unit_test(test_script_output),
		cmocka_unit_test(test_failing_script),
		cmocka_unit_test(test_failed_create),
		cmocka_unit_test(test_noarch_python),
		cmocka_unit_test(test_binary_prefix),
		cmocka_unit_test(test_user_files_and_lock),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_environments_txt),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
