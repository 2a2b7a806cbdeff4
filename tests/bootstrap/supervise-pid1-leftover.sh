# requires-root
# As PID 1 of a new PID namespace: when the command exits, a background
# process gets SIGTERM at once (it records it), and one that ignores SIGTERM
# gets SIGKILL after stop_timeout.  (The kernel kills what is left of a
# namespace when its init ends, so the proof is the record and the timing.)
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
CFG_STOP_TIMEOUT=10 write_config cfg.yaml
CFG_STOP_TIMEOUT=1 write_config cfg1.yaml
cat > polite.bash <<'SH'
(trap 'echo TERM >> bg.got; exit 0' TERM; echo $BASHPID > bg.pid; while :; do sleep 0.05; done) &
while [ ! -s bg.pid ]; do sleep 0.02; done
exit 3
SH
start=$(now_ms)
unshare --pid --fork --mount-proc bootstrap -c cfg.yaml -- bash polite.bash 2>err
rc=$?
took=$(($(now_ms) - start))
echo "polite: $rc"
[ "$took" -lt 5000 ] || fail "took $took ms: SIGTERM was not sent at once"
[ "$(cat bg.got 2>/dev/null)" = TERM ] || fail "the background process did not get SIGTERM"
grep -q "stopping the processes left: SIGTERM" err || fail "no stop line: $(cat err)"
grep -q "the processes left ended" err || fail "no end line: $(cat err)"

cat > stubborn.bash <<'SH'
(trap '' TERM; echo $BASHPID > stubborn.pid; while :; do sleep 0.05; done) &
while [ ! -s stubborn.pid ]; do sleep 0.02; done
exit 0
SH
start=$(now_ms)
unshare --pid --fork --mount-proc bootstrap -c cfg1.yaml -- bash stubborn.bash 2>err
rc=$?
took=$(($(now_ms) - start))
echo "stubborn: $rc"
[ "$took" -ge 1000 ] || fail "bootstrap ended after $took ms, before stop_timeout (1 s)"
[ "$took" -lt 5000 ] || fail "took $took ms"
grep -q "processes still running 1 s after SIGTERM: SIGKILL" err || fail "no SIGKILL line: $(cat err)"
