/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supervise.c's internals, declared for its own definitions and for the
 * unit tests (tests/unit/test_bootstrap_hooks.c).  Static outside test
 * builds (NBK_STATIC); the step itself is bs_supervise() in bootstrap.h.
 */
#ifndef BOOTSTRAP_SUPERVISE_H
#define BOOTSTRAP_SUPERVISE_H

#include <stddef.h>
#include <sys/types.h>

#include "bootstrap.h"

/*
 * Parse the parent pid out of the text of a /proc/PID/stat file ("PID
 * (COMM) STATE PPID ..."; COMM may hold spaces and parentheses, so the
 * last ')' ends it).  Returns 0 and *ppid, or -1 when the text has no such
 * field.
 */
NBK_STATIC int bs_proc_stat_ppid(const char *text, pid_t *ppid);

/*
 * Every descendant of root (children, their children ...) found in the
 * process table under proc_root ("/proc", or a fixture folder holding
 * PID/stat files).  *pids is a new array of *n pids (caller frees; NULL
 * when none).  Processes that vanish while we read are skipped.  Returns 0,
 * or -1 when proc_root cannot be read.
 */
NBK_STATIC int bs_proc_descendants(const char *proc_root, pid_t root, pid_t **pids, size_t *n);

#endif
