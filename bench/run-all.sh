#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make bench`: run every bench/*/run.sh (each prints its figures and writes
# bench/out/PART.txt); medians of repeated runs, measured against a baseline
# taken in the same run, since this machine's timings are noisy.
set -eu
cd "$(dirname "$0")/.."
mkdir -p bench/out
status=0
for b in bench/*/run.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	bash "$b" || { echo "benchmark $b failed" >&2; status=1; }
done
exit $status
