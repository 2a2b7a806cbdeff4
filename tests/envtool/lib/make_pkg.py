#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Build a small conda package (.tar.bz2) for envtool's tests.

usage: make_pkg.py OUT_DIR SPEC_JSON

SPEC_JSON: {"name", "version", "build" (default "0"), "subdir" (default
"noarch"), "noarch" ("python"|"generic"|absent), "depends": [...],
"files": {PATH: TEXT | {"text": TEXT, "mode": 0o755, "placeholder": P,
"file_mode": "text"|"binary", "bytes_hex": HEX, "from_file": PATH} |
{"symlink": TARGET}},
"entry_points": [...]}.  Writes info/index.json, info/paths.json (with
prefix placeholders), info/link.json for noarch, info/files; prints the
package's path.
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def main():
    out, spec = sys.argv[1], json.loads(sys.argv[2])
    name, version = spec["name"], spec["version"]
    build = spec.get("build", "0")
    subdir = spec.get("subdir", "noarch")
    members = []
    paths = []
    for path, f in sorted(spec.get("files", {}).items()):
        if isinstance(f, str):
            f = {"text": f}
        ti = tarfile.TarInfo(path)
        entry = {"_path": path}
        if "symlink" in f:
            ti.type = tarfile.SYMTYPE
            ti.linkname = f["symlink"]
            members.append((ti, None))
            entry["path_type"] = "softlink"
            paths.append(entry)
            continue
        if "from_file" in f:   # large contents (more than fits in an argument)
            with open(f["from_file"], "rb") as src:
                data = src.read()
        else:
            data = bytes.fromhex(f["bytes_hex"]) if "bytes_hex" in f else f.get("text", "").encode()
        ti.size = len(data)
        ti.mode = f.get("mode", 0o644)
        members.append((ti, data))
        entry.update(path_type="hardlink", sha256=hashlib.sha256(data).hexdigest(),
                     size_in_bytes=len(data))
        if "placeholder" in f:
            entry["prefix_placeholder"] = f["placeholder"]
            entry["file_mode"] = f.get("file_mode", "text")
        paths.append(entry)
    index = {"name": name, "version": version, "build": build, "build_number": int(spec.get("build_number", 0)),
             "depends": spec.get("depends", []), "subdir": subdir, "license": "BSD", "timestamp": 1700000000000}
    if spec.get("noarch"):
        index["noarch"] = spec["noarch"]
    info = {"info/index.json": json.dumps(index, indent=2),
            "info/paths.json": json.dumps({"paths": paths, "paths_version": 1}, indent=2),
            "info/files": "".join(p["_path"] + "\n" for p in paths)}
    if spec.get("noarch"):
        link = {"noarch": {"type": spec["noarch"]}, "package_metadata_version": 1}
        if spec.get("entry_points"):
            link["noarch"]["entry_points"] = spec["entry_points"]
        info["info/link.json"] = json.dumps(link, indent=2)
    os.makedirs(out, exist_ok=True)
    dest = os.path.join(out, f"{name}-{version}-{build}.tar.bz2")
    with tarfile.open(dest, "w:bz2") as t:
        for path, text in info.items():
            data = text.encode()
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        for ti, data in members:
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    print(dest)


main()
