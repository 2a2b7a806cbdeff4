#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Two trees side by side on this noisy machine: the repodata parse, the
# warm load and the three solves of bench/envtool/run.sh, alternating the
# two trees' binaries round by round (N rounds, default 7), medians.  Each
# tree must have run bench/envtool/run.sh once (its bench/out/envtool/
# binaries and big.nbkrd); the document is the first tree's.
#   bash bench/envtool/interleave.sh /path/to/old-tree /path/to/new-tree
# (docs/benchmarks.md, "Before and after issue 10").
set -eu
[ $# = 2 ] || { echo "usage: $0 TREE_A TREE_B" >&2; exit 2; }
N=${N:-7}
shared=${NBK_SHARED:-$(cd "$(dirname "$0")/../../.." && pwd)/shared}
big=$1/bench/out/big-repodata.json
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
declare -A R
for _ in $(seq "$N"); do
	for t in a b; do
		if [ $t = a ]; then d=$1; else d=$2; fi
		rb=$d/bench/out/envtool/repobench sb=$d/bench/out/envtool/solvebench
		R[$t.parse]+="$("$rb" parse "$big" | field mb_per_s) "
		R[$t.warm]+="$("$rb" load "$big" "$d/bench/out/envtool/big.nbkrd" | field seconds) "
		for q in pytorch numpy sudoku; do
			R[$t.$q]+="$(cd "$d" && "$sb" $q "$shared" | field solve_ms) "
		done
	done
done
echo "medians of $N interleaved rounds: A=$1 B=$2"
for k in parse warm pytorch numpy sudoku; do
	printf '%-8s A %8s   B %8s   (A: %s; B: %s)\n' $k \
		"$(printf '%s\n' ${R[a.$k]} | median)" "$(printf '%s\n' ${R[b.$k]} | median)" "${R[a.$k]}" "${R[b.$k]}"
done
