#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# scripts/docker-up.sh: make sure a Docker engine answers.  When `docker
# info` fails and we are root, start dockerd in the background (its own
# session, log in /var/log/nbkit-dockerd.log) and wait for it to say it is
# ready (DOCKER_WAIT seconds at most, default 120: a guard).
# Prints "running" (one was there) or "started PID" on stdout; exits 1 with
# one clear line on stderr when no engine can be had.
set -eu
DOCKER=${DOCKER:-docker}
wait_s=${DOCKER_WAIT:-120}

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
# dockerd says READY=1 on NOTIFY_SOCKET once its API is served (it speaks
# systemd's Type=notify): start-notify.py waits for that, not a poll of
# `docker info`; DOCKER_WAIT is only a guard against a dockerd that hangs.
if ! pid=$(/usr/bin/python3 "$(dirname "$0")/start-notify.py" "$wait_s" "$log" dockerd); then
	echo "docker-up: dockerd did not start; the end of $log:" >&2
	tail -n 5 "$log" >&2
	exit 1
fi
if ! $DOCKER info >/dev/null 2>&1; then
	echo "docker-up: dockerd (pid $pid) said it was ready, but docker info fails; see $log" >&2
	kill "$pid" 2>/dev/null || true
	exit 1
fi
echo "started $pid"
