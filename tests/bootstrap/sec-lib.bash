# SPDX-License-Identifier: Apache-2.0
# Shared by the sec-* cases (sourced; not a case itself): issue 9's attacks
# of a notebook user on bootstrap, which runs as root over the user's home.
# The user is uid 4242 gid 4343; /etc/passwd and /etc/group are private
# copies in a mount namespace (the case re-executes itself under unshare),
# so the machine's files never change.  Targets of the attacks are files in
# the scratch folder owned by root, mode 0600: "root-only" stand-ins for
# /etc/shadow.
set -u
unset NB_USER NB_UID NB_GID NB_UMASK JUPYTERHUB_API_TOKEN BOOTSTRAP_CONFIG \
	BOOTSTRAP_VERBOSITY BOOTSTRAP_LOG_FORMAT
if [ -z "${SEC_IN_NS:-}" ]; then
	cp /etc/passwd passwd.copy
	cp /etc/group group.copy
	exec env SEC_IN_NS=1 unshare --mount bash -c \
		'mount --bind passwd.copy /etc/passwd && mount --bind group.copy /etc/group &&
		 exec bash "$0"' "$0"
fi
SEC_UID=4242
SEC_GID=4343
chmod 755 .
mkdir -p conf.d
export BOOTSTRAP_CONFIG_DIR=$PWD/conf.d # empty: no drop-ins

# as_user CMD...: run CMD as the notebook user, with no other group.
as_user() {
	setpriv --reuid=$SEC_UID --regid=$SEC_GID --clear-groups "$@"
}

# fresh_home: an empty home owned by the user.
fresh_home() {
	rm -rf home
	mkdir home
	chown $SEC_UID:$SEC_GID home
}

# root_only FILE TEXT: a file only root may read or change.
root_only() {
	printf '%s\n' "$2" >"$1"
	chown 0:0 "$1"
	chmod 600 "$1"
}

# config FILE [YAML...]: a config for the user, home in the scratch folder,
# nothing slow (no GPU probe, no hooks unless given); extra lines appended.
config() {
	local f=$1
	shift
	{
		printf 'user: {name: sec, uid: %s, gid: %s, home: %s}\n' $SEC_UID $SEC_GID "$PWD/home"
		printf 'gpu: {mode: "off"}\nthreads: {mode: "off"}\n'
		printf '%s\n' "$@"
	} >"$f"
}

# start_racer MODE PATH TARGET: racer.py as the user, in the background;
# returns once it has said "ready".  stop_racer kills it.
start_racer() {
	coproc RACER {
		exec setpriv --reuid=$SEC_UID --regid=$SEC_GID --clear-groups \
			/usr/bin/python3 "$NBK_SRC/tests/bootstrap/lib/racer.py" "$@"
	}
	read -r ready <&"${RACER[0]}"
	[ "$ready" = ready ] || { echo "racer did not start"; exit 1; }
}
stop_racer() {
	kill "$RACER_PID" 2>/dev/null
	wait "$RACER_PID" 2>/dev/null
	return 0
}
