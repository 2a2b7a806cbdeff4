/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supervise.c: start the command and stay its init, with the guarantees of
 * tini and what tini leaves out:
 *
 *   - as PID 1 we are the namespace's init; otherwise we become a child
 *     subreaper (PR_SET_CHILD_SUBREAPER), so orphans of the command are
 *     re-parented to us and not to the node's init;
 *   - every zombie is reaped;
 *   - TERM, INT, HUP, QUIT, USR1, USR2 and WINCH are forwarded to the
 *     command;
 *   - when the command ends, what it left behind gets SIGTERM, and SIGKILL
 *     after supervise.stop_timeout (tini leaves them to the runtime's
 *     SIGKILL, which loses their chance to flush);
 *   - the exit code is the command's status, 128+N when signal N killed it,
 *     127 when it was not found, 126 when it could not be executed.
 *
 * Signals are handled synchronously: every asynchronous signal is blocked
 * and taken with sigwaitinfo(), so there are no handlers and no races
 * between a handler and the loop.  A signal that is blocked is never
 * "ignored" by the kernel, which matters as PID 1: the kernel drops signals
 * to a namespace's init that have the default disposition.
 *
 * Memory: the loop holds no buffer of its own; malloc_trim() gives what
 * the earlier steps freed back to the kernel and drop_text_pages() unmaps
 * the code they ran before we settle in for hours (resident set under 2 MB;
 * see bench/bootstrap).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "nbkit/buf.h"
#include "nbkit/cleanup.h"
#include "nbkit/fd.h"
#include "nbkit/log.h"
#include "nbkit/proc.h"
#include "nbkit/str.h"
#include "nbkit/strvec.h"

#include "bootstrap.h"
#include "supervise.h"

#define STEP "supervise"
/* After SIGKILL, how long we wait for the kernel to finish them off. */
#define KILL_WAIT_MS 5000

static const int forwarded_signals[] = { SIGTERM, SIGINT,  SIGHUP,  SIGQUIT,
					 SIGUSR1, SIGUSR2, SIGWINCH };

/* Signals that report a fault of our own: never blocked (blocking them
 * would turn a crash into a hang). */
static const int sync_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT };

static bool is_forwarded(int sig)
{
	size_t i;

	for (i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		if (forwarded_signals[i] == sig)
			return true;
	return false;
}

NBK_STATIC int bs_proc_stat_ppid(const char *text, pid_t *ppid)
{
	const char *close = strrchr(text, ')');
	char state;
	int p;

	if (!close || sscanf(close + 1, " %c %d", &state, &p) != 2 || p < 0)
		return -1;
	*ppid = (pid_t)p;
	return 0;
}

struct proc_pair {
	pid_t pid, ppid;
};

/* Read PROC_ROOT/PID/stat's ppid; -1 when it vanished or is unreadable. */
static int read_ppid(int rootfd, const char *pid, pid_t *ppid)
{
	char path[64];
	char text[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/stat", pid);
	fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = nbk_read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return bs_proc_stat_ppid(text, ppid);
}

NBK_STATIC int bs_proc_descendants(const char *proc_root, pid_t root, pid_t **pids, size_t *n)
{
	struct proc_pair *pairs = NULL;
	size_t npairs = 0, cap = 0, nout = 0, i;
	pid_t *out = NULL;
	struct dirent *de;
	bool grew;
	DIR *d;

	*pids = NULL;
	*n = 0;
	d = opendir(proc_root);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		pid_t ppid;
		long pid;

		if (nbk_parse_long(de->d_name, 10, 1, INT_MAX, &pid) < 0 ||
		    read_ppid(dirfd(d), de->d_name, &ppid) < 0)
			continue;
		if (npairs == cap) {
			cap = cap ? cap * 2 : 64;
			pairs = nbk_xrealloc(pairs, cap * sizeof(*pairs));
		}
		pairs[npairs].pid = (pid_t)pid;
		pairs[npairs].ppid = ppid;
		npairs++;
	}
	closedir(d);

	/* Grow the set from root until no process joins: the table is small
	 * (a notebook pod runs tens of processes), so the passes are cheap. */
	do {
		grew = false;
		for (i = 0; i < npairs; i++) {
			bool parent_in = pairs[i].ppid == root;
			size_t k;

			if (pairs[i].pid == root || pairs[i].pid == 0)
				continue;
			for (k = 0; !parent_in && k < nout; k++)
				parent_in = out[k] == pairs[i].ppid;
			if (!parent_in)
				continue;
			out = nbk_xrealloc(out, (nout + 1) * sizeof(*out));
			out[nout++] = pairs[i].pid;
			pairs[i].pid = 0; /* taken */
			grew = true;
		}
	} while (grew);
	free(pairs);
	*pids = out;
	*n = nout;
	return 0;
}

/*
 * Reap every child that has ended.  When the command is among them its
 * status goes to *cmd_status and *cmd_done is set.  Returns true when no
 * child is left at all (ECHILD).
 */
static bool reap(pid_t cmd, int *cmd_status, bool *cmd_done)
{
	for (;;) {
		int status;
		pid_t r = nbk_waitpid(-1, &status, WNOHANG);

		if (r == 0)
			return false;
		if (r < 0)
			return errno == ECHILD;
		if (r == cmd) {
			*cmd_status = status;
			*cmd_done = true;
		} else {
			nbk_log(NBK_LOG_DEBUG, STEP, "reaped process %d", (int)r);
		}
	}
}

/*
 * Send sig to every process left: as PID 1 kill(-1) reaches the whole
 * namespace but us; as a subreaper, every descendant in /proc.  Returns the
 * number signalled (as PID 1: 1 when any was, since kill(-1) does not say).
 */
static size_t signal_rest(bool pid1, int sig)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0, i, sent = 0;

	if (pid1)
		return kill(-1, sig) == 0 ? 1 : 0;
	if (bs_proc_descendants("/proc", getpid(), &pids, &n) < 0) {
		nbk_log(NBK_LOG_WARN, STEP, "cannot read /proc: processes left are not stopped");
		return 0;
	}
	for (i = 0; i < n; i++)
		if (kill(pids[i], sig) == 0)
			sent++;
	return sent;
}

/*
 * Wait until no child is left or until deadline_ms (CLOCK_MONOTONIC),
 * reaping.  When rescan_sig is not 0 it is sent again to what is left on
 * every wake-up (to catch processes forked after the first round).
 * Returns true when none is left.
 */
static bool wait_rest(const sigset_t *mask, uint64_t deadline_ms, bool pid1, int rescan_sig)
{
	bool none;
	int dummy_status;
	bool dummy_done = false;

	for (;;) {
		uint64_t now;
		struct timespec ts;
		uint64_t left;

		none = reap(-1, &dummy_status, &dummy_done);
		if (none)
			return true;
		now = nbk_now_ms();
		if (now >= deadline_ms)
			return false;
		left = deadline_ms - now;
		if (rescan_sig && left > 100)
			left = 100;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		/* Any signal wakes us: SIGCHLD to reap, the others are dropped
		 * (the command is gone; a second TERM changes nothing). */
		sigtimedwait(mask, NULL, &ts);
		if (rescan_sig)
			signal_rest(pid1, rescan_sig);
	}
}

/*
 * The command has ended: SIGTERM to what it left, reaping for up to
 * stop_timeout_s, then SIGKILL to the rest.
 */
static void stop_rest(const sigset_t *mask, bool pid1, unsigned stop_timeout_s)
{
	int dummy_status;
	bool dummy_done = false;
	uint64_t start = nbk_now_ms();
	size_t n;

	if (reap(-1, &dummy_status, &dummy_done))
		return; /* the common case: nothing was left */
	n = signal_rest(pid1, SIGTERM);
	if (pid1)
		nbk_log(NBK_LOG_INFO, STEP, "stopping the processes left: SIGTERM");
	else
		nbk_log(NBK_LOG_INFO, STEP, "stopping the %zu process%s left: SIGTERM", n,
			n == 1 ? "" : "es");
	if (wait_rest(mask, start + (uint64_t)stop_timeout_s * 1000, pid1, 0)) {
		nbk_log(NBK_LOG_INFO, STEP, "the processes left ended in %llu ms",
			(unsigned long long)(nbk_now_ms() - start));
		return;
	}
	n = signal_rest(pid1, SIGKILL);
	nbk_log(NBK_LOG_WARN, STEP, "processes still running %u s after SIGTERM: SIGKILL%s",
		stop_timeout_s, pid1 ? "" : " sent");
	if (!wait_rest(mask, nbk_now_ms() + KILL_WAIT_MS, pid1, SIGKILL))
		nbk_log(NBK_LOG_WARN, STEP,
			"processes left survive SIGKILL (uninterruptible sleep?)");
	(void)n;
}

/*
 * Unmap from our page tables the code pages that the steps faulted in and
 * the supervision loop will not run again.  Resident set size counts every
 * page of a file mapping that this process touched, and the kernel maps
 * file pages in 64 KB runs ("fault-around"): after the steps, most of
 * libc's text counts in our RSS although it is shared with every process
 * of the node.  Dropping the page-table entries of read+execute file
 * mappings is safe: text is never written, so a later call simply faults
 * its page back from the page cache.  Writable mappings and read-only ones
 * (RELRO data was written before it was made read-only) are left alone.
 */
static void drop_text_pages(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/maps", "re");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char perms[8];
		int path_at = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3)
			continue;
		if (strcmp(perms, "r-xp") != 0 || path_at <= 0 || line[path_at] != '/')
			continue;
		madvise((void *)start, end - start, MADV_DONTNEED);
	}
}

/* true when stdin is a terminal whose foreground group is ours: then the
 * command gets a group of its own and the foreground (job control). */
static bool owns_terminal(void)
{
	pid_t fg;

	if (!isatty(0))
		return false;
	fg = tcgetpgrp(0);
	return fg > 0 && fg == getpgrp();
}

/*
 * Run argv (argv[0] searched in ctx->env's PATH) with ctx->env as its
 * environment and stay its init until it ends: as PID 1 or a child subreaper,
 * forward the stop and user signals to it, reap every orphan, and when it
 * ends stop what it left (SIGTERM, ctx->cfg.stop_timeout_s of reaping, then
 * SIGKILL).  Precondition: the last step of main(), in a single-threaded
 * process; it sets the signal mask to block every asynchronous signal and
 * SIGCHLD to SIG_DFL for good, and hands a terminal's foreground to the
 * command and back.  Returns the exit code for bootstrap: the command's
 * status (128+N for signal N, and for a stop signal it handled with exit 0),
 * 127 for no command or one not found, 126 when it cannot be started.
 * Errors are logged here, not returned.
 */
int bs_supervise(struct bs_ctx *ctx, char *const argv[])
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct nbk_error err = NBK_ERROR_INIT;
	struct nbk_proc_result res;
	bool pid1 = getpid() == 1;
	bool interactive = owns_terminal();
	/* interactive: the command gets a group of its own and the terminal
	 * (SIGTTOU is blocked below, so taking it from here is allowed) */
	struct nbk_proc_opts opts = {
		.argv = argv,
		.envp = ctx->env.v,
		.flags = interactive ? NBK_PROC_FOREGROUND : 0,
	};
	bool cmd_done = false;
	int cmd_status = 0;
	sigset_t mask;
	size_t i;
	pid_t pid;
	int code;
	int stopped_by = 0; /* SIGTERM or SIGINT forwarded to the command */

	if (!argv || !argv[0] || !*argv[0]) {
		nbk_log(NBK_LOG_ERROR, STEP, "no command to run");
		return 127;
	}
	if (!pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		nbk_log(NBK_LOG_WARN, STEP,
			"cannot become a child subreaper: orphans of the command go to the node's init");

	/* Every asynchronous signal is taken by sigwaitinfo(); SIGCHLD must not
	 * be SIG_IGN (the kernel would reap for us and hide the status). */
	sigfillset(&mask);
	for (i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
		sigdelset(&mask, sync_signals[i]);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, NULL);

	if (nbk_proc_start(&opts, &res, &err) < 0) {
		nbk_log(NBK_LOG_ERROR, STEP, "%s", err.msg);
		return 126;
	}
	if (!res.pid) {
		/* exec failed: the child is reaped, res says why */
		code = nbk_exit_code_from_status(res.status);
		if (interactive)
			tcsetpgrp(0, getpgrp());
		if (res.exec_errno == ENOENT || res.exec_errno == ENOTDIR) {
			if (strchr(argv[0], '/'))
				nbk_log(NBK_LOG_ERROR, STEP, "cannot run '%s': %s", argv[0],
					strerror(res.exec_errno));
			else
				nbk_log(NBK_LOG_ERROR, STEP, "cannot run '%s': not found in PATH",
					argv[0]);
		} else {
			_cleanup_strvec_ struct nbk_strvec cands = NBK_STRVEC_INIT;

			nbk_exec_candidates(argv[0], nbk_env_get(&ctx->env, "PATH"), &cands);
			nbk_log(NBK_LOG_ERROR, STEP, "cannot run '%s': %s",
				res.exec_index >= 0 && (size_t)res.exec_index < cands.n
					? cands.v[res.exec_index]
					: argv[0],
				strerror(res.exec_errno));
		}
		return code;
	}
	pid = res.pid;

	nbk_log(NBK_LOG_INFO, STEP, "started '%s' (pid %d) as %s", argv[0], (int)pid,
		pid1 ? "PID 1" : "a child subreaper");
	/* What the steps freed goes back now: we may stay for days. */
	malloc_trim(0);
	drop_text_pages();

	while (!cmd_done) {
		siginfo_t si;
		int sig = sigwaitinfo(&mask, &si);

		if (sig < 0)
			continue; /* EINTR */
		if (sig == SIGCHLD) {
			reap(pid, &cmd_status, &cmd_done);
		} else if (is_forwarded(sig)) {
			if (sig == SIGTERM || sig == SIGINT)
				stopped_by = sig;
			nbk_log(NBK_LOG_DEBUG, STEP, "forwarding %s to %d", strsignal(sig),
				(int)pid);
			if (kill(pid, sig) < 0 && errno != ESRCH)
				nbk_log(NBK_LOG_WARN, STEP, "cannot forward %s: %s", strsignal(sig),
					strerror(errno));
		}
		/* Others (TSTP, TTIN, TTOU, PIPE, ALRM ...) are ours to ignore. */
	}

	if (interactive)
		tcsetpgrp(0, getpgrp());
	code = nbk_exit_code_from_status(cmd_status);
	{
		char how[96];

		nbk_describe_status(cmd_status, how, sizeof(how));
		/*
		 * A server that handles the SIGTERM we forwarded and exits 0
		 * (Jupyter does) was still stopped: 128+N, as `docker stop`
		 * and Kubernetes report a stopped container, not a finished one.
		 */
		if (stopped_by && code == 0) {
			code = 128 + stopped_by;
			nbk_log(NBK_LOG_INFO, STEP, "'%s' %s after %s: exit code %d (stopped)",
				argv[0], how, strsignal(stopped_by), code);
		} else {
			nbk_log(NBK_LOG_INFO, STEP, "'%s' %s: exit code %d", argv[0], how, code);
		}
	}
	stop_rest(&mask, pid1, ctx->cfg.stop_timeout_s);
	return code;
}
