# SPDX-License-Identifier: Apache-2.0
# Every function over 60 lines has a contract comment or is split (issue 10).
# A function is a definition whose body opens with `{` at column 0 and closes
# with `}` at column 0 (the Linux brace style of .clang-format); its length is
# the lines between the two.  Its contract is a comment block (`*/` or `//`)
# ending on the line just above the first line of its header.  The checker
# is first shown to catch a planted long function without one, to pass the
# same function with a comment, and to leave a 60-line one alone; then it
# runs on lib/ bootstrap/ libconda/ envtool/.
cat > check.py <<'PY'
import os, sys

LIMIT = 60
root = sys.argv[1]

def header_start(lines, brace):
    """The first line of the header that ends just above `brace`."""
    j = brace - 1
    while j > 0:
        prev = lines[j - 1].rstrip()
        if (not prev.strip() or prev.startswith("#") or prev.endswith((";", "*/", "}", "{"))
                or prev.lstrip().startswith("//")):
            break
        j -= 1
    return j

bad, seen = [], 0
for d in ("lib", "bootstrap", "libconda", "envtool"):
    folder = os.path.join(root, d)
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".c"):
            continue
        lines = open(os.path.join(folder, f), encoding="utf-8", errors="replace").read().split("\n")
        i = 0
        while i < len(lines):
            if lines[i].rstrip() != "{" or i == 0:
                i += 1
                continue
            end = i + 1
            while end < len(lines) and lines[end].rstrip() != "}":
                end += 1
            body = end - i - 1
            if body > LIMIT:
                seen += 1
                h = header_start(lines, i)
                above = lines[h - 1].rstrip() if h > 0 else ""
                if not (above.endswith("*/") or above.lstrip().startswith("//")):
                    name = lines[h].split("(")[0].split()[-1].lstrip("*")
                    bad.append(f"{d}/{f}:{h + 1}: {name}() has {body} lines and no contract comment above it")
            i = end + 1
for b in bad:
    print(b)
print(f"{seen} functions over {LIMIT} lines, {len(bad)} without a contract comment", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
copy() { rm -rf t && mkdir -p t && for d in lib bootstrap libconda envtool; do
	mkdir t/$d && cp "$NBK_SRC"/$d/*.c t/$d/; done; }
# planted NAME BODY_LINES [COMMENT]: a function appended to lib/proc.c
planted() {
	{
		echo
		[ -n "${3-}" ] && printf '/* %s */\n' "$3"
		printf 'static int %s(int x)\n{\n' "$1"
		for _ in $(seq "$2"); do printf '\tx++;\n'; done
		printf '}\n'
	} >> t/lib/proc.c
}
# Each plant is judged by the line naming it, so the verdicts hold whatever
# else the copy holds.
copy
planted planted_long 61
/usr/bin/python3 check.py t > out 2>/dev/null
grep -q 'planted_long() has 61 lines' out && echo "planted 61 lines, no comment: caught" ||
	echo "planted 61 lines, no comment: missed"
copy
planted planted_long 61 "takes x, returns x + 61"
/usr/bin/python3 check.py t > out 2>/dev/null
grep -q planted_long out && echo "planted 61 lines with a comment: flagged" ||
	echo "planted 61 lines with a comment: passes"
copy
planted planted_short 60
/usr/bin/python3 check.py t > out 2>/dev/null
grep -q planted_short out && echo "planted 60 lines, no comment: flagged" ||
	echo "planted 60 lines, no comment: passes"
/usr/bin/python3 check.py "$NBK_SRC" && echo "every function over 60 lines has a contract comment"
