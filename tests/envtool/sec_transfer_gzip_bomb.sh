# SPDX-License-Identifier: Apache-2.0
# Issue 9: repodata.json sent with Content-Encoding: gzip, ~2 MB on the
# wire, that inflates to 2 GiB of JSON whitespace.  The cap
# (repodata_max_bytes, 256 MiB here from .condarc) counts decoded bytes: the
# transfer stops there with one clear error, and envtool's peak RSS stays
# small: the body goes to a file as it arrives, never whole into memory
# (two subdirs at 256 MiB each would pass 200 MB otherwise).  A normal
# channel still works under the same cap.  Each run is killed past 60 s
# (status 124).
# timeout: 150
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/hostile_server.bash"
make_hostile_channel
start_hostile_server
printf 'repodata_max_bytes: 268435456\nremote_max_retries: 1\n' > "$HOME/.condarc"

bounded 60 envtool search hostile -c "$URL/repo-gzip/chan" --override-channels > /dev/null 2> bomb.err
check_bounded "gzip bomb"
check "gzip bomb: served gzip-encoded" grep -q "^/repo-gzip/chan/noarch/repodata.json 200" server.log
check "gzip bomb: one clear error naming the URL and the cap" \
	grep -q "error: channel '$URL/repo-gzip/chan', subdir '[a-z0-9-]*': cannot fetch '$URL/repo-gzip/chan/[a-z0-9-]*/repodata.json': more than 268435456 bytes of repodata (decoded; repodata_max_bytes)" bomb.err
check "gzip bomb: nothing cached" [ -z "$(ls "$HOME/.conda/pkgs/cache" 2>/dev/null | grep 'json$' | grep -v 'shards\.info\.json$')" ]

bounded 60 envtool search hostile -c "$URL/ok/chan" --override-channels > ok.out 2> ok.err
check "normal channel under the cap: exit 0" [ "$rc" -eq 0 ]
check "normal channel under the cap: record found" grep -q "^hostile " ok.out
exit $failed
