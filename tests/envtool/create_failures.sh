# SPDX-License-Identifier: Apache-2.0
# A create that fails leaves nothing behind: a package whose post-link
# script fails, a package whose sha256 does not match its repodata (not in
# the cache either).  Two envtool creating the same environment at once:
# one clear error for the second, the first's environment whole.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
mkpkg '{"name": "bad", "version": "1.0", "build": "0",
	"files": {"bin/.bad-post-link.sh": "echo about to fail\nexit 3\n", "share/bad.txt": "x"}}' > /dev/null
make_real_channel
E=$HOME/.conda/envs
nothing_left() { [ ! -e "$E" ] || [ -z "$(ls -A "$E" | grep -v '^keep$')" ]; }

envtool create -n f zlib bad -c "$CHAN" -q > postlink.out 2> postlink.err
check "failing post-link: exit 1" [ $? -eq 1 ]
check "failing post-link: names the package" grep -q "error: the post-link script of 'bad-1.0-0' failed (exited with status 3)" postlink.err
check "failing post-link: the script's output shown" grep -q "^about to fail" postlink.err
check "failing post-link: nothing left" nothing_left
check "failing post-link: not registered" [ ! -s "$HOME/.conda/environments.txt" ]

/usr/bin/python3 - chan/noarch/repodata.json <<'PY'
import json, sys
f = sys.argv[1]; d = json.load(open(f))
d["packages.conda"]["symlink-test-1.0.0-0.conda"]["sha256"] = "0" * 64
json.dump(d, open(f, "w"))
PY
envtool create -n f zlib symlink-test -c "$CHAN" -q > sha.out 2> sha.err
check "sha256 mismatch: exit 1" [ $? -eq 1 ]
check "sha256 mismatch: names the package" grep -q "cannot fetch 'symlink-test-1.0.0-0'.*sha256" sha.err
check "sha256 mismatch: nothing left" nothing_left
check "sha256 mismatch: not in the cache" [ -z "$(ls "$HOME/.conda/pkgs" | grep symlink-test)" ]

# the same environment twice at once: the first holds the lock, stopped at
# its first step (ENVTOOL_TEST_STEP_FDS: it writes a line to "steps" once
# its temporary folder is made, under the lock, then waits on "go") while
# the second runs; EOF on "go" lets it finish ("steps" stays open until
# then: its later lines must find a reader)
mkfifo steps go
ENVTOOL_TEST_STEP_FDS=5,6 envtool create -n same zlib link-scripts -c "$CHAN" -q > first.out 2> first.err 5>steps 6<go &
first=$!
exec 7<steps 8>go
step=
read -r step <&7
waits_locked() { [ "$step" = step ] && [ -e "$E/.same.envtool-lock" ]; }
check "concurrent: the first waits at its first step, holding the lock" waits_locked
envtool create -n same zlib link-scripts -c "$CHAN" -q > second.out 2> second.err
check "concurrent: second exits 1" [ $? -eq 1 ]
check "concurrent: one clear error" [ "$(grep -c error second.err)" = 1 ] && grep -q "another envtool is changing '$E/same'" second.err
exec 8>&-
wait $first
check "concurrent: first succeeds" [ $? -eq 0 ]
exec 7<&-
check "concurrent: the environment is whole" meta_consistent "$E/same"
check "concurrent: 3 packages" [ "$(ls "$E/same/conda-meta" | grep -c json)" = 3 ]
check "concurrent: no lock or temporary folder left" [ "$(ls -A "$E")" = same ]
exit $failed
