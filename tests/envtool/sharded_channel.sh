# SPDX-License-Identifier: Apache-2.0
# A CEP 16 sharded channel over HTTP (issue 14): envtool fetches the shard
# index, then only the shards of the names the request reaches (a step of
# the walk at a time), never repodata.json; shards are cached by hash (a
# second run fetches none); a shard whose bytes do not match the index's
# hash is refused; search reads the one shard it needs (a glob: those of
# the names it matches); the packages install for real from the shards'
# records.
. "$NBK_SRC/tests/envtool/lib/server.bash"
LIB=$NBK_SRC/tests/envtool/lib
mkpkg() { /usr/bin/python3 "$LIB/make_pkg.py" built "$1" > /dev/null; }
# app -> lib -> base, and two names nothing asks for
mkpkg '{"name": "app", "version": "1.0", "build": "0", "subdir": "linux-64", "depends": ["lib >=2"]}'
mkpkg '{"name": "lib", "version": "2.1", "build": "0", "subdir": "linux-64", "depends": ["base"]}'
mkpkg '{"name": "lib", "version": "1.0", "build": "0", "subdir": "linux-64"}'
mkpkg '{"name": "base", "version": "3", "build": "0", "subdir": "linux-64", "files": {"share/base.txt": "base\n"}}'
mkpkg '{"name": "unrelated", "version": "1", "build": "0", "subdir": "linux-64"}'
mkpkg '{"name": "other", "version": "1", "build": "0", "subdir": "linux-64", "depends": ["unrelated"]}'
/usr/bin/python3 "$LIB/make_channel.py" srv/chan built/*.tar.bz2 > /dev/null
lines=$(/usr/bin/python3 "$LIB/make_sharded_channel.py" srv/chan/linux-64 srv/chan/linux-64/repodata.json)
hash_of() { echo "$lines" | awk -v n="$1" '$1 == n {print $2}'; }
# the records come from the shards alone: repodata.json is not there
mv srv/chan/linux-64/repodata.json linux-64-repodata.json
start_server
C="-c $URL/ok/chan --override-channels"

envtool create -p env1 app --dry-run --json $C > dry.json
check "create --dry-run exits 0" [ $? -eq 0 ]
check "app, lib 2.1, base" /usr/bin/python3 -c '
import json, sys
d = json.load(open("dry.json"))
got = sorted((p["name"], p["version"]) for p in d["actions"]["LINK"])
assert got == [("app", "1.0"), ("base", "3"), ("lib", "2.1")], got'
check "the shard index asked" grep -q "GET /ok/chan/linux-64/repodata_shards.msgpack.zst 200" server.log
for n in app lib base; do
	check "$n's shard fetched" grep -q "GET /ok/chan/linux-64/shards/$(hash_of $n).msgpack.zst 200" server.log
done
for n in unrelated other; do
	check "$n's shard not fetched" [ "$(count "$(hash_of $n)")" -eq 0 ]
done
check "no repodata.json asked for linux-64" [ "$(count 'GET /ok/chan/linux-64/repodata.json')" -eq 0 ]
check "shards cached by hash" [ -s "home/.conda/pkgs/cache/shards/$(hash_of lib).msgpack.zst" ]

# Again, for real: no shard fetched again, the packages installed.
n=$(count 'msgpack.zst 200')
envtool create -p env1 app --yes $C > create.out 2>&1
check "create exits 0" [ $? -eq 0 ]
check "no shard fetched again" [ "$(count 'msgpack.zst 200')" -eq "$n" ]
check "installed from the shards' records" [ -f env1/share/base.txt ] &&
	check "conda-meta has lib 2.1" sh -c 'ls env1/conda-meta/lib-2.1-0.json >/dev/null'

# search reads the one name's shard (cached now: no request at all for shards)
before=$(count '/shards/')
envtool search 'lib<2' $C > search.out
check "search finds lib 1.0" grep -q '^lib  *1.0 ' search.out
check "search fetched no shard" [ "$(count '/shards/')" -eq "$before" ]

# a glob: the shards of the index's names it matches, only
envtool search 'unr*' $C > glob.out
check "a glob search finds unrelated" grep -q '^unrelated  *1 ' glob.out
check "its shard fetched" [ "$(count "$(hash_of unrelated)")" -eq 1 ]
check "no shard of a name the glob does not match" [ "$(count "$(hash_of other)")" -eq 0 ]

# A shard whose bytes are not what the index says: refused, named.
rm -rf home/.conda/pkgs/cache/shards
printf 'garbage' >> "srv/chan/linux-64/shards/$(hash_of base).msgpack.zst"
envtool create -p env2 app --dry-run $C > bad.out 2> bad.err
check "a tampered shard fails the create" [ $? -eq 1 ]
check "the message names the package" grep -q "shard of 'base'" bad.err
check "nothing tampered is cached" [ ! -e "home/.conda/pkgs/cache/shards/$(hash_of base).msgpack.zst" ]
exit $failed
