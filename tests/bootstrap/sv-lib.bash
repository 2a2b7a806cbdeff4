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

# orphans_case [LAUNCHER...]: the case of supervise-orphans.sh (LAUNCHER
# empty: bootstrap is a child subreaper) and supervise-pid1-orphans.sh
# (LAUNCHER `unshare --pid --fork --mount-proc`: bootstrap is PID 1).  The
# command leaves 100 orphans; it prints how many bootstrap adopted, then,
# once bootstrap has reaped them all, how many zombies and children are
# left, while it still runs.  Every wait is on an event, none on time:
#   - each orphan blocks reading a line from the FIFO "gate" (opened
#     read-write, so no open blocks): all 100 are alive when counted, and
#     adopted already (the kernel re-parents them before their parent
#     subshell's exit is reported, which the command waits for);
#   - the command then writes 100 lines to "gate": each orphan takes one
#     and exits;
#   - bootstrap's log (-v: it logs "reaped process PID" after each
#     waitpid() of an adopted process) goes to the FIFO "bslog", read line by
#     line by a watcher here; at the 100th such line the watcher writes to
#     the FIFO "all-reaped", on which the command waits before counting.
# A bootstrap that does not reap leaves the command waiting: the case
# fails on the runner's time limit, not on a guess of ours.
orphans_case() {
	write_config cfg.yaml
	mkfifo bslog all-reaped gate
	: >bootstrap.log
	cat >cmd.bash <<'SH'
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
exec 2>cmd.err
bs=$PPID
exec 3<>gate
for i in $(seq 100); do ( { echo "$BASHPID" >>orphans.pids; read -r _ <&3; } & ); done
# Each subshell has exited: its child is an orphan, now bootstrap's child
# (the "- 1" is this command itself).
adopted=$(($(count_children "$bs") - 1))
echo "adopted: $adopted"
printf '\n%.0s' $(seq 100) >&3
exec 3>&-
# Not adopted, not bootstrap's to reap: no "reaped" line will come.
[ "$adopted" = 100 ] || exit 1
read -r _ <all-reaped
echo "zombies left: $(count_children "$bs" Z)"
echo "children left: $(($(count_children "$bs") - 1))"
if [ "$(sort -n orphans.pids)" = "$(sort -n reaped.pids)" ]; then
	echo "reaped: the orphans"
else
	echo "reaped: $(wc -l <reaped.pids) processes, not the orphans"
fi
SH
	(
		n=0
		while IFS= read -r line; do
			printf '%s\n' "$line" >>bootstrap.log
			case $line in
			*"reaped process "*)
				echo "${line##* }" >>reaped.pids
				n=$((n + 1))
				[ "$n" != 100 ] || echo 100 >all-reaped
				;;
			esac
		done
	) <bslog &
	"$@" bootstrap -v -c cfg.yaml -- bash cmd.bash 2>bslog
	echo "bootstrap: $?"
	wait $!
	# shown by the runner when the case fails
	cat cmd.err bootstrap.log >&2
}

# now_ms: a monotonic-enough clock for durations
now_ms() {
	local s
	s=$(date +%s%N)
	echo $((s / 1000000))
}

# child_of PID: the first child of PID (bootstrap under unshare).  Call
# it once the child is known to be there (its command said so on a FIFO):
# no retry.
child_of() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	c=${c%% *}
	[ -n "$c" ] || fail "no child of $1"
	echo "$c"
}
