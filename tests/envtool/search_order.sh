# SPDX-License-Identifier: Apache-2.0
# search on a local channel (the real pytorch linux-64 repodata, absolute
# path): every match, in ascending conda order (version, then build number),
# in the JSON shape of DESIGN.md; --platform picks the subdir.
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel chan "$REPODATA/pytorch-linux-64.json"
envtool search 'pytorch>=1.8,<1.12' -c "$PWD/chan" --override-channels --json > out.json
check "exit 0" [ $? -eq 0 ]
/usr/bin/python3 - out.json "$REPODATA/pytorch-linux-64.json" <<'PY' && echo "ok: order and count" || echo "FAIL: order and count"
import json, sys
pkgs = json.load(open(sys.argv[1]))["result"]["pkgs"]
src = json.load(open(sys.argv[2]))
def key(v):  # enough of conda's order for plain numeric versions
    return [int(x) if x.isdigit() else x for x in v.replace("_", ".").split(".")]
want = [r for r in list(src.get("packages", {}).values()) + list(src.get("packages.conda", {}).values())
        if r["name"] == "pytorch" and (1, 8) <= tuple(key(r["version"])[:2]) < (1, 12)]
assert len(pkgs) == len(want) > 0, (len(pkgs), len(want))
keys = [(key(p["version"]), p["build_number"]) for p in pkgs]
assert keys == sorted(keys), keys
assert all(p["subdir"] == "linux-64" and p["channel"].startswith("file://") for p in pkgs)
PY
envtool search 'pytorch' -c "$PWD/chan" --override-channels --platform osx-arm64 > /dev/null 2> osx.err
check "osx-arm64 has no pytorch here" [ $? -eq 1 ]
check "no-match message" grep -q "no package matches 'pytorch' in 1 channel(s) for osx-arm64 and noarch" osx.err
exit $failed
