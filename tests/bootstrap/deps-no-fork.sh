# SPDX-License-Identifier: Apache-2.0
# Dependency check (issue 10): children are started by lib's process API
# alone (include/nbkit/proc.h: nbk_proc_run, nbk_proc_start).  No C source
# outside lib/ (and the tests) may call fork(), vfork(), clone(),
# posix_spawn(), system() or popen().  Comments and string literals are
# left out of the search.  The checker is first shown to catch a planted
# fork() in bootstrap/ and in envtool/, then run on the real tree.
cat > check.py <<'PY'
import os, re, sys

root = sys.argv[1]
CALL = re.compile(r"\b(fork|vfork|clone|clone3|posix_spawnp?|system|popen)\s*\(")
# comments, then string and character literals (kept as empty quotes)
STRIP = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)

def blank(m):
    t = m.group(0)
    if t.startswith("/"):
        return re.sub(r"[^\n]", " ", t)  # keep the line numbers
    return t[0] + t[0]

bad = []
for d, dirs, files in os.walk(root):
    rel = os.path.relpath(d, root)
    top = rel.split(os.sep)[0]
    if top in ("lib", "tests", "build", ".git") or top.startswith("build"):
        dirs[:] = []
        continue
    for f in sorted(files):
        if not f.endswith((".c", ".h")):
            continue
        path = os.path.join(d, f)
        text = STRIP.sub(blank, open(path, encoding="utf-8", errors="replace").read())
        for m in CALL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            # a declaration or member of ours that merely ends in the name
            before = text[max(0, m.start() - 2):m.start()]
            if before.endswith(("->", ".")) or before.endswith("_"):
                continue
            bad.append(f"{os.path.relpath(path, root)}:{line}: {m.group(1)}()")
for b in bad:
    print(f"{b}: a child is started outside lib/; use nbk_proc_run() or nbk_proc_start() (include/nbkit/proc.h)")
sys.exit(1 if bad else 0)
PY
# the checker catches a planted call, in either program, and not one in a comment or in lib/
for prog in bootstrap envtool; do
	rm -rf plant && mkdir -p plant/$prog plant/lib
	printf '/* fork() here is a comment */\nint x(void) { return fork(); }\n' > plant/$prog/bad.c
	printf 'int y(void) { return fork(); }\n' > plant/lib/ok.c
	out=$(/usr/bin/python3 check.py plant)
	rc=$?
	[ $rc -eq 1 ] && [ "$out" = "$prog/bad.c:2: fork(): a child is started outside lib/; use nbk_proc_run() or nbk_proc_start() (include/nbkit/proc.h)" ] \
		&& echo "planted fork() in $prog/: caught" || echo "planted fork() in $prog/: MISSED (rc $rc: $out)"
done
/usr/bin/python3 check.py "$NBK_SRC" && echo "no fork outside lib/"
