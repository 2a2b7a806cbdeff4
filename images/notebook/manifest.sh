#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Written into the image at build time (Dockerfile, last step): what is in
# it, for `make image-report` and for anyone inside a running notebook
# (cat /usr/share/nbkit/manifest.txt).
set -u
v() { "$@" 2>&1 | head -n 1; }
echo "# nbkit notebook image manifest"
echo "version: ${NBK_VERSION:-unknown}"
echo "jupyter_source: ${JUPYTER_SOURCE:-?}"
echo "with_java: ${WITH_JAVA:-0}"
echo "with_tools: ${WITH_TOOLS:-1}"
[ "${JUPYTER_SOURCE:-}" != conda ] || echo "conda_channel: ${CONDA_CHANNEL:-}"
echo
echo "## tools"
echo "bootstrap: $(v bootstrap --version)"
echo "envtool: $(v envtool --version)"
for t in bash git curl ssh less nano unzip ps; do
	p=$(command -v "$t" 2>/dev/null) || { echo "$t: (absent)"; continue; }
	case $t in
	ssh) echo "$t: $(v ssh -V)" ;;
	less) echo "$t: $(v less --version)" ;;
	unzip) echo "$t: $(unzip -v 2>&1 | head -n 1)" ;;
	*) echo "$t: $(v "$p" --version)" ;;
	esac
done
for t in python3 jupyter jupyterhub-singleuser java; do
	p=$(command -v "$t" 2>/dev/null) || { echo "$t: (absent)"; continue; }
	case $t in
	jupyter) echo "$t: $(jupyter --version 2>/dev/null | grep -E '^(notebook|jupyterlab|jupyter_server|ipykernel|jupyter_core) ' | tr -s ' ' | paste -sd, -)" ;;
	java) echo "$t: $(v java -version)" ;;
	*) echo "$t: $(v "$p" --version)" ;;
	esac
done
if [ -d /opt/conda/conda-meta ]; then
	echo
	echo "## conda packages in /opt/conda (name version build)"
	for f in /opt/conda/conda-meta/*.json; do
		[ -e "$f" ] || continue
		basename "$f" .json
	done
fi
echo
echo "## Debian packages (name version installed-size-KiB)"
dpkg-query -W -f '${Package} ${Version} ${Installed-Size}\n' | sort
