# SPDX-License-Identifier: Apache-2.0
# Every JSON envtool writes is valid JSON (issue 10: one writer,
# lib/json.c), read back by Debian's python json module with strict UTF-8:
# the --json answers of info, create (dry run, real, unsolvable), install,
# list, env list, search and remove, and the files: conda-meta records,
# the package cache's repodata_record.json, kernel.json and the repodata
# cache's state.  The names are hostile: a prefix with a byte that is not
# UTF-8 (written as U+FFFD), quotes, a backslash and a tab in a file name,
# a quote in a record's track_features (conda-meta wrote it unescaped).
. "$NBK_SRC/tests/envtool/lib/server.bash"
local_channel '{"name": "base", "version": "1.0", "files": {"share/a \"q\" \\ b\tc.txt": "b\n"}}' \
	'{"name": "top", "version": "1.0", "depends": ["base"], "files": {"share/top.txt": "t\n"}}'
/usr/bin/python3 - chan/noarch/repodata.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["packages"].values():
    if r["name"] == "base":
        r["track_features"] = 'tf"1 x\\y'
json.dump(d, open(sys.argv[1], "w"))
PY
cat > valid.py <<'PY'
import json, sys

def strict(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"duplicate keys {keys}")
    return dict(pairs)

def bad_constant(name):
    raise ValueError(f"not JSON: {name}")

label, path = sys.argv[1], sys.argv[2]
try:
    text = open(path, "rb").read().decode("utf-8")
    value = json.loads(text, object_pairs_hook=strict, parse_constant=bad_constant)
except Exception as e:
    print(f"FAIL: {label}: {type(e).__name__}: {e}")
    sys.exit(1)
if len(sys.argv) > 3:
    # a check on the value: an expression of `value` and `prefix`
    prefix = sys.argv[3].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if not eval(sys.argv[4]):
        print(f"FAIL: {label}: {sys.argv[4]}")
        sys.exit(1)
print(f"ok: {label}")
PY
# valid LABEL FILE [CHECK]: FILE is JSON; CHECK (python) holds of its value
valid() {
	if [ $# -gt 2 ]; then
		/usr/bin/python3 valid.py "$1" "$2" "$E" "$3" || failed=1
	else
		/usr/bin/python3 valid.py "$1" "$2" || failed=1
	fi
}
E="$PWD/env $(printf '\377') \"q\""

envtool info --json > info.json
valid "info" info.json
envtool create -p "$E" top $C --dry-run --json > dry.json
valid "create --dry-run" dry.json 'value["prefix"] == prefix and "\ufffd" in prefix'
envtool create -p "$E" top $C -y --json > create.json
valid "create" create.json 'len(value["actions"]["LINK"]) == 2'
envtool install -p "$E" 'base >=5' $C -y --json > unsolvable.json
valid "install, unsolvable" unsolvable.json 'value["success"] is False and value["solver_problems"]'
envtool list -p "$E" --json > list.json
valid "list" list.json 'sorted(p["name"] for p in value) == ["base", "top"]'
envtool env list --json > envs.json
valid "env list" envs.json 'prefix in value["envs"]'
envtool search base $C --json > search.json
valid "search" search.json 'value["result"]["pkgs"][0]["track_features"] == "tf\"1,x\\y"'
envtool search 'nothing*' $C --json > nomatch.json
valid "search, no match" nomatch.json 'value["result"]["pkgs"] == []'
for f in "$E"/conda-meta/*.json; do
	valid "conda-meta/${f##*/}" "$f"
done
valid "conda-meta files: quotes, backslash, tab" "$E/conda-meta/base-1.0-0.json" \
	'value["files"] == ["share/a \"q\" \\ b\tc.txt"] and value["track_features"] == "tf\"1 x\\y"'
for f in home/.conda/pkgs/*/info/repodata_record.json; do
	f=${f#home/.conda/pkgs/}
	valid "pkgs/${f%%/*}/info/repodata_record.json" "home/.conda/pkgs/$f"
done
envtool kernel install -p "$E" > /dev/null 2>&1
for f in $(find home -name kernel.json); do
	valid "kernel.json" "$f" 'value["argv"][1:4] == ["run", "-p", prefix] and value["metadata"]["envtool"]["prefix"] == prefix'
done
envtool remove -p "$E" top --dry-run --json > rmdry.json
valid "remove --dry-run" rmdry.json '[r["name"] for r in value["actions"]["UNLINK"]] == ["top"]'
envtool remove -p "$E" top -y --json > rm.json
valid "remove" rm.json 'value["prefix"] == prefix'

make_channel srv/chan "$REPODATA/dummy-linux-64.json"
start_server
envtool search '*' -c "$URL/ok/chan" --override-channels --json > http.json 2> /dev/null
valid "search over HTTP" http.json
for f in $(find home -name '*.info.json' ! -name '*.shards.info.json' | sort); do
	valid "repodata cache state" "$f" 'value["url"].endswith("/repodata.json") and value["has_zst"] in (True, False, None)'
done
# a shard index's state (shards.h): here the server has none, and that is remembered
for f in $(find home -name '*.shards.info.json' | sort); do
	valid "shard index state" "$f" 'value["url"] is None and value["zst_checked_ns"] > 0'
done
exit $failed
