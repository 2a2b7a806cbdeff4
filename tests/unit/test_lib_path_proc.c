/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: path helpers, files, process helpers. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "nbkit/buf.h"
#include "nbkit/path.h"
#include "nbkit/proc.h"

static void test_expand_user(void **state)
{
	static const struct {
		const char *path, *home, *want;
	} ok[] = {
		{ "~", "/home/a", "/home/a" },
		{ "~/", "/home/a/", "/home/a" },
		{ "~/.conda", "/home/a", "/home/a/.conda" },
		{ "~//x/./y", "/home/a", "/home/a/x/y" },
		{ "/abs/path", "/home/a", "/abs/path" },
		{ "rel", "/home/a", "rel" },
	};
	struct nbk_error err = NBK_ERROR_INIT;
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(nbk_path_expand_user(ok[i].path, ok[i].home, &out, &err), 0);
		assert_string_equal(out, ok[i].want);
		free(out);
	}
	assert_int_equal(nbk_path_expand_user("~bob/x", "/home/a", &out, &err), -1);
	assert_non_null(strstr(err.msg, "'~bob/x'"));
	assert_int_equal(nbk_path_expand_user("~/x", "", &out, &err), -1);
}

static void test_normalize_within(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "/a//b/./c/", "/a/b/c" },
		{ "/a/b/../c", "/a/c" },
		{ "/../x", "/x" },
		{ "a/../../b", "../b" },
		{ "", "." },
		{ "/", "/" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = nbk_path_normalize(cases[i].in);

		assert_string_equal(n, cases[i].want);
		free(n);
	}
	assert_true(nbk_path_is_within("/home/a", "/home/a"));
	assert_true(nbk_path_is_within("/home/a", "/home/a/b"));
	assert_false(nbk_path_is_within("/home/a", "/home/ab"));
	assert_false(nbk_path_is_within("/home/a", "/home/a/../b"));
	assert_true(nbk_path_is_within("/", "/x"));
}

static void test_join_safe(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	char *out;

	(void)state;
	assert_int_equal(nbk_path_join_safe("/home/a", ".local//share/./x", &out, &err), 0);
	assert_string_equal(out, "/home/a/.local/share/x");
	free(out);
	assert_int_equal(nbk_path_join_safe("/home/a", "x/../y", &out, &err), 0);
	assert_string_equal(out, "/home/a/y");
	free(out);
	assert_int_equal(nbk_path_join_safe("/home/a", "../b", &out, &err), -1);
	assert_string_equal(err.msg, "'../b' leads out of '/home/a'");
	assert_int_equal(nbk_path_join_safe("/home/a", "/etc", &out, &err), -1);
	assert_non_null(strstr(err.msg, "absolute"));
	out = nbk_path_dirname("/a/b//c");
	assert_string_equal(out, "/a/b");
	free(out);
	out = nbk_path_dirname("/a");
	assert_string_equal(out, "/");
	free(out);
	out = nbk_path_dirname("a");
	assert_string_equal(out, ".");
	free(out);
}

/*
 * Issue 9: a FIFO given as a config hung the reader (open blocks until a
 * writer comes).  Anything but a regular file is refused at once; alarm()
 * turns a hang into a failure instead of a stuck test.
 */
static void test_read_file_not_regular(void **state)
{
	char dir[] = "/tmp/nbk-test-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_buf b = NBK_BUF_INIT;
	char *fifo, *link, *cmd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fifo = nbk_xasprintf("%s/config.yaml", dir);
	link = nbk_xasprintf("%s/link.yaml", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink(fifo, link), 0);
	alarm(10);
	assert_int_equal(nbk_read_file(fifo, 100, &b, &err), -1);
	cmd = nbk_xasprintf("cannot read '%s': not a regular file", fifo);
	assert_string_equal(err.msg, cmd);
	free(cmd);
	assert_int_equal(nbk_read_file(link, 100, &b, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(nbk_read_file("/dev/zero", 100, &b, &err), -1);
	assert_string_equal(err.msg, "cannot read '/dev/zero': not a regular file");
	assert_int_equal(nbk_read_file(dir, 100, &b, &err), -1);
	assert_non_null(strstr(err.msg, "Is a directory"));
	alarm(0);
	assert_int_equal(b.len, 0);
	/* /proc files are regular (size 0) and still read */
	assert_int_equal(nbk_read_file("/proc/self/stat", 1 << 16, &b, &err), 0);
	assert_true(b.len > 0);
	nbk_buf_release(&b);
	cmd = nbk_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(fifo);
	free(link);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/nbk-test-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_buf b = NBK_BUF_INIT;
	char *path, *deep, *tmpdir_listing;
	struct stat st;
	int created;

	(void)state;
	assert_non_null(mkdtemp(dir));
	deep = nbk_xasprintf("%s/a/b/c", dir);
	assert_int_equal(nbk_mkdir_p(deep, 0750, (uid_t)-1, (gid_t)-1, &created, &err), 0);
	assert_int_equal(created, 3);
	assert_int_equal(stat(deep, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(nbk_mkdir_p(deep, 0750, (uid_t)-1, (gid_t)-1, &created, &err), 0);
	assert_int_equal(created, 0);

	path = nbk_xasprintf("%s/file", dir);
	assert_int_equal(
		nbk_write_file_atomic(path, "hello\n", 6, 0600, (uid_t)-1, (gid_t)-1, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(nbk_read_file(path, 100, &b, &err), 0);
	assert_string_equal(b.data, "hello\n");
	nbk_buf_reset(&b);
	assert_int_equal(nbk_read_file(path, 3, &b, &err), -1);
	assert_non_null(strstr(err.msg, "over 3 bytes"));
	assert_int_equal(b.len, 0);
	/* a file in the way of a folder */
	free(deep);
	deep = nbk_xasprintf("%s/file/sub", dir);
	assert_int_equal(nbk_mkdir_p(deep, 0755, (uid_t)-1, (gid_t)-1, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "Not a directory"));
	/* no temporary file is left behind by a failed write */
	free(deep);
	deep = nbk_xasprintf("%s/missing/x", dir);
	assert_int_equal(nbk_write_file_atomic(deep, "x", 1, 0644, (uid_t)-1, (gid_t)-1, &err), -1);
	assert_int_equal(nbk_read_file("/nonexistent/x", 10, &b, &err), -1);
	assert_string_equal(err.msg, "cannot open '/nonexistent/x': No such file or directory");
	tmpdir_listing = nbk_xasprintf("test $(ls -A %s | wc -l) -eq 2", dir);
	assert_int_equal(system(tmpdir_listing), 0);
	free(tmpdir_listing);
	tmpdir_listing = nbk_xasprintf("rm -rf %s", dir);
	assert_int_equal(system(tmpdir_listing), 0);
	free(tmpdir_listing);
	free(deep);
	free(path);
	nbk_buf_release(&b);
}

/* nbk_atomic_*(): written in pieces, in place only when committed, nothing left otherwise */
static void test_atomic_file(void **state)
{
	char dir[] = "/tmp/nbk-test-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_buf b = NBK_BUF_INIT;
	struct nbk_atomic_file f;
	struct nbk_strvec names = NBK_STRVEC_INIT;
	char *path, *sub;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = nbk_xasprintf("%s/file", dir);
	assert_int_equal(nbk_write_file_atomic(path, "old", 3, 0644, (uid_t)-1, (gid_t)-1, &err),
			 0);
	assert_int_equal(nbk_atomic_open(&f, path, &err), 0);
	assert_int_equal(nbk_atomic_write(&f, "new ", 4, &err), 0);
	assert_int_equal(nbk_atomic_write(&f, "body", 4, &err), 0);
	/* not yet: the old file stands, the new one is beside it */
	assert_int_equal(nbk_read_file(path, 100, &b, &err), 0);
	assert_string_equal(b.data, "old");
	assert_int_equal(nbk_dir_names(dir, NULL, &names, &err), 0);
	assert_int_equal(names.n, 2);
	nbk_strvec_release(&names);
	assert_int_equal(nbk_atomic_commit(&f, 0640, (uid_t)-1, (gid_t)-1, &err), 0);
	assert_int_equal(f.fd, -1);
	assert_null(f.tmp);
	nbk_buf_reset(&b);
	assert_int_equal(nbk_read_file(path, 100, &b, &err), 0);
	assert_string_equal(b.data, "new body");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* given up: nothing left, the old file stands; discarding again is harmless */
	assert_int_equal(nbk_atomic_open(&f, path, &err), 0);
	assert_int_equal(nbk_atomic_write(&f, "x", 1, &err), 0);
	nbk_atomic_discard(&f);
	nbk_atomic_discard(&f);
	assert_int_equal(nbk_dir_names(dir, NULL, &names, &err), 0);
	assert_int_equal(names.n, 1);
	nbk_strvec_release(&names);
	/* a commit that cannot rename (a folder in the way): an error naming dest, nothing left */
	sub = nbk_xasprintf("%s/sub", dir);
	assert_int_equal(nbk_mkdir_p(sub, 0755, (uid_t)-1, (gid_t)-1, NULL, &err), 0);
	free(sub);
	sub = nbk_xasprintf("%s/sub/in", dir);
	assert_int_equal(nbk_mkdir_p(sub, 0755, (uid_t)-1, (gid_t)-1, NULL, &err), 0);
	free(sub);
	sub = nbk_xasprintf("%s/sub", dir);
	assert_int_equal(nbk_atomic_open(&f, sub, &err), 0);
	assert_int_equal(nbk_atomic_commit(&f, 0644, (uid_t)-1, (gid_t)-1, &err), -1);
	assert_non_null(strstr(err.msg, "cannot replace '"));
	assert_int_equal(nbk_dir_names(dir, NULL, &names, &err), 0);
	assert_int_equal(names.n, 2);
	nbk_strvec_release(&names);
	/* no folder to put it in */
	free(sub);
	sub = nbk_xasprintf("%s/none/x", dir);
	assert_int_equal(nbk_atomic_open(&f, sub, &err), -1);
	assert_non_null(strstr(err.msg, "cannot create a temporary file for '"));
	assert_int_equal(f.fd, -1);
	nbk_atomic_discard(&f);
	assert_int_equal(nbk_remove_tree(dir, &err), 0);
	free(sub);
	free(path);
	nbk_buf_release(&b);
}

/* nbk_write_file_new() (O_EXCL, mode) and nbk_remove_tree() (rm -rf, no link followed). */
/* the drop-in lister: suffixes, hidden names, order, a missing folder */
static void test_dir_names(void **state)
{
	static const char *const yaml[] = { ".yml", ".yaml", NULL };
	const char *files[] = { "b.yaml", "a.yml", ".hidden.yaml", "c.txt", ".yaml", "10-x.yaml" };
	char dir[] = "/tmp/nbk-test-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_strvec names = NBK_STRVEC_INIT;
	char *missing;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = nbk_xasprintf("%s/%s", dir, files[i]);

		assert_int_equal(nbk_write_file_new(p, "x", 1, 0644, &err), 0);
		free(p);
	}
	assert_int_equal(nbk_dir_names(dir, yaml, &names, &err), 0);
	assert_int_equal(names.n, 3);
	assert_string_equal(names.v[0], "10-x.yaml");
	assert_string_equal(names.v[1], "a.yml");
	assert_string_equal(names.v[2], "b.yaml");
	nbk_strvec_release(&names);
	assert_int_equal(nbk_dir_names(dir, NULL, &names, &err), 0);
	assert_int_equal(names.n, 4);
	nbk_strvec_release(&names);
	missing = nbk_xasprintf("%s/none", dir);
	assert_int_equal(nbk_dir_names(missing, NULL, &names, &err), 1);
	assert_int_equal(names.n, 0);
	free(missing);
	assert_int_equal(nbk_remove_tree(dir, &err), 0);
}

static void test_new_file_and_remove_tree(void **state)
{
	char dir[] = "/tmp/nbk-test-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_buf b = NBK_BUF_INIT;
	char *file, *tree, *deep, *outside, *link, *cmd;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	file = nbk_xasprintf("%s/new", dir);
	assert_int_equal(nbk_write_file_new(file, "#!/bin/sh\n", 10, 0755, &err), 0);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(nbk_read_file(file, 100, &b, &err), 0);
	assert_string_equal(b.data, "#!/bin/sh\n");
	/* never over something that is there, and the file there stays */
	assert_int_equal(nbk_write_file_new(file, "x", 1, 0644, &err), -1);
	assert_int_equal(err.errnum, EEXIST);
	assert_non_null(strstr(err.msg, "cannot create"));
	nbk_buf_reset(&b);
	assert_int_equal(nbk_read_file(file, 100, &b, &err), 0);
	assert_string_equal(b.data, "#!/bin/sh\n");

	/* a tree with a read-only file and a link to a folder outside it */
	outside = nbk_xasprintf("%s/outside", dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	deep = nbk_xasprintf("%s/tree/a/b", dir);
	assert_int_equal(nbk_mkdir_p(deep, 0755, (uid_t)-1, (gid_t)-1, NULL, &err), 0);
	free(file);
	file = nbk_xasprintf("%s/ro", deep);
	assert_int_equal(nbk_write_file_new(file, "r", 1, 0400, &err), 0);
	link = nbk_xasprintf("%s/tree/a/out", dir);
	assert_int_equal(symlink(outside, link), 0);
	tree = nbk_xasprintf("%s/tree", dir);
	assert_int_equal(nbk_remove_tree(tree, &err), 0);
	assert_int_equal(lstat(tree, &st), -1);
	assert_int_equal(stat(outside, &st), 0);
	/* nothing there is fine; a plain file is removed */
	assert_int_equal(nbk_remove_tree(tree, &err), 0);
	free(file);
	file = nbk_xasprintf("%s/plain", dir);
	assert_int_equal(nbk_write_file_new(file, "p", 1, 0644, &err), 0);
	assert_int_equal(nbk_remove_tree(file, &err), 0);
	assert_int_equal(lstat(file, &st), -1);
	/* a path it cannot look at: the error names it */
	free(file);
	file = nbk_xasprintf("%s/new/below", dir);
	assert_int_equal(nbk_remove_tree(file, &err), -1);
	assert_non_null(strstr(err.msg, "cannot remove"));
	assert_non_null(strstr(err.msg, file));

	cmd = nbk_xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(file);
	free(tree);
	free(deep);
	free(outside);
	free(link);
	nbk_buf_release(&b);
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

/* nbk_signals_set_handler(): the signals of the set only, then back to SIG_DFL. */
static void test_signal_handlers(void **state)
{
	struct sigaction sa;
	sigset_t set;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	nbk_signals_set_handler(&set, on_signal);
	assert_int_equal(sigaction(SIGUSR2, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, on_signal);
	assert_int_equal(sa.sa_flags & SA_RESTART, 0);
	assert_int_equal(sigaction(SIGUSR1, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, SIG_DFL);
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(got_signal, SIGUSR2);
	nbk_signals_set_handler(NULL, SIG_IGN);
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, SIG_IGN);
	nbk_reset_signals();
	assert_int_equal(sigaction(SIGUSR2, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, SIG_DFL);
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, SIG_DFL);
}

static void test_exit_codes(void **state)
{
	char desc[64];

	(void)state;
	assert_int_equal(nbk_exit_code_from_status(3 << 8), 3);
	assert_int_equal(nbk_exit_code_from_status(SIGTERM), 143);
	nbk_describe_status(SIGKILL, desc, sizeof(desc));
	assert_string_equal(desc, "killed by signal 9 (Killed)");
	nbk_describe_status(7 << 8, desc, sizeof(desc));
	assert_string_equal(desc, "exited with status 7");
}

static void test_spawn(void **state)
{
	char sh[] = "sh", c[] = "-c", script[] = "echo out; exit 3";
	char missing_path[] = "/nonexistent/program", noexec_path[] = "/tmp/nbk-noexec-XXXXXX";
	int fd;
	char hang_script[] = "sleep 30 & sleep 30";
	char *capture[] = { sh, c, script, NULL };
	char *missing[] = { missing_path, NULL };
	char *noexec[] = { noexec_path, NULL };
	char *hang[] = { sh, c, hang_script, NULL };
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_spawn_result res;
	struct nbk_buf out = NBK_BUF_INIT;

	(void)state;
	fd = mkstemp(noexec_path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(noexec_path, 0644), 0);
	assert_int_equal(nbk_spawn_wait(capture, NULL, NBK_SPAWN_CAPTURE_STDOUT, 0, 0, &out, 100,
					&res, &err),
			 0);
	assert_int_equal(nbk_exit_code_from_status(res.status), 3);
	assert_string_equal(out.data, "out\n");
	assert_false(res.timed_out);
	assert_int_equal(nbk_spawn_wait(missing, NULL, 0, 0, 0, NULL, 0, &res, &err), 0);
	assert_int_equal(nbk_exit_code_from_status(res.status), 127);
	assert_int_equal(nbk_spawn_wait(noexec, NULL, 0, 0, 0, NULL, 0, &res, &err), 0);
	assert_int_equal(nbk_exit_code_from_status(res.status), 126);
	unlink(noexec_path);
	/* the whole group goes at the time limit, the background sleep too */
	assert_int_equal(nbk_spawn_wait(hang, NULL, 0, 300, 200, NULL, 0, &res, &err), 0);
	assert_true(res.timed_out);
	assert_true(res.elapsed_ms < 3000);
	assert_true(WIFSIGNALED(res.status));
	nbk_buf_release(&out);
}

/* ---- nbk_proc_run / nbk_proc_start ----------------------------------------- */

static int answer_fn(void *arg, int fd)
{
	const char *text = arg;

	if (write(fd, text, strlen(text)) < 0)
		return 1;
	return 5;
}

static volatile sig_atomic_t stop_flag;

static void on_usr1(int sig)
{
	(void)sig;
	stop_flag = SIGTERM;
}

static void test_proc_run(void **state)
{
	char tmpl[] = "/tmp/nbk-proc-XXXXXX";
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_proc_result res;
	struct nbk_buf out = NBK_BUF_INIT;
	char *dir, *prog, *pathvar;
	FILE *f;
	int fd;

	(void)state;
	/* a function instead of exec: its answer through the capture pipe, its exit status */
	{
		struct nbk_proc_opts o = { .fn = answer_fn,
					   .arg = (void *)"answer",
					   .flags = NBK_PROC_CAPTURE_STDOUT,
					   .max_out = 64 };

		assert_int_equal(nbk_proc_run(&o, &out, &res, &err), 0);
		assert_true(res.reaped);
		assert_int_equal(nbk_exit_code_from_status(res.status), 5);
		assert_string_equal(out.data, "answer");
		nbk_buf_reset(&out);
	}
	/* a descriptor handed over at a chosen number */
	{
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"echo handed >&8", NULL };
		struct nbk_proc_fd fds[] = { { 0, 8 } };
		struct nbk_proc_opts o = { .argv = argv, .fds = fds, .n_fds = 1 };
		char buf[32] = "";

		fd = memfd_create("t", MFD_CLOEXEC);
		fds[0].from = fcntl(fd, F_DUPFD_CLOEXEC, 10);
		close(fd);
		assert_int_equal(nbk_proc_run(&o, NULL, &res, &err), 0);
		assert_int_equal(nbk_exit_code_from_status(res.status), 0);
		assert_int_equal(pread(fds[0].from, buf, sizeof(buf) - 1, 0), 7);
		assert_string_equal(buf, "handed\n");
		close(fds[0].from);
	}
	/* argv[0] is searched in the PATH of the child's environment, not ours */
	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	prog = nbk_xasprintf("%s/nbk-only-here", dir);
	f = fopen(prog, "w");
	assert_non_null(f);
	fputs("exit 7\n", f); /* no "#!": run with /bin/sh */
	fclose(f);
	assert_int_equal(chmod(prog, 0755), 0);
	pathvar = nbk_xasprintf("PATH=/nonexistent:%s", dir);
	{
		char *argv[] = { (char *)"nbk-only-here", NULL };
		char *envp[] = { pathvar, NULL };
		struct nbk_proc_opts o = { .argv = argv, .envp = envp };

		assert_int_equal(nbk_proc_run(&o, NULL, &res, &err), 0);
		assert_int_equal(res.exec_errno, 0);
		assert_int_equal(nbk_exit_code_from_status(res.status), 7);
	}
	/* an exec failure says which errno, on which candidate */
	{
		char *argv[] = { (char *)"/nonexistent/program", NULL };
		struct nbk_proc_opts o = { .argv = argv };

		assert_int_equal(nbk_proc_run(&o, NULL, &res, &err), 0);
		assert_int_equal(res.exec_errno, ENOENT);
		assert_int_equal(res.exec_index, 0);
		assert_int_equal(res.pid, 0);
		assert_int_equal(nbk_exit_code_from_status(res.status), 127);
	}
	/* a daemon that keeps the capture pipe does not keep us waiting: one
	 * that did would wait for the daemon's end, past the runner's limit
	 * (no time window here, issue 10) */
	{
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"(sleep 3600 &); echo hi",
				 NULL };
		struct nbk_proc_opts o = { .argv = argv,
					   .max_out = 64,
					   .flags = NBK_PROC_CAPTURE_STDOUT | NBK_PROC_NEW_PGRP };

		assert_int_equal(nbk_proc_run(&o, &out, &res, &err), 0);
		assert_string_equal(out.data, "hi\n");
		kill(-res.pid, SIGKILL);
		nbk_buf_reset(&out);
	}
	/* a stop request (a flag set by a signal handler) reaches the group,
	 * with no deadline: the child asks for it itself */
	{
		struct sigaction sa = { .sa_handler = on_usr1 }, old;
		char *argv[] = { (char *)"/bin/sh", (char *)"-c",
				 (char *)"sleep 30 & kill -USR1 $PPID; wait", NULL };
		sigset_t usr1;
		struct nbk_proc_opts o = { .argv = argv,
					   .flags = NBK_PROC_NEW_PGRP,
					   .grace_ms = 5000,
					   .stop = &stop_flag,
					   .stop_signals = &usr1 };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, &old);
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		assert_int_equal(nbk_proc_run(&o, NULL, &res, &err), 0);
		assert_true(res.stopped);
		assert_false(res.timed_out);
		assert_true(WIFSIGNALED(res.status));
		assert_int_equal(WTERMSIG(res.status), SIGTERM);
		sigaction(SIGUSR1, &old, NULL);
	}
	/* started, not waited for: the pid is the caller's */
	{
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"exit 4", NULL };
		struct nbk_proc_opts o = { .argv = argv };
		int status;

		assert_int_equal(nbk_proc_start(&o, &res, &err), 0);
		assert_true(res.pid > 0);
		assert_int_equal(nbk_waitpid(res.pid, &status, 0), res.pid);
		assert_int_equal(nbk_exit_code_from_status(status), 4);
	}
	unlink(prog);
	rmdir(dir);
	free(prog);
	free(pathvar);
	nbk_buf_release(&out);
}

/* nbk_proc_wait(): a started child that goes on between waits */
static void test_proc_wait(void **state)
{
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_proc_result res;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	{
		/* it says something on a descriptor of ours: the wait ends there,
		 * the child untouched; then its deadline kills its group (a lower
		 * bound only: it would sleep 30 s) */
		char *argv[] = { (char *)"/bin/sh", (char *)"-c",
				 (char *)"echo ready >&8; exec sleep 30", NULL };
		struct nbk_proc_fd fds[] = { { fcntl(p[1], F_DUPFD_CLOEXEC, 10), 8 } };
		struct nbk_proc_opts o = {
			.argv = argv, .flags = NBK_PROC_NEW_PGRP, .fds = fds, .n_fds = 1
		};
		char buf[16];

		assert_int_equal(nbk_proc_start(&o, &res, &err), 0);
		close(fds[0].from);
		assert_true(res.pid > 0);
		o.timeout_ms = 20000;
		assert_int_equal(nbk_proc_wait(&o, p[0], &res, &err), 1);
		assert_false(res.reaped);
		assert_int_equal(read(p[0], buf, sizeof(buf)), 6);
		assert_int_equal(kill(res.pid, 0), 0);
		o.timeout_ms = 50;
		assert_int_equal(nbk_proc_wait(&o, -1, &res, &err), 0);
		assert_true(res.timed_out);
		assert_true(res.reaped);
		assert_true(res.elapsed_ms >= 50);
		assert_true(WIFSIGNALED(res.status));
		assert_int_equal(WTERMSIG(res.status), SIGKILL);
	}
	{
		/* it ends before saying anything: its status, no deadline */
		char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"exit 4", NULL };
		struct nbk_proc_opts o = { .argv = argv, .flags = NBK_PROC_NEW_PGRP };

		assert_int_equal(nbk_proc_start(&o, &res, &err), 0);
		assert_int_equal(nbk_proc_wait(&o, p[0], &res, &err), 0);
		assert_true(res.reaped);
		assert_false(res.timed_out);
		assert_int_equal(nbk_exit_code_from_status(res.status), 4);
	}
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_user),
		cmocka_unit_test(test_normalize_within),
		cmocka_unit_test(test_join_safe),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_atomic_file),
		cmocka_unit_test(test_read_file_not_regular),
		cmocka_unit_test(test_new_file_and_remove_tree),
		cmocka_unit_test(test_dir_names),
		cmocka_unit_test(test_signal_handlers),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_spawn),
		cmocka_unit_test(test_proc_run),
		cmocka_unit_test(test_proc_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
