# As a child subreaper: HUP, INT, QUIT, USR1, USR2 and WINCH sent to
# bootstrap reach the command; SIGTERM reaches it too and, when it dies of
# it, bootstrap exits with 143; a command that handles SIGTERM and exits 0
# (Jupyter does) was stopped all the same: 143; one that handles SIGHUP
# (a reload) and exits 0 by itself: 0.
# No time: the command (sigwait.py, which cannot miss a signal) says it is
# ready on the FIFO "ready", and names each signal it takes on the FIFO
# "got", which the case reads before it sends the next (held open
# read-write here, so the command's opens never block).
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
write_config cfg.yaml
mkfifo ready got
exec 3<>got
SIGWAIT=$NBK_SRC/tests/bootstrap/sigwait.py
bootstrap -q -c cfg.yaml -- "$SIGWAIT" ready got HUP INT QUIT USR1 USR2 WINCH TERM:die &
bs=$!
read -r _ <ready
: >got.log
for s in HUP INT QUIT USR1 USR2 WINCH TERM; do
	kill -s "$s" "$bs" || fail "cannot signal bootstrap"
	read -r line <&3
	echo "$line" >>got.log
done
wait "$bs"
echo "bootstrap: $?"
cat got.log
# Plain `sleep`, killed by the forwarded SIGTERM: 143.
bootstrap -q -c cfg.yaml -- sh -c 'echo $$ > ready; exec sleep 1000' &
bs=$!
read -r _ <ready
kill -TERM "$bs"
wait "$bs"
echo "sleep: $?"
# A server that handles SIGTERM and exits 0: still 143 (docker stop).
bootstrap -q -c cfg.yaml -- "$SIGWAIT" ready got TERM:exit0 &
bs=$!
read -r _ <ready
kill -TERM "$bs"
wait "$bs"
echo "clean exit after TERM: $?"
read -r _ <&3
# A HUP (reload) handled, then an end of its own: 0.
bootstrap -q -c cfg.yaml -- "$SIGWAIT" ready got HUP:exit0 &
bs=$!
read -r _ <ready
kill -HUP "$bs"
wait "$bs"
echo "exit after HUP: $?"
read -r _ <&3
