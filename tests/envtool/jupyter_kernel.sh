# SPDX-License-Identifier: Apache-2.0
# An environment made by envtool with python (a package around the
# system's /usr/bin/python3) and ipykernel (Debian's python3-ipykernel
# underneath) gets a Jupyter kernel: Debian's `jupyter kernelspec list`
# shows it and `jupyter execute` runs a notebook in it, started through
# `envtool run` (issue 12): sys.prefix is the environment, and what
# activation gives (an activate.d script's variable, as openjdk's sets
# JAVA_HOME; conda-meta/state's env_vars) is in the kernel.  Removing the environment removes the kernel; --no-kernel
# opts out.  Everything Jupyter writes is under the scratch folder.
# timeout: 90
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
export JUPYTER_DATA_DIR=$PWD/jupyter-data JUPYTER_CONFIG_DIR=$PWD/jupyter-config \
	JUPYTER_RUNTIME_DIR=$PWD/jupyter-runtime IPYTHONDIR=$PWD/ipython JUPYTER_PATH= \
	JUPYTER_PLATFORM_DIRS=0 PYDEVD_DISABLE_FILE_VALIDATION=1
JUPYTER=/usr/bin/jupyter
make_real_channel
E=$HOME/.conda/envs
K=$JUPYTER_DATA_DIR/kernels

envtool create -n nb python ipykernel -c "$CHAN" > create.out 2> create.err
check "create: exit 0" [ $? -eq 0 ]
check "create: says the kernel is there" grep -q "Jupyter kernel 'Python (nb)' installed" create.err
check "kernel.json: envtool run, then the environment's python" /usr/bin/python3 -c "
import json, os; k = json.load(open('$K/nb/kernel.json'))
assert k['argv'][1:7] == ['run', '-p', '$E/nb', '$E/nb/bin/python', '-m', 'ipykernel_launcher'], k
assert k['argv'][0].endswith('/envtool') and os.access(k['argv'][0], os.X_OK), k
assert k['display_name'] == 'Python (nb)' and 'env' not in k, k"
# what a package's activate.d script and `conda env config vars set` leave
mkdir -p "$E/nb/etc/conda/activate.d"
printf 'export NBK_PKG_HOME="$CONDA_PREFIX/lib/pkg"\n' > "$E/nb/etc/conda/activate.d/pkg.sh"
printf '{"env_vars": {"NBK_TEAM_VAR": "from state"}}\n' > "$E/nb/conda-meta/state"
$JUPYTER kernelspec list > specs.txt 2>&1
check "jupyter kernelspec list shows it" grep -q "^ *nb  *$K/nb\$" specs.txt

/usr/bin/python3 - <<'PY'
import nbformat
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "nb", "display_name": "Python (nb)", "language": "python"}
nb.cells.append(nbformat.v4.new_code_cell(
    "import os, sys\nopen('ran.txt', 'w').write(' '.join([sys.prefix, os.environ['CONDA_PREFIX'],\n"
    "    os.environ.get('NBK_PKG_HOME', '-'), os.environ.get('NBK_TEAM_VAR', '-').replace(' ', '_')]))\nprint(6 * 7)"))
nbformat.write(nb, "test.ipynb")
PY
timeout 60 $JUPYTER execute test.ipynb > execute.out 2>&1
check "jupyter execute: exit 0" [ $? -eq 0 ]
check "the notebook ran in the environment, activated" \
	[ "$(cat ran.txt 2>/dev/null)" = "$E/nb $E/nb $E/nb/lib/pkg from_state" ]
check "nothing in the real Jupyter folder" [ ! -e "$HOME/.local/share/jupyter/kernels/nb" ]

envtool remove -n nb --all -q > remove.out 2> remove.err
check "remove --all: kernel gone" [ ! -e "$K/nb" ]
$JUPYTER kernelspec list > specs2.txt 2>&1
check "jupyter kernelspec list: gone" sh -c "! grep -q '^ *nb ' specs2.txt"

envtool create -n quiet python ipykernel --no-kernel -c "$CHAN" -q
check "--no-kernel: created" [ $? -eq 0 ] && [ -e "$E/quiet/conda-meta" ]
check "--no-kernel: no kernel" [ ! -e "$K/quiet" ]
envtool create -n plain python -c "$CHAN" -q
check "no ipykernel: no kernel" [ ! -e "$K/plain" ]
# install ipykernel later: the kernel comes with it
envtool install -n plain ipykernel -c "$CHAN" -q
check "install ipykernel: kernel" [ -f "$K/plain/kernel.json" ]
envtool remove -n plain ipykernel -q
check "remove ipykernel: kernel gone" [ ! -e "$K/plain" ] && [ -e "$E/plain/conda-meta" ]
exit $failed
