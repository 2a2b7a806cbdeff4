#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# `make fuzz`: build every tests/fuzz/fuzz_NAME.c with clang's libFuzzer
# (-fsanitize=fuzzer,address,undefined) against lib/ and libconda/, and run
# each for FUZZ_SECONDS (default 60) on tests/fuzz/corpus/NAME/, which
# gains the new interesting inputs it finds (then merged: only inputs that
# add coverage stay, plus the regress-* files, past crashes kept by name;
# a crash found lands in $BUILD/fuzz/artifacts/ and belongs in the corpus
# as regress-WHAT once fixed).  Crashes are written to
# $BUILD/fuzz/artifacts/.  FUZZ_TARGETS="version matchspec" picks targets;
# CLANG picks the compiler (default clang).  Inputs are at most 2 KiB.
#
# tests/runner.py runs every tests/*/run.sh as a test suite; fuzzing is not
# a test (it is unbounded and random), so under the runner (NBK_SRC set,
# no argument) this only prints an empty summary: the corpus itself is
# replayed as a regression test by tests/envtool/fuzz-corpus.sh.  Pass
# "fuzz" to fuzz anyway.
#
# The last line is "fuzz: N passed, M failed" (a target passes when it
# ran its time without a crash).
set -eu

if [ -n "${NBK_SRC:-}" ] && [ "${1:-}" != fuzz ]; then
	echo "fuzz: not run by the test runner (make fuzz runs it); the corpus is replayed by tests/envtool/fuzz-corpus.sh"
	echo "fuzz: 0 passed, 0 failed"
	exit 0
fi

src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
build=${BUILD:-build}
out=$src/$build/fuzz
secs=${FUZZ_SECONDS:-60}
cc=${CLANG:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: '$cc' not found (scripts/deps/envtool-solver.txt lists clang and libclang-rt-14-dev)" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi

pkgs="libsolv libsolvext libcurl libarchive libzstd yaml-0.1"
# shellcheck disable=SC2086
pcflags=$(pkg-config --cflags $pkgs 2>/dev/null || true)
# shellcheck disable=SC2086
pclibs=$(pkg-config --libs $pkgs 2>/dev/null || echo "-lsolvext -lsolv -lcurl -larchive -lzstd -lyaml")
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer $san -Iinclude -I$out/gen -D_GNU_SOURCE -DNBK_TESTING $pcflags"

mkdir -p "$out/obj" "$out/artifacts" "$out/gen"
# the version header the Makefile generates (transfer.c's User-Agent)
echo '#define NBK_VERSION "fuzz"' > "$out/gen/nbk_version.h"

# lib/ and the engine (libconda/) once, instrumented for
# coverage; then one binary per target.
objs=""
for f in lib/*.c libconda/*.c; do
	[ -f "$f" ] || continue
	o="$out/obj/$(echo "$f" | tr / _).o"
	if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find include libconda -name '*.h' -newer "$o" 2>/dev/null | head -n1)" ]; then
		# shellcheck disable=SC2086
		"$cc" $cflags -fsanitize=fuzzer-no-link -c "$f" -o "$o"
	fi
	objs="$objs $o"
done

targets=${FUZZ_TARGETS:-$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)}
passed=0
failed=0
for t in $targets; do
	bin="$out/fuzz_$t"
	corpus="tests/fuzz/corpus/$t"
	mkdir -p "$corpus"
	# shellcheck disable=SC2086
	if ! "$cc" $cflags -fsanitize=fuzzer "tests/fuzz/fuzz_$t.c" $objs -o "$bin" $pclibs -ldl -lpthread; then
		echo "fuzz: cannot build fuzz_$t"
		failed=$((failed + 1))
		continue
	fi
	before=$(find "$corpus" -type f | wc -l)
	echo "fuzz: $t for ${secs}s on $corpus ($before inputs)"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" "$corpus" \
		>"$out/$t.log" 2>&1; then
		# Keep the committed corpus small: only inputs that add coverage,
		# plus the regress-* inputs (past crashes) kept by name.
		rm -rf "$out/merge-$t"
		mkdir -p "$out/merge-$t"
		if "$bin" -merge=1 -max_len=2048 "$out/merge-$t" "$corpus" >>"$out/$t.log" 2>&1; then
			find "$corpus" -type f ! -name 'regress-*' -delete
			cp "$out/merge-$t"/* "$corpus"/ 2>/dev/null || true
		fi
		after=$(find "$corpus" -type f | wc -l)
		echo "fuzz: $t ok, corpus $before -> $after inputs ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$') runs)"
		passed=$((passed + 1))
	else
		echo "fuzz: $t FAILED (artifact in $out/artifacts/):"
		tail -n 40 "$out/$t.log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
