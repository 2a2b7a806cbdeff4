/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/proc.h"

uint64_t nbk_now_ms(void)
{
	return nbk_now_us() / 1000;
}

uint64_t nbk_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int nbk_exit_code_from_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

void nbk_describe_status(int status, char *out, size_t outlen)
{
	if (WIFEXITED(status))
		snprintf(out, outlen, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, outlen, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(out, outlen, "ended with wait status %#x", (unsigned)status);
}

pid_t nbk_waitpid(pid_t pid, int *status, int options)
{
	pid_t r;

	do {
		r = waitpid(pid, status, options);
	} while (r < 0 && errno == EINTR);
	return r;
}

void nbk_close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	{
		long max = sysconf(_SC_OPEN_MAX);
		int fd;

		if (max < 0 || max > 65536)
			max = 65536;
		for (fd = lowfd; fd < max; fd++)
			close(fd);
	}
}

void nbk_reset_signals(void)
{
	struct sigaction sa;
	sigset_t all;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sigaction(sig, &sa, NULL);
	}
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* In the child: report errno through the pipe and end with 127/126 as sh does. */
static void __attribute__((noreturn)) child_exec(char *const argv[], char *const envp[],
						  unsigned flags, int outfd, int errpipe)
{
	int e;

	nbk_reset_signals();
	if (flags & NBK_SPAWN_NEW_PGRP)
		setpgid(0, 0);
	if (flags & NBK_SPAWN_STDIN_NULL) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			dup2(fd, 0);
		}
	}
	if (outfd >= 0)
		dup2(outfd, 1);
	else if (flags & NBK_SPAWN_STDOUT_TO_STDERR)
		dup2(2, 1);
	if (envp)
		execvpe(argv[0], argv, envp);
	else
		execvp(argv[0], argv);
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(e == ENOENT ? 127 : 126);
}

static void kill_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0)
		kill(pid, sig);
}

int nbk_spawn_wait(char *const argv[], char *const envp[], unsigned flags,
		   uint64_t timeout_ms, uint64_t grace_ms, struct nbk_buf *out,
		   size_t max_out, struct nbk_spawn_result *res,
		   struct nbk_error *err)
{
	int errpipe[2] = { -1, -1 };
	int outpipe[2] = { -1, -1 };
	uint64_t start = nbk_now_ms();
	uint64_t deadline = 0;
	bool term_sent = false;
	int child_errno = 0;
	pid_t pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (timeout_ms)
		flags |= NBK_SPAWN_NEW_PGRP;
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return nbk_error_set(err, errno, "cannot create a pipe");
	if ((flags & NBK_SPAWN_CAPTURE_STDOUT) && pipe2(outpipe, O_CLOEXEC) < 0) {
		int e = errno;

		close(errpipe[0]);
		close(errpipe[1]);
		return nbk_error_set(err, e, "cannot create a pipe");
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(errpipe[0]);
		close(errpipe[1]);
		if (outpipe[0] >= 0) {
			close(outpipe[0]);
			close(outpipe[1]);
		}
		return nbk_error_set(err, e, "cannot fork to run '%s'", argv[0]);
	}
	if (pid == 0)
		child_exec(argv, envp, flags, outpipe[1], errpipe[1]);
	if (flags & NBK_SPAWN_NEW_PGRP)
		setpgid(pid, pid); /* no race with the child's own setpgid */
	close(errpipe[1]);
	if (outpipe[1] >= 0)
		close(outpipe[1]);

	do {
		n = read(errpipe[0], &child_errno, sizeof(child_errno));
	} while (n < 0 && errno == EINTR);
	close(errpipe[0]);

	if (timeout_ms)
		deadline = start + timeout_ms;
	for (;;) {
		int status;
		pid_t r = nbk_waitpid(pid, &status, WNOHANG);
		int wait_ms = 50;

		if (r == pid) {
			res->status = status;
			break;
		}
		if (r < 0) {
			int e = errno;

			if (outpipe[0] >= 0)
				close(outpipe[0]);
			return nbk_error_set(err, e, "cannot wait for '%s'", argv[0]);
		}
		if (deadline && nbk_now_ms() >= deadline) {
			if (!term_sent) {
				kill_group(pid, SIGTERM);
				term_sent = true;
				res->timed_out = true;
				deadline = nbk_now_ms() + (grace_ms ? grace_ms : 1);
			} else {
				kill_group(pid, SIGKILL);
				deadline = 0;
			}
			continue;
		}
		if (deadline) {
			uint64_t left = deadline - nbk_now_ms();

			if (left < (uint64_t)wait_ms)
				wait_ms = (int)left;
		}
		if (outpipe[0] >= 0) {
			struct pollfd pfd = { .fd = outpipe[0], .events = POLLIN };

			if (poll(&pfd, 1, wait_ms) > 0) {
				char chunk[4096];

				n = read(outpipe[0], chunk, sizeof(chunk));
				if (n > 0 && out && out->len < max_out) {
					size_t take = (size_t)n;

					if (take > max_out - out->len)
						take = max_out - out->len;
					nbk_buf_add(out, chunk, take);
				} else if (n == 0) {
					close(outpipe[0]);
					outpipe[0] = -1;
				}
			}
		} else {
			struct timespec ts = { 0, (long)wait_ms * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	/* A timed-out child's group may still hold survivors: end them. */
	if (res->timed_out)
		kill_group(pid, SIGKILL);
	if (outpipe[0] >= 0) {
		char chunk[4096];

		while ((n = read(outpipe[0], chunk, sizeof(chunk))) > 0) {
			if (out && out->len < max_out) {
				size_t take = (size_t)n;

				if (take > max_out - out->len)
					take = max_out - out->len;
				nbk_buf_add(out, chunk, take);
			}
		}
		close(outpipe[0]);
	}
	res->elapsed_ms = nbk_now_ms() - start;
	(void)child_errno;
	return 0;
}
