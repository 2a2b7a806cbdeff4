# As a child subreaper: HUP, INT, QUIT, USR1, USR2 and WINCH sent to
# bootstrap reach the command; SIGTERM reaches it too and, when it dies of
# it, bootstrap exits with 143.
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
