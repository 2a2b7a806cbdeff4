# Issue 14: a sourced hook that calls `exit 3` in the middle of a shared
# shell, or fails under `set -e`, fails with that status; its exports
# before the exit count, none after; the hooks after it run in a fresh
# shell that starts from everything exported so far.  With on_error:
# abort the start stops at the exiting hook.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
printf 'export A=1\n' > d/10-a.sh
printf 'export BEFORE_EXIT=1\nexit 3\nexport AFTER_EXIT=1\n' > d/20-exits.sh
printf 'set -e\nexport SETE=1\nfalse\nexport SETE_AFTER=1\n' > d/30-set-e.sh
printf 'echo "40 sees A=$A BEFORE_EXIT=$BEFORE_EXIT SETE=$SETE" >> seen\nexport LAST=1\n' > d/40-sees.sh
CFG_HOOK_DIRS="$PWD/d" write_config continue.yaml
CFG_HOOK_DIRS="$PWD/d" CFG_ON_ERROR=abort write_config abort.yaml
bootstrap -vvv -c continue.yaml -- bash -c \
	'for v in A BEFORE_EXIT AFTER_EXIT SETE SETE_AFTER LAST; do echo "$v=${!v-unset}"; done' 2>err
echo "continue: $?"
cat seen
echo "shells started: $(grep -c "debug: hooks: started '.*' (pid [0-9]*) to source hooks$" err)"
grep -q "warning: hooks: '$PWD/d/20-exits.sh' failed: exited with status 3 after [0-9]* ms" err || fail "$(cat err)"
grep -q "warning: hooks: '$PWD/d/30-set-e.sh' failed: exited with status 1 after [0-9]* ms" err || fail "$(cat err)"
grep -q "hooks: 4 hooks ran (2 failed), 0 skipped" err || fail "$(cat err)"
rm -f seen
bootstrap -c abort.yaml -- sh -c 'touch ran' 2>err
echo "abort: $?"
[ -e ran ] && fail "the command ran after an aborting hook"
[ -e seen ] && fail "a hook ran after the abort"
grep -q "error: hooks: hook '$PWD/d/20-exits.sh' failed and hooks.on_error is abort" err || fail "$(cat err)"
exit 0
