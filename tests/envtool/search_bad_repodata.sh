# SPDX-License-Identifier: Apache-2.0
# Truncated, wrong-typed and huge-string repodata: exit 1 and a message
# naming the channel and subdir, never a crash.
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel trunc "$REPODATA/conda-forge-numpy-linux-64.json"
head -c 5000 "$REPODATA/conda-forge-numpy-linux-64.json" > trunc/linux-64/repodata.json
envtool search numpy -c "$PWD/trunc" --override-channels 2> trunc.err
check "truncated: exit 1" [ $? -eq 1 ]
check "truncated: message" grep -q "repodata of 'file://$PWD/trunc/linux-64' is truncated: " trunc.err

mkdir -p typed/linux-64 typed/noarch && echo '{}' > typed/noarch/repodata.json
echo '{"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "depends": "python"}}}' > typed/linux-64/repodata.json
envtool search a -c "$PWD/typed" --override-channels 2> typed.err
check "wrong type: exit 1" [ $? -eq 1 ]
check "wrong type: message" grep -q "repodata of 'file://$PWD/typed/linux-64': line 1, column [0-9]*: package 'a-1-0.tar.bz2': 'depends' must be a list of strings" typed.err

mkdir -p huge/linux-64 huge/noarch && echo '{}' > huge/noarch/repodata.json
/usr/bin/python3 -c 'import json; print(json.dumps({"packages": {"a-1-0.tar.bz2": {"name": "a" * 100000, "version": "1"}}}))' > huge/linux-64/repodata.json
envtool search a -c "$PWD/huge" --override-channels 2> huge.err
check "huge string: exit 1" [ $? -eq 1 ]
check "huge string: message" grep -q "repodata of 'file://$PWD/huge/linux-64': .*string longer than 65536 bytes" huge.err
exit $failed
