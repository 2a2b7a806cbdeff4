# requires-root
# docker stop during a slow hook, with bootstrap as PID 1 (where the kernel
# drops default-disposition signals): the hook's process group gets the
# signal at once, the hooks after it do not run, the server is not started,
# and bootstrap ends with 143 long before the hook's own end or timeout.
set -u
mkdir -p conf.d hooks
printf 'sleep 60\n' > hooks/10-slow.sh
printf 'touch %s/second-hook-ran\n' "$PWD" > hooks/20-next.sh
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
start=$(date +%s)
kill -TERM "$pid1"
wait $!
echo "exit=$?"
[ $(( $(date +%s) - start )) -lt 10 ] && echo "ended within 10 s"
test -e second-hook-ran && echo "SECOND HOOK RAN" || echo "later hooks not run"
test -e started && echo "STARTED" || echo "not started"
grep -c "received Terminated" err
