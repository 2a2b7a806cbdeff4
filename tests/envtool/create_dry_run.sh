# SPDX-License-Identifier: Apache-2.0
# create --dry-run over HTTP: micromamba's --json shape (checked with
# python's json module), FETCH = LINK minus what the package cache holds, the
# human table and summary, -n under the first envs_dir, -p, -f
# environment.yml (name, channels, the pip: section noted), --offline, and
# without --dry-run and --offline with an empty cache, one clear error.
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel srv/chan "$REPODATA/conda-forge-numpy-linux-64.json"
start_server

envtool create -n sci numpy -c "$URL/ok/chan" --override-channels --dry-run --json > c1.json
check "json: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - c1.json "$HOME/.conda/envs/sci" <<'PY' && echo "ok: json shape" || echo "FAIL: json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["actions", "dry_run", "prefix", "success"], sorted(d)
assert d["dry_run"] is True and d["success"] is True
assert d["prefix"] == sys.argv[2], d["prefix"]
a = d["actions"]
assert sorted(a) == ["FETCH", "LINK", "PREFIX", "UNLINK"], sorted(a)
assert a["PREFIX"] == sys.argv[2] and a["UNLINK"] == []
names = {r["name"]: r for r in a["LINK"]}
assert names["numpy"]["version"] == "1.26.4", names["numpy"]
assert names["python"]["version"] == "3.12.1"
# conda's add_pip_as_python_dependency: python brings pip (and what pip needs)
assert names["pip"]["version"] == "24.0", names.get("pip")
for r in a["LINK"]:
    for k in ("name", "version", "build_string", "build_number", "channel", "subdir", "fn", "url", "sha256"):
        assert k in r, (k, r)
    assert isinstance(r["build_number"], int)
    # (the fixture's numpy has a url whose hash differs from its fn: kept as given)
    assert r["fn"].endswith((".conda", ".tar.bz2")) and r["url"].startswith("https://"), r
assert sorted(r["fn"] for r in a["FETCH"]) == sorted(r["fn"] for r in a["LINK"])
PY

# the package cache holds numpy extracted and python's archive: not fetched
mkdir -p pkgs/numpy-1.26.4-py312head63a1_0/info
python_fn=$(/usr/bin/python3 -c 'import json,sys; print([r["fn"] for r in json.load(open("c1.json"))["actions"]["LINK"] if r["name"] == "python"][0])')
python_size=$(/usr/bin/python3 -c 'import json,sys; print([r["size"] for r in json.load(open("c1.json"))["actions"]["LINK"] if r["name"] == "python"][0])')
head -c "$python_size" /dev/zero > "pkgs/$python_fn"
CONDA_PKGS_DIRS=$PWD/pkgs envtool create -n sci numpy -c "$URL/ok/chan" --override-channels --dry-run --json > c2.json
/usr/bin/python3 - c2.json <<'PY' && echo "ok: FETCH skips the cached" || echo "FAIL: FETCH skips the cached"
import json, sys
a = json.load(open(sys.argv[1]))["actions"]
fetch = {r["name"] for r in a["FETCH"]}
link = {r["name"] for r in a["LINK"]}
assert "numpy" in link and "python" in link
assert fetch == link - {"numpy", "python"}, fetch ^ link
PY

envtool create -p ./here numpy -c "$URL/ok/chan" --override-channels --dry-run > table.txt
check "table: exit 0" [ $? -eq 0 ]
check "table: prefix" grep -q "^Environment: $PWD/here$" table.txt
check "table: header" grep -q '^ *Package  *Version  *Build  *Channel  *Size$' table.txt
check "table: numpy row" grep -q '^+  *numpy  *1.26.4  *py312' table.txt
check "table: summary" grep -q '^Summary: 33 to install, 0 to remove, 33 to download (64.1 MB)$' table.txt
# add_pip_as_python_dependency: false (conda's key) leaves pip out
printf 'add_pip_as_python_dependency: false\n' > nopip.condarc
envtool create -p ./here numpy -c "$URL/ok/chan" --override-channels --dry-run --rc-file nopip.condarc > nopip.txt
check "no pip: summary" grep -q '^Summary: 30 to install, 0 to remove, 30 to download (62.1 MB)$' nopip.txt
check "no pip: no pip row" eval '! grep -q "^+  *pip " nopip.txt'
CONDA_ADD_PIP_AS_PYTHON_DEPENDENCY=false envtool create -p ./here numpy -c "$URL/ok/chan" --override-channels --dry-run > nopip2.txt
check "no pip (variable): summary" grep -q '^Summary: 30 to install' nopip2.txt
check "table: dry run said" grep -q '^Dry run: nothing was changed.$' table.txt

# -f environment.yml: name, channels, dependencies; pip: noted (a dry run does not run it)
cat > environment.yml <<EOT
name: fromfile
channels:
  - $URL/ok/chan
dependencies:
  - python =3.12
  - numpy >=1.26
  - pip:
      - requests
EOT
envtool create -f environment.yml --override-channels --dry-run --json > f.json 2> f.err
check "-f: exit 0" [ $? -eq 0 ]
check "-f: name from the file" grep -q "\"prefix\": \"$HOME/.conda/envs/fromfile\"" f.json
check "-f: pip section noted" grep -q "then the environment's pip would install the pip: section (1 entry)" f.err
printf 'name: x\ndependencies: {a: 1}\n' > bad.yml
envtool create -f bad.yml --dry-run > /dev/null 2> bad.err
check "-f bad file: exit 1" [ $? -eq 1 ]
check "-f bad file: position" grep -q "bad.yml:2:" bad.err

# --offline from the cache the first runs wrote
stop_server
envtool create -n sci numpy -c "$URL/ok/chan" --override-channels --dry-run --offline > /dev/null
check "offline: exit 0" [ $? -eq 0 ]

# no --dry-run, --offline, nothing in the cache: one clear error, nothing made
envtool create -n sci numpy -c "$URL/ok/chan" --override-channels --offline > real.out 2> real.err
check "no --dry-run: exit 1" [ $? -eq 1 ]
check "no --dry-run: one clear line" grep -qx "envtool: error: cannot fetch '.*': not in the package cache and --offline was given" real.err
check "no --dry-run: nothing made" [ ! -e "$HOME/.conda/envs/sci" ]

envtool create numpy -c "$URL/ok/chan" --dry-run > /dev/null 2> noname.err
check "no -n/-p: exit 2" [ $? -eq 2 ]
exit $failed
