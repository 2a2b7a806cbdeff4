# SPDX-License-Identifier: Apache-2.0
# create for real from a local channel of the real packages (file:// and
# HTTP): --json (micromamba's shape, dry_run false), the human summary, an
# existing environment (refused without --yes, replaced with it), zlib's
# prefix and library, symlinks, link scripts, noarch python with entry
# points, a second environment from the warm cache made of hard links.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
mkpkg '{"name": "hello", "version": "1.0", "build": "pyh_0", "noarch": "python", "depends": ["python"],
	"files": {"site-packages/hello_mod.py": "def main():\n    print(\"hello from\", __import__(\"sys\").prefix)\n"},
	"entry_points": ["hello = hello_mod:main"]}' > /dev/null
make_real_channel
E=$HOME/.conda/envs
envtool create -n z zlib -c "$CHAN" --override-channels --json > z.json 2> z.err
check "create --json: exit 0" [ $? -eq 0 ]
check "create --json: micromamba's shape" /usr/bin/python3 -c "
import json; d = json.load(open('z.json'))
assert d['dry_run'] is False and d['success'] is True and d['prefix'] == '$E/z', d
assert sorted(x['name'] for x in d['actions']['LINK']) == ['libgcc-ng', 'zlib'], d
assert len(d['actions']['FETCH']) == 2 and d['actions']['UNLINK'] == [], d
assert all(len(x['sha256']) == 64 for x in d['actions']['LINK'])"
check "zlib.pc holds the new prefix" grep -qx "prefix=$E/z" "$E/z/lib/pkgconfig/zlib.pc"
check "libz.so.1 loads: 1.2.11" /usr/bin/python3 -c "
import ctypes; z = ctypes.CDLL('$E/z/lib/libz.so.1'); z.zlibVersion.restype = ctypes.c_char_p
assert z.zlibVersion() == b'1.2.11', z.zlibVersion()"
check "conda-meta: zlib record" /usr/bin/python3 -c "
import json; d = json.load(open('$E/z/conda-meta/zlib-1.2.11-h7b6447c_3.json'))
assert d['requested_spec'] == 'zlib' and 'lib/libz.so.1' in d['files'] and d['link']['type'] == 1, d"
check "history" grep -q "^+file://.*::zlib-1.2.11-h7b6447c_3" "$E/z/conda-meta/history"
check "environments.txt" grep -qx "$E/z" "$HOME/.conda/environments.txt"
check "nothing else in the envs folder" [ "$(ls -A "$E")" = z ]

# an existing environment: refused without --yes (nobody to ask), replaced with it
ino=$(stat -c %i "$E/z/conda-meta/history")
envtool create -n z zlib symlink-test -c "$CHAN" > again.out 2> again.err
check "existing: exit 1 without --yes" [ $? -eq 1 ]
check "existing: says how" grep -q "is an environment already: 'envtool create --yes' replaces it" again.err
check "existing: untouched" [ "$(stat -c %i "$E/z/conda-meta/history")" = "$ino" ] && [ ! -e "$E/z/lib/liblink.so" ]
envtool create -n z zlib symlink-test link-scripts -c "$CHAN" -y > yes.out 2> yes.err
check "existing --yes: replaced" [ $? -eq 0 ] && [ -L "$E/z/lib/liblink.so" ]
check "human summary" grep -q "^Replaced '$E/z': 4 packages linked, 0 removed (2 downloaded, 2 from the cache)" yes.out
check "symlink kept as a link" [ "$(readlink "$E/z/lib/liblink.so")" = libreal.so.1 ]
check "post-link script ran" [ -e "$E/z/i-was-post-linked" ]
check "post-link message shown" grep -q "post-link script that just ran" yes.err
check "no leftovers after replacing" [ "$(ls -A "$E")" = z ]

# noarch: python with an entry point, python from a package around /usr/bin/python3
envtool create -n py python hello sample_noarch_python -c "$CHAN" -q
check "noarch python: create" [ $? -eq 0 ]
check "noarch python: site-packages" [ -f "$E/py/lib/python3.11/site-packages/hello_mod.py" ] && [ -f "$E/py/lib/python3.11/site-packages/sample.py" ]
check "entry point runs in the environment" [ "$("$E/py/bin/hello")" = "hello from $E/py" ]
check "entry point in conda-meta" grep -q '"bin/hello"' "$E/py/conda-meta/hello-1.0-pyh_0.json"

# over HTTP, and a second environment from the warm cache is hard links
mkdir -p srv && cp -r chan srv/chan
start_server
envtool create -n z2 zlib -c "$URL/ok/chan" --override-channels -q
check "HTTP: create" [ $? -eq 0 ] && grep -qx "prefix=$E/z2" "$E/z2/lib/pkgconfig/zlib.pc"
stop_server
envtool create -n z3 zlib -c "$CHAN" --override-channels > warm.out
check "warm: nothing downloaded" grep -q "(0 downloaded, 2 from the cache)" warm.out
check "warm: hard links to the cache" [ "$(stat -c %i "$E/z3/lib/libz.so.1.2.11")" = "$(stat -c %i "$HOME/.conda/pkgs/zlib-1.2.11-h7b6447c_3/lib/libz.so.1.2.11")" ]
check "warm: zlib.pc rewritten (a copy)" [ "$(stat -c %i "$E/z3/lib/pkgconfig/zlib.pc")" != "$(stat -c %i "$HOME/.conda/pkgs/zlib-1.2.11-h7b6447c_3/lib/pkgconfig/zlib.pc")" ]
exit $failed
