# SPDX-License-Identifier: Apache-2.0
# Issue 10: a conda-meta record without "build" made `list` fail while
# `update --dry-run` accepted it (two readers with different rules).  Now
# one reader (prefix.h et_prefix_read_meta) serves every command, and a
# missing build reads as "" as conda does: list, list --json, update
# --dry-run, env export and remove all see the same record.
. "$NBK_SRC/tests/envtool/lib/server.bash"
local_channel '{"name": "nob", "version": "2.0", "files": {"share/nob.txt": "2\n"}}'
E=$PWD/env
mkdir -p "$E/conda-meta" "$E/share"
echo 1 > "$E/share/nob.txt"
echo k > "$E/share/keep.txt"
/usr/bin/python3 - "$E" <<'PY'
import json, sys
p = sys.argv[1]
# written by hand (or an old tool): no build, no build_number, no fn
d = {"name": "nob", "version": "1.0", "channel": "https://conda.anaconda.org/conda-forge/noarch",
     "depends": [], "files": ["share/nob.txt"], "subdir": "noarch"}
json.dump(d, open(f"{p}/conda-meta/nob-1.0.json", "w"))
d = {"name": "keep", "version": "1.0", "build": "0", "depends": [], "files": ["share/keep.txt"]}
json.dump(d, open(f"{p}/conda-meta/keep-1.0-0.json", "w"))
PY

envtool list -p "$E" > list.out 2> list.err
check "list: exit 0" [ $? -eq 0 ]
check "list: nob 1.0, build empty" grep -Eq '^nob +1\.0 +https://conda.anaconda.org/conda-forge/noarch$' list.out
envtool list -p "$E" --json > list.json
check "list --json: build_string \"\"" /usr/bin/python3 -c "
import json; d = {x['name']: x for x in json.load(open('list.json'))}
assert d['nob']['build_string'] == '' and d['nob']['version'] == '1.0', d"
envtool update -p "$E" nob $C --dry-run --json > update.json 2> update.err
check "update --dry-run: exit 0" [ $? -eq 0 ]
check "update --dry-run: the same record (build \"\") goes" /usr/bin/python3 -c "
import json; a = json.load(open('update.json'))['actions']
assert [(x['name'], x['version'], x['build_string']) for x in a['UNLINK']] == [('nob', '1.0', '')], a
assert [(x['name'], x['version']) for x in a['LINK']] == [('nob', '2.0')], a"
envtool env export -p "$E" > env.yml
check "env export: NAME=VERSION" grep -qx '  - nob=1.0' env.yml
check "env export: the others NAME=VERSION=BUILD" grep -qx '  - keep=1.0=0' env.yml
envtool remove -p "$E" nob --dry-run --json > rm.json
check "remove --dry-run --json: build_string \"\"" /usr/bin/python3 -c "
import json; u = json.load(open('rm.json'))['actions']['UNLINK']
assert [(x['name'], x['build_string']) for x in u] == [('nob', '')], u"
envtool remove -p "$E" nob -y > rm.out 2> rm.err
check "remove: exit 0" [ $? -eq 0 ]
check "remove: its file gone" [ ! -e "$E/share/nob.txt" ]
check "remove: its record (the file it was read from) gone" [ ! -e "$E/conda-meta/nob-1.0.json" ]
check "remove: the other stays" [ -f "$E/share/keep.txt" ] && [ -f "$E/conda-meta/keep-1.0-0.json" ]
check "remove: history names it with build \"\"" grep -qx -- '-https://conda.anaconda.org/conda-forge/noarch::nob-1.0-' "$E/conda-meta/history"

# what is still refused, by every command alike: a record without version
echo '{"name": "bad", "build": "0"}' > "$E/conda-meta/bad-0-0.json"
MSG="envtool: error: '$E/conda-meta/bad-0-0.json' is not a conda-meta record: a record without name or version"
for cmd in "list -p $E" "update -p $E keep $C --dry-run" "remove -p $E keep --dry-run" "env export -p $E"; do
	envtool $cmd > /dev/null 2> bad.err
	check "${cmd%% *}: a record without version: exit 1" [ $? -eq 1 ]
	check "${cmd%% *}: the one message naming the file" grep -qxF "$MSG" bad.err
done
exit $failed
