# SPDX-License-Identifier: Apache-2.0
# envtool search over HTTP: .zst preferred, 404 for .zst falls back to
# .json, ETag revalidation gives 304 and reuses the cache, max-age skips the
# request, --offline uses only the cache, the binary cache is written.
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel srv/chan "$REPODATA/conda-forge-numpy-linux-64.json"
zstd -q srv/chan/linux-64/repodata.json -o srv/chan/linux-64/repodata.json.zst
rm srv/chan/linux-64/repodata.json   # only the .zst: proves it was used
start_server

envtool search 'numpy>=1.26' -c "$URL/ok/chan" --override-channels --json > out1.json
check "first search exits 0" [ $? -eq 0 ]
check "zst asked and served" grep -q "GET /ok/chan/linux-64/repodata.json.zst 200" server.log
check "noarch zst 404 then json" grep -q "GET /ok/chan/noarch/repodata.json 200" server.log
/usr/bin/python3 - out1.json <<'PY' && echo "ok: json shape" || { echo "FAIL: json shape"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["query"] == {"query": "numpy>=1.26", "type": "search"}, d["query"]
assert d["result"]["status"] == "OK"
pkgs = d["result"]["pkgs"]
assert [p["name"] for p in pkgs] == ["numpy"], pkgs
p = pkgs[0]
for k in ("name", "version", "build", "build_number", "channel", "subdir", "fn", "url", "sha256", "depends"):
    assert k in p, k
assert p["url"].endswith("/ok/chan/linux-64/" + p["fn"]) or p["url"].startswith("https://conda.anaconda.org/"), p["url"]
PY
check "cache files written" sh -c 'ls home/.conda/pkgs/cache/*.json home/.conda/pkgs/cache/*.info.json home/.conda/pkgs/cache/*.nbkrd >/dev/null'

# Second run: revalidation with the ETag -> 304, same answer.
envtool search 'numpy>=1.26' -c "$URL/ok/chan" --override-channels --json > out2.json
check "second search exits 0" [ $? -eq 0 ]
check "304 with If-None-Match" grep -q 'repodata.json.zst 304 proxy=0 inm="' server.log
check "same answer from the cache" cmp -s out1.json out2.json
check "noarch not asked for .zst again" [ "$(count 'GET /ok/chan/noarch/repodata.json.zst')" -eq 1 ]

# Cache-Control max-age: no request at all the second time.
make_channel srv/cached "$REPODATA/conda-forge-numpy-linux-64.json"
envtool search numpy -c "$URL/cache/cached" --override-channels > /dev/null
n=$(wc -l < server.log)
envtool search numpy -c "$URL/cache/cached" --override-channels > table.txt
check "fresh cache: no request" [ "$(wc -l < server.log)" -eq "$n" ]
check "table header" grep -q '^Name  *Version  *Build  *Channel  *Subdir$' table.txt

# --offline: the cache only; a channel never fetched is an error.
stop_server
envtool search numpy -c "$URL/ok/chan" --override-channels --offline > /dev/null
check "offline from the cache" [ $? -eq 0 ]
envtool search numpy -c "$URL/ok/other" --override-channels --offline > /dev/null 2> offline.err
check "offline without cache fails" [ $? -eq 1 ]
check "offline message names the subdir" grep -q "not in the cache and --offline was given" offline.err
exit $failed
