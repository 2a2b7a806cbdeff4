# SPDX-License-Identifier: Apache-2.0
# Progress bars (per package and in total, like mamba's) on a terminal only:
# under script(1) a create over a slow server draws them; with --json on the
# same terminal, or with output to a pipe, nothing but the result.
# timeout: 120
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
make_real_channel
mkdir -p srv
cp -r chan srv/chan
start_server
run_tty() { script -qec "$1" /dev/null < /dev/null > "$2" 2>&1; }
run_tty "CONDA_PKGS_DIRS=$PWD/pkgs1 envtool create -p $PWD/env1 -y zlib -c $URL/slow/chan --override-channels" tty.out
check "terminal: created" grep -aq "Created '$PWD/env1'" tty.out
check "terminal: a bar for the package" grep -aq "zlib-1.2.11-h7b6447c_3 *\[" tty.out
check "terminal: a total bar" grep -aq "Total *\[.*\] .* [0-9]/[0-9]" tty.out
run_tty "CONDA_PKGS_DIRS=$PWD/pkgs2 envtool create -p $PWD/env2 -y zlib -c $URL/slow/chan --override-channels --json" json.out
check "terminal --json: created" [ -e "$PWD/env2/conda-meta/history" ]
check "terminal --json: no bar" sh -c '! grep -aq "Total" json.out'
CONDA_PKGS_DIRS=$PWD/pkgs3 envtool create -p "$PWD/env3" -y zlib -c "$URL/ok/chan" --override-channels > pipe.out 2> pipe.err
check "pipe: created" grep -q "Created '$PWD/env3'" pipe.out
check "pipe: no bar" sh -c '! grep -aq "Total" pipe.out pipe.err'
exit $failed
