# When the command exits, what it left behind is stopped: a background
# process gets SIGTERM at once (stop_timeout is far past the case's time
# limit: a bootstrap that waited for it before SIGTERM fails on that limit),
# and a process that ignores SIGTERM gets SIGKILL after stop_timeout.  A
# grandchild whose parent still lives (not an orphan: found by walking
# /proc) is stopped too.  As a child subreaper; supervise-pid1-leftover.sh
# does it as PID 1.  The command exits once its background processes have
# said, on the FIFO "started", that they are set up: no poll.  The polite
# one is sigwait.py, which cannot miss the SIGTERM.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
CFG_STOP_TIMEOUT=1000 write_config cfg.yaml
CFG_STOP_TIMEOUT=1 write_config cfg1.yaml
mkfifo started
trap 'for f in *.pid; do [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done' EXIT

cat > polite.bash <<'SH'
exec 3<>started
"$NBK_SRC/tests/bootstrap/sigwait.py" started bg.got TERM:exit0 &
echo $! > bg.pid
(sleep 1000 & echo $! > grandchild.pid; echo >&3; wait) &
read -r _ <&3
read -r _ <&3
exit 3
SH
bootstrap -c cfg.yaml -- bash polite.bash 2>err
echo "polite: $?"
[ "$(cat bg.got)" = TERM ] || fail "the background process did not get SIGTERM"
st=$(proc_state "$(cat grandchild.pid)")
[ "$st" = gone ] || fail "the grandchild is still there ($st)"
grep -q "stopping the [0-9]* processes left: SIGTERM" err || fail "no stop line: $(cat err)"

cat > stubborn.bash <<'SH'
exec 3<>started
(trap '' TERM; echo $BASHPID > stubborn.pid; echo >&3; exec sleep 1000) &
read -r _ <&3
exit 0
SH
start=$(now_ms)
bootstrap -c cfg1.yaml -- bash stubborn.bash 2>err
rc=$?
took=$(($(now_ms) - start))
echo "stubborn: $rc"
# a lower bound only: a loaded machine makes it longer, never shorter
[ "$took" -ge 1000 ] || fail "SIGKILL came after $took ms, before stop_timeout (1 s)"
st=$(proc_state "$(cat stubborn.pid)")
[ "$st" = gone ] || fail "the process that ignores SIGTERM is still there ($st)"
grep -q "processes still running 1 s after SIGTERM: SIGKILL" err || fail "no SIGKILL line: $(cat err)"
