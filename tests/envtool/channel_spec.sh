# SPDX-License-Identifier: Apache-2.0
# "chan::numpy" goes through channel_alias (the channel module), not the
# tail of a name: a decoy channel also ending in /chan, listed first, is not
# used.  A file:// channel with only repodata.json.zst, and a path with a
# space given as a percent-encoded file:// URL.
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel alias/chan "$REPODATA/conda-forge-numpy-linux-64.json"
# the decoy: conda's test index, numpy only (so python comes from the alias)
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); json.dump({k: v for k, v in d.items() if v["name"] == "numpy"}, open(sys.argv[2], "w"))' \
	"$REPODATA/conda-test-index.json" decoy.json
make_channel decoy/chan decoy.json
printf 'channel_alias: file://%s/alias\n' "$PWD" > home/.condarc

envtool create -n x 'chan::numpy' -c "$PWD/decoy/chan" --override-channels --dry-run --json > a.json
check "chan::numpy: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - a.json <<'PY' && echo "ok: chan::numpy from the alias's chan" || echo "FAIL: chan::numpy from the alias's chan"
import json, sys
link = {r["name"]: r for r in json.load(open(sys.argv[1]))["actions"]["LINK"]}
assert link["numpy"]["version"] == "1.26.4", link["numpy"]
# under channel_alias, the channel's name is the short one
assert link["numpy"]["channel"] == "chan", link["numpy"]["channel"]
PY
envtool create -n x "file://$PWD/decoy/chan::numpy" -c "$PWD/decoy/chan" --override-channels --dry-run --json > b.json
/usr/bin/python3 - b.json <<'PY' && echo "ok: URL::numpy from the decoy: its numpy needs an old python" || echo "FAIL: URL::numpy from the decoy: its numpy needs an old python"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["success"] is False and "nothing provides 'python 2." in d["message"], d
PY

# only repodata.json.zst in a file:// channel; a space in the path
mkdir -p "zst only/linux-64" "zst only/noarch"
zstd -q "$REPODATA/conda-forge-numpy-linux-64.json" -o "zst only/linux-64/repodata.json.zst"
echo '{}' | zstd -q -o "zst only/noarch/repodata.json.zst"
rm -f home/.condarc
envtool search 'numpy' -c "file://$PWD/zst%20only" --override-channels > zst.txt
check "zst-only file channel: exit 0" [ $? -eq 0 ]
check "zst-only file channel: numpy" grep -q '^numpy  *1.26.4' zst.txt
envtool create -p env python -c "$PWD/zst only" --override-channels --dry-run > zst2.txt
check "zst-only, path with a space: solved" grep -q '^+  *python  *3.12.1' zst2.txt
exit $failed
