# Issue 14: the shared shell killed between two sourced hooks (here by an
# executable hook; the OOM killer could do it too) is no failure of the
# hook handed to it next: that hook had not started (the shell writes a
# byte as it takes each hook), so a fresh shell runs it, from the exports
# so far.  Whether the shell is gone before bootstrap hands the hook over,
# or dies with the SIGKILL in flight as the hook comes in, the result is
# the same.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
printf 'export A=1\necho $$ > shell.pid\n' > d/10-a.sh
printf '#!/bin/sh\nkill -KILL "$(cat shell.pid)"\n' > d/20-kill
chmod 755 d/20-kill
printf 'export B="$A+1"\n' > d/30-b.sh
CFG_HOOK_DIRS="$PWD/d" write_config cfg.yaml
bootstrap -vvv -c cfg.yaml -- sh -c 'echo "A=$A B=$B"' 2>err
echo "bootstrap: $?"
echo "shells started: $(grep -c "debug: hooks: started '.*' (pid [0-9]*) to source hooks$" err)"
grep -q "hooks: 3 hooks ran (0 failed), 0 skipped" err || fail "$(cat err)"
