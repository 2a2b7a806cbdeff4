# GPU with a test driver that answers (tests/helpers/libcuda_ok.c, a real
# shared library with the driver's ABI): CONDA_OVERRIDE_CUDA from
# cuDriverGetVersion, the driver folder first on LD_LIBRARY_PATH, its bin/
# last on PATH; a folder without the driver is skipped; the pod's
# CONDA_OVERRIDE_CUDA wins.
set -u
mkdir conf.d empty nvidia nvidia/lib64 nvidia/bin
cp "$NBK_HELPERS/libcuda_ok.so" nvidia/lib64/libcuda.so.1
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: auto, driver_dirs: [$PWD/empty, $PWD/nvidia/lib64]}
threads: {mode: "off"}
YAML
# a known environment: bootstrap by its full path, PATH=/usr/bin:/bin
# Debian's valgrind wrapper adds /usr/lib/debug to LD_LIBRARY_PATH (make valgrind)
vg() { if [ "${NBK_VALGRIND:-0}" = 1 ]; then sed -e 's#:/usr/lib/debug##g' -e 's#=/usr/lib/debug\( \|$\)#=unset\1#g'; else cat; fi; }
BS=$(command -v bootstrap)
run() { env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "$@"; }
run "$BS" -c cfg.yaml --print-env > env.out 2> err
echo "exit=$?"
grep -E '^(CONDA_OVERRIDE_CUDA|LD_LIBRARY_PATH|PATH)=' env.out | sed "s|$PWD|.|g" | vg
grep -E '^bootstrap: (warning: |error: )?gpu:' err | sed "s|$PWD|.|g; s/[0-9.]* ms/N ms/g"
# the command itself gets them, an existing LD_LIBRARY_PATH is kept behind
run LD_LIBRARY_PATH=/opt/lib "$BS" -q -c cfg.yaml -- \
	sh -c 'echo "$CONDA_OVERRIDE_CUDA $LD_LIBRARY_PATH $PATH"' | sed "s|$PWD|.|g" | vg
# another version, and the pod's own value
run NBK_FAKE_CUDA_VERSION=11080 "$BS" -q -c cfg.yaml -- sh -c 'echo "$CONDA_OVERRIDE_CUDA"'
run CONDA_OVERRIDE_CUDA=12.1 "$BS" -q -c cfg.yaml -- sh -c 'echo "$CONDA_OVERRIDE_CUDA"'
