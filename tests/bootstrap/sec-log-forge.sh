# Attack (issue 9): a hook file name that forges log lines.  Whoever can
# name a file in a hooks folder (a ConfigMap key, a user's own
# ~/.config/bootstrap/before-start.d) could end its name with a newline and
# "bootstrap: ..." to add a line that bootstrap never wrote, or hide lines
# with a terminal escape.  Every log call is one line: control characters
# are escaped (\n, \x1b) in text logs as in JSON logs.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
printf 'not a hook\n' > "d/10-x
bootstrap: privileges: now uid 0 gid 0 (forged)"
printf 'not a hook\n' > "d/20-y$(printf '\033')[2J"
CFG_HOOK_DIRS="$PWD/d" write_config cfg.yaml
bootstrap -c cfg.yaml -- true 2>err
echo "exit=$?"
grep -c "(forged)" err
grep "^bootstrap: privileges: now uid 0 gid 0 (forged)" err && fail "a forged line"
grep -q "$(printf '\033')" err && fail "an escape code reached the log"
grep "(forged)" err | sed "s#$PWD#PWD#"
grep -F '\x1b[2J' err | sed "s#$PWD#PWD#"
BOOTSTRAP_LOG_FORMAT=json bootstrap -c cfg.yaml -- true 2>err
echo "json exit=$?"
grep -c "(forged)" err
grep -q "$(printf '\033')" err && fail "an escape code reached the JSON log"
exit 0
