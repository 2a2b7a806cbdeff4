#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# envtool's repodata benchmark (`make bench`, BUILD set): a conda-forge-sized
# repodata.json (500,000 records, ~340 MB, generated once into bench/out
# from the shapes of shared/data's real records; never committed), then
# medians of RUNS runs of:
#   cold parse throughput   et_repo_parse() on the document in memory
#   cold load               et_repo_load() without a binary cache (read + parse + write the cache)
#   warm load               et_repo_load() from the binary cache
#   peak memory             max RSS of the cold load
#   solve times             et_solve() after loading (solvebench.c): "pytorch"
#                           on the pytorch channel (target < 50 ms), "numpy"
#                           on conda-forge numpy, a sudoku (the corrected
#                           encoding: shared/data's sudoku.json is unsolvable)
# and, when their Debian packages are there, the JSON parsers measured
# against ours (jansson, json-c, cJSON, simdjson: DOM parse + visiting the
# fields of every record).  Figures go to stdout and bench/out/envtool.txt.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
RECORDS=${RECORDS:-550000}   # 550,000 generated, ~455,000 after .conda/.tar.bz2 twins
out=bench/out
mkdir -p "$out" "$out/envtool"
big=$out/big-repodata.json
if [ ! -s "$big" ] || [ "$(cat "$out/envtool/records" 2>/dev/null)" != "$RECORDS" ]; then
	echo "generating $big ($RECORDS records) ..."
	/usr/bin/python3 bench/envtool/gen_repodata.py "$big" "$RECORDS"
	echo "$RECORDS" > "$out/envtool/records"
fi
# the drivers link the engine's library (libconda.a, built from today's sources)
make -s BUILD="$BUILD" "$BUILD/lib/libnbkit.a" "$BUILD/lib/libconda.a" >/dev/null
objs=$BUILD/lib/libconda.a
cc -Iinclude -D_GNU_SOURCE -std=gnu11 -O2 bench/envtool/repobench.c $objs "$BUILD/lib/libnbkit.a" \
	$(pkg-config --libs libsolvext libsolv libcurl libzstd yaml-0.1) -ldl -lpthread -o "$out/envtool/repobench"
cc -Iinclude -D_GNU_SOURCE -std=gnu11 -O2 bench/envtool/solvebench.c $objs "$BUILD/lib/libnbkit.a" \
	$(pkg-config --libs libsolvext libsolv libcurl libzstd yaml-0.1) -ldl -lpthread -o "$out/envtool/solvebench"
SHARED=${NBK_SHARED:-$PWD/../shared}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

rb=$out/envtool/repobench
cache=$out/envtool/big.nbkrd
size_mb=$(awk -v b="$(stat -c %s "$big")" 'BEGIN {printf "%.0f", b / 1e6}')
parse=(); cold=(); rss=(); warm=(); open=()
for _ in $(seq "$RUNS"); do
	parse+=("$($rb parse "$big" | field mb_per_s)")
	rm -f "$cache"
	line=$($rb load "$big" "$cache")
	cold+=("$(echo "$line" | field seconds)")
	rss+=("$(echo "$line" | field maxrss_mb)")
done
for _ in $(seq "$RUNS"); do
	line=$($rb load "$big" "$cache")
	warm+=("$(echo "$line" | field seconds)")
	open+=("$(echo "$line" | field open_s)")
done
records=$($rb load "$big" "$cache" | field records)
blob_mb=$($rb load "$big" "$cache" | field blob_mb)
{
	echo "envtool repodata benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, medians of $RUNS runs"
	echo "document: $big, $size_mb MB, $records records after twins (generated: $RECORDS)"
	echo "cold parse throughput: $(printf '%s\n' "${parse[@]}" | median) MB/s   (target >= 150)"
	echo "cold load (read, parse, write cache): $(printf '%s\n' "${cold[@]}" | median) s"
	echo "warm load from the binary cache, every record made: $(printf '%s\n' "${warm[@]}" | median) s   (target < 0.5; cache $blob_mb MB)"
	echo "warm open of the binary cache (header and name table; records read by name): $(printf '%s\n' "${open[@]}" | median) s"
	echo "peak memory, cold load: $(printf '%s\n' "${rss[@]}" | median) MB   (target < 1500)"
	sb=$out/envtool/solvebench
	for req in pytorch numpy sudoku; do
		sol=(); ld=()
		for _ in $(seq "$RUNS"); do
			line=$($sb "$req" "$SHARED")
			sol+=("$(echo "$line" | field solve_ms)")
			ld+=("$(echo "$line" | field load_ms)")
		done
		printf 'solve %-8s %6s ms after loading (load %s ms)%s\n' "$req" \
			"$(printf '%s\n' "${sol[@]}" | median)" "$(printf '%s\n' "${ld[@]}" | median)" \
			"$([ "$req" = pytorch ] && echo '   (target < 50)')"
	done
	p=$out/envtool/parsers
	mkdir -p "$p"
	echo "JSON parsers (DOM parse + visit name/version/build/depends of every record; ours builds the records):"
	cands=""
	pkg-config --exists jansson && cc -O2 bench/envtool/parsers/p_jansson.c $(pkg-config --cflags --libs jansson) -o "$p/jansson" && cands="$cands jansson"
	pkg-config --exists json-c && cc -O2 bench/envtool/parsers/p_jsonc.c $(pkg-config --cflags --libs json-c) -o "$p/jsonc" && cands="$cands jsonc"
	pkg-config --exists libcjson && cc -O2 bench/envtool/parsers/p_cjson.c $(pkg-config --cflags --libs libcjson) -o "$p/cjson" && cands="$cands cjson"
	pkg-config --exists simdjson && command -v g++ >/dev/null && g++ -O2 -std=c++17 bench/envtool/parsers/p_simdjson.cpp $(pkg-config --cflags --libs simdjson) -o "$p/simdjson" && cands="$cands simdjson"
	for c in $cands; do
		mbs=(); mem=()
		for _ in $(seq 3); do
			line=$("$p/$c" "$big")
			mbs+=("$(echo "$line" | field mb_per_s)")
			mem+=("$(echo "$line" | field maxrss_mb)")
		done
		printf '  %-9s %5s MB/s  peak %5s MB\n' "$c" "$(printf '%s\n' "${mbs[@]}" | median)" "$(printf '%s\n' "${mem[@]}" | median)"
	done
	printf '  %-9s %5s MB/s  peak %5s MB (records + blob)\n' envtool "$(printf '%s\n' "${parse[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | median)"
} | tee "$out/envtool.txt"
# issue 14's side by side with libsolv's own conda mode (built here from
# Debian's source package): bench/out/anchor.txt
echo "envtool against libsolv's conda mode, 500,000 records of conda-forge's shape:"
BUILD="$BUILD" RUNS="$RUNS" bash bench/envtool/anchor/run.sh
