# SPDX-License-Identifier: Apache-2.0
# One order for a request's channels (issue 10: libconda/channel.c's
# et_channels_order()): -c first, then the environment file's, then the
# configured ones, then those named in specs; "defaults" where it stands,
# dropped by "nodefaults" wherever that is written.  The same order is the
# one fetched in (-v logs "channel N: URL/SUBDIR" as the index is built),
# the solver's priority (strict: each of n1..n6 comes from the first
# channel that has it) and what `envtool info` prints.
#
# Channels x y f a b s d under channel_alias (so their names are short);
# n_k is in the channels of rank k and below of the expected order
# x y f a b s, with a higher version the lower the rank, so a channel out
# of place shows as some n_k from another channel.  d (what "defaults"
# stands for) has every n_k at version 99.
. "$NBK_SRC/tests/envtool/lib/server.bash"
/usr/bin/python3 - "$PWD/alias" <<'PY'
import json, os, sys
root = sys.argv[1]
order = ["x", "y", "f", "a", "b", "s"]
chans = {c: {} for c in order + ["d"]}
for rank, c in enumerate(order, 1):
    for k in range(1, rank + 1):
        chans[c][f"n{k}"] = str(rank)
for k in range(1, 7):
    chans["d"][f"n{k}"] = "99"
for c, pkgs in chans.items():
    for sub in ("linux-64", "noarch"):
        os.makedirs(f"{root}/{c}/{sub}", exist_ok=True)
    recs = {f"{n}-{v}-0.tar.bz2": {"name": n, "version": v, "build": "0", "build_number": 0,
                                   "depends": [], "subdir": "noarch", "md5": "0" * 32, "size": 1}
            for n, v in pkgs.items()}
    json.dump({"info": {"subdir": "noarch"}, "packages": recs}, open(f"{root}/{c}/noarch/repodata.json", "w"))
    json.dump({"info": {"subdir": "linux-64"}, "packages": {}}, open(f"{root}/{c}/linux-64/repodata.json", "w"))
PY
A=file://$PWD/alias
printf 'channel_alias: %s\ndefault_channels: [%s/d]\nchannels: [a, defaults, b]\n' "$A" "$A" > home/.condarc
printf 'name: t\nchannels: [f, nodefaults]\ndependencies: [n1, n2, n3, n4, n5, "s::n6"]\n' > env.yml

envtool create -f env.yml -c x -c y --dry-run --json -v > create.json 2> create.err
check "create: exit 0" [ $? -eq 0 ]
envtool info -c x -c y --json > info.json
check "info: exit 0" [ $? -eq 0 ]
envtool info -c x -c y -c nodefaults --json > info-nodefaults.json
check "info nodefaults: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - "$A" <<'PY'
import json, re, sys
A = sys.argv[1]
want = ["x", "y", "f", "a", "b", "s"]
fails = 0
def check(name, ok, got):
    global fails
    print(f"ok: {name}" if ok else f"FAIL: {name}: {got}")
    fails += not ok
def load(path, key):
    try:
        d = json.load(open(path))
        return d["actions"]["LINK"] if key == "LINK" else d[key]
    except (ValueError, KeyError):
        return []
def names(urls):
    out = []
    for u in urls:
        c = u[len(A) + 1:].rsplit("/", 1)[0]
        if c not in out:
            out.append(c)
    return out
fetched = re.findall(r"channel \d+: (\S+)", open("create.err").read())
check("fetched in the order -c, file, configured, specs; nodefaults", names(fetched) == want, names(fetched))
link = {r["name"]: r for r in load("create.json", "LINK")}
got = [link.get(f"n{k}", {}).get("channel") for k in range(1, 7)]
check("solved with that priority (n_k from the k-th channel)", got == want, got)
info = load("info.json", "channels")
check("info: -c, then configured with defaults in place", names(info) == ["x", "y", "a", "d", "b"], names(info))
info = load("info-nodefaults.json", "channels")
check("info: the fetched order less the file's and specs' channels",
      names(info) == [c for c in want if c not in ("f", "s")], names(info))
sys.exit(fails)
PY
[ $? -eq 0 ] || failed=1
exit $failed
