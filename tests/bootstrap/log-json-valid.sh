# SPDX-License-Identifier: Apache-2.0
# `bootstrap --log-format json` writes one valid JSON object a line (issue
# 10: one writer, lib/json.c), read back by Debian's python json module
# with strict UTF-8, whatever a hook's file name holds: a quote, a
# backslash, a newline, a control character, a byte that is not UTF-8
# (written as U+FFFD: it was copied, and the line was not JSON).
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
printf 'not a hook\n' > "d/10-q\"b\\s$(printf '\001')
n$(printf '\377')"
CFG_HOOK_DIRS="$PWD/d" write_config cfg.yaml
bootstrap -v --log-format json -c cfg.yaml -- true 2> err
echo "exit=$?"
/usr/bin/python3 - err "$PWD/d" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\n")
assert lines[-1] == b"", "the last line ends with a newline"
skipped = []
for n, line in enumerate(lines[:-1], 1):
    try:
        d = json.loads(line.decode("utf-8"))
    except ValueError as e:
        sys.exit(f"line {n} is not JSON: {e}: {line!r}")
    assert list(d)[:3] == ["time", "level", "program"] and "msg" in d, d
    assert d["program"] == "bootstrap" and d["level"] in ("error", "warning", "info", "debug"), d
    if d.get("step") == "hooks" and d["msg"].startswith("skipping"):
        skipped.append(d["msg"])
want = "skipping '%s/10-q\"b\\s\x01\nn\ufffd': not executable and not a *.sh file" % sys.argv[2]
assert skipped == [want], (skipped, want)
print("every line is a JSON object; the file name reads back, U+FFFD for the byte")
PY
