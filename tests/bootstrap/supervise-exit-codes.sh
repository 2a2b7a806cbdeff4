# As a child subreaper (not PID 1): every exit code 0-255 of the command is
# bootstrap's, a command killed by signal N gives 128+N, and bootstrap says
# what it was ("as a child subreaper").
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
for i in $(exit_codes); do
	bootstrap -q -c cfg.yaml -- sh -c "exit $i"
	rc=$?
	[ "$rc" -eq "$i" ] || fail "the command exited with $i, bootstrap with $rc"
done
echo "exit codes 0-255 passed through"
bootstrap -q -c cfg.yaml -- sh -c 'kill -KILL $$'
echo "SIGKILL: $?"
bootstrap -q -c cfg.yaml -- sh -c 'kill -USR1 $$'
echo "SIGUSR1: $?"
bootstrap -c cfg.yaml -- sh -c 'exit 7' 2>err
echo "exit 7: $?"
grep -q "started 'sh' (pid [0-9]*) as a child subreaper" err || fail "no 'child subreaper' line: $(cat err)"
grep -q "'sh' exited with status 7: exit code 7" err || fail "no exit line: $(cat err)"
