# SPDX-License-Identifier: Apache-2.0
# The User-Agent of every request to a channel, repodata and package alike,
# is "envtool/" + the version `envtool --version` prints (git describe),
# never the "envtool/0" of a version header shadowed by envtool/version.h
# (issue 10); bootstrap --version prints the same version.
. "$NBK_SRC/tests/envtool/lib/server.bash"
mkdir -p built
/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_pkg.py" built \
	'{"name": "ua-probe", "version": "1.0", "files": {"share/ua-probe.txt": "probe\n"}}' > /dev/null
/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_channel.py" srv/chan built/ua-probe-1.0-0.tar.bz2
start_server

version=$(envtool --version)
check "envtool --version: 'envtool VERSION'" [ "${version#envtool }" != "$version" ]
version=${version#envtool }
check "the version is not '0'" [ "${version:-0}" != 0 ]
check "bootstrap --version: the same version" [ "$(bootstrap --version)" = "bootstrap $version" ]

CONDA_PKGS_DIRS=$PWD/pkgs envtool create -q -y -p "$PWD/env" ua-probe -c "$URL/ok/chan" --override-channels
check "create over HTTP exits 0" [ $? -eq 0 ]
check "repodata was asked" grep -q "^GET /ok/chan/noarch/repodata.json.* 200 " server.log
check "the package was downloaded" grep -q "^GET /ok/chan/noarch/ua-probe-1.0-0.tar.bz2 200 " server.log
check "every request has a User-Agent" [ "$(grep -vc ' ua=' server.log)" -eq 0 ]
sed -n 's/.* ua=//p' server.log | sort -u > agents.txt
check "one User-Agent for every request" [ "$(wc -l < agents.txt)" -eq 1 ]
check "User-Agent is envtool/VERSION" [ "$(cat agents.txt)" = "envtool/$version" ]
check "User-Agent is not envtool/0" [ "$(cat agents.txt)" != "envtool/0" ]
[ "$failed" = 0 ] || { echo "--- server.log"; cat server.log; }
exit "$failed"
