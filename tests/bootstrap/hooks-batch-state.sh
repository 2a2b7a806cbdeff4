# Issue 14: in the shared shell each sourced hook starts from the state a
# shell of its own would have: whatever an earlier hook did to the shell's
# options (set -euxo pipefail, shopt), traps (TERM ignored, ERR), IFS,
# folder, umask, stdin, stdout and stderr is undone after it, and its own
# EXIT trap runs at its end (its exports count).  A hook that reads stdin
# gets its end at once; `local`, `break` and `return N` at a hook's top level
# behave as in a shell of its own; functions that shadow the builtins the
# shell uses (cd, printf, read, trap, ...) do not break it; a hook that
# execs a command loses its changes, and the next hook gets a fresh shell.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
cat > d/10-mess.sh <<'SH'
set -euo pipefail
set -x
shopt -s nullglob extglob
IFS=,
cd /
umask 077
trap '' TERM
trap 'echo ERR' ERR
trap 'echo "exit trap of 10 ran"; export FROM_TRAP=yes' EXIT
cd() { echo hijacked; }
printf() { echo hijacked; }
read() { echo hijacked; }
trap() { echo hijacked; }
eval() { echo hijacked; }
umask() { echo hijacked; }
exec </dev/zero >/dev/null 2>&1
export MESS=1
SH
cat > d/20-state.sh <<'SH'
unset -f cd printf read trap eval umask
stdout=other
[ /proc/self/fd/1 -ef "$START_DIR/err" ] && stdout=ours
{
	echo "flags: $-"
	set -o | grep -E '^(errexit|nounset|xtrace|pipefail) '
	shopt -p nullglob extglob
	echo "IFS: $(printf %q "$IFS")"
	[ "$PWD" = "$START_DIR" ] && echo "folder: kept"
	echo "umask: $(umask)"
	echo "traps: [$(trap -p TERM ERR)]"
	echo "FROM_TRAP: $FROM_TRAP"
	read -r line
	echo "read: $? [$line]"
	echo "stdout: $stdout"
} > state 2>&1
SH
cat > d/30-top-level.sh <<'SH'
local x=1
echo "after local: $?" >> state
break
echo "after break: $?" >> state
return 7
echo "not reached" >> state
SH
printf 'export EXECD=1\nexec sh -c "exit 0"\n' > d/40-exec.sh
printf 'echo "50 ran, EXECD=${EXECD-unset}" >> state\n' > d/50-after.sh
CFG_HOOK_DIRS="$PWD/d" write_config cfg.yaml
export START_DIR=$PWD
umask 0022
bootstrap -vvv -c cfg.yaml -- sh -c 'echo "MESS=$MESS FROM_TRAP=$FROM_TRAP"' 2>err
echo "bootstrap: $?"
cat state
echo "shells started: $(grep -c "debug: hooks: started '.*' (pid [0-9]*) to source hooks$" err)"
grep -q "^exit trap of 10 ran$" err && fail "the EXIT trap wrote to the hook's redirected stdout"
grep -q "warning: hooks: '$PWD/d/30-top-level.sh' failed: exited with status 7" err || fail "$(cat err)"
grep -q "warning: hooks: no environment came back from '$PWD/d/40-exec.sh'" err || fail "$(cat err)"
grep -q "hooks: 5 hooks ran (1 failed), 0 skipped" err || fail "$(cat err)"
