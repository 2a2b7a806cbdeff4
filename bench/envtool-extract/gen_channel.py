#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generate the package channel of envtool's extraction and create benchmarks.

usage: gen_channel.py OUT_DIR

Writes OUT_DIR/channel/linux-64/*.conda (and the channel's repodata.json,
through tests/envtool/lib/make_channel.py), OUT_DIR/specs (one package name
a line) and OUT_DIR/stats ("packages= files= bytes= archive_bytes=").
Deterministic (seeded): the same script makes the same channel.

56 packages, ~23,500 files, ~530 MB once extracted, in the shapes of a
data-science environment:
  28 "python" packages  560 files each: .py sources (text, compressible)
                         and .pyc (binary, compressible), log-normal sizes
                         around 4 KB; an entry script with the text prefix
                         placeholder
  16 "library" packages headers and pkg-config/cmake files (text, 10 with
                         the text placeholder), 4 shared libraries (one of 5-14 MB,
                         three of 0.25-2 MB; machine-code-like: about half
                         random), their
                         .so/.so.N symlinks, a tool with the binary
                         placeholder
  12 "data" packages    300 files of random bytes (incompressible, like
                         compressed images or .npz), a few CSV files, one
                         blob of 2-6 MB of random bytes
Archives are .conda (stored zip of info-*.tar.zst and pkg-*.tar.zst,
written by tests/envtool/lib/make_pkg.py) at zstd level ZSTD_LEVEL
(default 10; conda-build uses 19, which decompresses at the same speed but
takes minutes to write).
"""
import json
import math
import multiprocessing
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "envtool", "lib"))
import make_pkg  # noqa: E402  (the package writer: .conda, reproducible)

TEXT_PH = make_pkg.TEXT_PH
BIN_PH = "/home/conda/feedstock_root/build_artifacts/bench_1700000000000/_h_env_placehold" + \
    "_placehold" * 17
LEVEL = os.environ.get("ZSTD_LEVEL", "10")
KINDS = [("python", 28), ("library", 16), ("data", 12)]
CORPUS = b""


def make_corpus(size):
    rng = random.Random(4)
    syll = ["ar", "be", "co", "da", "el", "fi", "get", "ho", "in", "ju", "ka", "lo", "mu", "ne",
            "op", "pre", "qu", "ra", "se", "to", "un", "va", "wi", "xe", "yo", "ze"]
    words = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(6000)]
    words += ["def", "return", "self", "import", "if", "else", "for", "in", "None", "True",
              "class", "from", "(", ")", ":", "=", "==", ",", "[", "]", "0", "1", "+"]
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(words))]
    rng.shuffle(weights)
    out, n = [], 0
    while n < size:
        toks = rng.choices(words, weights, k=200000)
        # lines of 4-14 tokens, indented as code
        lines, i = [], 0
        while i < len(toks):
            k = rng.randint(4, 14)
            lines.append("    " * rng.randint(0, 3) + " ".join(toks[i:i + k]))
            i += k
        chunk = ("\n".join(lines) + "\n").encode()
        out.append(chunk)
        n += len(chunk)
    return b"".join(out)[:size]


def text(rng, size, head=b""):
    if size <= len(head):
        return head[:size]
    off = rng.randrange(0, len(CORPUS) - size) if size < len(CORPUS) else 0
    return (head + CORPUS[off:off + size - len(head)])[:size]


def binary(rng, size):
    """Machine-code-like: random runs, text runs (strings, symbols), zero padding."""
    parts, n = [], 0
    while n < size:
        k = rng.randint(512, 8192)
        r = rng.random()
        if r < 0.5:
            parts.append(rng.randbytes(k))
        elif r < 0.85:
            parts.append(text(rng, k))
        else:
            parts.append(bytes(k))
        n += k
    return b"".join(parts)[:size]


def lognormal_size(rng, median, sigma, lo, hi):
    return int(min(hi, max(lo, rng.lognormvariate(math.log(median), sigma))))


def files_of(kind, i, rng):
    """[(path, bytes, extra)] with extra: placeholder info or {'symlink': target}."""
    name = f"b{kind[:2]}{i:02d}"
    out = []
    if kind == "python":
        sp = f"lib/python3.11/site-packages/{name}"
        for j in range(560):
            sub = f"{sp}/sub{j % 12}"
            size = lognormal_size(rng, 4000, 1.1, 60, 300000)
            if j % 5 < 3:
                out.append((f"{sub}/mod{j}.py", text(rng, size, f"# {name} module {j}\n".encode()), None))
            else:
                out.append((f"{sub}/__pycache__/mod{j}.cpython-311.pyc", binary(rng, size), None))
        script = f"#!{TEXT_PH}/bin/python\nimport {name}\n{name}.main()\n".encode()
        out.append((f"bin/{name}", script, {"placeholder": TEXT_PH, "mode": "text", "exe": True}))
    elif kind == "library":
        for j in range(215):
            size = lognormal_size(rng, 4000, 1.0, 100, 200000)
            out.append((f"include/{name}/h{j}.h", text(rng, size, f"/* {name} {j} */\n".encode()), None))
        for j in range(10):
            body = f"prefix={TEXT_PH}\nlibdir=${{prefix}}/lib\n".encode() + text(rng, 600)
            out.append((f"lib/pkgconfig/{name}-{j}.pc", body, {"placeholder": TEXT_PH, "mode": "text"}))
        for j in range(4):
            size = rng.randint(5, 14) << 20 if j == 0 else rng.randint(256, 2048) << 10
            so = f"lib/lib{name}_{j}.so.1.2.3"
            out.append((so, binary(rng, size), None))
            out.append((f"lib/lib{name}_{j}.so.1", None, {"symlink": f"lib{name}_{j}.so.1.2.3"}))
            out.append((f"lib/lib{name}_{j}.so", None, {"symlink": f"lib{name}_{j}.so.1"}))
        tool = binary(rng, 150000)
        tool = tool[:70000] + (BIN_PH + "/lib\0").encode() + tool[70000 + len(BIN_PH) + 5:]
        out.append((f"bin/{name}-tool", tool, {"placeholder": BIN_PH, "mode": "binary", "exe": True}))
    else:
        for j in range(300):
            size = lognormal_size(rng, 20000, 1.0, 200, 2000000)
            out.append((f"share/{name}/d{j % 8}/item{j}.npz", rng.randbytes(size), None))
        for j in range(6):
            out.append((f"share/{name}/tables/t{j}.csv", text(rng, rng.randint(20000, 400000)), None))
        out.append((f"share/{name}/blob.bin", rng.randbytes(rng.randint(2, 6) << 20), None))
    return name, out


def make_package(args):
    out, kind, i, seed = args
    rng = random.Random(seed)
    name, members = files_of(kind, i, rng)
    entries = []
    for path, data, extra in members:
        if extra and "symlink" in extra:
            entries.append(make_pkg.symlink_entry(path, extra["symlink"]))
        else:
            entries.append(make_pkg.file_entry(path, data, mode=0o755 if extra and extra.get("exe") else 0o644,
                                               placeholder=extra.get("placeholder") if extra else None,
                                               file_mode=extra.get("mode", "text") if extra else "text"))
    index = {"name": name, "version": f"1.{i}.0", "build": "h0bench_0", "build_number": 0, "depends": [],
             "subdir": "linux-64", "arch": "x86_64", "platform": "linux", "license": "BSD-3-Clause",
             "timestamp": 1700000000000}
    about = {"info/about.json": json.dumps({"summary": f"benchmark package {name}"})}
    dest = make_pkg.write_package(out, index, entries, "conda", extra_info=about, level=LEVEL)
    info = make_pkg.info_files(index, entries, extra=about)
    nbytes = sum(len(d) for _, d, _ in members if d is not None)
    return name, dest, len(members) + len(info), nbytes + sum(len(d) for d in info.values())


def main():
    global CORPUS
    out = sys.argv[1]
    sub = os.path.join(out, "channel", "linux-64")
    os.makedirs(sub, exist_ok=True)
    CORPUS = make_corpus(48 << 20)
    jobs, seed = [], 1000
    for kind, count in KINDS:
        for i in range(count):
            jobs.append((sub, kind, i, seed))
            seed += 1
    with multiprocessing.Pool(os.cpu_count() or 1) as pool:
        done = pool.map(make_package, jobs, chunksize=1)
    here = os.path.dirname(os.path.abspath(__file__))
    make_channel = os.path.join(here, "..", "..", "tests", "envtool", "lib", "make_channel.py")
    subprocess.run([sys.executable, make_channel, os.path.join(out, "channel")] + [d for _, d, _, _ in done],
                   check=True)
    with open(os.path.join(out, "specs"), "w") as f:
        f.write("".join(n + "\n" for n, _, _, _ in done))
    files = sum(f for _, _, f, _ in done)
    nbytes = sum(b for _, _, _, b in done)
    abytes = sum(os.path.getsize(d) for _, d, _, _ in done)
    with open(os.path.join(out, "stats"), "w") as f:
        f.write(f"packages={len(done)} files={files} bytes={nbytes} archive_bytes={abytes}\n")


main()
