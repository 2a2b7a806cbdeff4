# SPDX-License-Identifier: Apache-2.0
# Shared by the command-line cases hooks-*, privileges-* and supervise-*
# (sourced; not a case itself: the runner only runs *.sh).  Each case runs in
# its own scratch folder, with `bootstrap` first on PATH.
set -u
unset NB_USER NB_UID NB_GID NB_UMASK JUPYTERHUB_API_TOKEN BOOTSTRAP_CONFIG \
	BOOTSTRAP_VERBOSITY BOOTSTRAP_LOG_FORMAT
mkdir -p conf.d
export BOOTSTRAP_CONFIG_DIR=$PWD/conf.d   # empty: no drop-ins

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# write_config FILE: a config in DESIGN.md's shape, home in the scratch
# folder.  CFG_* variables change the values; the default user is root
# (uid 0), so that no passwd entry is ever added to this machine.
write_config() {
	cat >"$1" <<YAML
user:
  name: ${CFG_USER:-root}
  uid: ${CFG_UID:-0}
  gid: ${CFG_GID:-0}
  home: ${CFG_HOME:-$PWD/home}
  umask: "${CFG_UMASK:-0022}"
home:
  directories: []
gpu:
  mode: "off"
threads:
  mode: "off"
hooks:
  dirs: [${CFG_HOOK_DIRS:-}]
  user_dirs: [${CFG_USER_HOOK_DIRS:-}]
  timeout: ${CFG_HOOK_TIMEOUT:-30}
  on_error: ${CFG_ON_ERROR:-continue}
supervise:
  stop_timeout: ${CFG_STOP_TIMEOUT:-5}
YAML
}

# wait_for_file FILE [TENTHS]: until FILE is not empty (default 10 s).
wait_for_file() {
	local t=${2:-200}
	while [ ! -s "$1" ]; do
		t=$((t - 1))
		[ "$t" -gt 0 ] || fail "timed out waiting for $1"
		sleep 0.05
	done
}

# proc_state PID: the state letter of PID, or "gone".
proc_state() {
	local line
	if ! read -r line 2>/dev/null <"/proc/$1/stat"; then
		echo gone
		return
	fi
	line=${line##*) }
	echo "${line%% *}"
}

# count_children PPID [STATE]: how many processes have parent PPID (and
# are in STATE, e.g. Z for zombies).
count_children() {
	local ppid=$1 want=${2:-} f line rest st pp n=0
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		rest=${line##*) }
		st=${rest%% *}
		rest=${rest#* }
		pp=${rest%% *}
		[ "$pp" = "$ppid" ] || continue
		[ -z "$want" ] || [ "$st" = "$want" ] || continue
		n=$((n + 1))
	done
	echo "$n"
}

# now_ms: a monotonic-enough clock for durations
now_ms() {
	local s
	s=$(date +%s%N)
	echo $((s / 1000000))
}

# child_of PID: the first child of PID (to find bootstrap under unshare).
child_of() {
	local t=200 c
	while :; do
		c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
		c=${c%% *}
		[ -n "$c" ] && { echo "$c"; return; }
		t=$((t - 1))
		[ "$t" -gt 0 ] || fail "no child of $1"
		sleep 0.05
	done
}
