# SPDX-License-Identifier: Apache-2.0
# install/update --dry-run against an environment whose conda-meta the case
# makes from shared/data/conda/meta (python 3.11.9, pip, requests ...):
# the installed set, UNLINK, update NAME / --all, a package that is not
# installed, a prefix that is no environment, pinned_packages.
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel chan "$REPODATA/conda-forge-numpy-linux-64.json"
mkdir -p env/conda-meta
for f in "$SHARED"/data/conda/meta/conda-meta-*.json; do
	b=${f##*/}
	cp "$f" "env/conda-meta/${b#conda-meta-}"
done
C="-c $PWD/chan --override-channels --dry-run"

envtool install -p env numpy $C --json > i.json
check "install: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - i.json "$PWD/env" <<'PY' && echo "ok: install: python 3.11.9 out, 3.12.1 in" || echo "FAIL: install: python 3.11.9 out, 3.12.1 in"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["prefix"] == sys.argv[2]
a = d["actions"]
unlink = {(r["name"], r["version"]) for r in a["UNLINK"]}
link = {r["name"]: r["version"] for r in a["LINK"]}
assert unlink == {("python", "3.11.9"), ("python_abi", "3.11")}, unlink
assert link["python"] == "3.12.1" and link["numpy"] == "1.26.4", link
# installed and kept: not linked again
assert "requests" not in link and "pip" not in link, link
# conda-meta's channel URL shown by its name
assert all(r["channel"] == "conda-forge" for r in a["UNLINK"]), a["UNLINK"]
PY

envtool install -p env numpy $C > i.txt
check "install table: removal row" grep -q '^-  *python  *3.11.9  *h932a869_0_cpython  *conda-forge' i.txt
check "install table: summary" grep -q '^Summary: 27 to install, 2 to remove, 27 to download' i.txt

envtool update -p env requests $C > u.txt
check "update installed, nothing newer: exit 0" [ $? -eq 0 ]
check "update: nothing to do" grep -q 'already installed: nothing to do' u.txt
envtool update -p env numpy $C 2> u.err
check "update not installed: exit 1" [ $? -eq 1 ]
check "update not installed: said" grep -q "'numpy' is not installed in '$PWD/env'" u.err
envtool update -p env $C 2> /dev/null
check "update without specs or --all: exit 2" [ $? -eq 2 ]
envtool update -p env --all $C --json > all.json
check "update --all: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - all.json <<'PY' && echo "ok: update --all: pip 23.0 -> 24.0" || echo "FAIL: update --all: pip 23.0 -> 24.0"
import json, sys
a = json.load(open(sys.argv[1]))["actions"]
link = {r["name"]: r["version"] for r in a["LINK"]}
unlink = {r["name"]: r["version"] for r in a["UNLINK"]}
assert unlink.get("pip") == "23.0" and link.get("pip") == "24.0", (link, unlink)
assert link.get("python") == "3.12.1", link
PY

envtool install -p nowhere numpy $C 2> nowhere.err
check "no environment: exit 1" [ $? -eq 1 ]
check "no environment: said" grep -qF "environment '$PWD/nowhere' does not exist (no '$PWD/nowhere/conda-meta')" nowhere.err

# pinned_packages from .condarc
printf 'pinned_packages:\n  - python 3.11.*\n' > home/.condarc
envtool install -p env numpy $C 2> pin.err
check "pinned: exit 1" [ $? -eq 1 ]
check "pinned: explained" grep -qF "numpy requires 'python >=3.12,<3.13.0a0', but python 3.11.* is pinned" pin.err
printf 'pinned_packages:\n  - python 3.12.*\n' > home/.condarc
envtool install -p env numpy $C > /dev/null
check "pinned to what works: exit 0" [ $? -eq 0 ]
printf 'pinned_packages:\n  - "python >=3."\n' > home/.condarc
envtool install -p env numpy $C 2> badpin.err
check "bad pin: exit 1" [ $? -eq 1 ]
check "bad pin: named" grep -q "pinned_packages: invalid spec 'python >=3.'" badpin.err
exit $failed
