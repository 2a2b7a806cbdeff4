# requires-root
# docker stop during a slow hook, with bootstrap as PID 1 (where the kernel
# drops default-disposition signals): the hook's process group gets the
# signal at once, the hooks after it do not run, the server is not started,
# and bootstrap ends with 143 long before the hook's own end or timeout.
# No sleep, no time window: the hook says it started on a FIFO, and it would
# outlive the runner's time limit (as would its 900 s timeout), so a
# bootstrap that waited for it fails the case on that limit.
set -u
mkdir -p conf.d hooks
mkfifo hook-started
printf 'echo started > %s/hook-started\nsleep 1000\n' "$PWD" > hooks/10-slow.sh
printf 'touch %s/second-hook-ran\n' "$PWD" > hooks/20-next.sh
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}
hooks: {dirs: [$PWD/hooks], user_dirs: [], timeout: 900}
gpu: {mode: "off"}
YAML
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d unshare --pid --fork --mount-proc \
	bootstrap -c cfg.yaml -- touch "$PWD/started" 2>err &
ns=$!
read -r _ < hook-started
# the namespace's PID 1 is bootstrap, unshare's child: signal it from outside
read -r pid1 _ < "/proc/$ns/task/$ns/children"
kill -TERM "$pid1"
wait $ns
echo "exit=$?"
test -e second-hook-ran && echo "SECOND HOOK RAN" || echo "later hooks not run"
test -e started && echo "STARTED" || echo "not started"
grep -c "received Terminated" err
