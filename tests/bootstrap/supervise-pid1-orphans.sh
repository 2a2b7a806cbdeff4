# requires-root
# A hundred orphaned children of the command are adopted by bootstrap and
# reaped: while the command still runs, no zombie is left among
# bootstrap's children.  As PID 1 of a new PID namespace here; supervise-orphans.sh
# does the same as a child subreaper.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
write_config cfg.yaml
cat > cmd.bash <<'SH'
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
bs=$PPID
for i in $(seq 100); do (sleep 1 &); done
# Each subshell has exited: its sleep is an orphan, now bootstrap's child
# (the "- 1" is this command itself).
echo "adopted: $(($(count_children "$bs") - 1))"
sleep 1.5
echo "zombies left: $(count_children "$bs" Z)"
echo "children left: $(($(count_children "$bs") - 1))"
SH
unshare --pid --fork --mount-proc bootstrap -q -c cfg.yaml -- bash cmd.bash
echo "bootstrap: $?"
