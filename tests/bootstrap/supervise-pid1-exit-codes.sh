# requires-root
# As PID 1 of a new PID namespace: bootstrap is PID 1 (the command's parent
# is 1), every exit code 0-255 passes through, 128+N for a signal.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
# all 256 codes; under valgrind (every run takes a second) the edges and a sample
exit_codes() {
	if [ "${NBK_VALGRIND:-0}" = 1 ]; then
		echo 0 1 2 63 64 125 126 127 128 129 143 200 254 255
	else
		seq 0 255
	fi
}
write_config cfg.yaml
unshare --pid --fork --mount-proc bootstrap -q -c cfg.yaml -- sh -c 'echo "parent: $PPID"'
for i in $(exit_codes); do
	unshare --pid --fork --mount-proc bootstrap -q -c cfg.yaml -- sh -c "exit $i"
	rc=$?
	[ "$rc" -eq "$i" ] || fail "the command exited with $i, bootstrap as PID 1 with $rc"
done
echo "exit codes 0-255 passed through"
unshare --pid --fork --mount-proc bootstrap -q -c cfg.yaml -- sh -c 'kill -KILL $$'
echo "SIGKILL: $?"
unshare --pid --fork --mount-proc bootstrap -c cfg.yaml -- sh -c 'exit 9' 2>err
echo "exit 9: $?"
grep -q "started 'sh' (pid 2) as PID 1" err || fail "no 'PID 1' line: $(cat err)"
