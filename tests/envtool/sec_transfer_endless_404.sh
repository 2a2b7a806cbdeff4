# SPDX-License-Identifier: Apache-2.0
# Issue 9: a server that answers with an endless error body (404 or 500,
# chunked, never finished) must neither hang envtool nor fill its memory:
# the body is dropped, the transfer stopped after 64 KiB, and the status
# stands as the answer (retried for a 500), for repodata and for a package;
# the errors name the URL with its credentials masked.
# Each run is killed past 60 s (status 124) so a regression fails here.
# timeout: 240
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/hostile_server.bash"
make_hostile_channel
start_hostile_server
export CONDA_REMOTE_MAX_RETRIES=1

bounded 60 envtool search hostile -c "$URL/repo-404/chan" --override-channels > /dev/null 2> repo404.err
check_bounded "repodata 404"
check "repodata 404: .zst then .json asked" grep -q "^/repo-404/chan/noarch/repodata.json 404" server.log
check "repodata 404: one clear error naming the URL" \
	grep -q "error: channel '$URL/repo-404/chan', subdir 'noarch': channel not found: '$URL/repo-404/chan/noarch/repodata.json' answered 404" repo404.err

bounded 60 envtool search hostile -c "$URL/repo-500/chan" --override-channels > /dev/null 2> repo500.err
check_bounded "repodata 500"
check "repodata 500: retried" [ "$(grep -c "^/repo-500/chan/noarch/repodata.json.zst 500" server.log)" -eq 2 ]
check "repodata 500: error names URL and status" \
	grep -q "cannot fetch '$URL/repo-500/chan/[a-z0-9-]*/repodata.json.zst': the server answered HTTP 500 (after retries)" repo500.err

bounded 60 envtool create -n e hostile -c "$URL/pkg-404/chan" --override-channels -q > /dev/null 2> pkg404.err
check_bounded "package 404"
check "package 404: repodata was served" grep -q "^/pkg-404/chan/noarch/repodata.json 200" server.log
check "package 404: error names package, URL and status" \
	grep -q "cannot fetch 'hostile-1.0-0': '$URL/pkg-404/chan/noarch/hostile-1.0-0.tar.bz2': the server answered HTTP 404" pkg404.err
check "package 404: nothing left in the cache" [ -z "$(ls "$HOME/.conda/pkgs" | grep hostile)" ]
check "package 404: no environment" [ ! -e "$HOME/.conda/envs/e" ]

# the errors name the URL, never the credentials in it
bounded 60 envtool create -n c hostile -c "http://user:s3cret@127.0.0.1:$PORT/pkg-404/chan" --override-channels -q > /dev/null 2> cred.err
check "credentials: exit 1" [ "$rc" -eq 1 ]
check "credentials: user and password masked" \
	grep -q "'http://\*\*\*@127.0.0.1:$PORT/pkg-404/chan/noarch/hostile-1.0-0.tar.bz2': the server answered HTTP 404" cred.err
bounded 60 envtool search hostile -c "$URL/t/tk-s3cret/chan" --override-channels > /dev/null 2>> cred.err
check "credentials: a /t/ token masked" grep -q "channel '$URL/t/\*\*\*/chan', subdir 'noarch': channel not found: '$URL/t/\*\*\*/chan/noarch/repodata.json'" cred.err
check "credentials: never in an error" [ "$(grep -c s3cret cred.err)" -eq 0 ]
exit $failed
