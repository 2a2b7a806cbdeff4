# As a child subreaper: HUP, INT, QUIT, USR1, USR2 and WINCH sent to
# bootstrap reach the command; SIGTERM reaches it too and, when it dies of
# it, bootstrap exits with 143; a command that handles SIGTERM and exits 0
# (Jupyter does) was stopped all the same: 143; one that handles SIGHUP
# (a reload) and later exits 0 by itself: 0.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
write_config cfg.yaml
cat > cmd.bash <<'SH'
for s in HUP INT QUIT USR1 USR2 WINCH; do trap "echo $s >> got" $s; done
trap 'echo TERM >> got; trap - TERM; kill -TERM $$' TERM
echo $$ > ready
while :; do sleep 0.05; done
SH
bootstrap -q -c cfg.yaml -- bash cmd.bash &
bs=$!
wait_for_file ready
n=0
for s in HUP INT QUIT USR1 USR2 WINCH TERM; do
	kill -s "$s" "$bs" || fail "cannot signal bootstrap"
	n=$((n + 1))
	t=100
	while [ "$(wc -l 2>/dev/null <got || echo 0)" -lt "$n" ]; do
		t=$((t - 1))
		[ "$t" -gt 0 ] || fail "the command did not get SIG$s"
		sleep 0.05
	done
done
wait "$bs"
echo "bootstrap: $?"
cat got
# Plain `sleep`, killed by the forwarded SIGTERM: 143.
rm -f ready
bootstrap -q -c cfg.yaml -- sh -c 'echo $$ > ready; exec sleep 100' &
bs=$!
wait_for_file ready
kill -TERM "$bs"
wait "$bs"
echo "sleep: $?"
# A server that handles SIGTERM and exits 0: still 143 (docker stop).
rm -f ready
bootstrap -q -c cfg.yaml -- bash -c 'trap "exit 0" TERM; echo $$ > ready; while :; do sleep 0.05; done' &
bs=$!
wait_for_file ready
kill -TERM "$bs"
wait "$bs"
echo "clean exit after TERM: $?"
# A HUP (reload) then a normal end: 0.
rm -f ready
bootstrap -q -c cfg.yaml -- bash -c 'trap "touch reloaded" HUP; echo $$ > ready; while [ ! -e reloaded ]; do sleep 0.05; done; exit 0' &
bs=$!
wait_for_file ready
kill -HUP "$bs"
wait "$bs"
echo "exit after HUP: $?"
