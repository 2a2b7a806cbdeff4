# SPDX-License-Identifier: Apache-2.0
# Sourced by tests/envtool/sec_transfer_*.sh after server.bash: a channel
# ./srv/chan with one small package (hostile-1.0-0, noarch), served by
# lib/hostile_server.py on 127.0.0.1 (modes in its docstring; $URL/MODE/chan
# is the channel), stopped by an EXIT trap; and bounded NAME LIMIT CMD...,
# which runs CMD under a wall-clock limit (killed past it, status 124) and
# leaves its status in $rc, its peak RSS in $rss_kb and its time in $secs.
LIB=$NBK_SRC/tests/envtool/lib
hostile_pid=

make_hostile_channel() {
	/usr/bin/python3 "$LIB/make_pkg.py" built '{"name": "hostile", "version": "1.0", "build": "0",
		"files": {"share/hostile.txt": "'"$(printf 'x%.0s' $(seq 2000))"'"}}' > /dev/null
	/usr/bin/python3 "$LIB/make_channel.py" srv/chan built/*.tar.bz2 > /dev/null
}

start_hostile_server() {
	: > server.log
	serve hostile_pid hostile_server.py "$PWD/srv" "$PWD/server.log"
	URL=http://127.0.0.1:$PORT
}

stop_hostile_server() {
	if [ -n "$hostile_pid" ]; then
		kill "$hostile_pid" 2>/dev/null
		hostile_pid=
	fi
}
trap 'stop_hostile_server; stop_server' EXIT

bounded() {
	local limit=$1
	shift
	/usr/bin/python3 "$LIB/bounded_run.py" "$limit" stats "$@"
	rc=$?
	read -r rss_kb secs < stats
}

# elapsed_under S: the last bounded command took less than S seconds.
elapsed_under() { /usr/bin/python3 -c "import sys; sys.exit(not float('$secs') < float('$1'))"; }

# check_bounded WHAT [SECONDS]: the last bounded run failed cleanly (exit 1,
# not killed), in under SECONDS (default 30), with a peak RSS under 200 MB.
check_bounded() {
	check "$1: exit 1 (not killed)" [ "$rc" -eq 1 ]
	check "$1: in under ${2:-30} s" elapsed_under "${2:-30}"
	check "$1: peak RSS under 200 MB" [ "$rss_kb" -lt 200000 ]
}
