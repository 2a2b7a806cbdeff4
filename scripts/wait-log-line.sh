#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# scripts/wait-log-line.sh CONTAINER TEXT [SECONDS]: wait until a line of the
# container's log (stdout and stderr) contains TEXT.  The wait is on the log
# stream (`docker logs -f`), not a poll of the service: Jupyter logs "is
# running at:" once it listens.  Exits 0 then; 1 when the container ends
# first (its log ends); 124 past SECONDS (default 300), a guard against a
# container that hangs, never the wait itself.
set -u
DOCKER=${DOCKER:-docker}
name=$1 text=$2 limit=${3:-300}
exec {fd}< <(exec timeout "$limit" $DOCKER logs -f "$name" 2>&1)
pid=$!
while IFS= read -r line <&"$fd"; do
	case $line in
	*"$text"*)
		kill "$pid" 2>/dev/null
		exit 0
		;;
	esac
done
wait "$pid"
[ $? = 124 ] && exit 124
exit 1
