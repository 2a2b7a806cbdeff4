#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate a conda-forge-sized repodata.json from the shapes of real records.

usage: gen_repodata.py OUT.json [RECORDS] [SEED]

The field set, their frequencies and value shapes follow the real records in
shared/data/conda/repodata (pytorch-linux-64.json, conda-forge-numpy,
main-noarch.json): build strings like py311h64a7726_0, depends with conda
version constraints, md5/sha256, sizes, ms timestamps, licenses, some
constrains, track_features and legacy features, half the records in
`packages` (.tar.bz2), half in `packages.conda`, with .tar.bz2/.conda twins
as conda-forge has them.  Written as conda-index writes it: indent=2,
sorted keys.  Deterministic for a given SEED.
"""
import json
import random
import sys

out = sys.argv[1]
n_records = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)

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


def dep():
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
while count < n_records:
    name = rng.choice(names)
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
            "depends": [dep() for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12]))],
            "md5": hexs(32),
            "name": name,
            "sha256": hexs(64),
            "size": rng.randint(2000, 300_000_000),
            "subdir": "linux-64",
            "timestamp": rng.randint(1_500_000_000_000, 1_720_000_000_000),
            "version": ver,
        }
        if pyver:
            rec["depends"].append(f"python >={pyver},<{pyver}.0a0")
            rec["depends"].append("python_abi %s.* *_cp%s" % (pyver, pyver.replace('.', '')))
        if rng.random() < 0.93:
            rec["license"] = rng.choice(LICENSES)
        if rng.random() < 0.3:
            rec["license_family"] = rng.choice(FAMILIES)
        if rng.random() < 0.17:
            rec["constrains"] = [dep() for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.05:
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
