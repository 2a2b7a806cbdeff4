# SPDX-License-Identifier: Apache-2.0
# Sourced after server.bash by the cases that install for real: a local
# channel ./chan of the real packages in $SHARED/data/conda/packages plus
# what they need, built by the test (make_pkg.py):
#   libgcc-ng    an empty stand-in (zlib depends on it)
#   python       3.11.2: a venv-like prefix around the system's
#                /usr/bin/python3 (pyvenv.cfg with the system's site
#                packages; bin/python is made by its post-link script and
#                removed by its pre-unlink script, as a package with a
#                link script would)
#   ipykernel    noarch: python, depends on python (the code is Debian's
#                python3-ipykernel, seen through the system site packages)
# and every .conda/.tar.bz2 of PKGS_EXTRA.  CHAN is file://$PWD/chan.
LIB=$NBK_SRC/tests/envtool/lib
PKGS=$SHARED/data/conda/packages

mkpkg() { /usr/bin/python3 "$LIB/make_pkg.py" built "$1"; }

make_real_channel() {
	local pyver
	pyver=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	mkpkg '{"name": "libgcc-ng", "version": "13.2.0", "build": "0", "subdir": "linux-64"}' > /dev/null
	mkpkg '{"name": "python", "version": "'"$pyver"'.2", "build": "0_wrap", "subdir": "linux-64",
		"files": {"pyvenv.cfg": "home = /usr/bin\ninclude-system-site-packages = true\nversion = '"$pyver"'.2\n",
			  "bin/.python-post-link.sh": "ln -sf /usr/bin/python3 \"$PREFIX/bin/python'"$pyver"'\"\nln -sf python'"$pyver"' \"$PREFIX/bin/python\"\nln -sf python'"$pyver"' \"$PREFIX/bin/python3\"\nmkdir -p \"$PREFIX/lib/python'"$pyver"'/site-packages\"\n",
			  "bin/.python-pre-unlink.sh": "rm -f \"$PREFIX/bin/python\" \"$PREFIX/bin/python3\" \"$PREFIX/bin/python'"$pyver"'\"\n"}}' > /dev/null
	mkpkg '{"name": "ipykernel", "version": "6.17.0", "build": "pyh_0", "noarch": "python", "depends": ["python"],
		"files": {"site-packages/envtool_ipykernel_marker.py": "# the code is the system one\n"}}' > /dev/null
	/usr/bin/python3 "$LIB/make_channel.py" chan built/*.tar.bz2 \
		"$PKGS/zlib-1.2.11-h7b6447c_3.conda" "$PKGS/symlink-test-1.0.0-0.conda" \
		"$PKGS/link-scripts-0.1.0-h4616a5c_0.conda" "$PKGS/sample_noarch_python-1.0-py_0.conda" \
		"$PKGS/test-package-0.1-0.tar.bz2" ${PKGS_EXTRA:-}
	CHAN=file://$PWD/chan
}

# meta_consistent PREFIX: every file conda-meta lists exists, and no
# conda-meta record is half-written (a consistent environment).
meta_consistent() {
	/usr/bin/python3 - "$1" <<'PY'
import glob, json, os, sys
p = sys.argv[1]
bad = []
for f in glob.glob(os.path.join(p, "conda-meta", "*.json")):
    d = json.load(open(f))
    for x in d.get("files", []):
        if not os.path.lexists(os.path.join(p, x)):
            bad.append(f"{os.path.basename(f)}: {x} missing")
if bad:
    print("\n".join(bad[:10]), file=sys.stderr)
    sys.exit(1)
PY
}

# debian_channel: the real channel of scripts/mkchannel (issue 15): python
# 3.11, numpy, pandas, scipy, ipykernel, pip and the libraries they load,
# made from Debian's binaries.  Built once in $NBK_BUILD/channel and kept
# there between runs (rebuilt only when its Debian packages or the scripts
# change: mkchannel's .key); DCHAN is its folder.  The build's own lines go
# to mkchannel.log, so that a case's output stays its own.
debian_channel() {
	DCHAN=$NBK_BUILD/channel
	if ! "$NBK_SRC/scripts/mkchannel" "$DCHAN" > mkchannel.log 2>&1; then
		echo "FAIL: scripts/mkchannel: $(tail -n 3 mkchannel.log)"
		exit 1
	fi
}
