# requires-root
# As PID 1 of a new PID namespace: when the command exits, a background
# process gets SIGTERM at once (it records it; stop_timeout is far past the
# case's time limit, so a bootstrap that waited for it fails on that
# limit), and one that ignores SIGTERM gets SIGKILL after stop_timeout.
# (The kernel kills what is left of a namespace when its init ends, so the
# proof is the record, the log and a lower bound on the time.)  The
# command exits once its background process has said, on the FIFO
# "started", that it is set up: no poll.  The polite one is sigwait.py,
# which cannot miss the SIGTERM.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
CFG_STOP_TIMEOUT=1000 write_config cfg.yaml
CFG_STOP_TIMEOUT=1 write_config cfg1.yaml
mkfifo started
cat > polite.bash <<'SH'
exec 3<>started
"$NBK_SRC/tests/bootstrap/sigwait.py" started bg.got TERM:exit0 &
read -r _ <&3
exit 3
SH
unshare --pid --fork --mount-proc bootstrap -c cfg.yaml -- bash polite.bash 2>err
echo "polite: $?"
[ "$(cat bg.got 2>/dev/null)" = TERM ] || fail "the background process did not get SIGTERM"
grep -q "stopping the processes left: SIGTERM" err || fail "no stop line: $(cat err)"
grep -q "the processes left ended" err || fail "no end line: $(cat err)"

cat > stubborn.bash <<'SH'
exec 3<>started
(trap '' TERM; echo $BASHPID > stubborn.pid; echo >&3; exec sleep 1000) &
read -r _ <&3
exit 0
SH
start=$(now_ms)
unshare --pid --fork --mount-proc bootstrap -c cfg1.yaml -- bash stubborn.bash 2>err
rc=$?
took=$(($(now_ms) - start))
echo "stubborn: $rc"
# a lower bound only: a loaded machine makes it longer, never shorter
[ "$took" -ge 1000 ] || fail "bootstrap ended after $took ms, before stop_timeout (1 s)"
grep -q "processes still running 1 s after SIGTERM: SIGKILL" err || fail "no SIGKILL line: $(cat err)"
