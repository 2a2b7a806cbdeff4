# A hook that fails is logged and the start goes on (on_error: continue);
# with on_error: abort the start stops with a non-zero exit before the
# command, naming the hook.  A sourced hook that calls `exit N` fails with
# N, and its exports before the exit still count (as they would have in
# run-hooks.sh's one shell).
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
printf 'export BEFORE_FAIL=1\nfalse\n' > d/10-fails.sh
printf 'export VIA_EXIT=1\nexit 4\n' > d/15-exits.sh
printf '#!/bin/sh\nexit 3\n' > d/20-exec-fails
chmod 755 d/20-exec-fails
printf 'export OK=1\n' > d/30-ok.sh
CFG_HOOK_DIRS="$PWD/d" write_config continue.yaml
CFG_HOOK_DIRS="$PWD/d" CFG_ON_ERROR=abort write_config abort.yaml
bootstrap -c continue.yaml -- sh -c 'echo "BEFORE_FAIL=$BEFORE_FAIL VIA_EXIT=$VIA_EXIT OK=$OK"; touch ran' 2>err
echo "continue: $?"
grep -q "warning: hooks: '$PWD/d/10-fails.sh' failed: exited with status 1 after [0-9]* ms" err || fail "$(cat err)"
grep -q "warning: hooks: '$PWD/d/15-exits.sh' failed: exited with status 4" err || fail "$(cat err)"
grep -q "warning: hooks: '$PWD/d/20-exec-fails' failed: exited with status 3" err || fail "$(cat err)"
grep -q "hooks: 4 hooks ran (3 failed), 0 skipped" err || fail "$(cat err)"
[ -e ran ] || fail "the command did not run"
rm -f ran
bootstrap -c abort.yaml -- sh -c 'touch ran' 2>err
echo "abort: $?"
[ -e ran ] && fail "the command ran after an aborting hook"
grep -q "error: hooks: hook '$PWD/d/10-fails.sh' failed and hooks.on_error is abort" err || fail "$(cat err)"
grep -q "sourced '$PWD/d/30-ok.sh'" err && fail "a hook ran after the abort"
exit 0
