# SPDX-License-Identifier: Apache-2.0
# list, env list, env export (--explicit), run, kernel install/remove and
# remove (packages, then --all) on an environment written the way conda
# writes one (conda-meta records with files), in a scratch HOME.
. "$NBK_SRC/tests/envtool/lib/server.bash"
P=$HOME/.conda/envs/demo
mkdir -p "$P/conda-meta" "$P/lib" "$P/bin" "$P/include"
echo lib > "$P/lib/libdemo.so"
echo hdr > "$P/include/demo.h"
printf '#!/bin/sh\necho tool-ran\n' > "$P/bin/tool"; chmod +x "$P/bin/tool"
/usr/bin/python3 - "$P" <<'PY'
import json, sys
p = sys.argv[1]
def rec(name, files, depends=()):
    d = {"build": "h0_1", "build_number": 1, "channel": "https://conda.anaconda.org/conda-forge/linux-64",
         "constrains": [], "depends": list(depends), "files": files, "fn": f"{name}-1.0-h0_1.conda",
         "license": "MIT", "link": {"source": "/x", "type": 1}, "md5": "0" * 32, "name": name,
         "paths_data": {"paths": [{"_path": f, "path_type": "hardlink"} for f in files], "paths_version": 1},
         "requested_spec": name, "sha256": "ab" * 32, "size": 1, "subdir": "linux-64",
         "url": f"https://conda.anaconda.org/conda-forge/linux-64/{name}-1.0-h0_1.conda", "version": "1.0"}
    json.dump(d, open(f"{p}/conda-meta/{name}-1.0-h0_1.json", "w"))
rec("libdemo", ["lib/libdemo.so", "include/demo.h"])
rec("tool", ["bin/tool"], ["libdemo >=1"])
PY
envtool env list > envs.txt
check "env list shows it" grep -q " $P\$" envs.txt
envtool list -n demo --json > list.json
check "list --json" /usr/bin/python3 -c "import json; d = json.load(open('list.json')); assert sorted(x['name'] for x in d) == ['libdemo', 'tool'], d"
envtool env export -n demo --explicit > lock.txt
check "explicit: @EXPLICIT" grep -qx "@EXPLICIT" lock.txt
check "explicit: url#sha256" grep -qx "https://conda.anaconda.org/conda-forge/linux-64/tool-1.0-h0_1.conda#$(printf 'ab%.0s' $(seq 32))" lock.txt
envtool env export -n demo > env.yml
check "export: dependencies" grep -qx "  - tool=1.0=h0_1" env.yml
check "export: channel" grep -qx "  - https://conda.anaconda.org/conda-forge" env.yml
out=$(envtool run -n demo sh -c 'echo "$CONDA_PREFIX $CONDA_DEFAULT_ENV"; tool')
check "run: activated" [ "$out" = "$P demo
tool-ran" ]
envtool run -n demo no-such-command 2>/dev/null
check "run: 127 for a missing command" [ $? -eq 127 ]
envtool kernel install -n demo > /dev/null
K=$HOME/.local/share/jupyter/kernels/demo/kernel.json
check "kernel.json argv" /usr/bin/python3 -c "
import json; k = json.load(open('$K'))
assert k['argv'][1:] == ['run', '-p', '$P', '$P/bin/python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'], k
assert k['display_name'] == 'Python (demo)' and k['metadata']['envtool']['prefix'] == '$P'"
if command -v jupyter > /dev/null; then
	check "jupyter kernelspec list" sh -c "jupyter kernelspec list 2>/dev/null | grep -q '^ *demo .*kernels/demo\$'"
fi
# removing libdemo takes tool (it depends on it); the user's file stays
echo mine > "$P/lib/notes.txt"
envtool remove -n demo libdemo > remove.out
check "remove: dependents too" grep -q "  - tool-1.0-h0_1" remove.out
check "remove: files gone" [ ! -e "$P/lib/libdemo.so" ] && [ ! -e "$P/bin/tool" ] && [ ! -e "$P/include" ]
check "remove: user file stays" [ -e "$P/lib/notes.txt" ]
check "remove: conda-meta empty" [ -z "$(ls "$P/conda-meta" | grep json)" ]
check "remove: history" grep -q "^-https://conda.anaconda.org/conda-forge/linux-64::tool-1.0-h0_1" "$P/conda-meta/history"
envtool remove -n missing zlib 2> missing.err
check "remove: unknown env exits 1" [ $? -eq 1 ]
check "remove: message" grep -q "environment 'missing' does not exist" missing.err
envtool remove -n demo --all > /dev/null 2> all.err
check "remove --all: kernel gone" [ ! -e "$K" ]
check "remove --all: conda-meta gone" [ ! -e "$P/conda-meta" ]
check "remove --all: user file kept" [ -e "$P/lib/notes.txt" ]
check "remove --all: says so" grep -q "still holds files no package installed" all.err
envtool env list > envs2.txt
check "env list: gone" sh -c "! grep -q ' $P\$' envs2.txt"
exit $failed
