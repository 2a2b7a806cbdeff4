#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# scripts/docker-up.sh: make sure a Docker engine answers.  When `docker
# info` fails and we are root, start dockerd in the background (its own
# session, log in /var/log/nbkit-dockerd.log) and wait up to
# DOCKER_WAIT seconds (default 60) for it.
# Prints "running" (one was there) or "started PID" on stdout; exits 1 with
# one clear line on stderr when no engine can be had.
set -eu
DOCKER=${DOCKER:-docker}
wait_s=${DOCKER_WAIT:-60}

if ! command -v "$DOCKER" >/dev/null 2>&1; then
	echo "docker-up: no docker client ($DOCKER); scripts/install-deps.sh installs docker.io" >&2
	exit 1
fi
if $DOCKER info >/dev/null 2>&1; then
	echo running
	exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
	echo "docker-up: no Docker engine answers and dockerd is not installed (apt-get install docker.io)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "docker-up: no Docker engine answers, and starting dockerd needs root" >&2
	exit 1
fi
log=/var/log/nbkit-dockerd.log
setsid dockerd >"$log" 2>&1 </dev/null &
pid=$!
i=0
while ! $DOCKER info >/dev/null 2>&1; do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "docker-up: dockerd exited at start; the end of $log:" >&2
		tail -n 5 "$log" >&2
		exit 1
	fi
	i=$((i + 1))
	if [ "$i" -gt $((wait_s * 5)) ]; then
		echo "docker-up: dockerd (pid $pid) did not answer within ${wait_s}s; see $log" >&2
		kill "$pid" 2>/dev/null || true
		exit 1
	fi
	sleep 0.2
done
echo "started $pid"
