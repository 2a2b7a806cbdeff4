# SPDX-License-Identifier: Apache-2.0
# One header for the conda names bootstrap and envtool share (issue 10):
# include/nbkit/conda_names.h.  No C file of bootstrap/, libconda/,
# envtool/ or lib/ spells one of its names as a string of its own, or as
# a part of a path or NAME=VALUE string ("%s/envs", "~/.conda",
# "CONDA_ENVS_DIRS=%s"); comments and prose messages are left out, and a
# word that is another contract's key where it is written (environment.yml's
# "channels") is allowed there only.  Every name is used by bootstrap and by
# the engine or the tool (else it belongs to the one side that uses it), and
# is in the contract (docs/design.md).  The checker is first shown to catch
# each kind of offence planted in a copy, then run on the tree.
cat > check.py <<'PY'
import os, re, sys

root = sys.argv[1]
HEADER = "include/nbkit/conda_names.h"
DIRS = ("bootstrap", "libconda", "envtool", "lib")
# The same word in another contract, where it means that contract's key.
OTHER = {
    ("envtool/request.c", "channels"): "environment.yml's key",
    ("envtool/cmd_info.c", "channels"): "info's label (micromamba's)",
    ("bootstrap/config.c", "channels"): "bootstrap.yaml's envs.channels",
    ("bootstrap/config.c", "envs"): "bootstrap.yaml's envs: section",
    ("envtool/cmd_env.c", "envs"): "env list --json's key (conda's)",
    ("envtool/main.c", "envs"): "the --envs option of info (conda info --envs)",
    ("envtool/cmd_search.c", "pkgs"): "search --json's result key (micromamba's)",
    ("libconda/channel.c", "pkgs"): "Anaconda's channel names, pkgs/main (a URL's path)",
}
# A name that is also a whole string of another kind: checked only as a path part.
WORD_ELSEWHERE = {".conda": "the package archive suffix"}
TOKENS = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)

hdr = open(os.path.join(root, HEADER), encoding="utf-8").read()
names = dict(re.findall(r'^#define\s+(NBK_\w+)\s+"([^"]+)"', hdr, re.M))
if len(names) < 3:
    sys.exit(f"{HEADER}: only {len(names)} names found")
values = set(names.values())
used = {m: set() for m in names}
bad = []
for d in DIRS:
    for dirpath, _, files in os.walk(os.path.join(root, d)):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            text = open(path, encoding="utf-8", errors="replace").read()
            code = TOKENS.sub(lambda m: m.group(0) if m.group(0)[0] in "\"'" else " ", text)
            for m in names:
                if re.search(r"\b%s\b" % m, code):
                    used[m].add(d)
            for m in TOKENS.finditer(text):
                t = m.group(0)
                if not t.startswith('"'):
                    continue  # a comment or a character
                s = t[1:-1]
                # the name as the whole string, or as a path or NAME=VALUE part
                # of one; a URL's path is someone else's ("https://.../pkgs/main")
                parts = set() if "://" in s else set(re.split(r"[/=]", s)) if re.search(r"[/=]", s) else set()
                if s not in WORD_ELSEWHERE:
                    parts.add(s)
                for v in sorted(parts & values):
                    if (rel, v) in OTHER:
                        continue
                    line = text.count("\n", 0, m.start()) + 1
                    bad.append(f"{rel}:{line}: {t} spells '{v}': use the macro of {HEADER}")
for m, sides in sorted(used.items()):
    if "bootstrap" not in sides or not sides & {"libconda", "envtool"}:
        bad.append(f"{HEADER}: {m} is used by {sorted(sides) or 'nobody'}, not by both programs")
design = os.path.join(root, "docs/design.md")
if os.path.exists(design):
    contract = open(design, encoding="utf-8").read()
    for m, v in sorted(names.items()):
        if v not in contract:
            bad.append(f"{HEADER}: {m} '{v}' is not in the contract (docs/design.md)")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
copy() {
	rm -rf t && mkdir -p t/include/nbkit t/docs &&
		cp -r "$NBK_SRC"/bootstrap "$NBK_SRC"/libconda "$NBK_SRC"/envtool "$NBK_SRC"/lib t/ &&
		cp "$NBK_SRC"/include/nbkit/conda_names.h t/include/nbkit/ && cp "$NBK_SRC"/docs/design.md t/docs/
}
plant() {  # plant FILE TEXT WHAT
	copy
	printf '%s\n' "$2" >> "t/$1"
	/usr/bin/python3 check.py t > out 2>&1 && echo "planted $3: missed" || echo "planted $3: caught ($(wc -l < out))"
}
plant bootstrap/envroots.c 'static const char *x = "CONDA_ENVS_DIRS";' 'variable name'
plant libconda/config.c 'static const char *x = "%s/pkgs";' 'path part'
plant bootstrap/gpu.c 'static const char *x = "CONDA_OVERRIDE_CUDA=%s";' 'NAME=VALUE'
plant bootstrap/envroots.c 'static const char *x = "channels";' '.condarc key outside its other contracts'
copy
sed -i 's/NBK_ENV_CONDA_OVERRIDE_CUDA/BS_CUDA_VAR/g' t/bootstrap/gpu.c
/usr/bin/python3 check.py t > out 2>&1 && echo "a name one side stopped using: missed" ||
	echo "a name one side stopped using: caught ($(grep -c 'not by both' out))"
/usr/bin/python3 check.py "$NBK_SRC" && echo "the shared conda names are spelled once, in include/nbkit/conda_names.h"
