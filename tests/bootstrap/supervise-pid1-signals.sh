# requires-root
# As PID 1 of a new PID namespace (signals to a namespace's init with no
# handler are dropped by the kernel: bootstrap must still take them):
# SIGTERM and SIGUSR1 sent to bootstrap reach the command; 143 at the end.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
write_config cfg.yaml
cat > cmd.bash <<'SH'
trap 'echo USR1 >> got' USR1
trap 'echo TERM >> got; trap - TERM; kill -TERM $$' TERM
echo $$ > ready
while :; do sleep 0.05; done
SH
unshare --pid --fork --mount-proc bootstrap -q -c cfg.yaml -- bash cmd.bash &
us=$!
wait_for_file ready
bs=$(child_of "$us")
kill -USR1 "$bs"
wait_for_file got
kill -TERM "$bs"
wait "$us"
echo "bootstrap: $?"
cat got
