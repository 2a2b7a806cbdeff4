# SPDX-License-Identifier: Apache-2.0
# timeout: 900
# End to end on the real channel (issue 15; scripts/mkchannel, from
# Debian's binaries), served over HTTP on 127.0.0.1: python, numpy, pandas
# and ipykernel (and pip) make an environment with a real interpreter,
# compiled extensions with their own shared libraries (openblas,
# libgfortran), thousands of files, noarch: python packages and entry
# points.  The same environment under two prefixes runs real code in both,
# loading no library from outside the prefix but glibc's; a notebook runs
# in the environment's kernel (nbclient, through the kernelspec envtool
# wrote); pip installs a local wheel into it; and `env export --explicit`
# creates it again, file for file.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
export JUPYTER_DATA_DIR=$PWD/jupyter-data JUPYTER_CONFIG_DIR=$PWD/jupyter-config \
	JUPYTER_RUNTIME_DIR=$PWD/jupyter-runtime IPYTHONDIR=$PWD/ipython JUPYTER_PATH= \
	JUPYTER_PLATFORM_DIRS=0 PYDEVD_DISABLE_FILE_VALIDATION=1
debian_channel
mkdir -p srv
ln -s "$DCHAN" srv/chan
start_server
C="-c $URL/ok/chan --override-channels"
SPECS="python=3.11 numpy pandas ipykernel pip"
A=$HOME/.conda/envs/pd
B=$PWD/elsewhere/a/longer/prefix

# shellcheck disable=SC2086
envtool create -n pd $SPECS $C -y --json > a.json 2> a.err
check "create over HTTP, cold cache: exit 0" [ $? -eq 0 ]
check "repodata.json.zst and every package came over HTTP" /usr/bin/python3 -c "
import json, re; d = json.load(open('a.json')); log = open('server.log').read()
assert d['success'] and len(d['actions']['FETCH']) == len(d['actions']['LINK']) > 40, d['actions'].keys()
assert re.search(r'^GET /ok/chan/linux-64/repodata.json.zst 200 ', log, re.M), log[:500]
for x in d['actions']['FETCH']:
    assert re.search(r'^GET /ok/chan/%s/%s 200 ' % (x['subdir'], re.escape(x['fn'])), log, re.M), x['fn']
names = {x['name'] for x in d['actions']['LINK']}
assert {'python', 'numpy', 'pandas', 'ipykernel', 'libopenblas', 'libgfortran5', 'pyzmq', 'zeromq'} <= names, names"
# shellcheck disable=SC2086
envtool create -p "$B" $SPECS $C -y > b.out 2> b.err
check "the same environment under a second prefix (warm cache)" grep -q "(0 downloaded, " b.out
check "thousands of files" [ "$(find "$A" -type f | wc -l)" -gt 5000 ]

# real code in both prefixes, with nothing of the caller's environment
cat > probe.py <<'PY'
import os, sys
import numpy as np
import pandas as pd
rng = np.random.default_rng(42)
a = rng.random((200, 200))
inv_ok = np.allclose(a @ np.linalg.inv(a), np.eye(200))          # LAPACK through openblas
df = pd.DataFrame({"team": ["a", "b", "a", "b", "c"], "score": [1.0, 2.0, 3.0, 4.0, 5.0]})
means = df.groupby("team")["score"].mean().to_dict()
maps = open("/proc/self/maps").read().split()
libs = sorted({p for p in maps if p.startswith("/") and ".so" in p})
outside = [p for p in libs if not p.startswith(sys.prefix + "/") and
           os.path.basename(p).split(".so")[0] not in ("libc", "libm", "ld-linux-x86-64", "libpthread", "libdl", "librt", "libmvec")]
blas = [os.path.basename(p) for p in libs if "openblas" in p and p.startswith(sys.prefix + "/lib/")]
import ssl, sqlite3, lzma, bz2, ctypes, decimal, readline, zmq, tornado.speedups
print("prefix:", sys.prefix == sys.argv[1], "executable:", sys.executable == sys.argv[1] + "/bin/python")
print("linalg:", inv_ok, "groupby:", means)
print("openblas from the prefix:", blas != [], "libraries from outside the prefix:", outside)
print("site-packages:", os.path.dirname(np.__path__[0]) == sys.prefix + "/lib/python3.11/site-packages")
PY
for p in "$A" "$B"; do
	env -i PATH=/usr/bin:/bin HOME="$HOME" "$p/bin/python" probe.py "$p" > "probe.$(basename "$p")" 2>&1
done
check "numpy, pandas, openblas run under the first prefix, loading only glibc from outside" [ "$(head -c 2000 probe.pd)" = "prefix: True executable: True
linalg: True groupby: {'a': 2.0, 'b': 3.0, 'c': 5.0}
openblas from the prefix: True libraries from outside the prefix: []
site-packages: True" ]
check "probe under the second prefix: the same" cmp -s probe.pd probe.prefix
[ "$failed" = 0 ] || { echo "--- probe.pd"; cat probe.pd; echo "--- probe.prefix"; cat probe.prefix; }
check "an entry point (noarch: python) runs the prefix's python" \
	sh -c 'head -n 1 "$1/bin/ipython" | grep -qx "#!$1/bin/python3.11" && env -i PATH=/usr/bin:/bin HOME="$2" "$1/bin/ipython" -c "print(6 * 7)" 2>&1 | grep -qx 42' _ "$B" "$HOME"
check "a compiled package's script (has_prefix) names the prefix" grep -qx "#!$B/bin/python3.11" "$B/bin/f2py"

# a notebook in the environment's kernel (the kernelspec envtool wrote)
cat > nb.py <<'PY'
import sys, nbformat, nbclient
nb = nbformat.v4.new_notebook()
nb.cells.append(nbformat.v4.new_code_cell(
    "import sys, numpy as np, pandas as pd\n"
    "df = pd.DataFrame({'x': np.arange(6), 'y': np.arange(6) ** 2})\n"
    "print(sys.prefix)\nprint(df.describe().loc[['mean', 'max']].to_string())"))
nbclient.NotebookClient(nb, kernel_name=sys.argv[1], timeout=120).execute()
print("".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout"), end="")
PY
timeout 150 /usr/bin/python3 nb.py pd > nb.out 2> nb.err
check "a notebook ran in the kernel of the environment: its pandas output" [ "$(cat nb.out)" = "$A
        x          y
mean  2.5   9.166667
max   5.0  25.000000" ]
[ "$failed" = 0 ] || { echo "--- nb.out"; cat nb.out; tail -n 5 nb.err; }

# pip: a local wheel into the environment
/usr/bin/python3 "$LIB/make_pip_index.py" idx > /dev/null
env -i PATH=/usr/bin:/bin HOME="$HOME" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CONFIG_FILE=/dev/null \
	"$B/bin/python" -m pip install -q --no-index --find-links idx/packages nbkitprobe > pip.out 2>&1
check "pip install of a local wheel" [ -f "$B/lib/python3.11/site-packages/nbkitprobe/__init__.py" ]
check "the wheel imports in the environment" [ "$("$B/bin/python" -c 'import nbkitprobe; print(nbkitprobe.__version__)')" = 1.0 ]
check "envtool list: the wheel from pypi" sh -c 'envtool list -p "$1" | grep -q "^ *nbkitprobe  *1.0  *pypi_0  *pypi"' _ "$B"

# env export --explicit, then create from it: the same environment, file for file
envtool env export -n pd --explicit > lock.txt
check "export --explicit: @EXPLICIT, URL#sha256 of every package" /usr/bin/python3 -c "
import re; lines = [l for l in open('lock.txt').read().splitlines() if l and not l.startswith('#')]
assert lines[0] == '@EXPLICIT', lines[:2]
assert len(lines) > 40 and all(re.fullmatch(r'http://127\.0\.0\.1:\d+/ok/chan/(linux-64|noarch)/\S+\.conda#[0-9a-f]{64}', l) for l in lines[1:]), lines[:3]"
envtool create -p "$PWD/again" -f lock.txt -q -y > again.out 2>&1
check "create -f the lock: exit 0" [ $? -eq 0 ]
check "the environment again, file for file (the prefix aside)" /usr/bin/python3 "$LIB/same_env.py" "$A" "$PWD/again" 5000 2> same.err
[ "$failed" = 0 ] || cat same.err
stop_server
exit $failed
