# Issue 14: hooks that leave daemons behind, holding stdout, stderr and
# every descriptor of the shared shell, do not keep the start waiting:
# bootstrap reads the shell's records, never waits for an end of file.
# The daemons run 1000 s, so a bootstrap that waited for one fails on the
# case's time limit; no time window is involved.  A hook that leaves a job
# (`$!`) ends its shell, so a later hook's `wait` does not wait for that
# daemon; `(daemon &)` leaves no job and the shell goes on.  The daemons are
# still running when the command starts.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
trap 'for f in *.pid; do [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null; done' EXIT
printf 'export A=1\nsleep 1000 &\necho $! > d1.pid\n' > d/10-job.sh
printf 'export B=1\n(sleep 1000 & echo $! > d2.pid)\n' > d/20-subshell.sh
printf 'wait\nexport C=1\n' > d/30-wait.sh
printf 'export D=1\nnohup sleep 1000 >/dev/null 2>&1 &\necho $! > d3.pid\n' > d/40-nohup.sh
printf 'export E=1\n' > d/50-after.sh
CFG_HOOK_DIRS="$PWD/d" write_config cfg.yaml
bootstrap -vvv -c cfg.yaml -- bash -c 'echo "A=$A B=$B C=$C D=$D E=$E"
	for f in d1 d2 d3; do kill -0 "$(cat $f.pid)" && echo "$f lives"; done' 2>err
echo "bootstrap: $?"
echo "shells started: $(grep -c "debug: hooks: started '.*' (pid [0-9]*) to source hooks$" err)"
grep -q "hooks: 5 hooks ran (0 failed), 0 skipped" err || fail "$(cat err)"
