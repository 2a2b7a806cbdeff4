# SPDX-License-Identifier: Apache-2.0
# What the packages say (issue 10: the engine hands it to the tool, which
# prints it): a post-link script's output is shown with -v only, before
# the summary; .messages.txt is shown after linking and removed from the
# environment; a pre-unlink script's output shows with -v on remove; with
# --json the result on stdout stays one JSON document.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
mkpkg '{"name": "talker", "version": "1.0", "build": "0",
	"files": {"bin/.talker-post-link.sh": "echo hello from post-link\necho read the docs > \"$PREFIX/.messages.txt\"\n",
		"bin/.talker-pre-unlink.sh": "echo bye from pre-unlink\n"}}' > /dev/null
make_real_channel

envtool create -n quiet talker -c "$CHAN" -y > q.out 2> q.err
check "default: created" [ -e "$HOME/.conda/envs/quiet/conda-meta/history" ]
check "default: the script's output hidden" sh -c '! grep -q "hello from post-link" q.out q.err'
check "default: .messages.txt shown on stderr" grep -qx "read the docs" q.err
check "default: .messages.txt not left in the environment" [ ! -e "$HOME/.conda/envs/quiet/.messages.txt" ]

envtool create -n loud talker -c "$CHAN" -y -v > v.out 2> v.err
check "-v: the script's output shown" grep -qx "hello from post-link" v.err
check "-v: with its trace" grep -qx "+ echo hello from post-link" v.err
check "-v: messages shown" grep -qx "read the docs" v.err
check "-v: nothing of it on stdout" sh -c '! grep -q "hello\|read the docs" v.out'

envtool remove -n loud talker -y -v > rm.out 2> rm.err
check "remove -v: pre-unlink's output shown" grep -qx "bye from pre-unlink" rm.err

envtool create -n js talker -c "$CHAN" -y --json > j.out 2> j.err
check "--json: stdout is one JSON document" /usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' j.out
check "--json: messages on stderr" grep -qx "read the docs" j.err
exit $failed
