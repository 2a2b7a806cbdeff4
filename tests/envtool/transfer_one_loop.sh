# SPDX-License-Identifier: Apache-2.0
# Issue 10: repodata (fetch.c) and packages (download.c) go through one
# transfer loop (libconda/transfer.c), so the same server trouble is
# retried the same way and told in the same words: "'URL': WHAT", after
# each caller's subject ("channel 'C', subdir 'S': cannot fetch " for
# repodata, "cannot fetch 'PKG': " for a package).  Before, each ran a
# loop of its own and they had drifted: a 408 was retried for a package,
# not for repodata.  The servers' troubles: a 408 every time, a 500 with an
# endless body, a redirect with an endless body (the drain cap).
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/hostile_server.bash"
make_hostile_channel
start_hostile_server
export CONDA_REMOTE_MAX_RETRIES=2

# same A B: A is not empty and B says the same
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }

declare -A want=(
	[408]="the server answered HTTP 408 (after retries)"
	[500]="the server answered HTTP 500 (after retries)"
	[redirect]="the server sent more than 64 KiB of a body that is not the answer (a redirect's?)"
)
for how in 408 500 redirect; do
	envtool search hostile -c "$URL/repo-$how/chan" --override-channels > /dev/null 2> repo-$how.err
	check "repodata $how: exit 1" [ $? -eq 1 ]
	envtool create -n e hostile -c "$URL/pkg-$how/chan" --override-channels -q > /dev/null 2> pkg-$how.err
	check "package $how: exit 1" [ $? -eq 1 ]
	# what follows the URL, in the one error line of each
	repo=$(sed -n "s|^envtool: error: channel '$URL/repo-$how/chan', subdir '[a-z0-9-]*': cannot fetch '$URL/repo-$how/chan/[a-z0-9-]*/repodata.json.zst': ||p" repo-$how.err)
	pkg=$(sed -n "s|^envtool: error: cannot fetch 'hostile-1.0-0': '$URL/pkg-$how/chan/noarch/hostile-1.0-0.tar.bz2': ||p" pkg-$how.err)
	check "$how: repodata and a package told the same" same "$repo" "$pkg"
	check "$how: told as it should be" [ "$repo" = "${want[$how]}" ]
done
# the same retries: 1 + CONDA_REMOTE_MAX_RETRIES requests, for each
check "408: repodata asked 3 times" [ "$(grep -c "^/repo-408/chan/noarch/repodata.json.zst 408" server.log)" -eq 3 ]
check "408: the package asked 3 times" [ "$(grep -c "^/pkg-408/chan/noarch/hostile-1.0-0.tar.bz2 408" server.log)" -eq 3 ]
check "500: repodata asked 3 times" [ "$(grep -c "^/repo-500/chan/noarch/repodata.json.zst 500" server.log)" -eq 3 ]
check "500: the package asked 3 times" [ "$(grep -c "^/pkg-500/chan/noarch/hostile-1.0-0.tar.bz2 500" server.log)" -eq 3 ]
check "package: nothing left in the cache" [ -z "$(ls "$HOME/.conda/pkgs" | grep hostile)" ]
exit $failed
