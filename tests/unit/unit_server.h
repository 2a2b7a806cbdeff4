/* SPDX-License-Identifier: Apache-2.0 */
/*
 * For the unit tests that run a real server as their child
 * (tests/envtool/lib/pkg_server.py, hostile_server.py) in a scratch
 * folder: starting it, stopping it, and their group teardown.  A failed
 * start stops it too (cmocka runs no teardown after a failed setup).
 */
#ifndef TESTS_UNIT_UNIT_SERVER_H
#define TESTS_UNIT_UNIT_SERVER_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * Start /usr/bin/python3 with argv (argv[0] "python3", argv[1] the server
 * script) as a child whose stdout is a pipe.  The servers write their port
 * there once they listen, then close it: reading it is the wait, on the
 * event itself, with no poll (EOF when the server dies first).  Returns 0
 * with *pid and *port set, or -1 with the server stopped and *pid -1.
 */
static inline int unit_server_start(char *const argv[], pid_t *pid, int *port)
{
	FILE *out;
	int fds[2], ok;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	*pid = fork();
	if (*pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (*pid == 0) {
		/* dup2() clears O_CLOEXEC on the copy */
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execv("/usr/bin/python3", argv);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	if (!out)
		close(fds[0]);
	ok = out && fscanf(out, "%d", port) == 1;
	if (out)
		fclose(out);
	if (ok)
		return 0;
	fprintf(stderr, "%s ended before it listened\n", argv[1]);
	unit_server_stop(pid);
	return -1;
}

/* A group teardown: stop the server *pid, remove the scratch folder tmp.  Returns 0 or -1. */
static inline int unit_server_teardown(pid_t *pid, const char *tmp)
{
	struct nbk_error err = NBK_ERROR_INIT;

	unit_server_stop(pid);
	return nbk_remove_tree(tmp, &err);
}

#endif
