# requires-root
# As PID 1 of a new PID namespace (signals to a namespace's init with no
# handler are dropped by the kernel: bootstrap must still take them):
# SIGTERM and SIGUSR1 sent to bootstrap reach the command; 143 at the end.
# No time: the command (sigwait.py, which cannot miss a signal) says it is
# ready on the FIFO "ready" (bootstrap, unshare's child, is there then),
# and names each signal it takes on "got".
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
write_config cfg.yaml
mkfifo ready got
exec 3<>got
unshare --pid --fork --mount-proc bootstrap -q -c cfg.yaml -- \
	"$NBK_SRC/tests/bootstrap/sigwait.py" ready got USR1 TERM:die &
us=$!
read -r _ <ready
bs=$(child_of "$us") || exit 1
kill -USR1 "$bs"
read -r line <&3
echo "$line" >got.log
kill -TERM "$bs"
read -r line <&3
echo "$line" >>got.log
wait "$us"
echo "bootstrap: $?"
cat got.log
