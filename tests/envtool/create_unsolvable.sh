# SPDX-License-Identifier: Apache-2.0
# An unsolvable create on conda's test index (a file:// channel): exit 1,
# the explanation in the user's specs, and success false in --json; the
# tie-break (numpy's py33_0 build for the newest python) from the command.
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel idx "$REPODATA/conda-test-index.json"

envtool create -n t 'numpy 1.5*' 'python 3.3*' -c "$PWD/idx" --override-channels --dry-run > out.txt 2> err.txt
check "exit 1" [ $? -eq 1 ]
check "says it cannot be solved" grep -q "^envtool: the request cannot be solved:$" err.txt
check "in the user's specs" grep -qF "numpy 1.5* requires 'python 2.6*' or 'python 2.7*', but python 3.3* was requested" err.txt

envtool create -n t 'numpy 1.5*' 'python 3.3*' -c "$PWD/idx" --override-channels --dry-run --json > out.json
check "json: exit 1" [ $? -eq 1 ]
/usr/bin/python3 - out.json <<'PY' && echo "ok: json success false" || echo "FAIL: json success false"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["success"] is False, d
assert "python 3.3* was requested" in d["message"], d["message"]
assert any("numpy 1.5* requires" in p for p in d["solver_problems"]), d
PY

envtool create -n t 'tensorflow' -c "$PWD/idx" --override-channels --dry-run 2> missing.err
check "missing package: exit 1" [ $? -eq 1 ]
check "missing package: named" grep -q "no package named 'tensorflow'" missing.err

envtool create -n t numpy -c "file://$PWD/idx" --override-channels --dry-run --json > tie.json
/usr/bin/python3 - tie.json <<'PY' && echo "ok: tie-break py33_0" || echo "FAIL: tie-break py33_0"
import json, sys
link = {r["name"]: r for r in json.load(open(sys.argv[1]))["actions"]["LINK"]}
assert link["numpy"]["build_string"] == "py33_0", link["numpy"]
assert link["python"]["version"] == "3.3.2", link["python"]
PY
exit $failed
