# SPDX-License-Identifier: Apache-2.0
# pip inside environments (issue 12): in an activated environment, `python
# -m pip install -r requirements.txt` installs into the environment
# (sys.prefix); `envtool list` then shows the package with channel "pypi"
# and build "pypi_0", as micromamba does, sorted among the conda ones and
# in --json; `env export` puts it under pip:; a conda package's own
# dist-info (a noarch: python package) is not shown twice; and the export
# creates the same environment again, pip part included.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
mkpkg '{"name": "condapy", "version": "2.0", "build": "py_0", "noarch": "python", "depends": ["python"],
	"files": {"site-packages/condapy/__init__.py": "",
		  "site-packages/condapy-2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: condapy\nVersion: 2.0\n",
		  "site-packages/condapy-2.0.dist-info/INSTALLER": "conda\n"}}' > /dev/null
make_real_channel
/usr/bin/python3 "$LIB/make_pip_index.py" idx > /dev/null
# pip finds the wheel here, never on the network
export PIP_NO_INDEX=1 PIP_FIND_LINKS=$PWD/idx/packages PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CONFIG_FILE=/dev/null
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL
envtool create -n p python condapy -c "$CHAN" -q --no-kernel
printf 'nbkitprobe==1.0\n' > requirements.txt
bash --norc --noprofile <<'EOS'
eval "$(envtool shell hook -s bash)"
envtool activate p
python -m pip install -q -r requirements.txt > pip.out 2>&1; echo "pip install -r: $?"
python -c 'import sys, nbkitprobe; print("in the environment:", nbkitprobe.__file__.startswith(sys.prefix + "/lib/"))'
EOS
envtool list -n p | sed -n '/^ *Name/,$p' | grep -v '^---' | awk '{print $1, $2, $3, $4}' | sed "s|file://$PWD/|./|"
envtool list -n p --json > list.json
/usr/bin/python3 -c '
import json; d = json.load(open("list.json"))
print("--json:", [(x["name"], x["channel"], x["build_string"]) for x in d if x["channel"] == "pypi"])
print("condapy once:", [x["name"] for x in d].count("condapy") == 1)'
envtool env export -n p > env.yml
sed -n '/^dependencies:/,/^prefix:/p' env.yml | grep -v -e '^dependencies' -e '^prefix'
# the export, again: conda packages, then the pip: part through pip
sed -e 's/^name: .*/name: q/' -e '/^prefix:/d' env.yml > q.yml
envtool create -f q.yml -q --no-kernel > q.out 2>&1; echo "create -f the export: $?"
envtool list -n q | grep -c "^ *nbkitprobe  *1.0  *pypi_0  *pypi" | sed 's/^/q has nbkitprobe from pypi: /'
exit $failed
