#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write conda packages: the one package writer of nbkit's tests, benchmarks
and scripts/mkchannel.

As a program, a small package for envtool's tests:

usage: make_pkg.py OUT_DIR SPEC_JSON

SPEC_JSON: {"name", "version", "build" (default "0"), "subdir" (default
"noarch"), "noarch" ("python"|"generic"|absent), "depends": [...],
"format" ("tar.bz2", the default, or "conda"),
"files": {PATH: TEXT | {"text": TEXT, "mode": 0o755, "placeholder": P,
"file_mode": "text"|"binary", "bytes_hex": HEX, "from_file": PATH} |
{"symlink": TARGET}},
"entry_points": [...]}.  Writes info/index.json, info/paths.json (with
prefix placeholders), info/link.json for noarch, info/files; prints the
package's path.

As a module (import make_pkg): file_entry() and symlink_entry() describe
what goes into the package, write_package() writes it as .tar.bz2 or
.conda (the real format: a stored zip of metadata.json,
pkg-DIST.tar.zst and info-DIST.tar.zst).  Archives are reproducible: the
same entries give the same bytes (sorted members, uid/gid 0, no owner
names, one fixed mtime, a fixed zip date; zstd's output does not depend on
its thread count).
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

TEXT_PH = "/opt/anaconda1anaconda2anaconda3"
MTIME = 1700000000           # every member's mtime (SOURCE_DATE_EPOCH-like)
ZSTD_LEVEL = 10              # conda-build uses 19: the same decompression speed, minutes to write
CHUNK = 1 << 20


def file_entry(path, data=None, src=None, mode=0o644, placeholder=None, file_mode="text"):
    """A regular file: its bytes (data) or the file holding them (src)."""
    return {"path": path, "data": data, "src": src, "mode": mode, "placeholder": placeholder,
            "file_mode": file_mode}


def symlink_entry(path, target):
    return {"path": path, "symlink": target}


def _digest(e):
    """(sha256, size) of a file entry, streaming a src file."""
    if e.get("data") is not None:
        return hashlib.sha256(e["data"]).hexdigest(), len(e["data"])
    h, n = hashlib.sha256(), 0
    with open(e["src"], "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def info_files(index, entries, link=None, extra=None):
    """The info/ members, as {path: bytes}: index.json, paths.json (sha256,
    sizes, placeholders), files, has_prefix when a file has a placeholder,
    link.json (given, or made for noarch packages) and extra ones."""
    paths = []
    for e in entries:
        p = {"_path": e["path"]}
        if "symlink" in e:
            p["path_type"] = "softlink"
        else:
            sha, size = _digest(e)
            p.update(path_type="hardlink", sha256=sha, size_in_bytes=size)
            if e.get("placeholder"):
                p.update(prefix_placeholder=e["placeholder"], file_mode=e.get("file_mode", "text"))
        paths.append(p)
    info = {"info/index.json": json.dumps(index, indent=2, sort_keys=True),
            "info/paths.json": json.dumps({"paths": paths, "paths_version": 1}, indent=2),
            "info/files": "".join(p["_path"] + "\n" for p in paths)}
    has_prefix = "".join(f"{p['prefix_placeholder']} {p['file_mode']} {p['_path']}\n"
                         for p in paths if "prefix_placeholder" in p)
    if has_prefix:
        info["info/has_prefix"] = has_prefix
    if link is None and index.get("noarch"):
        link = {"noarch": {"type": index["noarch"]}, "package_metadata_version": 1}
    if link is not None:
        info["info/link.json"] = json.dumps(link, indent=2)
    info.update(extra or {})
    return {k: v.encode() if isinstance(v, str) else v for k, v in info.items()}


def _tarinfo(path, mode=0o644):
    ti = tarfile.TarInfo(path)
    ti.mtime = MTIME
    ti.mode = mode
    ti.uname = ti.gname = ""
    return ti


def write_tar(t, info, entries):
    """Add info (path -> bytes) and then the entries to the open tarfile t."""
    for path, data in info.items():
        ti = _tarinfo(path)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    for e in entries:
        ti = _tarinfo(e["path"], e.get("mode", 0o644))
        if "symlink" in e:
            ti.type = tarfile.SYMTYPE
            ti.linkname = e["symlink"]
            ti.mode = 0o777
            t.addfile(ti)
        elif e.get("data") is not None:
            ti.size = len(e["data"])
            t.addfile(ti, io.BytesIO(e["data"]))
        else:
            ti.size = os.path.getsize(e["src"])
            with open(e["src"], "rb") as f:
                t.addfile(ti, f)


def _zst_member(z, name, info, entries, level, tmp):
    """name in the zip z: a tar of info and entries, compressed by zstd."""
    raw = os.path.join(tmp, "raw.tar")
    with tarfile.open(raw, "w", format=tarfile.PAX_FORMAT) as t:
        write_tar(t, info, entries)
    subprocess.run(["zstd", "-q", "-f", f"-{level}", "-T0", raw, "-o", raw + ".zst"], check=True)
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_STORED
    zi.create_system = 3
    zi.external_attr = 0o644 << 16
    with open(raw + ".zst", "rb") as src, z.open(zi, "w", force_zip64=True) as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
    os.unlink(raw)
    os.unlink(raw + ".zst")


def write_package(out_dir, index, entries, fmt="conda", link=None, extra_info=None,
                  level=ZSTD_LEVEL):
    """Write NAME-VERSION-BUILD.FMT (fmt "conda" or "tar.bz2") into out_dir
    from index (info/index.json) and entries (file_entry()/symlink_entry(),
    written in path order), with info/ made by info_files(); returns its
    path.  Written under a temporary name, then renamed."""
    entries = sorted(entries, key=lambda e: e["path"])
    info = info_files(index, entries, link, extra_info)
    dist = f"{index['name']}-{index['version']}-{index['build']}"
    os.makedirs(out_dir, exist_ok=True)
    dest = os.path.join(out_dir, f"{dist}.{fmt}")
    if fmt == "tar.bz2":
        with tarfile.open(dest + ".part", "w:bz2") as t:
            write_tar(t, info, entries)
    else:
        with tempfile.TemporaryDirectory(dir=out_dir) as tmp, \
                zipfile.ZipFile(dest + ".part", "w", zipfile.ZIP_STORED) as z:
            zi = zipfile.ZipInfo("metadata.json", date_time=(1980, 1, 1, 0, 0, 0))
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            z.writestr(zi, json.dumps({"conda_pkg_format_version": 2}))
            _zst_member(z, f"pkg-{dist}.tar.zst", {}, entries, level, tmp)
            _zst_member(z, f"info-{dist}.tar.zst", info, [], level, tmp)
    os.rename(dest + ".part", dest)
    return dest


def from_spec(out, spec):
    """The package of a SPEC_JSON (see the usage above)."""
    entries = []
    for path, f in spec.get("files", {}).items():
        if isinstance(f, str):
            f = {"text": f}
        if "symlink" in f:
            entries.append(symlink_entry(path, f["symlink"]))
        elif "from_file" in f:   # large contents (more than fits in an argument)
            entries.append(file_entry(path, src=f["from_file"], mode=f.get("mode", 0o644),
                                      placeholder=f.get("placeholder"), file_mode=f.get("file_mode", "text")))
        else:
            data = bytes.fromhex(f["bytes_hex"]) if "bytes_hex" in f else f.get("text", "").encode()
            entries.append(file_entry(path, data, mode=f.get("mode", 0o644), placeholder=f.get("placeholder"),
                                      file_mode=f.get("file_mode", "text")))
    index = {"name": spec["name"], "version": spec["version"], "build": spec.get("build", "0"),
             "build_number": int(spec.get("build_number", 0)), "depends": spec.get("depends", []),
             "subdir": spec.get("subdir", "noarch"), "license": "BSD", "timestamp": 1700000000000}
    link = None
    if spec.get("noarch"):
        index["noarch"] = spec["noarch"]
        link = {"noarch": {"type": spec["noarch"]}, "package_metadata_version": 1}
        if spec.get("entry_points"):
            link["noarch"]["entry_points"] = spec["entry_points"]
    return write_package(out, index, entries, spec.get("format", "tar.bz2"), link)


if __name__ == "__main__":
    print(from_spec(sys.argv[1], json.loads(sys.argv[2])))
