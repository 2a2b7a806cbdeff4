/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process helpers: time, wait statuses, spawning with a time limit that
 * kills the child's whole process group, signal-safe descriptor hygiene.
 */
#ifndef NBKIT_PROC_H
#define NBKIT_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nbkit/buf.h"
#include "nbkit/error.h"

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

enum nbk_spawn_flags {
	NBK_SPAWN_NEW_PGRP = 1 << 0,      /* child leads a new process group */
	NBK_SPAWN_STDIN_NULL = 1 << 1,    /* stdin from /dev/null */
	NBK_SPAWN_CAPTURE_STDOUT = 1 << 2,/* collect stdout into the result */
	NBK_SPAWN_STDOUT_TO_STDERR = 1 << 3,
};

struct nbk_spawn_result {
	int status;          /* wait() status */
	bool timed_out;      /* the time limit ran out and the group was killed */
	uint64_t elapsed_ms;
};

/*
 * Run argv (PATH searched) with envp (NULL: the current environment) and
 * wait for it.  When timeout_ms > 0 and it runs longer, SIGTERM then, after
 * grace_ms, SIGKILL go to its whole process group (NBK_SPAWN_NEW_PGRP is
 * implied).  Output captured with NBK_SPAWN_CAPTURE_STDOUT is appended to
 * out (at most max_out bytes; the rest is read and dropped).
 * Returns 0 when the child ran (whatever its status), -1 when it could not
 * be started; an exec failure is reported as exit status 127 or 126.
 */
int nbk_spawn_wait(char *const argv[], char *const envp[], unsigned flags,
		   uint64_t timeout_ms, uint64_t grace_ms, struct nbk_buf *out,
		   size_t max_out, struct nbk_spawn_result *res,
		   struct nbk_error *err);

/*
 * Close every descriptor >= lowfd (close_range when the kernel has it).
 * Async-signal-safe: usable between fork and exec.
 */
void nbk_close_from(int lowfd);

/* Reset every signal disposition to default and unblock all signals. */
void nbk_reset_signals(void);

/* waitpid() retried on EINTR. */
pid_t nbk_waitpid(pid_t pid, int *status, int options);

#endif
