# SPDX-License-Identifier: Apache-2.0
# Issue 9: a 302 whose body never ends.  libcurl drains a followed
# redirect's body without handing it over (forever, when it is endless), so
# neither the error-body cap nor the low-speed limit sees it: envtool stops
# a transfer whose received bytes run far ahead of those handed over, for
# repodata and for a package, with one error naming the URL.  A redirect
# with a normal body is still followed.  Each run is killed past 60 s.
# timeout: 200
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/hostile_server.bash"
make_hostile_channel
start_hostile_server
export CONDA_REMOTE_MAX_RETRIES=1

bounded 60 envtool search hostile -c "$URL/repo-redirect/chan" --override-channels > /dev/null 2> repo.err
check_bounded "repodata redirect"
check "repodata redirect: one clear error naming the URL" \
	grep -q "error: channel '$URL/repo-redirect/chan', subdir '[a-z0-9-]*': cannot fetch '$URL/repo-redirect/chan/[a-z0-9-]*/repodata.json.zst': the server sent more than 64 KiB of a body that is not the answer" repo.err

bounded 60 envtool create -n e hostile -c "$URL/pkg-redirect/chan" --override-channels -q > /dev/null 2> pkg.err
check_bounded "package redirect"
check "package redirect: one clear error naming the package and URL" \
	grep -q "cannot fetch 'hostile-1.0-0': '$URL/pkg-redirect/chan/noarch/hostile-1.0-0.tar.bz2': the server sent more than 64 KiB of a body that is not the answer" pkg.err
check "package redirect: nothing left in the cache" [ -z "$(ls "$HOME/.conda/pkgs" | grep hostile)" ]

bounded 60 envtool create -n f hostile -c "$URL/pkg-moved/chan" --override-channels -q > /dev/null 2> moved.err
check "normal redirect for a package: exit 0" [ "$rc" -eq 0 ]
check "normal redirect for a package: followed" grep -q "^/ok/chan/noarch/hostile-1.0-0.tar.bz2 200" server.log
check "normal redirect for a package: installed" [ -f "$HOME/.conda/envs/f/share/hostile.txt" ]
bounded 60 envtool search hostile -c "$URL/repo-moved/chan" --override-channels > moved.out 2> moved.err
check "normal redirect for repodata: exit 0" [ "$rc" -eq 0 ]
check "normal redirect for repodata: followed" grep -q "^/ok/chan/noarch/repodata.json 200" server.log
exit $failed
