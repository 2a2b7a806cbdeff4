# SPDX-License-Identifier: Apache-2.0
# timeout: 900
# The real channel of scripts/mkchannel (issue 15), made from Debian's
# binaries: kept between runs (a second mkchannel rebuilds nothing); the
# real .conda format (a stored zip of metadata.json, pkg-*.tar.zst and
# info-*.tar.zst; info/index.json, paths.json with the sha256 and size of
# every file the pkg part holds, files, has_prefix where a text file names
# the prefix, link.json with entry points); repodata.json and its .zst
# listing every archive with its sha256; every dependency resolvable in the
# channel (or glibc's virtual package); the interpreter relocatable (its
# ELF files' RUNPATHs are relative); and reproducible: the same Debian
# packages built again give the same archives, byte for byte.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
debian_channel
check "mkchannel built the channel" [ -f "$DCHAN/linux-64/repodata.json" ] && [ -f "$DCHAN/noarch/repodata.json" ]
"$NBK_SRC/scripts/mkchannel" "$DCHAN" > again.log 2>&1
check "a second run rebuilds nothing (cached)" grep -q "is up to date" again.log

cat > inspect.py <<'PY'
import io, json, os, subprocess, sys, tarfile, zipfile
chan = sys.argv[1]
PH = "/opt/anaconda1anaconda2anaconda3"
failed = 0


def check(name, ok):
    global failed
    print(("ok: " if ok else "FAIL: ") + name)
    failed |= not ok


def tar_of(z, name):
    raw = subprocess.run(["zstd", "-dc"], input=z.read(name), stdout=subprocess.PIPE, check=True).stdout
    return tarfile.open(fileobj=io.BytesIO(raw))


recs, bad_zip, bad_paths, bad_sha = {}, [], [], []
for sub in ("linux-64", "noarch"):
    raw = open(os.path.join(chan, sub, "repodata.json"), "rb").read()
    zst = subprocess.run(["zstd", "-dc", os.path.join(chan, sub, "repodata.json.zst")],
                         stdout=subprocess.PIPE, check=True).stdout
    check(f"{sub}: repodata.json.zst is repodata.json", zst == raw)
    for fn, r in json.loads(raw)["packages.conda"].items():
        recs[fn] = r
        path = os.path.join(chan, sub, fn)
        if subprocess.run(["sha256sum", path], stdout=subprocess.PIPE, text=True).stdout[:64] != r["sha256"]:
            bad_sha.append(fn)
        dist = fn[:-len(".conda")]
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if names != ["metadata.json", f"pkg-{dist}.tar.zst", f"info-{dist}.tar.zst"] or \
                    any(i.compress_type != zipfile.ZIP_STORED for i in z.infolist()):
                bad_zip.append(fn)
                continue
            it = tar_of(z, f"info-{dist}.tar.zst")
            info = it.getnames()
            paths = json.load(it.extractfile("info/paths.json"))["paths"]
            files = it.extractfile("info/files").read().decode().splitlines()
            pt = tar_of(z, f"pkg-{dist}.tar.zst")
            members = {m.name: m for m in pt.getmembers()}
            for p in paths:
                m = members.get(p["_path"])
                ok = m is not None and (m.issym() if p["path_type"] == "softlink" else
                                        m.isfile() and m.size == p["size_in_bytes"] and len(p["sha256"]) == 64)
                if not ok or "info/index.json" not in info:
                    bad_paths.append(f"{fn}: {p['_path']}")
            if sorted(files) != sorted(members) or len(paths) != len(members):
                bad_paths.append(f"{fn}: info/files or paths.json is not what the pkg part holds")
check("every archive is the real .conda zip (stored: metadata, pkg, info)", not bad_zip and len(recs) > 60)
check("repodata's sha256 is each archive's", not bad_sha)
check("paths.json and info/files list exactly the files of the pkg part, with sizes", not bad_paths)
print("\n".join(bad_zip[:3] + bad_sha[:3] + bad_paths[:5]), file=sys.stderr)

byname = {r["name"]: (fn, r) for fn, r in recs.items()}
names = set(byname)
unresolved = sorted({d.split()[0] for r in recs.values() for d in r["depends"]} - names - {"__glibc"})
check("every dependency is in the channel (or __glibc)", not unresolved)
print("unresolved:", unresolved, file=sys.stderr) if unresolved else None
want = {"python", "numpy", "pandas", "scipy", "ipykernel", "pip", "libopenblas", "libgfortran5",
        "libquadmath", "openssl", "zeromq", "python_abi"}
check("python, numpy, pandas, scipy, ipykernel, pip and their libraries are there", want <= names)
np = byname["numpy"][1]
check("numpy: linux-64, a py311 build, loads openblas, pins python and its ABI",
      np["subdir"] == "linux-64" and np["build"].startswith("py311h") and any(d.startswith("libopenblas") for d in np["depends"]) and "python_abi 3.11.* *_cp311" in np["depends"] and
      "python >=3.11,<3.12.0a0" in np["depends"] and any(d.startswith("__glibc >=2.") for d in np["depends"]))
ipk = byname["ipykernel"][1]
check("ipykernel: noarch python, a pyh build", ipk.get("noarch") == "python" and ipk["build"].startswith("pyh"))
py = byname["python"][1]
check("python: 3.11, its libraries as dependencies",
      py["version"].startswith("3.11.") and {"openssl", "libffi", "libsqlite", "libzlib"} <= {d.split()[0] for d in py["depends"]})


def info_and_pkg(name):
    fn, r = byname[name]
    dist = fn[:-len(".conda")]
    z = zipfile.ZipFile(os.path.join(chan, r["subdir"], fn))
    return tar_of(z, f"info-{dist}.tar.zst"), tar_of(z, f"pkg-{dist}.tar.zst")


it, pt = info_and_pkg("python")
hp = it.extractfile("info/has_prefix").read().decode().splitlines()
sysconf = "lib/python3.11/_sysconfigdata__x86_64-linux-gnu.py"
check("python: has_prefix names _sysconfigdata and the scripts (text, the placeholder)",
      f"{PH} text {sysconf}" in hp and f"{PH} text bin/pydoc3.11" in hp)
text = pt.extractfile(sysconf).read().decode()
check("python: _sysconfigdata's prefix is the placeholder", f"'prefix': '{PH}'" in text and f"'LIBDIR': '{PH}/lib'" in text)
check("python: bin/python and bin/python3 link to python3.11",
      pt.getmember("bin/python").linkname == "python3.11" and pt.getmember("bin/python3").linkname == "python3.11")
os.makedirs("x", exist_ok=True)
with open("x/python3.11", "wb") as f:
    f.write(pt.extractfile("bin/python3.11").read())
dyn = [m for m in pt.getmembers() if m.name.startswith("lib/python3.11/lib-dynload/_ssl.")][0]
with open("x/_ssl.so", "wb") as f:
    f.write(pt.extractfile(dyn).read())
rp = lambda p: subprocess.run(["patchelf", "--print-rpath", p], stdout=subprocess.PIPE, text=True).stdout.strip()
check("python: RUNPATHs relative to each file ($ORIGIN/../lib, $ORIGIN/../..)",
      rp("x/python3.11") == "$ORIGIN/../lib" and rp("x/_ssl.so") == "$ORIGIN/../..")
check("python: no Debian PEP 668 marker", "lib/python3.11/EXTERNALLY-MANAGED" not in pt.getnames())
it, pt = info_and_pkg("pip")
link = json.load(it.extractfile("info/link.json"))
check("pip: link.json's entry points", "pip = pip._internal.cli.main:main" in link["noarch"].get("entry_points", []))
check("pip: site-packages/pip", "site-packages/pip/__init__.py" in pt.getnames())
it, pt = info_and_pkg("libopenblas")
check("libopenblas: libblas.so.3 and liblapack.so.3 in lib/",
      {"lib/libblas.so.3", "lib/liblapack.so.3", "lib/libopenblas.so.0"} <= set(pt.getnames()))
sys.exit(failed)
PY
/usr/bin/python3 inspect.py "$DCHAN" 2> inspect.err || failed=1
[ "$failed" = 0 ] || cat inspect.err

# reproducible: build some of the packages again (the interpreter with its
# thousands of files, compiled numpy, a library, noarch ones with entry
# points) from the same Debian packages: the same bytes
only=python,numpy,libopenblas,ipykernel,pip
"$NBK_SRC/scripts/mkchannel" -q --only "$only" --debs "$DCHAN.debs" again > only.out 2> only.err
check "mkchannel --only $only" [ "$(wc -l < only.out)" = 5 ]
same=0
for f in again/*.conda; do
	cmp -s "$f" "$DCHAN"/*/"${f#again/}" && same=$((same + 1))
done
check "built again: the same 5 archives, byte for byte" [ "$same" = 5 ]
exit $failed
