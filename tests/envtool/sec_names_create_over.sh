# SPDX-License-Identifier: Apache-2.0
# Issue 9: `create -p DIR --yes` replaced (and so removed) any folder that
# merely held a conda-meta folder, with the user's files in it.  Only an
# environment a manager made (conda-meta/history or conda-meta/*.json) is
# replaced; another folder that is not empty is refused, its files intact;
# an empty folder is fine; a real environment is still replaced.
. "$NBK_SRC/tests/envtool/lib/server.bash"
/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_channel.py" chan "$SHARED/data/conda/packages/empty-0.1.0-h4616a5c_0.conda" > /dev/null
C="-c file://$PWD/chan --override-channels"

# the user's folder: an empty conda-meta and precious files
mkdir -p work/conda-meta work/data
echo precious > work/notes.txt
echo precious > work/data/results.csv
precious() { [ "$(cat work/notes.txt)" = precious ] && [ "$(cat work/data/results.csv)" = precious ] && [ -d work/conda-meta ]; }
envtool create -p work empty $C --yes > w.out 2> w.err
check "create -p over a folder with an empty conda-meta: exit 1" [ $? -eq 1 ]
check "create -p over it: says why" grep -qF "'$PWD/work' already exists and is neither an environment (conda-meta with a history or package records) nor an empty folder: envtool does not replace it" w.err
check "create -p over it: the user's files intact" precious
check "create -p over it: nothing left beside it" [ -z "$(ls -A . | grep envtool)" ]
check "create -p over it: not registered" [ ! -s "$HOME/.conda/environments.txt" ]
envtool create -p work empty $C --dry-run > d.out 2> d.err
check "dry run: not called an environment" [ -z "$(grep 'is an environment already' d.err)" ]

# a conda-meta that is only a lock or a hidden file is not an environment either
touch work/conda-meta/.envtool-lock work/conda-meta/.hidden.json
envtool create -p work empty $C --yes > w2.out 2> w2.err
check "conda-meta with only hidden files: exit 1" [ $? -eq 1 ]
check "conda-meta with only hidden files: files intact" precious

# an empty folder is fine
mkdir empty-dir
envtool create -p empty-dir empty $C --yes -q > e.out 2> e.err
check "create -p over an empty folder: exit 0" [ $? -eq 0 ]
check "create -p over an empty folder: an environment" [ -f empty-dir/conda-meta/history ]

# a real environment (made by envtool) is still replaced
envtool create -p real empty $C --yes -q > r1.out 2> r1.err
check "create a real environment: exit 0" [ $? -eq 0 ]
echo mine > real/mine.txt
envtool create -p real empty $C --yes > r2.out 2> r2.err
check "recreate it with --yes: exit 0" [ $? -eq 0 ]
check "recreate it: replaced" grep -q "^Replaced '$PWD/real'" r2.out
check "recreate it: a whole environment" [ -f real/conda-meta/history ] && [ -f real/conda-meta/empty-0.1.0-h4616a5c_0.json ]
# conda's own mark without history: package records only
rm real/conda-meta/history
envtool create -p real empty $C --yes > r3.out 2> r3.err
check "an environment with records but no history: replaced" [ $? -eq 0 ]
exit $failed
