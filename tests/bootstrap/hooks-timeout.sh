# A hook that runs past hooks.timeout is killed with its whole process
# group, a background grandchild included: SIGTERM first, SIGKILL after a
# short grace for one that ignores SIGTERM.  The start goes on with the
# next hook; a timed-out sourced hook hands no environment over.  The
# hooks would run 1000 s: a bootstrap that does not stop them fails on the
# case's time limit, so only a lower bound on the time is checked.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
trap 'for f in *.pid; do [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done' EXIT
cat > d/10-hangs.sh <<'SH'
sleep 1000 &
echo $! > grandchild1.pid
export HUNG=1
sleep 1000
SH
cat > d/20-hangs-hard <<'SH'
#!/bin/bash
trap '' TERM
(trap '' TERM; sleep 1000) &
echo $! > grandchild2.pid
exec sleep 1000
SH
chmod 755 d/20-hangs-hard
printf 'export AFTER=1\n' > d/30-after.sh
CFG_HOOK_DIRS="$PWD/d" CFG_HOOK_TIMEOUT=1 write_config cfg.yaml
start=$(now_ms)
bootstrap -c cfg.yaml -- sh -c 'echo "HUNG=${HUNG-unset} AFTER=$AFTER"' 2>err
echo "bootstrap: $?"
took=$(($(now_ms) - start))
# 1 s, then 1 s plus the 2 s grace before SIGKILL (a lower bound only: a
# loaded machine makes it longer, never shorter)
[ "$took" -ge 4000 ] || fail "took $took ms: a hook was stopped before its time"
for f in grandchild1.pid grandchild2.pid; do
	st=$(proc_state "$(cat $f)")
	case $st in gone | Z) ;; *) fail "the hook's grandchild ($f) survived: $st" ;; esac
done
grep -q "warning: hooks: '$PWD/d/10-hangs.sh' ran past the 1 s timeout: its process group was killed (killed by signal 15" err || fail "$(cat err)"
grep -q "warning: hooks: '$PWD/d/20-hangs-hard' ran past the 1 s timeout: its process group was killed (killed by signal 9" err || fail "$(cat err)"
