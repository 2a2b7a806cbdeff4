# --print-env: every step but hooks and the command; sorted KEY=VALUE with
# secrets as ***; the container's own variables win over the config.
set -u
mkdir conf.d hooks
printf 'touch %s/hook-ran\n' "$PWD" > hooks/10-x.sh
cat > cfg.yaml <<YAML
user: {name: $(id -un), uid: $(id -u), gid: $(id -g), home: $PWD/home}
envs: {pip_index_url: https://pypi.mirror/simple}
integrations:
  env: {TEAM: risk, DB_PASSWORD: hunter2-literal}
hooks: {dirs: [$PWD/hooks], user_dirs: []}
gpu: {mode: "off"}
threads: {mode: "off"}
command: {default: [touch, $PWD/started]}
YAML
env -i PATH="$PATH" TEAM=from-pod BOOTSTRAP_CONFIG_DIR=$PWD/conf.d \
	bootstrap -c cfg.yaml --print-env -vvv > env.out 2> err
echo "exit=$?"
grep -E '^(TEAM|DB_PASSWORD|PIP_INDEX_URL|CONDA_ENVS_DIRS)=' env.out | sed "s|$PWD|.|"
sort -c env.out && echo sorted
test -e hook-ran || echo "no hook"
test -e started || echo "no command"
grep -c hunter2 err env.out || true
