#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write a CEP 16 sharded channel subdir from a repodata.json, for the tests.

usage: make_sharded_channel.py SUBDIR_DIR REPODATA_JSON [OPTIONS]

  --shards-dir NAME     where the shards go, below SUBDIR_DIR (default: shards)
  --shards-base-url U   info.shards_base_url (default: ./NAME/)
  --base-url U          info.base_url (default: none written)
  --hex-hashes          md5 and sha256 as hex strings (default: bytes, as the CEP says)
  --version N           the index's version (default 1)

Writes SUBDIR_DIR/repodata_shards.msgpack.zst and one
SUBDIR_DIR/NAME/<sha256>.msgpack.zst a package name (the sha256 of the
compressed bytes, as the CEP says), each record in its name's shard under
"packages" or "packages.conda" as in the repodata.  Prints one line per
shard, "NAME SHA256", in name order.

MessagePack is written here by hand (the few types the CEP uses: map,
array, str, bin, int, nil, bool), so the tests need no msgpack module;
zstd is the zstd command (scripts/deps lists it).
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess


def pack(v, out):
    """Append the msgpack encoding of v (None, bool, int, str, bytes, list, dict) to out."""
    if v is None:
        out += b"\xc0"
    elif v is True or v is False:
        out += b"\xc3" if v else b"\xc2"
    elif isinstance(v, int):
        if 0 <= v <= 0x7F:
            out += bytes([v])
        elif -32 <= v < 0:
            out += struct.pack(">b", v)
        elif 0 <= v <= 0xFFFFFFFF:
            out += b"\xce" + struct.pack(">I", v)
        elif v >= 0:
            out += b"\xcf" + struct.pack(">Q", v)
        else:
            out += b"\xd3" + struct.pack(">q", v)
    elif isinstance(v, str):
        b = v.encode()
        if len(b) < 32:
            out += bytes([0xA0 | len(b)])
        elif len(b) < 256:
            out += b"\xd9" + bytes([len(b)])
        elif len(b) < 65536:
            out += b"\xda" + struct.pack(">H", len(b))
        else:
            out += b"\xdb" + struct.pack(">I", len(b))
        out += b
    elif isinstance(v, (bytes, bytearray)):
        if len(v) < 256:
            out += b"\xc4" + bytes([len(v)])
        else:
            out += b"\xc6" + struct.pack(">I", len(v))
        out += v
    elif isinstance(v, list):
        out += bytes([0x90 | len(v)]) if len(v) < 16 else b"\xdd" + struct.pack(">I", len(v))
        for x in v:
            pack(x, out)
    elif isinstance(v, dict):
        out += bytes([0x80 | len(v)]) if len(v) < 16 else b"\xdf" + struct.pack(">I", len(v))
        for k, x in v.items():
            pack(k, out)
            pack(x, out)
    else:
        raise TypeError(type(v))
    return out


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c", "-19"], input=bytes(data),
                          stdout=subprocess.PIPE, check=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("subdir_dir")
    ap.add_argument("repodata")
    ap.add_argument("--shards-dir", default="shards")
    ap.add_argument("--shards-base-url")
    ap.add_argument("--base-url")
    ap.add_argument("--hex-hashes", action="store_true")
    ap.add_argument("--version", type=int, default=1)
    a = ap.parse_args()

    repodata = json.load(open(a.repodata))
    shards = {}
    for key in ("packages", "packages.conda"):
        for fn, rec in (repodata.get(key) or {}).items():
            rec = dict(rec)
            if not a.hex_hashes:
                for h in ("md5", "sha256"):
                    if isinstance(rec.get(h), str):
                        rec[h] = bytes.fromhex(rec[h])
            shard = shards.setdefault(rec["name"], {"packages": {}, "packages.conda": {}})
            shard[key][fn] = rec
    os.makedirs(os.path.join(a.subdir_dir, a.shards_dir), exist_ok=True)
    index = {}
    for name in sorted(shards):
        data = zstd(pack(shards[name], bytearray()))
        digest = hashlib.sha256(data).digest()
        path = os.path.join(a.subdir_dir, a.shards_dir, digest.hex() + ".msgpack.zst")
        with open(path, "wb") as f:
            f.write(data)
        index[name] = digest
        print(name, digest.hex())
    info = {"subdir": os.path.basename(os.path.normpath(a.subdir_dir)),
            "shards_base_url": a.shards_base_url if a.shards_base_url is not None
            else "./%s/" % a.shards_dir}
    if a.base_url is not None:
        info["base_url"] = a.base_url
    doc = {"version": a.version, "info": info, "shards": index}
    with open(os.path.join(a.subdir_dir, "repodata_shards.msgpack.zst"), "wb") as f:
        f.write(zstd(pack(doc, bytearray())))


if __name__ == "__main__":
    main()
