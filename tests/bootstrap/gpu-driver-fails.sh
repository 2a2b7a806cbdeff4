# GPU with test drivers that fail: cuInit returns CUDA_ERROR_NO_DEVICE, or
# crashes.  gpu.mode auto: a warning naming the driver and the reason,
# nothing set, the command runs.  gpu.mode required: the start stops.
set -u
mkdir conf.d fail fail/lib64 crash crash/lib64
cp "$NBK_HELPERS/libcuda_fail.so" fail/lib64/libcuda.so.1
cp "$NBK_HELPERS/libcuda_crash.so" crash/lib64/libcuda.so.1
# Debian's valgrind wrapper adds /usr/lib/debug to LD_LIBRARY_PATH (make valgrind)
vg() { if [ "${NBK_VALGRIND:-0}" = 1 ]; then sed -e 's#:/usr/lib/debug##g' -e 's#=/usr/lib/debug\( \|$\)#=unset\1#g'; else cat; fi; }
BS=$(command -v bootstrap)
run() { env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "$@"; }
for mode in auto required; do
	cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: $mode, driver_dirs: [$PWD/fail/lib64, $PWD/crash/lib64]}
threads: {mode: "off"}
YAML
	run "$BS" -c cfg.yaml -- sh -c 'echo "command started: CONDA_OVERRIDE_CUDA=${CONDA_OVERRIDE_CUDA-unset} LD_LIBRARY_PATH=${LD_LIBRARY_PATH-unset}"' 2> err | vg
	echo "$mode: exit=${PIPESTATUS[0]}"
	grep -E '^bootstrap: (warning: |error: )?(gpu:|start aborted)' err | sed "s|$PWD|.|g; s/[0-9.]* ms)/N ms)/g"
done
