#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate a conda-forge-sized repodata.json from the shapes of real records.

usage: gen_repodata.py OUT.json [RECORDS] [SEED] [SHAPE]

The field set, their frequencies and value shapes follow the real records in
shared/data/conda/repodata (pytorch-linux-64.json, conda-forge-numpy,
main-noarch.json): build strings like py311h64a7726_0, depends with conda
version constraints, md5/sha256, sizes, ms timestamps, licenses, some
constrains, track_features and legacy features, half the records in
`packages` (.tar.bz2), half in `packages.conda`, with .tar.bz2/.conda twins
as conda-forge has them.  Written as conda-index writes it: indent=2,
sorted keys.  Deterministic for a given SEED.

SHAPE "random" (the default, what the parse and load figures use) draws
every dependency from all names.  SHAPE "forge" gives the dependency graph
the shape of conda-forge's: python 3.8-3.12 and python_abi exist, the names
lie in layers (a base of 200, then 8 layers), each name has a fixed set of
dependency names (its records vary the versions, not the names) drawn from
the layer below and from the base, so a request's closure holds tens to a
few hundred names, as it does on conda-forge; no legacy `features`
(conda-forge has none, libmamba ignores them).
"""
import json
import random
import sys

out = sys.argv[1]
n_records = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
shape = sys.argv[4] if len(sys.argv) > 4 else "random"
if shape not in ("random", "forge"):
    sys.exit("gen_repodata.py: SHAPE is random or forge")

LICENSES = ["BSD-3-Clause", "MIT", "Apache-2.0", "GPL-3.0-or-later", "LGPL-2.1-or-later",
            "MPL-2.0", "BSD-2-Clause", "PSF-2.0", "Zlib", "LicenseRef-Proprietary"]
FAMILIES = ["BSD", "MIT", "Apache", "GPL3", "LGPL", "MOZILLA", "PSF", "OTHER"]
PYS = ["3.8", "3.9", "3.10", "3.11", "3.12"]
SYLL = ["py", "lib", "num", "sci", "data", "net", "cuda", "arrow", "geo", "xml", "json",
        "http", "ml", "torch", "flow", "kit", "ly", "io", "core", "utils", "tools", "fast",
        "zip", "img", "sql", "async", "test", "doc", "web", "crypt", "plot", "stat"]

n_names = max(10, n_records // 20)
names = set()
while len(names) < n_names:
    k = rng.randint(2, 3)
    names.add("-".join("".join(rng.choice(SYLL) for _ in range(rng.randint(1, 2)))
                       for _ in range(k - 1)) + rng.choice(["", "-python", "-base", "_impl", ""]))
names = sorted(names)
common = names[:200]  # popular dependencies (like python, numpy, libgcc-ng)


def hexs(n):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def version():
    r = rng.random()
    if r < 0.6:
        return f"{rng.randint(0, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
    if r < 0.8:
        return f"{rng.randint(0, 3)}.{rng.randint(0, 99)}"
    if r < 0.9:
        return f"{rng.randint(2018, 2024)}.{rng.randint(1, 12)}.{rng.randint(1, 28)}"
    return f"{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}rc{rng.randint(1, 3)}"


LAYERS = 8
layer_of, dep_names = {}, {}
if shape == "forge":
    names = [n for n in names if not n.startswith("python")] + ["python", "python_abi"]
    rng.shuffle(names)
    base = names[:200]
    rest = names[200:]
    layers = [base] + [rest[i::LAYERS] for i in range(LAYERS)]
    for k, layer in enumerate(layers):
        for i, n in enumerate(layer):
            layer_of[n] = k
            if k == 0:  # the base depends on a few earlier base names
                dep_names[n] = rng.sample(base[:i], min(i, rng.randint(0, 2)))
            else:
                below = layers[k - 1]
                dep_names[n] = (rng.sample(below, rng.randint(1, 2)) +
                                rng.sample(base, rng.randint(1, 4)))
    for n in ("python", "python_abi"):
        dep_names[n] = []


def dep(owner=None):
    if owner is not None and shape == "forge":
        # loose constraints, as most of conda-forge's run requirements are
        name = rng.choice(dep_names[owner]) if dep_names[owner] else rng.choice(base)
        return name if rng.random() < 0.7 else f"{name} >=0.{rng.randint(0, 9)}"
    name = rng.choice(common) if rng.random() < 0.6 else rng.choice(names)
    r = rng.random()
    if r < 0.3:
        return name
    if r < 0.6:
        a, b = rng.randint(0, 5), rng.randint(0, 30)
        return f"{name} >={a}.{b}"
    if r < 0.85:
        a, b = rng.randint(0, 5), rng.randint(0, 30)
        return f"{name} >={a}.{b},<{a + 1}.0a0"
    return f"{name} {rng.randint(0, 5)}.{rng.randint(0, 30)}.*"


packages, conda = {}, {}
count = 0
if shape == "forge":  # the interpreters and their ABI packages, as conda-forge has them
    for pyv in PYS:
        for micro in range(3):
            stem = f"python-{pyv}.{micro}-h{hexs(7)}_0_cpython"
            conda[stem.replace("-h", "-h", 1) + ".conda"] = {
                "build": stem.split("-")[-1], "build_number": 0, "depends": [],
                "md5": hexs(32), "name": "python", "sha256": hexs(64), "size": 30_000_000,
                "subdir": "linux-64", "timestamp": 1_700_000_000_000, "version": f"{pyv}.{micro}"}
        abi = pyv.replace(".", "")
        conda[f"python_abi-{pyv}-4_cp{abi}.conda"] = {
            "build": f"4_cp{abi}", "build_number": 4, "depends": [], "md5": hexs(32),
            "name": "python_abi", "sha256": hexs(64), "size": 6000, "subdir": "linux-64",
            "timestamp": 1_700_000_000_000, "version": pyv,
            "constrains": [f"python {pyv}.* *_cpython"]}
        count += 4
while count < n_records:
    name = rng.choice(names)
    if shape == "forge" and name in ("python", "python_abi"):
        continue
    ver = version()
    pyver = rng.choice(PYS) if rng.random() < 0.5 else None
    builds = rng.randint(1, 4)
    for bn in range(builds):
        if count >= n_records:
            break
        h = hexs(7)
        build = (f"py{pyver.replace('.', '')}h{h}_{bn}" if pyver else f"h{h}_{bn}")
        rec = {
            "build": build,
            "build_number": bn,
            "depends": ([dep(name) for _ in range(len(dep_names[name]))] if shape == "forge"
                        else [dep() for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12]))]),
            "md5": hexs(32),
            "name": name,
            "sha256": hexs(64),
            "size": rng.randint(2000, 300_000_000),
            "subdir": "linux-64",
            "timestamp": rng.randint(1_500_000_000_000, 1_720_000_000_000),
            "version": ver,
        }
        if pyver and shape == "forge":  # conda-forge's pin: python >=3.11,<3.12.0a0
            nxt = "3.%d" % (int(pyver.split(".")[1]) + 1)
            rec["depends"].append(f"python >={pyver},<{nxt}.0a0")
            rec["depends"].append("python_abi %s.* *_cp%s" % (pyver, pyver.replace('.', '')))
        elif pyver:
            rec["depends"].append(f"python >={pyver},<{pyver}.0a0")
            rec["depends"].append("python_abi %s.* *_cp%s" % (pyver, pyver.replace('.', '')))
        if rng.random() < 0.93:
            rec["license"] = rng.choice(LICENSES)
        if rng.random() < 0.3:
            rec["license_family"] = rng.choice(FAMILIES)
        if rng.random() < 0.17:
            rec["constrains"] = [dep(name if shape == "forge" else None)
                                 for _ in range(rng.randint(1, 3))]
        # legacy features: the random shape keeps them; conda-forge has none today,
        # and libmamba ignores them (so the forge shape compares with libsolv's conda mode)
        if shape == "random" and rng.random() < 0.05:
            rec["features"] = rng.choice(["mkl", "nomkl", "vc14", "cuda100"])
        if rng.random() < 0.02:
            rec["track_features"] = rng.choice(["mkl", "cpuonly", "vc14 vc15"])
        if rng.random() < 0.03:
            rec["arch"] = "x86_64"
            rec["platform"] = "linux"
        stem = f"{name}-{ver}-{build}"
        r = rng.random()
        if r < 0.45:
            packages[stem + ".tar.bz2"] = rec
            count += 1
        elif r < 0.9:
            conda[stem + ".conda"] = rec
            count += 1
        else:  # twins: both formats, the .conda one wins
            packages[stem + ".tar.bz2"] = dict(rec, md5=hexs(32), sha256=hexs(64))
            conda[stem + ".conda"] = rec
            count += 2

doc = {"info": {"subdir": "linux-64"}, "packages": packages, "packages.conda": conda,
       "removed": [], "repodata_version": 1}
with open(out, "w") as f:
    json.dump(doc, f, indent=2, sort_keys=True)
