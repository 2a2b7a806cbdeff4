# SPDX-License-Identifier: Apache-2.0
# install / update / remove for real on an environment made from the warm
# cache; env export --explicit then create -f from it (@EXPLICIT, no
# solve) gives the same packages; an environment.yml with channels,
# dependencies and a pip: section run by the new environment's pip
# (offline: a wheel this case builds, --no-index --find-links).
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
for v in 1.0 2.0; do
	mkpkg '{"name": "tool", "version": "'$v'", "build": "0", "depends": ["zlib"],
		"files": {"bin/tool": {"text": "#!/bin/sh\necho tool '$v'\n", "mode": 493}}}' > /dev/null
done
make_real_channel
E=$HOME/.conda/envs
envtool create -n a zlib -c "$CHAN" -q
check "create" [ $? -eq 0 ]

# install, update, remove on it
envtool install -n a "tool=1.0" -c "$CHAN" > install.out
check "install: exit 0" [ $? -eq 0 ]
check "install: summary" grep -q "^Changed '$E/a': 1 package linked, 0 removed" install.out
check "install: tool 1.0 runs" [ "$(envtool run -n a tool)" = "tool 1.0" ]
check "install: requested_spec" grep -q '"requested_spec": "tool=1.0"' "$E/a/conda-meta/tool-1.0-0.json"
envtool update -n a tool -c "$CHAN" --json > update.json
check "update: exit 0" [ $? -eq 0 ]
check "update: json" /usr/bin/python3 -c "
import json; d = json.load(open('update.json'))
assert d['success'] and not d['dry_run'], d
assert [x['version'] for x in d['actions']['LINK']] == ['2.0'] and [x['version'] for x in d['actions']['UNLINK']] == ['1.0'], d"
check "update: tool 2.0 runs" [ "$(envtool run -n a tool)" = "tool 2.0" ]
check "update: old record gone" [ ! -e "$E/a/conda-meta/tool-1.0-0.json" ]
check "update: history" grep -q "^-.*::tool-1.0-0" "$E/a/conda-meta/history"
envtool install -n a tool -c "$CHAN" > again.out
check "install again: nothing to do" grep -q "nothing to do" again.out
envtool remove -n a tool --json > remove.json
check "remove: exit 0" [ $? -eq 0 ] && [ ! -e "$E/a/bin/tool" ] && [ ! -e "$E/a/conda-meta/tool-2.0-0.json" ]
check "remove: json" /usr/bin/python3 -c "
import json; d = json.load(open('remove.json'))
assert d['success'] and not d['dry_run'] and d['prefix'] == '$E/a', d
assert [(x['name'], x['version']) for x in d['actions']['UNLINK']] == [('tool', '2.0')], d"
check "remove: zlib stays" [ -e "$E/a/lib/libz.so.1" ]
check "consistent" meta_consistent "$E/a"

# @EXPLICIT round trip
envtool install -n a symlink-test "tool=1.0" -c "$CHAN" -q
envtool env export -n a --explicit > lock.txt
check "explicit: 4 URLs" [ "$(grep -c '^file://.*#[0-9a-f]\{64\}$' lock.txt)" = 4 ]
# no solve: without the channels' repodata it still works
mv chan/noarch/repodata.json chan/noarch/repodata.json.away
mv chan/linux-64/repodata.json chan/linux-64/repodata.json.away
envtool create -n b -f lock.txt --json > b.json
check "create -f @EXPLICIT: exit 0 without repodata" [ $? -eq 0 ]
mv chan/noarch/repodata.json.away chan/noarch/repodata.json
mv chan/linux-64/repodata.json.away chan/linux-64/repodata.json
check "create -f @EXPLICIT: json" /usr/bin/python3 -c "
import json; d = json.load(open('b.json')); assert d['success'] and len(d['actions']['LINK']) == 4, d"
pkgs() { envtool list -n "$1" --json | /usr/bin/python3 -c "import json, sys; print(sorted((x['name'], x['version'], x['build_string'], x['channel']) for x in json.load(sys.stdin)))"; }
check "create -f @EXPLICIT: same packages" [ "$(pkgs a)" = "$(pkgs b)" ]
check "create -f @EXPLICIT: depends from the package" grep -q '"libgcc-ng >=7.3.0"' "$E/b/conda-meta/zlib-1.2.11-h7b6447c_3.json"
check "create -f @EXPLICIT: size from the archive" grep -q '"size": 105917' "$E/b/conda-meta/zlib-1.2.11-h7b6447c_3.json"
check "create -f @EXPLICIT: tool runs" [ "$(envtool run -n b tool)" = "tool 1.0" ]
sed 's/#[0-9a-f]*$/#0000000000000000000000000000000000000000000000000000000000000000/' lock.txt > bad-lock.txt
rm -rf "$HOME/.conda/pkgs"
envtool create -n c -f bad-lock.txt -q 2> bad.err
check "create -f @EXPLICIT, wrong sha256: exit 1" [ $? -eq 1 ]
check "create -f @EXPLICIT, wrong sha256: says so" grep -q "sha256" bad.err
check "create -f @EXPLICIT, wrong sha256: nothing made" [ ! -e "$E/c" ] && [ "$(ls -A "$E")" = "a
b" ]
echo "@EXPLICIT
not-a-url" > junk.txt
envtool create -n c -f junk.txt 2> junk.err
check "create -f junk: exit 1" [ $? -eq 1 ]
check "create -f junk: names the line" grep -q "'junk.txt', line 2: 'not-a-url' is not a package URL" junk.err

# environment.yml: channels, dependencies and pip: (no pip.conf of the machine's)
export PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1
mkdir -p proj/src/tinypkg
printf '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "tinypkg"\nversion = "0.1"\n' > proj/src/pyproject.toml
echo 'VALUE = 42' > proj/src/tinypkg/__init__.py
/usr/bin/python3 -m pip wheel -q --no-index --no-deps --no-build-isolation proj/src -w proj/wheels > wheel.log 2>&1
check "a wheel built offline" [ -f proj/wheels/tinypkg-0.1-py3-none-any.whl ]
cat > proj/environment.yml <<EOF2
name: withpip
channels:
  - $CHAN
dependencies:
  - python
  - tool=2.0
  - pip:
    - --no-index
    - --find-links ./wheels
    - tinypkg==0.1
EOF2
envtool create -f proj/environment.yml --override-channels > yml.out 2> yml.err
check "environment.yml: exit 0" [ $? -eq 0 ]
check "environment.yml: tool 2.0 from its channel" [ "$(envtool run -n withpip tool)" = "tool 2.0" ]
check "pip: installed into the environment" [ -f "$E/withpip/lib/python3.11/site-packages/tinypkg/__init__.py" ]
check "pip: the environment's python sees it" [ "$("$E/withpip/bin/python" -c 'import tinypkg; print(tinypkg.VALUE)')" = 42 ]
check "pip: not in the system" [ -z "$(/usr/bin/python3 -c 'import importlib.util as u; print(u.find_spec("tinypkg") or "")')" ]
sed -i 's/tinypkg==0.1/tinypkg==9.9/' proj/environment.yml
envtool create -n pipfail -f proj/environment.yml --override-channels > /dev/null 2> pipfail.err
check "pip fails: exit 1" [ $? -eq 1 ]
check "pip fails: says so" grep -q "pip failed (exited with status 1): the environment '$E/pipfail' is there, without the packages of its pip: section" pipfail.err
exit $failed
