# SPDX-License-Identifier: Apache-2.0
# Sourced by tests/envtool/*.sh: a scratch HOME, a channel tree under
# ./srv, and start_server / stop_server for lib/repo_server.py on
# 127.0.0.1 (stopped by an EXIT trap).  check NAME CMD... prints
# "ok: NAME" or "FAIL: NAME" (and makes the case fail).
set -u
export HOME=$PWD/home
mkdir -p "$HOME"
unset CONDARC CONDA_PREFIX CONDA_CHANNELS CONDA_PKGS_DIRS CONDA_ENVS_DIRS XDG_CONFIG_HOME \
	http_proxy https_proxy HTTPS_PROXY HTTP_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy
# Fast retries for the tests.
export CONDA_REMOTE_BACKOFF_FACTOR=0.05
SHARED=${NBK_SHARED:-$NBK_SRC/../shared}
REPODATA=$SHARED/data/conda/repodata
failed=0
server_pid=

check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok: $name"
	else
		echo "FAIL: $name"
		failed=1
	fi
}

# make_channel DIR LINUX64_JSON [NOARCH_JSON]: a channel with repodata.json files.
make_channel() {
	mkdir -p "$1/linux-64" "$1/noarch"
	cp "$2" "$1/linux-64/repodata.json"
	if [ $# -ge 3 ]; then cp "$3" "$1/noarch/repodata.json"; else echo '{"packages": {}}' > "$1/noarch/repodata.json"; fi
}

# local_channel SPEC_JSON...: a channel ./chan of small packages that
# make_pkg.py builds (one SPEC_JSON each, its format); CHAN is its file://
# URL, C the options that use it alone.
local_channel() {
	local spec
	for spec in "$@"; do
		/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_pkg.py" built "$spec" > /dev/null
	done
	/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_channel.py" chan built/*.tar.bz2 > /dev/null
	CHAN=file://$PWD/chan
	C="-c $CHAN --override-channels"
}

# serve PIDVAR SCRIPT ARGS...: start the server lib/SCRIPT on 127.0.0.1 in
# the background, its pid in PIDVAR.  The server writes its port on stdout
# once it listens, then closes stdout: PORT is read from that pipe, so the
# case waits on the event itself, with no poll.  A server that dies first
# gives EOF: the case fails here, with the server's error on stderr.
serve() {
	local fd
	exec {fd}< <(exec /usr/bin/python3 "$NBK_SRC/tests/envtool/lib/$2" "${@:3}")
	printf -v "$1" %s "$!"
	PORT=
	read -r PORT <&"$fd"
	exec {fd}<&-
	if [ -z "$PORT" ]; then
		echo "FAIL: $2 ended before it listened"
		exit 1
	fi
}

# start_server [CERT KEY]: with a certificate and key, HTTPS ($URL is https://).
start_server() {
	: > server.log
	serve server_pid repo_server.py "$PWD/srv" "$PWD/server.log" "$@"
	if [ $# -ge 2 ]; then URL=https://127.0.0.1:$PORT; else URL=http://127.0.0.1:$PORT; fi
}

stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
}
trap stop_server EXIT

# count PATTERN: how many log lines match (grep -c).
count() { grep -c -- "$1" server.log || true; }
