/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: lib/fd.c, the one owner of nbkit's read and write loops
 * (issue 10).  Short reads and writes through pipes, the bound of
 * nbk_read_fd(), copies between files and from a pipe (where
 * copy_file_range() cannot go), and EINTR: a thread blocked in a read or a
 * write gets a signal whose handler has no SA_RESTART (bootstrap's stop
 * handler is one), and the call must go on, not fail.  The tests wait on
 * events (the thread's state in /proc, a counter the handler bumps, the
 * thread's end), never on a sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit_tmpdir.h"
#include "nbkit/buf.h"
#include "nbkit/fd.h"
#include "nbkit/proc.h"

static char *path_of(const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", tmpdir, name) > 0);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = nbk_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(nbk_write_all(fd, data, len), 0);
	assert_int_equal(close(fd), 0);
}

/* A writer thread that feeds a pipe a few bytes at a time. */
struct dribble {
	int fd;
	const char *data;
	size_t len, step;
};

static void *dribble_main(void *arg)
{
	struct dribble *d = arg;
	size_t off;

	for (off = 0; off < d->len; off += d->step) {
		size_t n = d->len - off < d->step ? d->len - off : d->step;

		if (nbk_write_all(d->fd, d->data + off, n) < 0)
			break;
	}
	close(d->fd);
	return NULL;
}

static void test_open_read_write(void **state)
{
	char *missing = path_of("missing"), *file = path_of("file");
	char buf[64];
	int fd;

	(void)state;
	errno = 0;
	assert_int_equal(nbk_open(missing, O_RDONLY | O_CLOEXEC, 0), -1);
	assert_int_equal(errno, ENOENT);
	write_file(file, "0123456789", 10);
	fd = nbk_open(file, O_RDONLY | O_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(nbk_pread(fd, buf, 4, 6), 4);
	assert_memory_equal(buf, "6789", 4);
	assert_int_equal(nbk_read(fd, buf, 3), 3);
	assert_memory_equal(buf, "012", 3);
	/* fewer than asked only at the end */
	assert_int_equal(nbk_read_full(fd, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "3456789", 7);
	assert_int_equal(nbk_read_full(fd, buf, sizeof(buf)), 0);
	close(fd);
	/* a closed descriptor: -1 with errno, no loop */
	errno = 0;
	assert_int_equal(nbk_read(fd, buf, 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(nbk_write_all(fd, "x", 1), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(nbk_write_all(fd, "", 0), 0);
	free(missing);
	free(file);
}

/* A pipe gives short reads: nbk_read_full() goes on until n bytes or the end. */
static void test_read_full_short_reads(void **state)
{
	char data[5000], got[6000];
	struct dribble d;
	pthread_t t;
	int p[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	d = (struct dribble){ p[1], data, sizeof(data), 7 };
	assert_int_equal(pthread_create(&t, NULL, dribble_main, &d), 0);
	assert_int_equal(nbk_read_full(p[0], got, 100), 100);
	assert_int_equal(nbk_read_full(p[0], got + 100, sizeof(got) - 100), sizeof(data) - 100);
	assert_memory_equal(got, data, sizeof(data));
	assert_int_equal(pthread_join(t, NULL), 0);
	close(p[0]);
}

static void test_read_fd_bound(void **state)
{
	char *file = path_of("bound");
	struct nbk_buf b = NBK_BUF_INIT;
	char data[10000];
	int fd;

	(void)state;
	memset(data, 'z', sizeof(data));
	write_file(file, data, sizeof(data));
	/* appended after what is there */
	nbk_buf_addstr(&b, "head:");
	fd = nbk_open(file, O_RDONLY | O_CLOEXEC, 0);
	assert_int_equal(nbk_read_fd(fd, sizeof(data), &b), 0);
	close(fd);
	assert_int_equal(b.len, 5 + sizeof(data));
	assert_memory_equal(b.data, "head:zzz", 8);
	assert_int_equal(b.data[b.len], '\0');
	/* one byte over: EFBIG, and the buffer is as it was */
	nbk_buf_reset(&b);
	nbk_buf_addstr(&b, "head:");
	fd = nbk_open(file, O_RDONLY | O_CLOEXEC, 0);
	errno = 0;
	assert_int_equal(nbk_read_fd(fd, sizeof(data) - 1, &b), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(b.data, "head:");
	close(fd);
	/* an empty file, and a descriptor that cannot be read */
	write_file(file, "", 0);
	fd = nbk_open(file, O_RDONLY | O_CLOEXEC, 0);
	assert_int_equal(nbk_read_fd(fd, 0, &b), 0);
	assert_string_equal(b.data, "head:");
	close(fd);
	fd = nbk_open(file, O_WRONLY | O_CLOEXEC, 0);
	assert_int_equal(nbk_read_fd(fd, 100, &b), -1);
	assert_int_equal(errno, EBADF);
	assert_string_equal(b.data, "head:");
	close(fd);
	nbk_buf_release(&b);
	free(file);
}

static void test_copy_fd(void **state)
{
	char *src = path_of("src"), *dst = path_of("dst"), *dst2 = path_of("dst2");
	struct nbk_buf got = NBK_BUF_INIT;
	static char data[300000];
	struct dribble d;
	pthread_t t;
	int in, out, p[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 31 + 7);
	write_file(src, data, sizeof(data));
	/* file to file, from the current offset on */
	in = nbk_open(src, O_RDONLY | O_CLOEXEC, 0);
	out = nbk_open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_int_equal(lseek(in, 10, SEEK_SET), 10);
	assert_int_equal(nbk_copy_fd(in, out), 0);
	close(in);
	close(out);
	in = nbk_open(dst, O_RDONLY | O_CLOEXEC, 0);
	assert_int_equal(nbk_read_fd(in, sizeof(data), &got), 0);
	close(in);
	assert_int_equal(got.len, sizeof(data) - 10);
	assert_memory_equal(got.data, data + 10, got.len);
	/* from a pipe: copy_file_range() refuses it, read and write take over */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	d = (struct dribble){ p[1], data, sizeof(data), 4096 };
	assert_int_equal(pthread_create(&t, NULL, dribble_main, &d), 0);
	out = nbk_open(dst2, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_int_equal(nbk_copy_fd(p[0], out), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	close(p[0]);
	close(out);
	nbk_buf_reset(&got);
	in = nbk_open(dst2, O_RDONLY | O_CLOEXEC, 0);
	assert_int_equal(nbk_read_fd(in, sizeof(data), &got), 0);
	close(in);
	assert_int_equal(got.len, sizeof(data));
	assert_memory_equal(got.data, data, got.len);
	/* into a descriptor that cannot be written */
	in = nbk_open(src, O_RDONLY | O_CLOEXEC, 0);
	out = nbk_open(dst, O_RDONLY | O_CLOEXEC, 0);
	assert_int_equal(nbk_copy_fd(in, out), -1);
	close(in);
	close(out);
	nbk_buf_release(&got);
	free(src);
	free(dst);
	free(dst2);
}

/* ---- EINTR ---------------------------------------------------------------- */

static volatile sig_atomic_t signals_seen;

static void on_usr1(int sig)
{
	(void)sig;
	signals_seen++;
}

struct blocked {
	int fd;
	char *buf;
	size_t len;
	bool write;
	volatile pid_t tid;
	ssize_t ret;
	int err;
};

static void *blocked_main(void *arg)
{
	struct blocked *b = arg;

	b->tid = gettid();
	if (b->write)
		b->ret = nbk_write_all(b->fd, b->buf, b->len);
	else
		b->ret = nbk_read(b->fd, b->buf, b->len);
	b->err = errno;
	return NULL;
}

/* Wait until thread tid sleeps in the kernel ('S' in /proc): in its read or write. */
static void wait_sleeping(pid_t tid)
{
	char path[64], text[512];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	for (;;) {
		int fd = nbk_open(path, O_RDONLY | O_CLOEXEC, 0);
		ssize_t n;
		char *close_paren;

		assert_true(fd >= 0);
		n = nbk_read(fd, text, sizeof(text) - 1);
		close(fd);
		assert_true(n > 0);
		text[n] = '\0';
		close_paren = strrchr(text, ')');
		assert_non_null(close_paren);
		if (close_paren[1] == ' ' && close_paren[2] == 'S')
			return;
		sched_yield();
	}
}

/* Signal the thread (blocked in b's call) and wait for the handler to have run. */
static void interrupt(pthread_t t, struct blocked *b)
{
	sig_atomic_t before = signals_seen;

	while (!b->tid)
		sched_yield();
	wait_sleeping(b->tid);
	assert_int_equal(pthread_kill(t, SIGUSR1), 0);
	while (signals_seen == before)
		sched_yield();
}

/* A SIGUSR1 handler without SA_RESTART (test_lib_path_proc.c checks the flags). */
static void catch_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	nbk_signals_set_handler(&set, on_usr1);
}

static void test_read_retries_eintr(void **state)
{
	struct blocked b;
	char c = 0;
	pthread_t t;
	int p[2];

	(void)state;
	catch_usr1();
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	memset(&b, 0, sizeof(b));
	b.fd = p[0];
	b.buf = &c;
	b.len = 1;
	assert_int_equal(pthread_create(&t, NULL, blocked_main, &b), 0);
	interrupt(t, &b);
	assert_int_equal(write(p[1], "k", 1), 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (b.ret != 1)
		fail_msg("nbk_read() gave %zd (%s) after a signal", b.ret, strerror(b.err));
	assert_int_equal(c, 'k');
	close(p[0]);
	close(p[1]);
	nbk_signals_set_handler(NULL, SIG_DFL);
}

static void test_write_all_retries_eintr(void **state)
{
	static char more[1000], drain[65536];
	struct blocked b;
	size_t filled = 0, got;
	char *big;
	pthread_t t;
	int p[2];

	(void)state;
	catch_usr1();
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	/* fill the pipe, then make its write end blocking again */
	for (;;) {
		ssize_t n = write(p[1], drain, sizeof(drain));

		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			break;
		}
		filled += (size_t)n;
	}
	assert_int_equal(fcntl(p[1], F_SETFL, 0), 0);
	memset(more, 'm', sizeof(more));
	memset(&b, 0, sizeof(b));
	b.fd = p[1];
	b.buf = more;
	b.len = sizeof(more);
	b.write = true;
	assert_int_equal(pthread_create(&t, NULL, blocked_main, &b), 0);
	interrupt(t, &b);
	/* make room: the writer goes on (or has given up), then the pipe ends */
	assert_int_equal(fcntl(p[0], F_SETFL, 0), 0);
	big = malloc(filled);
	assert_non_null(big);
	assert_int_equal(nbk_read_full(p[0], big, filled), (ssize_t)filled);
	assert_int_equal(pthread_join(t, NULL), 0);
	close(p[1]);
	got = (size_t)nbk_read_full(p[0], drain, sizeof(drain));
	if (b.ret != 0 || got != sizeof(more))
		fail_msg("nbk_write_all() gave %zd (%s) after a signal, %zu bytes came", b.ret,
			 strerror(b.err), got);
	assert_int_equal(drain[0], 'm');
	free(big);
	close(p[0]);
	nbk_signals_set_handler(NULL, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_read_write),
		cmocka_unit_test(test_read_full_short_reads),
		cmocka_unit_test(test_read_fd_bound),
		cmocka_unit_test(test_copy_fd),
		cmocka_unit_test(test_read_retries_eintr),
		cmocka_unit_test(test_write_all_retries_eintr),
	};

	return cmocka_run_group_tests(tests, unit_tmpdir_setup, unit_tmpdir_teardown);
}
