# SPDX-License-Identifier: Apache-2.0
# Issue 13, as a new user meets it on a local channel, with conda's answers:
# a version in brackets cleaned as outside them; defaults::, pkgs/main::
# and [channel=defaults] on a mirror named in default_channels (shown as
# pkgs/main, not a path); license_family; the name outside the brackets
# kept; a section after the brackets; invalid names refused (exit 2, with
# the column); and, for the solver, the build whose dependencies can take
# newer versions before the newer timestamp, and legacy features that
# bring no package of their own.
. "$NBK_SRC/tests/envtool/lib/server.bash"
/usr/bin/python3 - <<'PY'
import json, os
def channel(path, recs):
    pk = {}
    for r in recs:
        r = dict(r)
        r.setdefault("build", "0")
        r.setdefault("build_number", 0)
        r.setdefault("depends", [])
        r["subdir"] = "linux-64"
        pk["%s-%s-%s.tar.bz2" % (r["name"], r["version"], r["build"])] = r
    for sub, p in (("linux-64", pk), ("noarch", {})):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
        json.dump({"info": {"subdir": sub}, "packages": p}, open(os.path.join(path, sub, "repodata.json"), "w"))
channel("mirror/pkgs/main", [
    {"name": "python", "version": "3.9"}, {"name": "python", "version": "3.9.1"},
    {"name": "python", "version": "3.10"},
    {"name": "numpy", "version": "1.26.4", "license_family": "BSD", "license": "BSD-3-Clause"},
    {"name": "libfoo", "version": "1.0", "license_family": "LGPL"},
    {"name": "libbar", "version": "1.0", "license_family": "GPL3"},
    {"name": "tensorflow", "version": "2.0"}, {"name": "pytorch", "version": "2.1"},
    # conda's test_timestamps_and_deps
    {"name": "libpng", "version": "1.2.50"}, {"name": "libpng", "version": "1.5.13"},
    {"name": "mypackage", "version": "1.0", "build": "hash12_0", "timestamp": 1, "depends": ["libpng 1.2.*"]},
    {"name": "mypackage", "version": "1.0", "build": "hash15_0", "timestamp": 0, "depends": ["libpng 1.5.*"]},
    # legacy features: a featured build needs no package that tracks the feature
    {"name": "blas", "version": "1.0", "build": "mkl_0", "features": "mkl", "depends": ["mkl-rt"]},
    {"name": "blas", "version": "1.0", "build": "openblas_0"},
    {"name": "mkl-rt", "version": "11.0"},
    {"name": "mkl", "version": "11.0", "track_features": "mkl", "depends": ["tensorflow", "pytorch"]},
])
channel("mirror/pkgs/r", [{"name": "r-base", "version": "4.3"}])
PY
printf 'default_channels:\n  - file://%s/mirror/pkgs/main\n  - file://%s/mirror/pkgs/r\nchannels: [defaults]\n' "$PWD" "$PWD" > home/.condarc

# names found by `search SPEC`, one line, sorted
found() {
	envtool search "$1" > out.txt 2> err.txt || true
	awk 'NR > 2 { print $1 "-" $2 }' out.txt | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() {
	local got
	got=$(found "$1")
	if [ "$got" = "$2" ]; then echo "ok: $1"; else echo "FAIL: $1: got '$got', want '$2' ($(cat err.txt))"; failed=1; fi
}
# 1. the bracket version, cleaned as outside brackets
expect 'python[version="==3.9.*"]' 'python-3.9 python-3.9.1'
expect 'python==3.9.*' 'python-3.9 python-3.9.1'
expect 'python[version="=*"]' 'python-3.10 python-3.9 python-3.9.1'
expect 'python[version="==*"]' 'python-3.10 python-3.9 python-3.9.1'
# 2. defaults on a mirror: by name, by "defaults", in brackets, and shown short
expect 'defaults::python=3.10' 'python-3.10'
expect 'pkgs/main::numpy' 'numpy-1.26.4'
expect 'pkgs/r::r-base' 'r-base-4.3'
expect 'pkgs/main::r-base' ''
expect 'numpy[channel=defaults]' 'numpy-1.26.4'
expect 'r-base[channel=pkgs/r]' 'r-base-4.3'
envtool search 'defaults::numpy' > shown.txt
check "a default channel is shown as pkgs/main" grep -q '^numpy  *1.26.4  *0  *pkgs/main  *linux-64$' shown.txt
envtool create -n d defaults::python pkgs/r::r-base --dry-run > d.txt
check "create defaults::python pkgs/r::r-base" grep -q '^+  *python  *3.10  *0  *pkgs/main' d.txt
check "create: r-base from pkgs/r" grep -q '^+  *r-base  *4.3  *0  *pkgs/r' d.txt
# 3. license_family, case-insensitive, with globs
expect 'numpy[license_family=BSD]' 'numpy-1.26.4'
expect 'numpy[license_family=bsd]' 'numpy-1.26.4'
expect "*[license_family='*gpl*']" 'libbar-1.0 libfoo-1.0'
# 4. the name outside the brackets wins
expect 'tensorflow[name=pytorch]' 'tensorflow-2.0'
# 5. a section after the brackets
expect 'numpy[version=">=1"] (target=blarg,optional)' 'numpy-1.26.4'
# 6, 7. invalid names: exit 2 and the column, never "not found"
for spec in '"numpy"' 'num@py' 'a..b' 'a--b' '.numpy' 'num$py' 'numpy; if python' 'conda-forge/numpy'; do
	envtool search "$spec" > /dev/null 2> bad.txt
	rc=$?
	if [ $rc -eq 2 ] && grep -q "invalid spec .*: column [0-9]*: .*package name" bad.txt; then
		echo "ok: refused: $spec"
	else
		echo "FAIL: refused: $spec: exit $rc: $(cat bad.txt)"
		failed=1
	fi
done
check "conda-forge/numpy: the hint" grep -q 'a channel is written CHANNEL::NAME' bad.txt

# 8. the build whose dependency can be newer beats the newer timestamp
envtool create -n t mypackage --dry-run > t1.txt
check "mypackage alone: hash15_0 (libpng 1.5)" grep -q '^+  *mypackage  *1.0  *hash15_0' t1.txt
envtool create -n t mypackage 'libpng 1.2.*' --dry-run > t2.txt
check "with libpng 1.2.*: hash12_0" grep -q '^+  *mypackage  *1.0  *hash12_0' t2.txt
# 9. legacy features: no whole mkl for a featured build; mkl@ activates it
envtool create -n f 'blas=*=mkl_0' --dry-run > f1.txt
check "blas mkl build: mkl-rt" grep -q '^+  *mkl-rt ' f1.txt
check "blas mkl build: not the whole mkl" eval '! grep -q "^+  *mkl " f1.txt'
envtool create -n f blas --dry-run > f2.txt
check "blas alone: the featureless build" grep -q '^+  *blas  *1.0  *openblas_0' f2.txt
envtool create -n f blas mkl@ --dry-run > f3.txt
check "blas mkl@: the featured build, no mkl" grep -q '^+  *blas  *1.0  *mkl_0' f3.txt
check "blas mkl@: no mkl package" eval '! grep -q "^+  *mkl " f3.txt'
envtool create -n f blas nosuch@ --dry-run > /dev/null 2> f4.txt
check "nosuch@: no package has the feature" grep -q "no package has the feature 'nosuch'" f4.txt
exit $failed
