# SPDX-License-Identifier: Apache-2.0
# The fuzz corpora as regression tests: every build/tests/replay_fuzz_NAME
# (tests/fuzz/fuzz_NAME.c with a plain main()) replays every input of
# tests/fuzz/corpus/NAME; a crash, a sanitizer report or valgrind error fails.
# timeout: 300
set -eu
n=0
for src in "$NBK_SRC"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	corpus="$NBK_SRC/tests/fuzz/corpus/$name"
	bin="$NBK_BUILD/tests/replay_fuzz_$name"
	if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
		echo "no corpus for $name" >&2
		exit 1
	fi
	if [ "$NBK_VALGRIND" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$bin" "$corpus" >/dev/null
	else
		"$bin" "$corpus" >/dev/null
	fi
	n=$((n + 1))
done
echo "replayed $n corpora"
