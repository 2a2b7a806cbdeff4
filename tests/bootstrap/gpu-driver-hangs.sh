# GPU with a test driver whose cuInit never returns: the probe is killed at
# gpu.probe_timeout (1 s here), the start goes on with a warning and no GPU
# variable, the command runs, and no probe process is left behind.
set -u
mkdir conf.d nvidia nvidia/lib64 nvidia/bin
cp "$NBK_HELPERS/libcuda_hang.so" nvidia/lib64/libcuda.so.1
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: auto, driver_dirs: [$PWD/nvidia/lib64], probe_timeout: 1}
threads: {mode: "off"}
YAML
# Debian's valgrind wrapper adds /usr/lib/debug to LD_LIBRARY_PATH (make valgrind)
vg() { if [ "${NBK_VALGRIND:-0}" = 1 ]; then sed -e 's#:/usr/lib/debug##g' -e 's#=/usr/lib/debug\( \|$\)#=unset\1#g'; else cat; fi; }
BS=$(command -v bootstrap)
run() { env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "$@"; }
start=$(date +%s%N)
run "$BS" -c cfg.yaml -- sh -c 'echo "started CONDA_OVERRIDE_CUDA=${CONDA_OVERRIDE_CUDA-unset} LD_LIBRARY_PATH=${LD_LIBRARY_PATH-unset}"' 2> err | vg
echo "exit=${PIPESTATUS[0]}"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# 1 s of probe, plus the start itself (slower under valgrind)
limit=4000; [ "${NBK_VALGRIND:-0}" = 1 ] && limit=20000
[ "$ms" -ge 1000 ] && [ "$ms" -lt "$limit" ] && echo "returned after the time limit, in time" || echo "took $ms ms"
grep -E '^bootstrap: (warning: |error: )?gpu:' err | sed "s|$PWD|.|g; s/[0-9.]* ms)/N ms)/g"
# the killed probe was reaped: no process still has the test driver mapped
grep -l "$PWD/nvidia/lib64/libcuda.so.1" /proc/[0-9]*/maps 2>/dev/null || echo "no probe left"
