# SPDX-License-Identifier: Apache-2.0
# --json failures (issue 12): every failing command given --json prints
# exactly one JSON object on stdout, micromamba's way: success false, the
# error's kind (usage, failure, interrupted) and message, and the exit
# code, which is the one the command has without --json.  An unsolvable
# request keeps its own object (solver_problems).  stderr still has the
# line for people.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
. "$NBK_SRC/tests/envtool/lib/steps.bash"
step_packages
make_real_channel
envtool create -n k zlib -c "$CHAN" -q
cat > one.py <<'PY'
import json, sys
text = open(sys.argv[1]).read()
want_code = int(sys.argv[2])
obj, end = json.JSONDecoder().raw_decode(text)
assert not text[end:].strip(), "more than one JSON document"
assert obj["success"] is False, obj
if "solver_problems" in obj:
    print("unsolvable: %d problem(s)" % len(obj["solver_problems"]))
else:
    assert obj["exit_code"] == want_code, (obj, want_code)
    print(obj["error"]["kind"] + ": " + obj["error"]["message"][:60])
PY
# case NAME ARGS...: the same command with and without --json
case_() {
	local name=$1 plain json
	shift
	envtool "$@" >/dev/null 2>&1
	plain=$?
	envtool "$@" --json >out.json 2>err.txt
	json=$?
	printf '%s: exit %s / %s with --json; ' "$name" "$plain" "$json"
	sed "s|$PWD|.|g" out.json > out.rel.json
	/usr/bin/python3 one.py out.rel.json "$json" 2>&1 | tail -n 1
	[ -s err.txt ] || [ "$name" = unsolvable ] || echo "$name: nothing on stderr"
}
case_ "no such environment" list -n nosuch
case_ "an option list does not take" list -n k --tarballs
case_ "which environment" install zlib -c "$CHAN"
case_ "a spec that does not parse" install -n k "zlib >=>1" -c "$CHAN"
case_ "unsolvable" install -n k "zlib 99" -c "$CHAN" --override-channels
case_ "no channel there" install -n k zlib -c "file://$PWD/none" --override-channels
case_ "remove what is not there" remove -n k nothing-like-it -y
case_ "env export of nothing" env export -n nosuch
# interrupted: SIGINT at a create's first step (nothing made: a failure)
signal_at_step INT 1 create -n c t1 -c "$CHAN" --json
printf 'interrupted: exit %s; ' "$STEP_STATUS"
cp step.out out.json
/usr/bin/python3 one.py out.json "$STEP_STATUS" 2>&1 | tail -n 1
exit $failed
