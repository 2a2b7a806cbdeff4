#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# images/notebook/demo-channel.sh OUT: the demo channel of the Debian-Jupyter
# image, a conda channel of a few tiny packages made at build time with the
# test tools (tests/envtool/lib/make_pkg.py, make_channel.py), so that
#   envtool create -n demo -c file://OUT --override-channels python ipykernel nbkit-hello
# works offline and a "Python (demo)" kernel appears in Jupyter:
#   python      a venv-like prefix around the image's /usr/bin/python3
#               (pyvenv.cfg with the system site packages)
#   ipykernel   noarch: python; the code is Debian's python3-ipykernel
#   nbkit-hello noarch: python; a module and an entry point `nbkit-hello`
set -eu
out=$1
lib=$(cd "$(dirname "$0")/../../tests/envtool/lib" && pwd)
work=$(mktemp -d)
cd "$work"
mkpkg() { python3 "$lib/make_pkg.py" built "$1" >/dev/null; }
pyver=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
mkpkg '{"name": "python", "version": "'"$pyver"'.2", "build": "0_system", "subdir": "linux-64",
	"files": {"pyvenv.cfg": "home = /usr/bin\ninclude-system-site-packages = true\nversion = '"$pyver"'.2\n",
		  "bin/.python-post-link.sh": "ln -sf /usr/bin/python3 \"$PREFIX/bin/python'"$pyver"'\"\nln -sf python'"$pyver"' \"$PREFIX/bin/python\"\nln -sf python'"$pyver"' \"$PREFIX/bin/python3\"\nmkdir -p \"$PREFIX/lib/python'"$pyver"'/site-packages\"\n",
		  "bin/.python-pre-unlink.sh": "rm -f \"$PREFIX/bin/python\" \"$PREFIX/bin/python3\" \"$PREFIX/bin/python'"$pyver"'\"\n"}}'
mkpkg '{"name": "ipykernel", "version": "6.17.0", "build": "pyh_0", "noarch": "python", "depends": ["python"],
	"files": {"site-packages/nbkit_ipykernel_marker.py": "# the code is the system one (python3-ipykernel)\n"}}'
mkpkg '{"name": "nbkit-hello", "version": "1.0", "build": "pyh_0", "noarch": "python", "depends": ["python"],
	"files": {"site-packages/nbkit_hello.py": "import sys\n\ndef main():\n    print(\"hello from\", sys.prefix)\n"},
	"entry_points": ["nbkit-hello = nbkit_hello:main"]}'
python3 "$lib/make_channel.py" "$out" built/*.tar.bz2 >/dev/null
cd / && rm -rf "$work"
