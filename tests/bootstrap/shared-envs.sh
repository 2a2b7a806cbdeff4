# requires-root
# Shared team environments (issue 12): a group's administrators build an
# environment once in a folder the users may read but not write (a
# ReadOnlyMany volume); envs.shared_dirs puts it in CONDA_ENVS_DIRS and the
# managed .condarc after the user's own, and bootstrap registers a kernel
# for it ("Python (ml, team risk)", written by envtool into
# /run/nbkit/jupyter, first in JUPYTER_PATH; nothing in the home).  As the
# user: env list shows it, an install into it is refused with the line
# that says how to get a copy, and `create --clone` makes that copy, a
# working environment of the user's.  A relative shared folder is refused.
# Private passwd/group and a private /run (sec-identity-lib.bash + tmpfs).
. "$NBK_SRC/tests/bootstrap/sec-identity-lib.bash"
mount -t tmpfs tmpfs /run || { echo "cannot mount a private /run"; exit 9; }
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
make_real_channel
# the administrators' environment, made as root in the team's folder
envtool create -p "$PWD/teams/risk/envs/ml" python ipykernel zlib -c "$CHAN" -q -y --no-kernel
chmod -R go-w "$PWD/teams"
chmod 755 "$PWD" "$PWD/chan"
cat > cfg.yaml <<YAML
user: {name: nbshare, uid: 4244, gid: 4244, home: $PWD/userhome}
home: {skeleton: "", directories: []}
envs: {shared_dirs: ["$PWD/teams/*/envs", "/nonexistent/*/envs"]}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
threads: {mode: "off"}
YAML
export JUPYTER_PLATFORM_DIRS=0 JUPYTER_CONFIG_DIR=/nonexistent JUPYTER_DATA_DIR=$PWD/userhome/jd
bootstrap -c cfg.yaml -- sh -c '
	echo "CONDA_ENVS_DIRS=$CONDA_ENVS_DIRS"
	echo "JUPYTER_PATH=$JUPYTER_PATH"
	envtool env list | grep -c "teams/risk/envs/ml$" | sed "s/^/env list shows ml: /"
	envtool install -n ml zlib -c "'"$CHAN"'" -y -q 2>&1; echo "install into it: exit $?"
	envtool create --clone ml -n mine -y -q --no-kernel; echo "create --clone: exit $?"
	envtool list -n mine | grep -c -e "^ *python " -e "^ *zlib " -e "^ *ipykernel " | sed "s/^/the copy has python, zlib, ipykernel: /"
	"$HOME/.conda/envs/mine/bin/python" -c "import sys; print(\"the copy runs:\", sys.prefix)"
	/usr/bin/jupyter kernelspec list 2>/dev/null | grep -o "team-risk-ml .*"
' </dev/null 2> bootstrap.err | sed "s|$PWD|.|g"
grep -o "[0-9]* shared environment kernel(s) in [^ ;]*" bootstrap.err
check "the kernel's display name" grep -q '"display_name": "Python (ml, team risk)"' /run/nbkit/jupyter/kernels/team-risk-ml/kernel.json
check "the kernel starts through envtool run" grep -q '"run"' /run/nbkit/jupyter/kernels/team-risk-ml/kernel.json
check "the kernel folder is root's" [ "$(stat -c %u /run/nbkit/jupyter/kernels/team-risk-ml)" = 0 ]
check "the .condarc lists the shared folder after the user's" sh -c "grep -A2 '^envs_dirs:' userhome/.condarc | tail -n 1 | grep -q teams/risk/envs"
check "nothing in the shared folder changed" [ -z "$(find teams -newer cfg.yaml)" ]
sed -i "s|shared_dirs: \[.*\]|shared_dirs: [teams/risk/envs]|" cfg.yaml
bootstrap -c cfg.yaml --check 2>&1 | head -n 1
exit $failed
