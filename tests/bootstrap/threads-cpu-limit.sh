# Threads from CPU_LIMIT (KubeSpawner's variable, may be fractional): 0.5
# gives 1; a value the user set (OMP_NUM_THREADS) is kept; a malformed
# CPU_LIMIT is ignored with a warning; threads.mode: off sets nothing.
set -u
mkdir conf.d
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
YAML
BS=$(command -v bootstrap)
run() { env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "$@"; }
show='echo OMP=$OMP_NUM_THREADS MKL=$MKL_NUM_THREADS OPENBLAS=$OPENBLAS_NUM_THREADS BLIS=$BLIS_NUM_THREADS NUMEXPR=$NUMEXPR_NUM_THREADS NUMBA=$NUMBA_NUM_THREADS VECLIB=$VECLIB_MAXIMUM_THREADS LOKY=$LOKY_MAX_CPU_COUNT'
run CPU_LIMIT=0.5 "$BS" -c cfg.yaml -- sh -c "$show" 2> err
echo "exit=$?"
grep -o 'threads: 1 CPU (.*CPU_LIMIT: 1)' err | sed 's/affinity: [0-9]*/affinity: N/; s/quota: [0-9a-z]*/quota: Q/'
run CPU_LIMIT=0.5 OMP_NUM_THREADS=7 "$BS" -c cfg.yaml -- sh -c "$show" 2> err
grep -o 'kept from the environment: .*(' err
run CPU_LIMIT=lots "$BS" -c cfg.yaml -- sh -c 'test "$OMP_NUM_THREADS" -ge 1 && echo "OMP=at least 1"' 2> err
grep "warning: threads" err
sed -i 's/gpu: {mode: "off"}/gpu: {mode: "off"}\nthreads: {mode: "off"}/' cfg.yaml
run CPU_LIMIT=0.5 "$BS" -c cfg.yaml -- sh -c 'echo "off: OMP=${OMP_NUM_THREADS-unset} LOKY=${LOKY_MAX_CPU_COUNT-unset}"' 2> err
grep -E '^bootstrap: threads:' err | sed 's/[0-9.]* ms)/N ms)/'
