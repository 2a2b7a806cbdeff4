# SPDX-License-Identifier: Apache-2.0
# requires-root: small tmpfs mounts (unmounted by the EXIT trap).
# A full disk and a prefix that is not writable: clear errors naming the
# problem, nothing half-written; an install that hits a full disk leaves
# the environment as conda-meta says, and works once there is room.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
mkpkg "$(/usr/bin/python3 -c 'import json; print(json.dumps({"name": "tool", "version": "1.0", "build": "0",
	"files": {"bin/tool": {"text": "#!/bin/sh\necho tool\n", "mode": 493}, "share/tool.dat": "x" * 100000}}))')" > /dev/null
make_real_channel
mkdir -p small ro rw
cleanup() {
	stop_server
	for m in small ro rw; do mountpoint -q "$m" && umount "$m"; done
}
trap cleanup EXIT
mount -t tmpfs -o size=256k tmpfs small
mount -t tmpfs -o ro,size=1m tmpfs ro
mount -t tmpfs -o size=4m tmpfs rw

# a full disk while creating (the cache is in $HOME: the files are copied, and do not fit)
envtool create -p small/env zlib -c "$CHAN" -q > full.out 2> full.err
check "full disk: exit 1" [ $? -eq 1 ]
check "full disk: says so" grep -q "cannot create the environment '$PWD/small/env': .*No space left on device" full.err
check "full disk: one error line" [ "$(grep -c 'error:' full.err)" = 1 ]
check "full disk: nothing left" [ -z "$(ls -A small)" ]
check "full disk: the cache is whole" [ -f "$HOME/.conda/pkgs/zlib-1.2.11-h7b6447c_3/info/repodata_record.json" ]

# a prefix that is not writable
envtool create -p ro/env zlib -c "$CHAN" -q > ro.out 2> ro.err
check "read-only: exit 1" [ $? -eq 1 ]
check "read-only: says so" grep -q "cannot create the environment '$PWD/ro/env': cannot write in '$PWD/ro': Read-only file system" ro.err
check "read-only: nothing left" [ -z "$(ls -A ro)" ]

# an environment whose filesystem becomes read-only, then full
envtool create -p rw/env zlib -c "$CHAN" -q
check "rw: created" [ $? -eq 0 ]
mount -o remount,ro rw
envtool install -p rw/env tool -c "$CHAN" -q > rwro.out 2> rwro.err
check "read-only env: exit 1" [ $? -eq 1 ]
check "read-only env: says so" grep -q "Read-only file system" rwro.err
mount -o remount,rw rw
check "read-only env: unchanged" [ ! -e rw/env/bin/tool ] && [ -z "$(ls rw/env/conda-meta | grep tool)" ] && meta_consistent rw/env
# room for the journal, not for the package's files
dd if=/dev/zero of=rw/filler bs=4k > /dev/null 2>&1
truncate -s -32K rw/filler
envtool install -p rw/env tool -c "$CHAN" -q > rwfull.out 2> rwfull.err
check "full env: exit 1" [ $? -eq 1 ]
check "full env: says so" grep -q "No space left on device" rwfull.err
check "full env: conda-meta true" meta_consistent rw/env
check "full env: tool not claimed" [ -z "$(ls rw/env/conda-meta | grep tool)" ]
rm -f rw/filler
envtool install -p rw/env tool -c "$CHAN" -q > after.out 2> after.err
check "room again: install works" [ $? -eq 0 ] && [ "$(rw/env/bin/tool)" = tool ]
check "room again: consistent" meta_consistent rw/env
check "room again: no journal" [ ! -e rw/env/conda-meta/.envtool-journal ]
exit $failed
