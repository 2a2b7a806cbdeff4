# A command that does not exist gives 127, one that cannot be executed 126,
# each with one clear line.  The command is searched in the PATH of the
# command's environment (as set by a hook), not in bootstrap's own.  A
# script without "#!" runs with sh, as execvp() would run it.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p hooks hookbin
CFG_HOOK_DIRS="$PWD/hooks" write_config cfg.yaml
write_config plain.yaml

bootstrap -c plain.yaml -- no-such-command-nbk 2>err
echo "not in PATH: $?"
grep -q "cannot run 'no-such-command-nbk': not found in PATH" err || fail "$(cat err)"

bootstrap -c plain.yaml -- "$PWD/missing/cmd" 2>err
echo "missing path: $?"
grep -q "cannot run '$PWD/missing/cmd': No such file or directory" err || fail "$(cat err)"

printf 'echo should not run\n' > notexec
chmod 644 notexec
bootstrap -c plain.yaml -- ./notexec 2>err
echo "not executable: $?"
grep -q "cannot run './notexec': Permission denied" err || fail "$(cat err)"

bootstrap -c plain.yaml -- "$PWD" 2>err
echo "a folder: $?"
grep -q "cannot run '$PWD': Permission denied" err || fail "$(cat err)"

printf 'echo "no shebang ran with $#"\nexit 5\n' > noshebang
chmod 755 noshebang
bootstrap -q -c plain.yaml -- ./noshebang a b
echo "no shebang: $?"

printf '#!/bin/sh\necho "found through the hook PATH"\n' > hookbin/nbk-hook-cmd
chmod 755 hookbin/nbk-hook-cmd
printf 'export PATH="%s/hookbin:$PATH"\n' "$PWD" > hooks/10-path.sh
bootstrap -q -c cfg.yaml -- nbk-hook-cmd
echo "hook PATH: $?"
