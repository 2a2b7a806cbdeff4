# SPDX-License-Identifier: Apache-2.0
# Issue 9: an environment name is a folder name and a line of
# ~/.conda/environments.txt.  `create -n $'a\nb'` wrote a line "…/a" and a
# line "b" (two environments, one of them anywhere the name said).  Names
# with a control character, '/', ' ', ':', '#' (conda's
# PREFIX_NAME_DISALLOWED_CHARS), ".", "..", a leading '.' or empty are
# refused with exit 2 and one line, for every command that takes -n; a -p
# prefix holding a control character too; environments.txt never gets a
# line envtool did not mean.
. "$NBK_SRC/tests/envtool/lib/server.bash"
/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_channel.py" chan "$SHARED/data/conda/packages/empty-0.1.0-h4616a5c_0.conda" > /dev/null
C="-c file://$PWD/chan --override-channels"
mkdir -p "$HOME/.conda"
printf '/elsewhere/env\n' > "$HOME/.conda/environments.txt"
cp "$HOME/.conda/environments.txt" before.txt
unchanged() { cmp -s before.txt "$HOME/.conda/environments.txt"; }

i=0
for name in $'a\nb' $'a\rb' $'a\tb' $'a\x1bb' $'a\x7fb' 'a/b' 'a b' 'a:b' 'a#b' '.' '..' '.hidden' ''; do
	i=$((i + 1))
	shown=$(printf '%q' "$name")
	envtool create -n "$name" empty $C -y > n$i.out 2> n$i.err
	check "create -n $shown: exit 2" [ $? -eq 2 ]
	check "create -n $shown: one line" [ "$(wc -l < n$i.err)" = 1 ]
	check "create -n $shown: says why" grep -q "^envtool: error: invalid environment name '.*': " n$i.err
	check "create -n $shown: environments.txt unchanged" unchanged
	check "create -n $shown: nothing made" [ ! -e "$HOME/.conda/envs" ]
done
check "the newline is shown escaped" grep -qF "invalid environment name 'a\\nb': it holds a control character" n1.err

# every command that takes -n refuses it the same way (each with the
# options it takes: another one would be refused first)
opts_install="$C -y" opts_remove=-y
for cmd in "install empty" "remove --all" "list" "env export" "kernel install"; do
	opts=opts_${cmd%% *}
	envtool $cmd -n $'x\ny' ${!opts:-} > c.out 2> c.err
	check "$cmd -n \$'x\\ny': exit 2" [ $? -eq 2 ]
	check "$cmd -n \$'x\\ny': says why" grep -qF "invalid environment name 'x\\ny'" c.err
done

envtool run -n $'x\ny' true > c.out 2> c.err
check "run -n \$'x\\ny': exit 2" [ $? -eq 2 ]
check "run -n \$'x\\ny': says why" grep -qF "invalid environment name 'x\\ny'" c.err

# an environment file's name: is a -n name
printf 'name: "a\\nb"\ndependencies: [empty]\n' > env.yml
envtool create -f env.yml $C -y > f.out 2> f.err
check "create -f with name \"a\\nb\": exit 2" [ $? -eq 2 ]
check "create -f: environments.txt unchanged" unchanged

# -p with a newline: refused before anything is made
envtool create -p "$PWD/p"$'\n'"injected" empty $C -y > p.out 2> p.err
check "create -p with a newline: exit 2" [ $? -eq 2 ]
check "create -p with a newline: says why" grep -qF "invalid prefix '$PWD/p\\ninjected': it holds a control character" p.err
check "create -p with a newline: environments.txt unchanged" unchanged
check "create -p with a newline: nothing made" [ ! -e "$PWD/p"$'\n'"injected" ]

# names conda accepts still work, and the line written is the prefix
envtool create -n ok-name_1.2+x empty $C -y -q > ok.out 2> ok.err
check "create -n ok-name_1.2+x: exit 0" [ $? -eq 0 ]
check "environments.txt: the old line and the new one, nothing else" \
	[ "$(cat "$HOME/.conda/environments.txt")" = "/elsewhere/env
$HOME/.conda/envs/ok-name_1.2+x" ]
exit $failed
