# SPDX-License-Identifier: Apache-2.0
# Server trouble: 500 (retried, then a message naming channel and subdir),
# a dropped connection and a 503 (retried, then served), a slow answer
# (read timeout), a channel that does not exist (404 for noarch), a
# platform subdir that does not exist (empty), a proxy (http_proxy and
# .condarc proxy_servers).
# timeout: 60
. "$NBK_SRC/tests/envtool/lib/server.bash"
make_channel srv/chan "$REPODATA/conda-forge-numpy-linux-64.json"
mkdir -p srv/noarchonly/noarch
cp "$REPODATA/main-noarch.json" srv/noarchonly/noarch/repodata.json
start_server

export CONDA_REMOTE_MAX_RETRIES=2
envtool search numpy -c "$URL/fail500/chan" --override-channels > /dev/null 2> e500.err
check "500: exit 1" [ $? -eq 1 ]
check "500: message names channel, subdir and status" \
	grep -q "channel '$URL/fail500/chan', subdir '[a-z0-9-]*': cannot fetch '.*': the server answered HTTP 500 (after retries)" e500.err
check "500: retried (3 requests per file)" [ "$(count 'GET /fail500/chan/linux-64/repodata.json.zst 500')" -eq 3 ]

envtool search numpy -c "$URL/flaky/chan" --override-channels > /dev/null 2> flaky.err
check "dropped connection: retried and served" [ $? -eq 0 ]
check "dropped connection: logged once per file" [ "$(count 'GET /flaky/chan/linux-64/repodata.json.zst drop')" -eq 1 ]

envtool search numpy -c "$URL/throttle/chan" --override-channels > /dev/null
check "503: retried and served" [ $? -eq 0 ]

CONDA_REMOTE_READ_TIMEOUT_SECS=1 CONDA_REMOTE_MAX_RETRIES=0 \
	envtool search numpy -c "$URL/slow/chan" --override-channels > /dev/null 2> slow.err
check "slow: exit 1" [ $? -eq 1 ]
check "slow: timeout message" grep -q "subdir '.*': cannot fetch '.*/slow/chan/.*': Operation too slow" slow.err

envtool search numpy -c "$URL/ok/nosuchchannel" --override-channels > /dev/null 2> unknown.err
check "unknown channel: exit 1" [ $? -eq 1 ]
check "unknown channel: message" grep -q "channel '$URL/ok/nosuchchannel', subdir 'noarch': channel not found: '.*' answered 404" unknown.err

envtool search affine -c "$URL/ok/noarchonly" --override-channels > found.txt
check "missing platform subdir is empty" [ $? -eq 0 ]
check "noarch record found" grep -q '^affine ' found.txt

http_proxy=http://127.0.0.1:$PORT envtool search numpy -c http://repo.invalid/ok/chan --override-channels > /dev/null
check "http_proxy used" [ $? -eq 0 ]
check "proxy requests logged" grep -q "GET /ok/chan/linux-64/repodata.json 200 proxy=1" server.log

printf 'proxy_servers:\n  http: http://127.0.0.1:%s\n' "$PORT" > proxyrc
envtool search numpy -c http://other.invalid/ok/chan --override-channels --rc-file proxyrc > /dev/null
check "proxy_servers from .condarc" [ $? -eq 0 ]
exit $failed
