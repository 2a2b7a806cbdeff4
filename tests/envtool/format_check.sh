# SPDX-License-Identifier: Apache-2.0
# `make format-check` (issue 10): every tracked C file is as .clang-format
# says.  The rule is first shown, in a scratch git repository with the
# project's .clang-format, to name a misformatted file and only that one,
# and to pass a tree where every file is formatted; then it runs on the
# project's own tree.  No clang-format is a failure, not a skip: `make
# deps` (scripts/deps/build.txt) installs it.
mk() { make -s --no-print-directory -f "$NBK_SRC/Makefile" "$@"; }
mkdir scratch
(
	cd scratch
	git init -q .
	cp "$NBK_SRC/.clang-format" .
	printf 'int good(int x)\n{\n\treturn x + 1;\n}\n' > good.c
	printf 'int bad(int x) {\n  return x+1;\n}\n' > bad.c
	git add -A
	if mk format-check > ../out 2>&1; then
		echo "a misformatted file: passed"
	elif grep -q '^  bad.c$' ../out && ! grep -q '^  good.c$' ../out; then
		echo "a misformatted file: named, and only it"
	else
		echo "a misformatted file: failed without naming it"; cat ../out
	fi
	mk format > /dev/null 2>&1
	if mk format-check > ../out 2>&1; then
		echo "after make format: passes"
	else
		echo "after make format: still fails"; cat ../out
	fi
)
cd "$NBK_SRC"
if mk format-check > "$OLDPWD/out" 2>&1; then
	echo "the project's tree: formatted"
else
	echo "the project's tree: not formatted"
	cat "$OLDPWD/out"
fi
