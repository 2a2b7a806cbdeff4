# When the command exits, what it left behind is stopped: a background
# process gets SIGTERM at once (long before stop_timeout), and a process
# that ignores SIGTERM gets SIGKILL after stop_timeout.  A grandchild whose
# parent still lives (not an orphan: found by walking /proc) is stopped too.
# As a child subreaper; supervise-pid1-leftover.sh does it as PID 1.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
CFG_STOP_TIMEOUT=10 write_config cfg.yaml
CFG_STOP_TIMEOUT=1 write_config cfg1.yaml
trap 'for f in *.pid; do [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done' EXIT

cat > polite.bash <<'SH'
(trap 'echo TERM >> bg.got; exit 0' TERM; echo $BASHPID > bg.pid; while :; do sleep 0.05; done) &
(sleep 1000 & echo $! > grandchild.pid; wait) &
wait_for() { while [ ! -s "$1" ]; do sleep 0.02; done; }
wait_for bg.pid; wait_for grandchild.pid
exit 3
SH
start=$(now_ms)
bootstrap -c cfg.yaml -- bash polite.bash 2>err
rc=$?
took=$(($(now_ms) - start))
echo "polite: $rc"
[ "$took" -lt 5000 ] || fail "took $took ms: SIGTERM was not sent at once"
[ "$(cat bg.got)" = TERM ] || fail "the background process did not get SIGTERM"
st=$(proc_state "$(cat grandchild.pid)")
[ "$st" = gone ] || fail "the grandchild is still there ($st)"
grep -q "stopping the [0-9]* processes left: SIGTERM" err || fail "no stop line: $(cat err)"

cat > stubborn.bash <<'SH'
(trap '' TERM; echo $BASHPID > stubborn.pid; while :; do sleep 0.05; done) &
while [ ! -s stubborn.pid ]; do sleep 0.02; done
exit 0
SH
start=$(now_ms)
bootstrap -c cfg1.yaml -- bash stubborn.bash 2>err
rc=$?
took=$(($(now_ms) - start))
echo "stubborn: $rc"
[ "$took" -ge 1000 ] || fail "SIGKILL came after $took ms, before stop_timeout (1 s)"
[ "$took" -lt 5000 ] || fail "took $took ms"
st=$(proc_state "$(cat stubborn.pid)")
[ "$st" = gone ] || fail "the process that ignores SIGTERM is still there ($st)"
grep -q "processes still running 1 s after SIGTERM: SIGKILL" err || fail "no SIGKILL line: $(cat err)"
