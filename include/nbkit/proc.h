/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Processes: time, wait statuses, and the one way nbkit runs a child
 * (git's run-command.c is the model).  Nothing outside lib/ calls fork(),
 * vfork() or posix_spawn() (tests/bootstrap/deps-no-fork.sh checks it).
 *
 *   nbk_proc_run()    start a child and wait for it with a deadline that
 *                     kills its whole process group (hooks, link scripts,
 *                     the CUDA probe, request.c's helpers);
 *   nbk_proc_start()  start a child and hand its pid over (the supervisor,
 *                     which waits with sigwaitinfo() for days);
 *   nbk_proc_wait()   wait for a started child with nbk_proc_run()'s deadline
 *                     and stop request, or until a descriptor of ours is
 *                     readable (bootstrap's shell that sources the hooks);
 *   nbk_spawn_wait()  the short form of nbk_proc_run() for argv + flags.
 *
 * The child either execs argv (argv[0] without a '/' is searched in the
 * PATH of the child's environment, not ours, as a shell would; a file
 * without "#!" is run with /bin/sh, as execvp() does), or runs a function
 * (opts.fn) and ends with _exit(): the CUDA probe, which must not load the
 * driver into our own process.  Between fork and exec the child calls only
 * async-signal-safe functions.
 *
 * Waiting is on a pidfd (Linux 5.3) polled together with the capture pipe,
 * so the parent sleeps until the child ends, output arrives, the deadline
 * passes or a stop signal comes; without pidfd_open() it falls back to a
 * waitpid(WNOHANG) loop whose poll() sleeps grow to 50 ms.  EINTR is
 * retried everywhere.
 */
#ifndef NBKIT_PROC_H
#define NBKIT_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"
#include "nbkit/strvec.h"

/* What execvp() searches when PATH is unset (glibc's confstr(_CS_PATH) plus the sbin folders). */
#define NBK_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Milliseconds and microseconds on CLOCK_MONOTONIC. */
uint64_t nbk_now_ms(void);
uint64_t nbk_now_us(void);

/*
 * Shell exit code for a wait() status: the exit status, or 128+N when signal
 * N ended the process (the convention of sh and docker).
 */
int nbk_exit_code_from_status(int status);

/* Describe a wait status: "exited with status 3", "killed by signal 9 (Killed)". */
void nbk_describe_status(int status, char *out, size_t outlen);

enum nbk_proc_flags {
	NBK_PROC_NEW_PGRP = 1 << 0,         /* the child leads a new process group */
	NBK_PROC_STDIN_NULL = 1 << 1,       /* stdin from /dev/null */
	NBK_PROC_CAPTURE_STDOUT = 1 << 2,   /* stdout (fn: the fd argument) into the result */
	NBK_PROC_STDOUT_TO_STDERR = 1 << 3, /* stdout is our stderr: ours belongs to someone */
	NBK_PROC_FOREGROUND = 1 << 4,       /* new group that takes the terminal of fd 0 */
	NBK_PROC_NO_CORE = 1 << 5,          /* RLIMIT_CORE 0: a crash leaves no core file */
};

/* The old names, for nbk_spawn_wait() callers. */
#define NBK_SPAWN_NEW_PGRP NBK_PROC_NEW_PGRP
#define NBK_SPAWN_STDIN_NULL NBK_PROC_STDIN_NULL
#define NBK_SPAWN_CAPTURE_STDOUT NBK_PROC_CAPTURE_STDOUT
#define NBK_SPAWN_STDOUT_TO_STDERR NBK_PROC_STDOUT_TO_STDERR

/* A descriptor handed to the child: dup2(from, to) there, close-on-exec cleared. */
struct nbk_proc_fd {
	int from; /* ours; must not be one of the `to` of another entry (use >= 10) */
	int to;
};

struct nbk_proc_opts {
	char *const *argv; /* what to exec (ignored with fn) */
	char *const *envp; /* the child's environment; NULL: ours */
	/*
	 * Instead of exec: run fn(arg, fd) in the child and _exit() with what
	 * it returns.  fd is the write end of the capture pipe (-1 without
	 * NBK_PROC_CAPTURE_STDOUT).  fn must not return into the caller's
	 * code; it may call what a single-threaded process may call after
	 * fork() (dlopen() included: only for single-threaded callers).
	 */
	int (*fn)(void *arg, int fd);
	void *arg;
	unsigned flags; /* enum nbk_proc_flags */
	const struct nbk_proc_fd *fds;
	size_t n_fds;
	/*
	 * nbk_proc_run() only.  timeout_ms 0: no deadline.  At the deadline
	 * the whole group gets SIGTERM, then SIGKILL grace_ms later (grace_ms
	 * 0: SIGKILL at once); NBK_PROC_NEW_PGRP is implied.  After SIGKILL
	 * the child is waited for at most reap_ms (0: as long as it takes): a
	 * process asleep in the kernel cannot die, and is then left behind
	 * (result.reaped false) for a reaper.
	 */
	uint64_t timeout_ms;
	uint64_t grace_ms;
	uint64_t reap_ms;
	size_t max_out; /* captured bytes kept; the rest is read and dropped */
	/*
	 * A stop request (bootstrap's stop flag, set by its signal handler):
	 * when *stop becomes non-zero the group gets signal *stop, then
	 * SIGKILL after grace_ms.  stop_signals, when given, are the signals
	 * whose handler sets it: they are blocked while we look at *stop and
	 * let through only while we sleep (ppoll), so none is missed.
	 */
	volatile sig_atomic_t *stop;
	const sigset_t *stop_signals;
};

struct nbk_proc_result {
	pid_t pid;      /* the child (still running after nbk_proc_start()) */
	int status;     /* wait() status when reaped */
	bool reaped;    /* status is valid */
	bool timed_out; /* the deadline passed and the group was killed */
	bool stopped;   /* a stop request reached the group */
	int exec_errno; /* exec failed with this errno (the status says 127/126) */
	int exec_index; /* ... on this candidate (nbk_exec_candidates()) */
	uint64_t elapsed_ms;
};

/*
 * Start a child as opts says, wait for it (see the fields of opts for the
 * deadline and the stop request), capture its stdout into out (may be NULL)
 * when asked.  A child that leaves a daemon holding the capture pipe does
 * not keep us waiting: what is readable when the child ends is taken, the
 * rest is not waited for.  A timed-out or stopped child's group is killed
 * once more after it is reaped (survivors that ignored SIGTERM).
 * Returns 0 when the child ran (whatever its status; res says how it
 * ended), -1 with err when it could not be started.
 */
int nbk_proc_run(const struct nbk_proc_opts *opts, struct nbk_buf *out, struct nbk_proc_result *res,
		 struct nbk_error *err);

/*
 * Start a child and return once it has exec'd (or failed to): res->pid is
 * the running child, for the caller to wait for.  When exec fails the
 * child is reaped here: res->pid is 0, res->exec_errno and
 * res->exec_index say why, res->status is its 127/126 exit.  timeout_ms,
 * stop and capture are ignored.  Returns 0, or -1 with err when it could
 * not fork.
 */
int nbk_proc_start(const struct nbk_proc_opts *opts, struct nbk_proc_result *res,
		   struct nbk_error *err);

/*
 * Wait for res->pid, a child of nbk_proc_start() that keeps running between
 * calls (bootstrap's shell for the sourced hooks), the way nbk_proc_run()
 * waits: opts->timeout_ms from now (0: no deadline), opts->stop and
 * stop_signals, grace_ms and reap_ms; signals reach the child's group when
 * opts->flags has NBK_PROC_NEW_PGRP (as it had at the start), else the child
 * alone.  argv, envp, fds and capture are not used.  Returns 1 as soon as
 * ready_fd (-1: none) is readable (or at its end) while the child still runs,
 * which is left untouched (res->reaped false); 0 when the child ended or was
 * killed (res filled as nbk_proc_run() fills it; no final SIGKILL to the
 * group unless it timed out or was stopped); -1 with err when it could not
 * be waited for.  SIGCHLD must not be ignored meanwhile (see
 * nbk_sigchld_default()).
 */
int nbk_proc_wait(const struct nbk_proc_opts *opts, int ready_fd, struct nbk_proc_result *res,
		  struct nbk_error *err);

/*
 * An inherited SIG_IGN (or SA_NOCLDWAIT) for SIGCHLD makes the kernel reap
 * our children, and waitpid() would never see them: set it to SIG_DFL.
 * Returns true when it did; *old then holds what to give back with
 * sigaction(SIGCHLD, old, NULL).
 */
bool nbk_sigchld_default(struct sigaction *old);

/*
 * The paths that exec tries for argv0, in order: argv0 itself when it has
 * a '/', else each folder of path (NULL: NBK_DEFAULT_PATH; an empty entry
 * is ".") joined with argv0.  Appended to out.
 */
void nbk_exec_candidates(const char *argv0, const char *path, struct nbk_strvec *out);

struct nbk_spawn_result {
	int status;     /* wait() status */
	bool timed_out; /* the time limit ran out and the group was killed */
	uint64_t elapsed_ms;
};

/*
 * nbk_proc_run() of argv with envp (NULL: ours) and flags; timeout_ms,
 * grace_ms and max_out as in struct nbk_proc_opts.  Returns 0 when the
 * child ran, -1 with err when it could not be started; an exec failure is
 * exit status 127 or 126.
 */
int nbk_spawn_wait(char *const argv[], char *const envp[], unsigned flags, uint64_t timeout_ms,
		   uint64_t grace_ms, struct nbk_buf *out, size_t max_out,
		   struct nbk_spawn_result *res, struct nbk_error *err);

/*
 * Close every descriptor >= lowfd (close_range when the kernel has it).
 * Async-signal-safe: usable between fork and exec.
 */
void nbk_close_from(int lowfd);

/*
 * Give every signal of set (NULL: every signal that can be caught) the
 * disposition handler (a function, SIG_DFL or SIG_IGN), with an empty mask
 * and no flags: no SA_RESTART, so a blocking call that the signal
 * interrupts returns EINTR.  Async-signal-safe.
 */
void nbk_signals_set_handler(const sigset_t *set, void (*handler)(int));
/* Reset every signal disposition to default and unblock all signals. */
void nbk_reset_signals(void);

/* waitpid() retried on EINTR. */
pid_t nbk_waitpid(pid_t pid, int *status, int options);

#endif
