# SPDX-License-Identifier: Apache-2.0
# Issue 10: conda-meta/history has one writer and one "# cmd:" builder
# (prefix.h) for every command; remove used to write a command line of its
# own making ("envtool remove -n ..." without the options given).  create,
# install, update and remove append revisions that conda's History parser
# (conda/history.py) reads the same way: "==> DATE <==", "# cmd: ARGV",
# "+CHANNEL::NAME-VERSION-BUILD" / "-..." lines, "# update specs" /
# "# remove specs".
. "$NBK_SRC/tests/envtool/lib/server.bash"
local_channel '{"name": "tiny", "version": "1.0", "files": {"share/tiny.txt": "1\n"}}' \
	'{"name": "tiny", "version": "2.0", "files": {"share/tiny.txt": "2\n"}}' \
	'{"name": "extra", "version": "1.0", "files": {"share/extra.txt": "e\n"}}'
CH=$CHAN
E=$PWD/env
envtool create -p "$E" "tiny=1.0" $C -q -y > /dev/null
envtool install -p "$E" extra $C -q -y > /dev/null
envtool update -p "$E" tiny $C -q -y > /dev/null
envtool remove -p "$E" extra -q --yes > /dev/null
check "four changes: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - "$E/conda-meta/history" "$E" "$CH" <<'PY'
import re, sys, time
path, env, ch = sys.argv[1:]
# conda/history.py History.parse()
revs = []
for line in open(path):
    line = line.strip()
    if not line:
        continue
    m = re.match(r"==>\s*(.+?)\s*<==$", line)
    if m:
        revs.append((m.group(1), set(), []))
    elif line.startswith("#"):
        revs[-1][2].append(line)
    else:
        revs[-1][1].add(line)
assert len(revs) == 4, revs
for date, dists, comments in revs:
    time.strptime(date, "%Y-%m-%d %H:%M:%S")
    for d in dists:
        assert re.fullmatch(r"[+-][^\s:]+(:[^\s:]+)*::[^\s]+-[^\s-]+-[^\s-]*", d), d
cmds = [re.match(r"#\s*cmd:\s*(.+)", c[0]).group(1) for _, _, c in revs]
# the real command line, the same way for every command (argv[0] may be a path)
want = [f"create -p {env} tiny=1.0 -c {ch} --override-channels -q -y",
        f"install -p {env} extra -c {ch} --override-channels -q -y",
        f"update -p {env} tiny -c {ch} --override-channels -q -y",
        f"remove -p {env} extra -q --yes"]
for c, w in zip(cmds, want):
    assert re.fullmatch(r"\S*envtool " + re.escape(w), c), (c, w)
assert revs[0][1] == {f"+{ch}::tiny-1.0-0"}, revs[0][1]
assert revs[1][1] == {f"+{ch}::extra-1.0-0"}, revs[1][1]
assert {d[:1] for d in revs[2][1]} == {"+", "-"} and f"+{ch}::tiny-2.0-0" in revs[2][1], revs[2][1]
assert any(d.startswith("-") and d.endswith("::tiny-1.0-0") for d in revs[2][1]), revs[2][1]
assert len(revs[3][1]) == 1 and next(iter(revs[3][1])).endswith("::extra-1.0-0") and next(iter(revs[3][1]))[0] == "-", revs[3][1]
specs = [[c for c in cs if re.match(r"#\s*\w+\s*specs:", c)] for _, _, cs in revs]
assert specs == [['# update specs: ["tiny=1.0"]'], ['# update specs: ["extra"]'],
                 ['# update specs: ["tiny"]'], ['# remove specs: ["extra"]']], specs
PY
rc=$?
check "history: conda's format, one revision a command" [ $rc -eq 0 ]
exit $failed
