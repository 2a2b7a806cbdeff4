# Issue 14: the sourced hooks of a phase share one shell, across an
# executable hook and across folders (one "started" line for the phase).
# Each hook sees exactly what the earlier ones exported, changed, unset or
# un-exported, whatever a value holds (newlines, quotes, $, backslashes,
# control characters, UTF-8 and bytes that are not, '='); the executable
# hook gets the environment so far; each hook's $0 is its own path and it
# has no positional parameters.  A variable un-exported by a hook is gone
# from the environment, but later hooks of the same shell still see it as
# a shell variable (the documented limit: as in run-hooks.sh's one shell).
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d1 d2
cat > d1/10-set.sh <<'SH'
export A=1 CHANGED=old GONE=x HIDDEN=h
export TRICKY=$'line 1\nq"uo$te`b\\ack\t\x01\x1b[0m caf\xc3\xa9 \xff\xfe a=b \'s'
printf '%s' "$TRICKY" > tricky.hook
echo "10: 0=${0##*/} args=$#" >> seen
SH
cat > d1/20-change.sh <<'SH'
echo "20: 0=${0##*/} args=$# A=$A CHANGED=$CHANGED GONE=$GONE" >> seen
[ "$TRICKY" = "$(cat tricky.hook)" ] && echo "20: TRICKY intact" >> seen
export CHANGED=new NEW="$A+1"
unset GONE
export -n HIDDEN
SH
printf '#!/bin/sh\necho "30 (executable): CHANGED=$CHANGED GONE=${GONE-unset} HIDDEN=${HIDDEN-unset} NEW=$NEW" >> seen\n' > d1/30-exec
chmod 755 d1/30-exec
cat > d2/10-other-folder.sh <<'SH'
echo "d2: 0=${0##*/} CHANGED=$CHANGED GONE=${GONE-unset} HIDDEN=${HIDDEN-unset}" >> seen
export LAST="$CHANGED,$NEW"
SH
CFG_HOOK_DIRS="$PWD/d1, $PWD/d2" write_config cfg.yaml
bootstrap -vvv -c cfg.yaml -- bash -c 'printf "%s" "$TRICKY" > tricky.cmd
	for v in A CHANGED GONE HIDDEN NEW LAST; do echo "$v=${!v-unset}"; done' 2>err
echo "bootstrap: $?"
cat seen
cmp tricky.hook tricky.cmd && echo "TRICKY reached the command intact"
echo "shells started: $(grep -c "debug: hooks: started '.*' (pid [0-9]*) to source hooks$" err)"
grep -q "hooks: 4 hooks ran (0 failed), 0 skipped" err || fail "$(cat err)"
grep -q "debug: hooks: '$PWD/d1/20-change.sh': set CHANGED NEW; unset GONE HIDDEN" err || fail "$(cat err)"
