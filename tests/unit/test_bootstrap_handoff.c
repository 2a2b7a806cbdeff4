/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bs_chown_tree (bootstrap/handoff.c): giving a home to NB_UID as root
 * without being led by what the user planted there.  The attacks: a
 * symlink to a root-owned file (its target must stay root's), a hard link
 * to a root-owned file (it must stay root's), a symlink at the top.  Needs
 * root (chown): skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_tmpdir.h"
#include "../../bootstrap/bootstrap.h"
#include "nbkit/path.h"

static char *at(const char *rel)
{
	return nbk_xasprintf("%s/%s", tmpdir, rel);
}

/* Make rel (a folder when it ends with '/') owned by uid:gid. */
static void make(const char *rel, uid_t uid, gid_t gid)
{
	char *p = at(rel);
	size_t n = strlen(p);

	if (p[n - 1] == '/') {
		p[n - 1] = '\0';
		assert_int_equal(mkdir(p, 0755), 0);
	} else {
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		assert_true(fd >= 0);
		close(fd);
	}
	assert_int_equal(lchown(p, uid, gid), 0);
	free(p);
}

static void assert_owner(const char *rel, uid_t uid, gid_t gid)
{
	char *p = at(rel);
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	if (st.st_uid != uid || st.st_gid != gid)
		fail_msg("%s: %u:%u, expected %u:%u", rel, (unsigned)st.st_uid, (unsigned)st.st_gid,
			 (unsigned)uid, (unsigned)gid);
	free(p);
}

static void link_at(const char *target_rel, const char *rel, bool hard)
{
	char *t = at(target_rel), *p = at(rel);

	assert_int_equal(hard ? link(t, p) : symlink(t, p), 0);
	free(t);
	free(p);
}

/*
 * The image user's home (1000:100) handed to 1234:1234: its files and
 * folders follow, another user's file keeps its owner, planted links
 * lead nowhere.
 */
static void test_image_user_home(void **state)
{
	struct bs_chown_rule rule = { 1234, 1234, 1000, 100, true };
	struct bs_chown_stats st;
	struct nbk_error err = NBK_ERROR_INIT;
	char *home = at("home");

	(void)state;
	if (geteuid() != 0)
		skip();
	make("shadow", 0, 0); /* stands for /etc/shadow: root's, outside the home */
	make("home/", 1000, 100);
	make("home/.bashrc", 1000, 100);
	make("home/work/", 1000, 100);
	make("home/work/deep/", 1000, 100);
	make("home/work/deep/nb.ipynb", 1000, 100);
	make("home/other.txt", 2000, 2000);
	make("home/mine-other-group", 1000, 50);
	link_at("shadow", "home/to-shadow", false);
	assert_int_equal(lchown(home, 1000, 100), 0);
	{
		char *l = at("home/to-shadow");

		assert_int_equal(lchown(l, 1000, 100), 0);
		free(l);
	}
	link_at("shadow", "home/work/hard-shadow", true);

	assert_int_equal(bs_chown_tree(home, &rule, &st, &err), 0);
	assert_owner("home", 1234, 1234);
	assert_owner("home/.bashrc", 1234, 1234);
	assert_owner("home/work", 1234, 1234);
	assert_owner("home/work/deep/nb.ipynb", 1234, 1234);
	assert_owner("home/other.txt", 2000, 2000);      /* another owner: kept */
	assert_owner("home/mine-other-group", 1234, 50); /* only the image group moves */
	assert_owner("home/to-shadow", 1234, 1234);      /* the link itself */
	assert_owner("shadow", 0, 0);                    /* never its target */
	assert_owner("home/work/hard-shadow", 0, 0);     /* a hard link to root's file */
	assert_int_equal(st.changed, 7);
	assert_true(st.skipped >= 1);
	free(home);
}

/* CHOWN_HOME -R: every owner; still no link followed, no foreign hard link. */
static void test_every_owner_recursive(void **state)
{
	struct bs_chown_rule rule = { 1234, 1234, (uid_t)-1, (gid_t)-1, true };
	struct bs_chown_stats st;
	struct nbk_error err = NBK_ERROR_INIT;
	char *top = at("any");

	(void)state;
	if (geteuid() != 0)
		skip();
	make("root-file", 0, 0);
	make("any/", 0, 0);
	make("any/a", 4242, 4242);
	make("any/d/", 0, 0);
	make("any/d/b", 1000, 100);
	link_at("root-file", "any/d/sym", false);
	link_at("root-file", "any/hard", true);
	assert_int_equal(bs_chown_tree(top, &rule, &st, &err), 0);
	assert_owner("any", 1234, 1234);
	assert_owner("any/a", 1234, 1234);
	assert_owner("any/d", 1234, 1234);
	assert_owner("any/d/b", 1234, 1234);
	assert_owner("any/d/sym", 1234, 1234);
	assert_owner("root-file", 0, 0);
	assert_owner("any/hard", 0, 0);
	assert_int_equal(st.skipped, 1);
	free(top);
}

/* Without -R only the folder itself; a symlink at the top is refused. */
static void test_top_only_and_top_link(void **state)
{
	struct bs_chown_rule rule = { 1234, 1234, (uid_t)-1, (gid_t)-1, false };
	struct bs_chown_stats st;
	struct nbk_error err = NBK_ERROR_INIT;
	char *top = at("flat"), *lnk = at("flat-link");

	(void)state;
	if (geteuid() != 0)
		skip();
	make("flat/", 0, 0);
	make("flat/x", 0, 0);
	assert_int_equal(bs_chown_tree(top, &rule, &st, &err), 0);
	assert_owner("flat", 1234, 1234);
	assert_owner("flat/x", 0, 0);
	assert_int_equal(st.changed, 1);
	assert_int_equal(symlink(top, lnk), 0);
	rule.recursive = true;
	assert_int_equal(bs_chown_tree(lnk, &rule, &st, &err), -1);
	assert_non_null(strstr(err.msg, "is a symbolic link: not followed"));
	assert_owner("flat/x", 0, 0);
	free(top);
	free(lnk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_user_home),
		cmocka_unit_test(test_every_owner_recursive),
		cmocka_unit_test(test_top_only_and_top_link),
	};

	return cmocka_run_group_tests(tests, unit_tmpdir_setup, unit_tmpdir_teardown);
}
