# SPDX-License-Identifier: Apache-2.0
# Dependency check (issue 10): libconda/, the conda engine, is a library
# under the tool.  No engine file includes a header of envtool/ (the tool:
# command context, printing, confirmation), and the engine never writes to
# stdout or stderr itself and never exits: it returns errors, hands what
# packages say and download progress to the tool, and the tool prints them;
# its warnings go through lib's logger (nbk_warn), the one writer of stderr.
# Comments and string literals are left out.  The checker is first shown
# to catch each kind of offence planted in a copy, then run on the tree.
cat > check.py <<'PY'
import os, re, sys

root = sys.argv[1]
engine, tool = os.path.join(root, "libconda"), os.path.join(root, "envtool")
tool_headers = {f for f in os.listdir(tool) if f.endswith(".h")}
STRIP = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
STDOUT = re.compile(r"\b(printf|puts|putchar|vprintf|perror|dprintf)\s*\(|\b(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)\b|\b(exit|_exit|abort)\s*\(")

def blank(m):
    t = m.group(0)
    if t.startswith("/"):
        return re.sub(r"[^\n]", " ", t)
    return t[0] + t[0]

bad = []
for f in sorted(os.listdir(engine)):
    if not f.endswith((".c", ".h")):
        continue
    raw = open(os.path.join(engine, f), encoding="utf-8", errors="replace").read()
    for m in INCLUDE.finditer(raw):
        name = os.path.basename(m.group(1))
        if name in tool_headers or "envtool/" in m.group(1):
            bad.append(f"libconda/{f}:{raw.count(chr(10), 0, m.start()) + 1}: includes the tool's '{m.group(1)}'")
    text = STRIP.sub(blank, raw)
    for m in STDOUT.finditer(text):
        before = text[max(0, m.start() - 2):m.start()]
        if before.endswith(("->", ".", "_")):
            continue
        bad.append(f"libconda/{f}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0).strip('( ')}")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
copy() { rm -rf t && mkdir -p t/libconda t/envtool && cp "$NBK_SRC"/libconda/*.[ch] t/libconda/ &&
	cp "$NBK_SRC"/envtool/*.h t/envtool/; }
copy
printf '#include "print.h"\n' >> t/libconda/solve.c
/usr/bin/python3 check.py t > out 2>&1 && echo "planted include: missed" || echo "planted include: caught ($(grep -c includes out))"
copy
printf 'static void x(void) { printf("hi"); exit(1); }\n' >> t/libconda/solve.c
/usr/bin/python3 check.py t > out 2>&1 && echo "planted stdout/exit: missed" || echo "planted stdout/exit: caught ($(wc -l < out))"
copy
printf 'static void y(void) { fputs("hi", stderr); nbk_write_all(STDERR_FILENO, "x", 1); }\n' >> t/libconda/link.c
/usr/bin/python3 check.py t > out 2>&1 && echo "planted stderr: missed" || echo "planted stderr: caught ($(wc -l < out))"
/usr/bin/python3 check.py "$NBK_SRC" && echo "the engine includes no tool header, writes no stdout or stderr, never exits"
