# SPDX-License-Identifier: Apache-2.0
# requires-root: runs envtool as two other users (setpriv), and as root.
# Issue 9, a shared package cache: user A (uid 61001) plants an extracted
# folder in a cache that user B (uid 61002) reads, keeping the genuine
# info/repodata_record.json (so the record matches) but changing
# bin/tool and adding a post-link script (listed in info/paths.json) that
# writes a marker.  B's create must link the genuine files, extracted
# again from the verified archive into B's own cache, and never run A's
# code; the same with a symlink planted in place of bin/tool, and with root
# as the victim over A's private (not writable by others) cache.  A cache
# that others can write is never written to (no cache of one's own: a
# clear error).  The user's own cache keeps its fast path: a folder there
# is linked as it is (B's own edit of it shows up: nothing was hashed or
# extracted again).
. "$NBK_SRC/tests/envtool/lib/server.bash"
LIB=$NBK_SRC/tests/envtool/lib
A=61001
B=61002
GENUINE='#!/bin/sh
echo genuine'
mkdir -p m homeA homeB homeR
chmod 1777 m
chown $A:$A homeA
chown $B:$B homeB
MARK=$PWD/m/marker
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups env HOME="$PWD/home$([ "$u" = $A ] && echo A || echo B)" "$@"; }

/usr/bin/python3 "$LIB/make_pkg.py" built \
	'{"name": "tool", "version": "1.0", "build": "0", "files": {"bin/tool": {"text": "#!/bin/sh\necho genuine\n", "mode": 493}}}' > /dev/null
/usr/bin/python3 "$LIB/make_channel.py" chan built/*.tar.bz2 > /dev/null
C="-c file://$PWD/chan --override-channels"

# A fills its cache genuinely (a private cache: 0755), then plants
mkdir shared && chown $A:$A shared
as $A env CONDA_PKGS_DIRS="$PWD/shared" envtool create -p "$PWD/homeA/env" tool $C -q
check "A: genuine create" [ "$(cat shared/tool-1.0-0/bin/tool)" = "$GENUINE" ]
plant() {   # plant MODE: "file" (a changed bin/tool) or "symlink" (a link to A's script)
	as $A /usr/bin/python3 - "$PWD/shared/tool-1.0-0" "$MARK" "$1" <<'PY'
import json, os, sys
d, mark, how = sys.argv[1:]
evil = f"#!/bin/sh\necho planted; touch {mark}\n"
os.unlink(f"{d}/bin/tool")
if how == "symlink":
    with open(os.path.join(os.path.dirname(d), "evil.sh"), "w") as f:
        f.write(evil)
    os.chmod(os.path.join(os.path.dirname(d), "evil.sh"), 0o755)
    os.symlink(os.path.join(os.path.dirname(d), "evil.sh"), f"{d}/bin/tool")
else:
    with open(f"{d}/bin/tool", "w") as f:
        f.write(evil)
    os.chmod(f"{d}/bin/tool", 0o755)
with open(f"{d}/bin/.tool-post-link.sh", "w") as f:
    f.write(f"touch {mark}\n")
p = json.load(open(f"{d}/info/paths.json"))
p["paths"].append({"_path": "bin/.tool-post-link.sh", "path_type": "hardlink"})
json.dump(p, open(f"{d}/info/paths.json", "w"))
PY
}
plant file
chmod 0777 shared    # a team folder: B can write it too

# the attack: B creates with the shared cache first
as $B env CONDA_PKGS_DIRS="$PWD/shared:$PWD/homeB/.conda/pkgs" envtool create -p "$PWD/homeB/env" tool $C -v > b.out 2> b.err
check "planted file: create works" [ $? -eq 0 ]
check "planted file: genuine bin/tool" [ "$(cat homeB/env/bin/tool)" = "$GENUINE" ]
check "planted file: runs the genuine tool" [ "$(as $B homeB/env/bin/tool)" = genuine ]
check "planted file: no post-link script linked" [ ! -e homeB/env/bin/.tool-post-link.sh ]
check "planted file: A's code never ran" [ ! -e "$MARK" ]
check "planted file: says why" grep -q "not using '$PWD/shared/tool-1.0-0': its package cache can be changed by another user" b.err
check "planted file: B's own copy" [ "$(stat -c %u homeB/.conda/pkgs/tool-1.0-0/bin/tool)" = $B ]
check "planted file: shared cache not written" [ -z "$(find shared -uid $B)" ]

# a symlink in place of the file
rm -rf homeB/env homeB/.conda m/*
plant symlink
as $B env CONDA_PKGS_DIRS="$PWD/shared:$PWD/homeB/.conda/pkgs" envtool create -p "$PWD/homeB/env" tool $C -q 2> s.err
check "planted symlink: create works" [ $? -eq 0 ]
check "planted symlink: a file, not a link" [ -f homeB/env/bin/tool ] && [ ! -L homeB/env/bin/tool ]
check "planted symlink: genuine" [ "$(cat homeB/env/bin/tool)" = "$GENUINE" ] && [ "$(as $B homeB/env/bin/tool)" = genuine ]
check "planted symlink: A's code never ran" [ ! -e "$MARK" ]

# root over A's private cache (not writable by others, but A's)
chmod 0755 shared
rm -rf m/*
env CONDA_PKGS_DIRS="$PWD/shared:$PWD/homeR/pkgs" HOME="$PWD/homeR" envtool create -p "$PWD/homeR/env" tool $C -v > r.out 2> r.err
check "root victim: create works" [ $? -eq 0 ]
check "root victim: genuine" [ "$(cat homeR/env/bin/tool)" = "$GENUINE" ] && [ ! -L homeR/env/bin/tool ]
check "root victim: A's code never ran" [ ! -e "$MARK" ] && [ ! -e homeR/env/bin/.tool-post-link.sh ]
check "root victim: says why" grep -q "not using '$PWD/shared/tool-1.0-0': its package cache can be changed by another user" r.err

# in root's own cache: a folder that belongs to A, then one that group can write
rm -rf homeR/env homeR/env2 m/*
chown -R $A:$A homeR/pkgs/tool-1.0-0
as $A sh -c "echo 'touch $MARK' >> '$PWD/homeR/pkgs/tool-1.0-0/bin/tool'"
env CONDA_PKGS_DIRS="$PWD/homeR/pkgs" HOME="$PWD/homeR" envtool create -p "$PWD/homeR/env" tool $C -v > r2.out 2> r2.err
check "A's folder in root's cache: not used" grep -q "not using '$PWD/homeR/pkgs/tool-1.0-0': it belongs to another user" r2.err
check "A's folder in root's cache: genuine" [ "$(cat homeR/env/bin/tool)" = "$GENUINE" ] && [ "$(stat -c %u homeR/pkgs/tool-1.0-0)" = 0 ]
chmod g+w homeR/pkgs/tool-1.0-0
env CONDA_PKGS_DIRS="$PWD/homeR/pkgs" HOME="$PWD/homeR" envtool create -p "$PWD/homeR/env2" tool $C -v > r3.out 2> r3.err
check "group-writable folder: not used" grep -q "not using '$PWD/homeR/pkgs/tool-1.0-0': group or others can write it" r3.err
check "group-writable folder: extracted again" [ "$(stat -c %a homeR/pkgs/tool-1.0-0)" = 755 ] && [ ! -e "$MARK" ]

# a cache others can write is never written to: with no cache of B's own, a clear error
chmod 0777 shared
rm -rf homeB/env homeB/.conda
as $B env CONDA_PKGS_DIRS="$PWD/shared" envtool create -p "$PWD/homeB/env" tool $C -q > n.out 2> n.err
check "no own cache: exit 1" [ $? -eq 1 ]
check "no own cache: says so" grep -q "cannot fetch 'tool-1.0-0': no writable package cache of your own among pkgs_dirs" n.err
check "no own cache: nothing made" [ ! -e homeB/env ] && [ ! -e "$MARK" ]
# B's own folder, but in a cache folder others can write (not sticky): not trusted either
mkdir -p homeB/open && chown $B:$B homeB/open
as $B env CONDA_PKGS_DIRS="$PWD/homeB/open" envtool create -p "$PWD/homeB/e0" tool $C -q > /dev/null 2>&1
chmod 0777 homeB/open
as $B env CONDA_PKGS_DIRS="$PWD/homeB/open:$PWD/homeB/.conda/pkgs" envtool create -p "$PWD/homeB/e1" tool $C -v > o.out 2> o.err
check "own folder in an open cache: re-extracted" grep -q "not using '$PWD/homeB/open/tool-1.0-0': its package cache can be changed by another user" o.err
check "own folder in an open cache: from B's cache" [ -d homeB/.conda/pkgs/tool-1.0-0 ]

# a home made group-writable by Kubernetes' fsGroup (root:GROUP 2775) above B's own cache is fine
mkdir fsg && chown root:$B fsg && chmod 2775 fsg
as $B env CONDA_PKGS_DIRS="$PWD/fsg/pkgs" envtool create -p "$PWD/homeB/e3" tool $C -q > g.out 2> g.err
check "fsGroup home: create works" [ $? -eq 0 ] && [ -d fsg/pkgs/tool-1.0-0 ]

# the fast path: B's own cache is linked as it is, nothing hashed or extracted again
rm -rf homeB/.conda homeB/e1
as $B env CONDA_PKGS_DIRS="$PWD/homeB/.conda/pkgs" envtool create -p "$PWD/homeB/e1" tool $C -q
as $B sh -c "echo '# edited by B' >> '$PWD/homeB/.conda/pkgs/tool-1.0-0/bin/tool'"
as $B env CONDA_PKGS_DIRS="$PWD/homeB/.conda/pkgs" envtool create -p "$PWD/homeB/e2" tool $C -v > f.out 2> f.err
check "own cache: create works" [ $? -eq 0 ]
check "own cache: from the cache" grep -q "(0 downloaded, 1 from the cache)" f.out
check "own cache: linked as is (not verified)" grep -q "edited by B" homeB/e2/bin/tool
check "own cache: no re-extraction" [ -z "$(grep 'not using' f.err)" ]
# the repodata cache (PKGS/cache) follows the same rule: with a cache others
# can write listed first, the repodata B reads and writes is in B's own cache
# (another user could otherwise plant repodata, and the sha256 of every archive)
rm -rf shared/cache homeB/own && mkdir -p homeB/own && chown $B:$B homeB/own && chmod 0777 shared
as $B env CONDA_PKGS_DIRS="$PWD/shared:$PWD/homeB/own" envtool search tool $C > r.out 2> r.err
check "repodata cache: search works" [ $? -eq 0 ]
check "repodata cache: nothing in the shared cache" [ -z "$(find shared/cache -type f 2>/dev/null)" ]
check "repodata cache: in B's own" [ -n "$(find homeB/own/cache -type f)" ]
exit $failed
