/* SPDX-License-Identifier: Apache-2.0 */
/*
 * For the unit tests that run a real server as their child
 * (tests/envtool/lib/pkg_server.py, hostile_server.py) in a scratch
 * folder: stopping it, and their group teardown.  The tests start the
 * server themselves; a failed setup stops it too (cmocka runs no teardown
 * after a failed setup).
 */
#ifndef TESTS_UNIT_UNIT_SERVER_H
#define TESTS_UNIT_UNIT_SERVER_H

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "nbkit/error.h"
#include "nbkit/path.h"

/* SIGTERM the server *pid (when there is one), reap it, and forget it. */
static inline void unit_server_stop(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = -1;
}

/* A group teardown: stop the server *pid, remove the scratch folder tmp.  Returns 0 or -1. */
static inline int unit_server_teardown(pid_t *pid, const char *tmp)
{
	struct nbk_error err = NBK_ERROR_INIT;

	unit_server_stop(pid);
	return nbk_remove_tree(tmp, &err);
}

#endif
