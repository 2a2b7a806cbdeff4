# gpu.mode: required on a node without a driver: one clear line naming the
# folders searched, a non-zero exit, the command never started, and
# --print-env fails the same way.  gpu.mode: off never looks.
set -u
mkdir conf.d
BS=$(command -v bootstrap)
run() { env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "$@"; }
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: required, driver_dirs: [$PWD/nvidia/lib64, $PWD/nvidia/lib]}
threads: {mode: "off"}
YAML
run "$BS" -c cfg.yaml -- touch started 2> err
echo "exit=$?"
sed "s|$PWD|.|g" err | grep -v -E '^bootstrap: (config|home|envroots|integrations):'
test -e started && echo "command started" || echo "command not started"
run "$BS" -c cfg.yaml --print-env > env.out 2> /dev/null
echo "print-env exit=$?"
sed -i 's/mode: required/mode: "off"/' cfg.yaml
mkdir -p nvidia/lib64
cp "$NBK_HELPERS/libcuda_ok.so" nvidia/lib64/libcuda.so.1
run "$BS" -c cfg.yaml --print-env > env.out 2> err
echo "off: exit=$?"
grep -c CONDA_OVERRIDE_CUDA env.out
grep -E '^bootstrap: (warning: |error: )?gpu:' err | sed 's/[0-9.]* ms/N ms/'
