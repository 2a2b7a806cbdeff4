# A hundred orphaned children of the command are adopted by bootstrap and
# reaped: while the command still runs, no zombie is left among
# bootstrap's children.  As a child subreaper here; supervise-pid1-orphans.sh
# does the same as PID 1.  The waits are on events (FIFOs and bootstrap's
# "reaped process" log lines), never on time: see orphans_case in sv-lib.bash.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
orphans_case
