#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Make a conda channel from package files, for envtool's tests and benches.

usage: make_channel.py [--zst] CHANNEL_DIR PACKAGE...

Each package (.conda or .tar.bz2) is copied (hard-linked when it can be)
into CHANNEL_DIR/SUBDIR (its info/index.json's subdir) and listed in that
subdir's repodata.json with md5, sha256 and size, as conda index would;
every subdir of linux-64 and noarch gets a repodata.json, even empty.
--zst also writes repodata.json.zst beside each (envtool prefers it).
As a module: index_channel(CHANNEL_DIR, PACKAGES, zst).
"""
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile


def index_json(path):
    if path.endswith(".tar.bz2"):
        with tarfile.open(path, "r:bz2") as t:
            return json.load(t.extractfile("info/index.json"))
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if os.path.basename(n).startswith("info-") and n.endswith(".tar.zst"))
        data = z.read(name)
    raw = subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        for m in t.getmembers():
            if m.name.lstrip("./") == "info/index.json":
                return json.load(t.extractfile(m))
    raise SystemExit(f"{path}: no info/index.json")


def index_channel(chan, pkgs, zst=False):
    repos = {"linux-64": {"packages": {}, "packages.conda": {}},
             "noarch": {"packages": {}, "packages.conda": {}}}
    for p in pkgs:
        fn = os.path.basename(p)
        rec = index_json(p)
        subdir = rec.get("subdir") or "noarch"
        if subdir not in repos:
            repos[subdir] = {"packages": {}, "packages.conda": {}}
        os.makedirs(os.path.join(chan, subdir), exist_ok=True)
        dest = os.path.join(chan, subdir, fn)
        if not os.path.exists(dest):
            try:
                os.link(p, dest)
            except OSError:
                shutil.copyfile(p, dest)
        data = open(p, "rb").read()
        rec["md5"] = hashlib.md5(data).hexdigest()
        rec["sha256"] = hashlib.sha256(data).hexdigest()
        rec["size"] = len(data)
        rec["subdir"] = subdir
        repos[subdir]["packages.conda" if fn.endswith(".conda") else "packages"][fn] = rec
    for subdir, r in repos.items():
        os.makedirs(os.path.join(chan, subdir), exist_ok=True)
        r["info"] = {"subdir": subdir}
        out = os.path.join(chan, subdir, "repodata.json")
        with open(out, "w") as f:
            json.dump(r, f, indent=1, sort_keys=True)
        if zst:
            subprocess.run(["zstd", "-q", "-f", "-19", out, "-o", out + ".zst"], check=True)


if __name__ == "__main__":
    zst = sys.argv[1] == "--zst"
    index_channel(sys.argv[1 + zst], sys.argv[2 + zst:], zst)
