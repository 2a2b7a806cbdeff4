# SPDX-License-Identifier: Apache-2.0
# Issue 9: `remove --all` of a prefix that is a symbolic link emptied what
# the link points to.  Now the link itself goes (and its line in
# environments.txt), never what it points to: a link to an environment
# (by -p and by -n), and a link to a folder of the user's.
. "$NBK_SRC/tests/envtool/lib/server.bash"
/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_channel.py" chan "$SHARED/data/conda/packages/empty-0.1.0-h4616a5c_0.conda" > /dev/null
C="-c file://$PWD/chan --override-channels"

envtool create -p E empty $C -y -q > e.out 2> e.err
check "the environment E: made" [ $? -eq 0 ]
echo precious > E/notes.txt
ls -R E > E.before
whole() { [ "$(ls -R E)" = "$(cat E.before)" ] && [ "$(cat E/notes.txt)" = precious ] && [ -f E/conda-meta/history ]; }

ln -s "$PWD/E" L
echo "$PWD/L" >> "$HOME/.conda/environments.txt"
envtool remove --all -p L --yes > l.out 2> l.err
check "remove --all -p L (L -> E): exit 0" [ $? -eq 0 ]
check "remove --all -p L: says the link goes" grep -qF "Removing the link '$PWD/L' (what it points to, '$PWD/E', stays)" l.out
check "remove --all -p L: L is gone" [ ! -L L ] && [ ! -e L ]
check "remove --all -p L: E whole, files and packages" whole
check "remove --all -p L: L's line gone, E's stays" [ "$(cat "$HOME/.conda/environments.txt")" = "$PWD/E" ]
envtool list -p E > list.out 2>&1
check "E still lists its package" grep -q "empty" list.out

# the same found by -n in envs_dirs
mkdir -p "$HOME/.conda/envs"
ln -s "$PWD/E" "$HOME/.conda/envs/linked"
envtool remove --all -n linked --yes --json > n.json 2> n.err
check "remove --all -n linked: exit 0" [ $? -eq 0 ]
check "remove --all -n linked: JSON without UNLINK" /usr/bin/python3 -c '
import json, sys; d = json.load(open("n.json")); assert d["actions"]["UNLINK"] == [] and d["success"], d'
check "remove --all -n linked: the link is gone" [ ! -L "$HOME/.conda/envs/linked" ]
check "remove --all -n linked: E whole" whole

# a dry run changes nothing
ln -s "$PWD/E" L2
envtool remove --all -p L2 --dry-run > dr.out 2> dr.err
check "dry run: exit 0, the link stays" [ $? -eq 0 ] && [ -L L2 ]
check "dry run: E whole" whole

# a link to a folder of the user's that is no environment
mkdir -p user/sub
echo precious > user/sub/data.txt
mkdir user/conda-meta
ln -s "$PWD/user" U
envtool remove --all -p U --yes > u.out 2> u.err
check "remove --all -p U (U -> a user folder): exit 0" [ $? -eq 0 ]
check "remove --all -p U: U is gone" [ ! -L U ]
check "remove --all -p U: the folder's files intact" [ "$(cat user/sub/data.txt)" = precious ] && [ -d user/conda-meta ]

# remove --all of E itself still works (the real folder)
envtool remove --all -p E --yes > r.out 2> r.err
check "remove --all -p E: exit 0" [ $? -eq 0 ]
check "remove --all -p E: the user's file stays" [ "$(cat E/notes.txt)" = precious ] && [ ! -e E/conda-meta ]
exit $failed
