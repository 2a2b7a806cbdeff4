# SPDX-License-Identifier: Apache-2.0
# Issue 9: a repodata.json.zst of ~64 kB (a valid zstd frame) that
# decompresses to 2 GiB of JSON whitespace.  Decompression stops at
# repodata_max_bytes (256 MiB here, from .condarc) with one clear error, and
# envtool's peak RSS stays small: it is decompressed into a file as it
# arrives, never whole into memory.  Killed past 60 s (status 124).
# timeout: 120
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/hostile_server.bash"
make_hostile_channel
start_hostile_server
printf 'repodata_max_bytes: 268435456\nremote_max_retries: 1\n' > "$HOME/.condarc"

bounded 60 envtool search hostile -c "$URL/repo-zst/chan" --override-channels > /dev/null 2> bomb.err
check_bounded "zst bomb"
check "zst bomb: .zst served" grep -q "^/repo-zst/chan/noarch/repodata.json.zst 200" server.log
check "zst bomb: one clear error naming the URL and the cap" \
	grep -q "error: channel '$URL/repo-zst/chan', subdir '[a-z0-9-]*': '$URL/repo-zst/chan/[a-z0-9-]*/repodata.json.zst' decompresses to more than 268435456 bytes (repodata_max_bytes)" bomb.err
check "zst bomb: nothing cached" [ -z "$(ls "$HOME/.conda/pkgs/cache" 2>/dev/null | grep 'json$' | grep -v 'shards\.info\.json$')" ]
exit $failed
