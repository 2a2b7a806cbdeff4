# SPDX-License-Identifier: Apache-2.0
# Issue 10: -n NAME means the same prefix for every command.  With
# CONDA_ENVS_DIRS=d1:d2 and the environment in d2/foo, install used to
# look only in d1 ("no environment at .../d1/foo") while list and remove
# found it.  Now every command that takes -n finds d2/foo (conda's order:
# the first envs_dir that holds NAME), an unknown NAME gives one message
# for all of them, and create -n of a new name goes to the first envs_dir
# that may be written.
. "$NBK_SRC/tests/envtool/lib/server.bash"
local_channel '{"name": "tiny", "version": "1.0", "files": {"share/tiny.txt": "1\n"}}' \
	'{"name": "tiny", "version": "2.0", "files": {"share/tiny.txt": "2\n"}}' \
	'{"name": "extra", "version": "1.0", "files": {"share/extra.txt": "e\n"}}'
D1=$PWD/d1
D2=$PWD/d2
F=$D2/foo
mkdir -p "$D1" "$D2"
export CONDA_ENVS_DIRS=$D1:$D2
envtool create -p "$F" "tiny=1.0" $C -q -y > /dev/null
check "setup: foo made in the second envs_dir" [ -f "$F/conda-meta/tiny-1.0-0.json" ]
K=$HOME/.local/share/jupyter/kernels/foo/kernel.json

# every command that takes -n, one row each: NAME | COMMAND | CHECK (after it exits 0)
while IFS='|' read -r what cmd want; do
	[ -n "$what" ] || continue
	eval "$cmd" > out.txt 2> err.txt
	rc=$?
	check "$what -n foo: exit 0" [ $rc -eq 0 ]
	check "$what -n foo: works on d2/foo" eval "$want"
	check "$what -n foo: nothing made in d1" [ -z "$(ls "$D1")" ]
done <<EOF
list|envtool list -n foo|grep -q '^ *tiny  *1.0  *0 ' out.txt
install|envtool install -n foo extra $C -y -q|[ -f "$F/conda-meta/extra-1.0-0.json" ] && [ -f "$F/share/extra.txt" ]
update|envtool update -n foo tiny $C -y -q|[ -f "$F/conda-meta/tiny-2.0-0.json" ] && [ "\$(cat "$F/share/tiny.txt")" = 2 ]
install --dry-run|envtool install -n foo "tiny=1.0" $C --dry-run --json|grep -q '"prefix": "$F"' out.txt
remove|envtool remove -n foo extra -y -q|[ ! -e "$F/conda-meta/extra-1.0-0.json" ] && [ ! -e "$F/share/extra.txt" ]
env export|envtool env export -n foo|grep -qx '  - tiny=2.0=0' out.txt
run|envtool run -n foo sh -c 'echo "\$CONDA_PREFIX"'|[ "\$(cat out.txt)" = "$F" ]
kernel install|envtool kernel install -n foo|grep -q '"prefix": "$F"' "$K"
kernel remove|envtool kernel remove -n foo|[ ! -e "$K" ]
create (exists: replaced in place)|envtool create -n foo "tiny=1.0" $C --dry-run --json|grep -q '"prefix": "$F"' out.txt
EOF

# an unknown name: one message, exit 1, from every command that needs an environment
MSG="envtool: error: environment 'nothere' does not exist (no 'nothere' in envs_dirs '$D1', '$D2')"
while IFS='|' read -r what cmd; do
	[ -n "$what" ] || continue
	eval "$cmd" > out.txt 2> err.txt
	rc=$?
	check "$what -n nothere: exit 1" [ $rc -eq 1 ]
	check "$what -n nothere: the one message" grep -qxF "$MSG" err.txt
done <<EOF
list|envtool list -n nothere
install|envtool install -n nothere tiny $C --dry-run
update|envtool update -n nothere tiny $C --dry-run
remove|envtool remove -n nothere tiny -y
env export|envtool env export -n nothere
run|envtool run -n nothere true
kernel install|envtool kernel install -n nothere
EOF

# create -n of a new name: the first envs_dir that may be written
envtool create -n bar "tiny=1.0" $C -q -y > /dev/null
check "create -n bar: in the first envs_dir" [ -f "$D1/bar/conda-meta/tiny-1.0-0.json" ]
: > notadir
CONDA_ENVS_DIRS=$PWD/notadir:$D2 envtool create -n baz "tiny=1.0" $C --dry-run --json > baz.json
check "create -n baz, first envs_dir unusable: the second" grep -q "\"prefix\": \"$D2/baz\"" baz.json
CONDA_ENVS_DIRS=$PWD/notadir envtool create -n baz "tiny=1.0" $C --dry-run 2> nowrite.err
check "create -n baz, no envs_dir usable: exit 1" [ $? -eq 1 ]
check "create -n baz, no envs_dir usable: said" grep -qxF "envtool: error: cannot create environment 'baz': no envs_dir may be written (envs_dirs '$PWD/notadir')" nowrite.err

# -p and $CONDA_PREFIX: the same message shape
envtool list -p "$PWD/nowhere" 2> p.err
check "list -p nowhere: exit 1" [ $? -eq 1 ]
check "list -p nowhere: the same shape" grep -qxF "envtool: error: environment '$PWD/nowhere' does not exist (no '$PWD/nowhere/conda-meta')" p.err
envtool install -p "$PWD/nowhere" tiny $C --dry-run 2> p2.err
check "install -p nowhere: the same message as list" cmp -s p.err p2.err

envtool remove -n foo --all -y -q > /dev/null 2>&1
check "remove --all -n foo: d2/foo gone" [ ! -e "$F/conda-meta" ]
exit $failed
