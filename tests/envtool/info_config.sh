# SPDX-License-Identifier: Apache-2.0
# info: .condarc files in conda's order ($CONDARC last), channel_alias,
# custom_channels, "defaults", CONDA_* variables and options on top.
. "$NBK_SRC/tests/envtool/lib/server.bash"
mkdir -p home/.conda
printf 'channels: [conda-forge]\nchannel_alias: https://alias.example/\n' > home/.condarc
printf 'channels: [bioconda, defaults]\ncustom_channels:\n  bioconda: https://mirror.example/chans\npkgs_dirs: [~/pkgs-from-rc]\n' > rc2.yml
CONDARC=$PWD/rc2.yml CONDA_ENVS_DIRS=$PWD/envs-a:$PWD/envs-b envtool info --json --platform osx-arm64 > info.json
check "exit 0" [ $? -eq 0 ]
/usr/bin/python3 - info.json "$PWD" <<'PY' && echo "ok: values" || echo "FAIL: values"
import json, sys
d = json.load(open(sys.argv[1])); pwd = sys.argv[2]
assert d["platform"] == "osx-arm64", d["platform"]
assert d["channels"] == [
    "https://mirror.example/chans/bioconda/osx-arm64", "https://mirror.example/chans/bioconda/noarch",
    "https://repo.anaconda.com/pkgs/main/osx-arm64", "https://repo.anaconda.com/pkgs/main/noarch",
    "https://repo.anaconda.com/pkgs/r/osx-arm64", "https://repo.anaconda.com/pkgs/r/noarch",
    "https://alias.example/conda-forge/osx-arm64", "https://alias.example/conda-forge/noarch"], d["channels"]
assert d["populated config files"] == [pwd + "/home/.condarc", pwd + "/rc2.yml"], d["populated config files"]
assert d["package cache"] == [pwd + "/home/pkgs-from-rc"], d["package cache"]
assert d["envs directories"] == [pwd + "/envs-a", pwd + "/envs-b"], d["envs directories"]
assert d["channel alias"] == "https://alias.example/", d["channel alias"]
PY
envtool info -c ./local --override-channels > info.txt
check "human: local path channel" grep -q "channels : file://$PWD/local/[a-z0-9-]*$" info.txt
printf 'channels: [a\n' > bad.yml
CONDARC=$PWD/bad.yml envtool info > /dev/null 2> bad.err
check "bad .condarc: exit 1" [ $? -eq 1 ]
check "bad .condarc: position" grep -q "bad.yml:[0-9]*:[0-9]*" bad.err
exit $failed
