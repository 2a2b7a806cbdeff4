# SPDX-License-Identifier: Apache-2.0
# Issue 9: a package server that sends the archive and then more bytes,
# without end, than the record's size: envtool cuts the transfer off at the
# size, the download fails with one error naming the package and the URL,
# and nothing is left in the package cache.  Killed past 60 s (status 124).
# timeout: 120
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/hostile_server.bash"
make_hostile_channel
start_hostile_server
size=$(/usr/bin/python3 -c 'import json; print(json.load(open("srv/chan/noarch/repodata.json"))["packages"]["hostile-1.0-0.tar.bz2"]["size"])')

bounded 60 envtool create -n e hostile -c "$URL/pkg-more/chan" --override-channels -q > /dev/null 2> more.err
check_bounded "oversize"
check "oversize: error names package, URL and size" \
	grep -q "cannot fetch 'hostile-1.0-0': '$URL/pkg-more/chan/noarch/hostile-1.0-0.tar.bz2': size mismatch: the server sent more than the expected $size bytes" more.err
check "oversize: nothing left in the cache" [ -z "$(ls "$HOME/.conda/pkgs" | grep hostile)" ]
check "oversize: no environment" [ ! -e "$HOME/.conda/envs/e" ]

bounded 60 envtool create -n e hostile -c "$URL/ok/chan" --override-channels -q > /dev/null 2> ok.err
check "the same package served right: exit 0" [ "$rc" -eq 0 ]
check "the same package served right: installed" [ -f "$HOME/.conda/envs/e/share/hostile.txt" ]
exit $failed
