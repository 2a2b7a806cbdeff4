# requires-root
# docker stop during a slow hook, with bootstrap as PID 1 (where the kernel
# drops default-disposition signals): bootstrap must not start the server;
# it ends with 143 once the hook is done.
set -u
mkdir -p conf.d hooks
printf 'sleep 2\n' > hooks/10-slow.sh
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}
hooks: {dirs: [$PWD/hooks], user_dirs: []}
gpu: {mode: "off"}
YAML
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d unshare --pid --fork --mount-proc \
	bootstrap -c cfg.yaml -- touch "$PWD/started" 2>err &
sleep 0.7
# the namespace's PID 1 is bootstrap: signal it from outside
pid1=$(pgrep -f -n "bootstrap -c cfg.yaml" | head -1)
kill -TERM "$pid1"
wait $!
echo "exit=$?"
test -e started && echo "STARTED" || echo "not started"
grep -c "received Terminated during the start" err
