# Hooks in docker-stacks' order and semantics: folders in the listed order,
# entries by name; sourced *.sh files share their exports, changes and
# unsets with later hooks and the command; a hook that changes directory
# changes nothing for the others; an executable's exports stay its own; a
# file neither executable nor *.sh is skipped with a log line; a missing
# folder is fine; hook output goes to stderr (stdout is the command's); the
# user folders ("~/...") run after the others.  A secret-looking variable
# set by a hook is masked in every log line, at the highest verbosity.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d1 d2 home/.hooks d1/50-folder.sh
cat > d1/10-first.sh <<'SH'
export ORDER=first
unset GONE
cd /
echo "hook 10 writes to stdout"
SH
cat > d1/2-second.sh <<'SH'
export ORDER="$ORDER,second" MULTI='line 1
line 2' API_TOKEN=zz-hook-secret-zz
SH
printf '#!/bin/sh\nexport LOST=1\necho "exec hook sees ORDER=$ORDER"\n' > d1/30-exec
chmod 755 d1/30-exec
echo "notes, not a hook" > d1/40-notes.txt
printf 'export ORDER="$ORDER,third"\n' > d2/10-third.sh
printf 'export ORDER="$ORDER,user"\n' > home/.hooks/10-user.sh
CFG_HOOK_DIRS="$PWD/d1, $PWD/missing, $PWD/d2" CFG_USER_HOOK_DIRS='"~/.hooks"' write_config cfg.yaml
export GONE=here START_DIR=$PWD
bootstrap -vvv -c cfg.yaml -- bash -c 'printf "ORDER=%s\nGONE=%s\nLOST=%s\nMULTI=%s\n" "$ORDER" "${GONE-unset}" "${LOST-unset}" "$MULTI"; [ "$PWD" = "$START_DIR" ] && echo "cwd kept"' 2>err
echo "bootstrap: $?"
grep -q "^hook 10 writes to stdout$" err || fail "hook stdout is not on stderr"
grep -q "^exec hook sees ORDER=first,second$" err || fail "the executable hook ran out of order"
grep -q "hooks: skipping '$PWD/d1/40-notes.txt': not executable and not a \*.sh file" err || fail "no skip line"
grep -q "hooks: skipping '$PWD/d1/50-folder.sh': not a regular file" err || fail "no skip line for a folder"
grep -q "hooks: no hooks folder '$PWD/missing'" err || fail "no line for the missing folder"
grep -q "hooks: sourced '$PWD/d1/10-first.sh' in [0-9]* ms" err || fail "no line per hook"
grep -q "hooks: 4 hooks ran (0 failed), 2 skipped" err || fail "no summary line"
grep -q "user-hooks: sourced '$PWD/home/.hooks/10-user.sh'" err || fail "the user hook did not run"
grep -q "zz-hook-secret-zz" err && fail "the secret reached the log"
# The logger masks the value wherever it appears, e.g. in the command name.
bootstrap -vvv -c cfg.yaml -- zz-hook-secret-zz-cmd 2>err
echo "secret command: $?"
grep -q "cannot run '\*\*\*-cmd': not found in PATH" err || fail "no masked line: $(cat err)"
grep -q "zz-hook-secret-zz" err && fail "the secret reached the log"
exit 0
