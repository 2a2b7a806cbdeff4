/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal functions of threads.c, visible to tests/unit/test_bootstrap_threads.c
 * (NBK_STATIC: static in the program, extern in test builds).  Only threads.c
 * and its test include this header.
 *
 * Return conventions: the parsers return 1 with a CPU count, 0 when there is
 * no limit, -1 when the text is malformed; strings handed out are the
 * caller's to free.
 */
#ifndef BOOTSTRAP_THREADS_H
#define BOOTSTRAP_THREADS_H

#include <stdbool.h>

#include "nbkit/strvec.h"

#include "bootstrap.h"

/* cgroup v2 cpu.max: "QUOTA PERIOD" or "max PERIOD". */
NBK_STATIC int bs_threads_parse_cpu_max(const char *text, unsigned long *cpus);
/* cgroup v1 cpu.cfs_quota_us ("-1": unlimited) and cpu.cfs_period_us. */
NBK_STATIC int bs_threads_parse_cfs(const char *quota_text, const char *period_text,
				    unsigned long *cpus);
/* CPU_LIMIT ("0.5", "2"): 1 with ceil(value), -1 when not a positive number. */
NBK_STATIC int bs_threads_parse_cpu_limit(const char *text, unsigned long *cpus);
/* A kernel CPU list ("0-3,8"): 0 with *count, -1 when malformed. */
NBK_STATIC int bs_threads_parse_cpu_list(const char *text, unsigned long *count);
/* The process's cgroup path in /proc/self/cgroup text (v2 line, or the v1 "cpu" line). */
NBK_STATIC int bs_threads_find_cgroup(const char *text, bool v2, char **path);
/* The mount of that hierarchy in /proc/self/mountinfo text, and cgpath below its root. */
NBK_STATIC int bs_threads_find_mount(const char *text, bool v2, const char *cgpath,
				     char **mountpoint, char **rel);
/* The smallest quota of the cgroup and its ancestors, files read below root. */
NBK_STATIC int bs_threads_cgroup_cpus(const char *root, unsigned long *cpus,
				      struct nbk_strvec *notes);
/* Cpus_allowed_list of ROOT/proc/self/status; 0 when unreadable. */
NBK_STATIC unsigned long bs_threads_affinity_from_status(const char *root);

#endif
