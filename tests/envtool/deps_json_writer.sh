# SPDX-License-Identifier: Apache-2.0
# Dependency check (issue 10): JSON has one writer, lib/json.c
# (include/nbkit/json.h).  No other C file of lib/, include/, bootstrap/,
# envtool/ or libconda/ builds JSON by hand: no string literal holding a
# JSON key ("\"name\":") or a member or element that starts after a comma
# or a bracket ("{\"", ",\n  \""), and no string escaper of its own (a
# format such as "\\u%04x").  Comments are left out; a message that quotes
# a word ("such as \"0022\"") or a shell line ("cd \"$1\"") is not JSON.
# The checker is first shown to catch each kind of offence planted in a
# copy, then run on the tree (on the tree before the writer, it named 60
# literals in 11 files).
cat > check.py <<'PY'
import os, re, sys

root = sys.argv[1]
OWNER = os.path.join("lib", "json.c")
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
LITERAL = re.compile(r'"((?:\\.|[^"\\\n])*)"|\'(?:\\.|[^\'\\\n])*\'')
WS = r'(?:\s|\\[nt])*'
KINDS = [
    ("a JSON key", re.compile(r'\\"' + WS + ':')),
    ("a JSON member or element", re.compile(r'[{\[,]' + WS + r'\\"')),
    ("a JSON string escaper", re.compile(r'\\\\u%')),
]

def blank(m):
    return re.sub(r"[^\n]", " ", m.group(0))

bad = []
for d in ("lib", "include", "bootstrap", "envtool", "libconda"):
    for dirpath, _, files in os.walk(os.path.join(root, d)):
        for f in sorted(files):
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            if not f.endswith((".c", ".h")) or rel == OWNER:
                continue
            text = COMMENT.sub(blank, open(path, encoding="utf-8", errors="replace").read())
            for m in LITERAL.finditer(text):
                if m.group(1) is None:
                    continue
                for what, rx in KINDS:
                    if rx.search(m.group(1)):
                        line = text.count("\n", 0, m.start()) + 1
                        bad.append(f"{rel}:{line}: {what} built by hand: \"{m.group(1)}\"")
                        break
for b in sorted(bad):
    print(b)
sys.exit(1 if bad else 0)
PY
copy() { rm -rf t && mkdir -p t && cp -r "$NBK_SRC"/lib "$NBK_SRC"/include "$NBK_SRC"/bootstrap \
	"$NBK_SRC"/envtool "$NBK_SRC"/libconda t/; }
plant() { # FILE C-LINE NAME: the checker must name FILE
	copy
	printf '%s\n' "$2" >> "t/$1"
	if /usr/bin/python3 check.py t > out 2>&1; then
		echo "planted $3: missed"
	else
		echo "planted $3: caught ($(grep -c "^$1:" out) in $1)"
	fi
}
plant envtool/cmd_list.c 'static void x(struct nbk_buf *b) { nbk_buf_addstr(b, "{\"name\": "); }' "key"
plant libconda/prefix.c 'static void x(struct nbk_buf *b) { nbk_buf_addstr(b, ",\n  \"x\""); }' "member"
plant bootstrap/main.c 'static const char *x = "[\"a\"]";' "element"
plant lib/log.c 'static void x(struct nbk_buf *b, int c) { nbk_buf_addf(b, "\\u%04x", c); }' "escaper"
plant include/nbkit/log.h '#define X "{\"k\":1}"' "header"
# not offences: a comment, a message quoting a word, a shell line
copy
printf '/* nbk_buf_addstr(b, "{\\"name\\": "); */\n' >> t/envtool/cmd_list.c
printf 'static const char *m = "expected \\"0022\\", found \\"%%s\\"";\n' >> t/envtool/cmd_list.c
printf 'static const char *s = "cd \\"$1\\" && exec \\"$2\\"";\n' >> t/envtool/cmd_list.c
/usr/bin/python3 check.py t > out 2>&1 && echo "a comment, a message, a shell line: not JSON" || cat out
/usr/bin/python3 check.py "$NBK_SRC" && echo "no file but lib/json.c builds JSON by hand"
