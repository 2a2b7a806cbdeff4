/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
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

void nbk_signals_set_handler(const sigset_t *set, void (*handler)(int))
{
	struct sigaction sa;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || (set && sigismember(set, sig) != 1))
			continue;
		sigaction(sig, &sa, NULL);
	}
}

void nbk_reset_signals(void)
{
	sigset_t all;

	nbk_signals_set_handler(NULL, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* ---- running a child ---------------------------------------------------- */

/* What the child reports through the close-on-exec pipe when exec fails. */
struct exec_report {
	int err;   /* errno */
	int index; /* which candidate */
};

/* Everything the child needs, prepared before fork(): it allocates nothing. */
struct child_plan {
	const struct nbk_proc_opts *o;
	char **cands;   /* NULL-terminated exec candidates (exec mode) */
	char **sh_argv; /* "/bin/sh", CANDIDATE, argv[1..], NULL */
	char *const *envp;
	int out_w;    /* capture pipe's write end, or -1 */
	int report_w; /* exec report pipe's write end */
};

extern char **environ;

void nbk_exec_candidates(const char *argv0, const char *path, struct nbk_strvec *out)
{
	const char *p;

	if (strchr(argv0, '/')) {
		nbk_strvec_push(out, argv0);
		return;
	}
	p = path ? path : NBK_DEFAULT_PATH;
	for (;;) {
		size_t len = strcspn(p, ":");

		if (len == 0)
			nbk_strvec_pushf(out, "./%s", argv0); /* an empty entry is "." */
		else
			nbk_strvec_pushf(out, "%.*s/%s", (int)len, p, argv0);
		if (!p[len])
			break;
		p += len + 1;
	}
}

/* The value of key in a NULL-terminated "KEY=VALUE" array, or NULL. */
static const char *envp_get(char *const *envp, const char *key)
{
	size_t klen = strlen(key);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, key, klen) && (*envp)[klen] == '=')
			return *envp + klen + 1;
	return NULL;
}

static bool exec_not_found(int e)
{
	return e == ENOENT || e == ENOTDIR || e == ESTALE || e == ENODEV || e == ETIMEDOUT;
}

/*
 * In the child: set up the group, the terminal, signals and descriptors,
 * then exec each candidate in turn (execvp()'s rules: ENOEXEC runs the file
 * with /bin/sh, EACCES is remembered while later folders are tried), or run
 * opts->fn.  Async-signal-safe calls only; the plan's arrays are our copy
 * of the parent's memory, so writing into sh_argv is fine.
 */
static void __attribute__((noreturn)) child_main(struct child_plan *c)
{
	const struct nbk_proc_opts *o = c->o;
	struct exec_report rep = { ENOENT, 0 };
	int eacces_at = -1;
	size_t i;

	if (o->flags & NBK_PROC_FOREGROUND) {
		sigset_t ttou;

		/* a background group may take the terminal only with SIGTTOU blocked */
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
		setpgid(0, 0);
		tcsetpgrp(0, getpid());
	} else if (o->flags & NBK_PROC_NEW_PGRP) {
		setpgid(0, 0);
	}
	nbk_reset_signals();
	if (o->flags & NBK_PROC_NO_CORE) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
	}
	if (o->flags & NBK_PROC_STDIN_NULL) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd > 0) {
			dup2(fd, 0);
			close(fd);
		}
	}
	if (c->out_w >= 0 && !o->fn) {
		if (c->out_w == 1)
			fcntl(1, F_SETFD, 0);
		else
			dup2(c->out_w, 1);
	} else if (o->flags & NBK_PROC_STDOUT_TO_STDERR) {
		dup2(2, 1);
	}
	for (i = 0; i < o->n_fds; i++) {
		if (o->fds[i].from == o->fds[i].to)
			fcntl(o->fds[i].to, F_SETFD, 0);
		else
			dup2(o->fds[i].from, o->fds[i].to);
	}
	if (o->fn) {
		/* no exec will close it: the parent waits for its end */
		close(c->report_w);
		_exit(o->fn(o->arg, c->out_w));
	}
	for (i = 0; c->cands[i]; i++) {
		execve(c->cands[i], o->argv, c->envp);
		if (errno == ENOEXEC) {
			c->sh_argv[1] = c->cands[i];
			execve("/bin/sh", c->sh_argv, c->envp);
		}
		rep.err = errno;
		rep.index = (int)i;
		if (rep.err == EACCES) {
			eacces_at = (int)i;
			continue;
		}
		if (!exec_not_found(rep.err))
			break; /* found but broken: this is the answer */
	}
	if (exec_not_found(rep.err) && eacces_at >= 0) {
		rep.err = EACCES;
		rep.index = eacces_at;
	}
	if (write(c->report_w, &rep, sizeof(rep)) < 0) {
		/* nothing more to say: the status still tells */
	}
	_exit(rep.err == ENOENT || rep.err == ENOTDIR ? 127 : 126);
}

static void close_pipe(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/*
 * Fork the child of opts, with a capture pipe when capture (its read end
 * into *out_r), and wait until it has exec'd or failed to.  On an exec
 * failure the child is reaped here (res->pid 0, res->reaped).  Returns 0 or
 * -1 with err.
 */
static int proc_spawn(const struct nbk_proc_opts *o, bool capture, int *out_r,
		      struct nbk_proc_result *res, struct nbk_error *err)
{
	struct nbk_strvec cands = NBK_STRVEC_INIT;
	struct child_plan plan = { .o = o, .out_w = -1, .report_w = -1 };
	int report[2] = { -1, -1 };
	int outp[2] = { -1, -1 };
	struct exec_report rep;
	const char *what = o->fn ? "a child" : o->argv && o->argv[0] ? o->argv[0] : "";
	ssize_t n;
	pid_t pid;
	int e;

	*out_r = -1;
	memset(res, 0, sizeof(*res));
	if (!o->fn && (!o->argv || !o->argv[0] || !*o->argv[0]))
		return nbk_error_set(err, EINVAL, "no program to run");
	plan.envp = o->envp ? o->envp : environ;
	if (!o->fn) {
		size_t argc = 0, i;

		nbk_exec_candidates(o->argv[0], envp_get(plan.envp, "PATH"), &cands);
		plan.cands = cands.v;
		while (o->argv[argc])
			argc++;
		plan.sh_argv = nbk_xcalloc(argc + 2, sizeof(*plan.sh_argv));
		plan.sh_argv[0] = (char *)"/bin/sh";
		for (i = 1; i < argc; i++)
			plan.sh_argv[i + 1] = o->argv[i];
	}
	if (pipe2(report, O_CLOEXEC) < 0 || (capture && pipe2(outp, O_CLOEXEC) < 0)) {
		e = errno;
		close_pipe(report);
		nbk_strvec_release(&cands);
		free(plan.sh_argv);
		return nbk_error_set(err, e, "cannot create a pipe");
	}
	plan.out_w = outp[1];
	plan.report_w = report[1];
	pid = fork();
	if (pid == 0)
		child_main(&plan);
	e = errno;
	nbk_strvec_release(&cands);
	free(plan.sh_argv);
	close(report[1]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (pid < 0) {
		close(report[0]);
		if (outp[0] >= 0)
			close(outp[0]);
		return nbk_error_set(err, e, "cannot fork to run '%s'", what);
	}
	/* also from here: whichever of us runs first, the group exists (and
	 * holds the terminal) before anything is sent to it */
	if (o->flags & (NBK_PROC_NEW_PGRP | NBK_PROC_FOREGROUND))
		setpgid(pid, pid);
	if (o->flags & NBK_PROC_FOREGROUND)
		tcsetpgrp(0, pid);
	n = nbk_read(report[0], &rep, sizeof(rep));
	close(report[0]);
	res->pid = pid;
	if (n == (ssize_t)sizeof(rep)) {
		res->exec_errno = rep.err;
		res->exec_index = rep.index;
		if (nbk_waitpid(pid, &res->status, 0) == pid)
			res->reaped = true;
		res->pid = 0;
		if (outp[0] >= 0)
			close(outp[0]);
		return 0;
	}
	*out_r = outp[0];
	return 0;
}

int nbk_proc_start(const struct nbk_proc_opts *opts, struct nbk_proc_result *res,
		   struct nbk_error *err)
{
	int out_r;

	return proc_spawn(opts, false, &out_r, res, err);
}

/* Signal pid's group when it leads one, else pid alone. */
static void signal_child(pid_t pid, bool group, int sig)
{
	if (!group || (kill(-pid, sig) < 0 && errno == ESRCH))
		kill(pid, sig);
}

/* Append what fd has to out, up to max bytes in all; false at EOF or error. */
static bool take_output(int fd, struct nbk_buf *out, size_t max)
{
	char chunk[4096];
	ssize_t n;

	n = nbk_read(fd, chunk, sizeof(chunk));
	if (n < 0)
		return errno == EAGAIN;
	if (n == 0)
		return false;
	if (out && out->len < max) {
		size_t take = (size_t)n;

		if (take > max - out->len)
			take = max - out->len;
		nbk_buf_add(out, chunk, take);
	}
	return true;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Reads of 4 KiB taken from the capture pipe once the child has ended. */
#define DRAIN_READS_MAX 64

/* The wait loop's escalation: what was sent so far. */
enum { SENT_NOTHING, SENT_TERM, SENT_KILL };

bool nbk_sigchld_default(struct sigaction *old)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	if (sigaction(SIGCHLD, NULL, old) < 0 ||
	    (old->sa_handler != SIG_IGN && !(old->sa_flags & SA_NOCLDWAIT)))
		return false;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, NULL);
	return true;
}

/*
 * Wait for res->pid: the loop of nbk_proc_run() and nbk_proc_wait() (the
 * caller's view is in nbkit/proc.h).  o gives the deadline (timeout_ms from
 * start, a nbk_now_ms() time), the stop request and the escalation; group
 * says whether signals go to the child's process group.  out_r (-1: none)
 * is the capture pipe, read into out (may be NULL) as output arrives, and
 * closed before returning; ready_fd (-1: none; never with out_r) ends the
 * wait, the child untouched, as soon as it is readable.  Fills res: status
 * and reaped, timed_out, stopped, elapsed_ms.  Returns 1 when ready_fd is
 * readable, 0 when the child ended (or was left behind asleep in the kernel
 * after SIGKILL: reaped false), -1 with err when it could not be waited for.
 * o->stop_signals are blocked except inside ppoll() and given back before
 * returning.
 */
static int wait_child(const struct nbk_proc_opts *o, bool group, uint64_t start, int out_r,
		      struct nbk_buf *out, int ready_fd, struct nbk_proc_result *res,
		      struct nbk_error *err)
{
	sigset_t old_mask;
	uint64_t deadline = o->timeout_ms ? start + o->timeout_ms : 0;
	int sent = SENT_NOTHING;
	int step_ms = 1;
	int pidfd;
	int r = 0;

	res->status = 0;
	res->reaped = res->timed_out = res->stopped = false;
	if (o->stop_signals)
		sigprocmask(SIG_BLOCK, o->stop_signals, &old_mask);
	pidfd = open_pidfd(res->pid);
	if (out_r >= 0)
		fcntl(out_r, F_SETFL, O_NONBLOCK);

	for (;;) {
		struct pollfd pfd[3];
		struct timespec ts, *tsp = NULL;
		nfds_t nfd = 0, out_at = 0;
		int ready_at = -1;
		uint64_t now;
		int status;
		pid_t w = nbk_waitpid(res->pid, &status, WNOHANG);

		if (w == res->pid) {
			res->status = status;
			res->reaped = true;
			break;
		}
		if (w < 0) {
			r = nbk_error_set(err, errno, "cannot wait for '%s'",
					  o->fn || !o->argv ? "a child" : o->argv[0]);
			break;
		}
		now = nbk_now_ms();
		if (o->stop && *o->stop && sent == SENT_NOTHING) {
			/* bootstrap is asked to stop: so is the child's group */
			res->stopped = true;
			signal_child(res->pid, group, o->grace_ms ? *o->stop : SIGKILL);
			sent = o->grace_ms ? SENT_TERM : SENT_KILL;
			deadline = sent == SENT_TERM ? now + o->grace_ms
				   : o->reap_ms      ? now + o->reap_ms
						     : 0;
			continue;
		}
		if (deadline && now >= deadline) {
			if (sent == SENT_KILL)
				break; /* asleep in the kernel: left behind */
			if (sent == SENT_NOTHING)
				res->timed_out = true;
			if (sent == SENT_NOTHING && o->grace_ms) {
				signal_child(res->pid, group, SIGTERM);
				sent = SENT_TERM;
				deadline = now + o->grace_ms;
			} else {
				signal_child(res->pid, group, SIGKILL);
				sent = SENT_KILL;
				deadline = o->reap_ms ? now + o->reap_ms : 0;
			}
			continue;
		}
		if (pidfd >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (out_r >= 0) {
			out_at = nfd;
			pfd[nfd++] = (struct pollfd){ .fd = out_r, .events = POLLIN };
		}
		/* once the child was signalled, only its end matters */
		if (ready_fd >= 0 && sent == SENT_NOTHING) {
			ready_at = (int)nfd;
			pfd[nfd++] = (struct pollfd){ .fd = ready_fd, .events = POLLIN };
		}
		if (deadline || pidfd < 0) {
			uint64_t left = deadline ? deadline - now : UINT64_MAX;

			if (pidfd < 0) {
				/* no pidfd (Linux < 5.3): look again soon, less often over time */
				if ((uint64_t)step_ms < left)
					left = (uint64_t)step_ms;
				if (step_ms < 50)
					step_ms *= 2;
			}
			ts.tv_sec = (time_t)(left / 1000);
			ts.tv_nsec = (long)(left % 1000) * 1000000L;
			tsp = &ts;
		}
		/* < 0 (EINTR: a stop signal, SIGCHLD) or 0: look again */
		if (ppoll(pfd, nfd, tsp, o->stop_signals ? &old_mask : NULL) <= 0)
			continue;
		if (ready_at >= 0 && (pfd[ready_at].revents & (POLLIN | POLLHUP | POLLERR))) {
			r = 1;
			break;
		}
		if (out_r >= 0 && (pfd[out_at].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !take_output(out_r, out, o->max_out)) {
			close(out_r);
			out_r = -1;
		}
	}
	if (r != 1) {
		/* What is left of a killed child's group (a grandchild that
		 * ignored SIGTERM while its parent died) goes too. */
		if (res->timed_out || res->stopped)
			signal_child(res->pid, group, SIGKILL);
		/* What is readable now (a pipe's worth and a little more: a
		 * daemon that keeps writing is not followed); a daemon that keeps
		 * the pipe open is not waited for. */
		for (int reads = 0; out_r >= 0 && reads < DRAIN_READS_MAX; reads++) {
			struct pollfd p = { .fd = out_r, .events = POLLIN };

			if (!take_output(out_r, out, o->max_out) || poll(&p, 1, 0) <= 0)
				break;
		}
		if (out_r >= 0)
			close(out_r);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (o->stop_signals)
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
	res->elapsed_ms = nbk_now_ms() - start;
	return r;
}

/*
 * Run opts' child to its end (the caller's view is in nbkit/proc.h).  Takes
 * opts (copied; a timeout implies NBK_PROC_NEW_PGRP), out (may be NULL; the
 * caller's buffer, appended to, at most opts->max_out bytes kept) and res,
 * filled: pid, status and reaped, timed_out, stopped, elapsed_ms, and
 * exec_errno/exec_index when exec failed (then pid is 0).  Returns 0 when the
 * child was started, whatever became of it; -1 with err when it could not be
 * forked or waited for.  Process-wide state is borrowed and given back before
 * returning: an ignored SIGCHLD is set to SIG_DFL (waitpid() must see the
 * child) and opts->stop_signals are blocked except inside ppoll(), so the
 * caller must be single-threaded, or block those signals in its other threads.
 */
int nbk_proc_run(const struct nbk_proc_opts *opts, struct nbk_buf *out, struct nbk_proc_result *res,
		 struct nbk_error *err)
{
	struct nbk_proc_opts o = *opts;
	struct sigaction old_chld;
	bool restore_chld = nbk_sigchld_default(&old_chld);
	uint64_t start = nbk_now_ms();
	int out_r;
	int r = 0;

	if (o.timeout_ms)
		o.flags |= NBK_PROC_NEW_PGRP;
	if (proc_spawn(&o, (o.flags & NBK_PROC_CAPTURE_STDOUT) != 0, &out_r, res, err) < 0)
		r = -1;
	else if (res->pid && /* else exec failed: reaped already */
		 wait_child(&o, o.flags & (NBK_PROC_NEW_PGRP | NBK_PROC_FOREGROUND), start, out_r,
			    out, -1, res, err) < 0)
		r = -1;
	if (restore_chld)
		sigaction(SIGCHLD, &old_chld, NULL);
	return r;
}

int nbk_proc_wait(const struct nbk_proc_opts *opts, int ready_fd, struct nbk_proc_result *res,
		  struct nbk_error *err)
{
	return wait_child(opts, opts->flags & (NBK_PROC_NEW_PGRP | NBK_PROC_FOREGROUND),
			  nbk_now_ms(), -1, NULL, ready_fd, res, err);
}

int nbk_spawn_wait(char *const argv[], char *const envp[], unsigned flags, uint64_t timeout_ms,
		   uint64_t grace_ms, struct nbk_buf *out, size_t max_out,
		   struct nbk_spawn_result *res, struct nbk_error *err)
{
	struct nbk_proc_opts o = {
		.argv = argv,
		.envp = envp,
		.flags = flags,
		.timeout_ms = timeout_ms,
		.grace_ms = grace_ms,
		.max_out = max_out,
	};
	struct nbk_proc_result pr;

	memset(res, 0, sizeof(*res));
	if (nbk_proc_run(&o, out, &pr, err) < 0)
		return -1;
	res->status = pr.status;
	res->timed_out = pr.timed_out;
	res->elapsed_ms = pr.elapsed_ms;
	return 0;
}
