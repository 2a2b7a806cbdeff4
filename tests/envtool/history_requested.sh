# SPDX-License-Identifier: Apache-2.0
# What history knows (issue 12): conda-meta/history's requested specs and
# conda-meta/pinned are read.  update --all updates within what the user
# asked for ("lib>=1,<2" stays below 2 when 2.0 comes out; without that
# spec it would take 2.0); a spec written by conda (['...'] quoting) counts
# too; conda-meta/pinned holds a package at its pin; removing a package
# that a requested one needs says so, naming it.
. "$NBK_SRC/tests/envtool/lib/server.bash"
LIB=$NBK_SRC/tests/envtool/lib
mk() { /usr/bin/python3 "$LIB/make_pkg.py" "$1" "$2" > /dev/null; }
for v in 1.0 1.5 2.0; do mk new '{"name": "lib", "version": "'$v'"}'; done
for v in 1.0 1.1; do mk new '{"name": "other", "version": "'$v'"}'; done
mk new '{"name": "app", "version": "1.0", "depends": ["lib"]}'
mk new '{"name": "tool", "version": "1.0"}'
mk new '{"name": "tool", "version": "1.1"}'
mkdir old
cp new/lib-1.0-0.tar.bz2 new/other-1.0-0.tar.bz2 new/app-1.0-0.tar.bz2 new/tool-1.0-0.tar.bz2 old/
/usr/bin/python3 "$LIB/make_channel.py" chan-old old/*.tar.bz2
/usr/bin/python3 "$LIB/make_channel.py" chan-new new/*.tar.bz2
OLD="-c file://$PWD/chan-old --override-channels"
NEW="-c file://$PWD/chan-new --override-channels"
E=$HOME/.conda/envs
versions() { envtool list -n "$1" --json | /usr/bin/python3 -c 'import json, sys; print(" ".join("%s=%s" % (p["name"], p["version"]) for p in json.load(sys.stdin)))'; }

envtool create -n h "lib>=1,<2" app other tool $OLD -q
echo "created: $(versions h)"
# a spec as conda writes it, single-quoted: tool stays below 1.1
printf '==> 2024-01-01 00:00:00 <==\n# cmd: conda install tool<1.1\n# conda version: 23.11.0\n# update specs: [%s]\n' "'tool<1.1'" >> "$E/h/conda-meta/history"
# the environment's own pins: other at 1.0.*
printf '# pinned by the team\nother 1.0.*\n' > "$E/h/conda-meta/pinned"
envtool update -n h --all $NEW -q -y
echo "update --all: $(versions h)"
envtool update -n h --all $NEW --dry-run --json > plan.json
/usr/bin/python3 -c 'import json; d = json.load(open("plan.json")); print("a second update --all changes:", len(d["actions"].get("LINK", [])))'

# without history (a copy of the environment whose history is gone), update --all takes lib 2.0
envtool create -n bare "lib=1.0" app other tool $OLD -q
: > "$E/bare/conda-meta/history"
envtool update -n bare --all $NEW -q -y
echo "no history: $(versions bare)"

# remove lib: app needs it and was asked for: a warning names app
envtool remove -n h lib -y > /dev/null 2> rm.err
echo "remove lib: exit $?"
sed "s|$HOME|~|" rm.err
exit $failed
