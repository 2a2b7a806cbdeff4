# SPDX-License-Identifier: Apache-2.0
# Issue 9: a server that sends one byte every half second (for repodata,
# then for a package) must not hold envtool: below the low-speed limit for
# remote_read_timeout_secs (2 s here, from .condarc) a transfer is stalled,
# retried (remote_max_retries), then one error naming the URL.  Each run is
# killed past 60 s (status 124) so a regression fails here, not hangs.
# timeout: 200
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/hostile_server.bash"
make_hostile_channel
start_hostile_server
printf 'remote_read_timeout_secs: 2\nremote_max_retries: 1\nremote_backoff_factor: 0.05\n' > "$HOME/.condarc"

bounded 60 envtool search hostile -c "$URL/repo-drip/chan" --override-channels > /dev/null 2> repo.err
check_bounded "repodata drip" 20
check "repodata drip: retried once" [ "$(grep -c "^/repo-drip/chan/noarch/repodata.json 200" server.log)" -eq 2 ]
check "repodata drip: one clear error naming the URL" \
	grep -q "error: channel '$URL/repo-drip/chan', subdir '[a-z0-9-]*': cannot fetch '$URL/repo-drip/chan/[a-z0-9-]*/repodata.json': Operation too slow. Less than 1024 bytes/sec transferred the last 2 seconds (after retries)" repo.err

bounded 60 envtool create -n e hostile -c "$URL/pkg-drip/chan" --override-channels -q > /dev/null 2> pkg.err
check_bounded "package drip" 20
check "package drip: retried once" [ "$(grep -c "^/pkg-drip/chan/noarch/hostile-1.0-0.tar.bz2 200" server.log)" -eq 2 ]
check "package drip: one clear error naming the package and URL" \
	grep -q "cannot fetch 'hostile-1.0-0': '$URL/pkg-drip/chan/noarch/hostile-1.0-0.tar.bz2': Operation too slow. Less than 1024 bytes/sec transferred the last 2 seconds (after retries)" pkg.err
check "package drip: nothing left in the cache" [ -z "$(ls "$HOME/.conda/pkgs" | grep hostile)" ]
exit $failed
