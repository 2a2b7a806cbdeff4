#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14's side by side: envtool against libsolv's own conda mode
# (micromamba 1.x's engine), on a 500,000-record channel of conda-forge's
# shape (gen_repodata.py ... forge), warm caches on both sides.
#
# The anchor is built here, outside the project's tree (ANCHOR_DIR,
# default ~/.cache/nbkit-bench/libsolv-conda), from Debian's
# libsolv source package (apt-get source with a private deb-src list, so
# the machine's apt configuration is untouched), configured with
# ENABLE_CONDA=ON; condasolve.c loads its .solv and solves.  envtool runs
# `create -p P SPEC --dry-run --offline --json` from a file:// channel whose
# binary cache is warm.  For each spec: medians of RUNS runs (alternating),
# peak RSS, and the package sets compared (a difference fails the run).
#   RUNS=5 SPECS="python num-ml webzip xmlimg-geo-base" bash bench/envtool/anchor/run.sh
set -eu
cd "$(dirname "$0")/../../.."
RUNS=${RUNS:-5}
SPECS=${SPECS:-python num-ml webzip xmlimg-geo-base}
BUILD=${BUILD:-build}
out=$PWD/bench/out/anchor
mkdir -p "$out"
# libsolv's source and build live outside the tree: the project's own
# checks (headers_unique.sh, deps-no-fork.sh) read every .c and .h in it
src=${ANCHOR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nbkit-bench/libsolv-conda}
if [ ! -x "$src/condasolve" ]; then
	mkdir -p "$src/lists/partial" "$src/cache/archives/partial"
	echo "deb-src http://deb.debian.org/debian bookworm main" > "$src/sources.list"
	o=(-o "Dir::Etc::SourceList=$src/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$src/lists" -o "Dir::Cache=$src/cache")
	apt-get "${o[@]}" update -qq
	(cd "$src" && apt-get "${o[@]}" -qq --download-only source libsolv)
	rm -rf "$src/libsolv"
	(cd "$src" && dpkg-source -x --no-check libsolv_*.dsc libsolv >/dev/null)
	mkdir -p "$src/build"
	(cd "$src/build" && cmake ../libsolv -DENABLE_CONDA=ON -DENABLE_STATIC=ON -DDISABLE_SHARED=ON \
		-DCMAKE_BUILD_TYPE=Release -DENABLE_RPMMD=OFF -DENABLE_COMPLEX_DEPS=OFF >/dev/null &&
		make -s -j2 libsolv libsolvext >/dev/null)
	cc -O2 -I"$src/libsolv/src" -I"$src/libsolv/ext" -I"$src/build/src" -o "$src/condasolve" \
		bench/envtool/anchor/condasolve.c "$src/build/ext/libsolvext.a" "$src/build/src/libsolv.a" -lz
fi
chan=$out/forgechan
if [ ! -s "$chan/linux-64/repodata.json" ]; then
	mkdir -p "$chan/linux-64" "$chan/noarch"
	/usr/bin/python3 bench/envtool/gen_repodata.py "$chan/linux-64/repodata.json" 550000 42 forge
	echo '{"packages": {}}' > "$chan/noarch/repodata.json"
	rm -f "$out/forge.solv"
fi
[ -s "$out/forge.solv" ] || "$src/condasolve" write "$chan/linux-64/repodata.json" "$out/forge.solv"
make -s BUILD="$BUILD" "$BUILD/bin/envtool" >/dev/null
envtool=$PWD/$BUILD/bin/envtool
export HOME=$out/home CONDA_PKGS_DIRS=$out/pkgs
mkdir -p "$HOME" "$CONDA_PKGS_DIRS"
"$envtool" search python -c "file://$chan" --override-channels --offline >/dev/null # warm the cache

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s%N; }
status=0
report=$out/../anchor.txt
printf '%-10s %10s %10s %7s %10s %10s %7s %s\n' spec envtool_s anchor_s ratio et_rss_MB an_rss_MB ratio packages > "$report"
for spec in $SPECS; do
	et=() an=() etm=() anm=()
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		/usr/bin/time -f %M -o "$out/rss" "$envtool" create -p "$out/x" "$spec" -c "file://$chan" \
			--override-channels --dry-run --offline --json > "$out/envtool.json"
		t1=$(now)
		et+=("$(( (t1 - t0) / 1000000 ))") etm+=("$(tail -1 "$out/rss")")
		t0=$(now)
		/usr/bin/time -f %M -o "$out/rss" "$src/condasolve" solve "$out/forge.solv" "$spec" \
			> "$out/anchor.txt" 2>/dev/null
		t1=$(now)
		an+=("$(( (t1 - t0) / 1000000 ))") anm+=("$(tail -1 "$out/rss")")
	done
	/usr/bin/python3 - "$out/envtool.json" > "$out/envtool.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in sorted("%s-%s-%s" % (r["name"], r["version"], r["build_string"]) for r in d["actions"]["LINK"]):
    print(r)
PY
	if cmp -s "$out/envtool.txt" "$out/anchor.txt"; then same="same $(wc -l < "$out/anchor.txt")"; else same=DIFFERENT; status=1; fi
	e=$(printf '%s\n' "${et[@]}" | median) a=$(printf '%s\n' "${an[@]}" | median)
	em=$(printf '%s\n' "${etm[@]}" | median) am=$(printf '%s\n' "${anm[@]}" | median)
	printf '%-10s %10.2f %10.2f %7.2f %10.0f %10.0f %7.2f %s\n' "$spec" "$(echo "$e / 1000" | bc -l)" \
		"$(echo "$a / 1000" | bc -l)" "$(echo "$e / $a" | bc -l)" "$(echo "$em / 1024" | bc -l)" \
		"$(echo "$am / 1024" | bc -l)" "$(echo "$em / $am" | bc -l)" "$same" >> "$report"
done
cat "$report"
exit $status
