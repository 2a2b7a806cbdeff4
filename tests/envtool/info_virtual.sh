# SPDX-License-Identifier: Apache-2.0
# info shows the virtual packages (human and --json), CONDA_OVERRIDE_* win,
# "" removes one, a bad override is an error.
. "$NBK_SRC/tests/envtool/lib/server.bash"
CONDA_OVERRIDE_CUDA=12.4 CONDA_OVERRIDE_GLIBC=2.28 CONDA_OVERRIDE_ARCHSPEC=x86_64_v2 envtool info --json > v.json
check "json: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - v.json <<'PY' && echo "ok: json: virtual packages" || echo "FAIL: json: virtual packages"
import json, sys
v = json.load(open(sys.argv[1]))["virtual packages"]
assert "__unix=0=0" in v and "__cuda=12.4=0" in v and "__glibc=2.28=0" in v, v
assert "__archspec=1=x86_64_v2" in v, v
assert any(p.startswith("__linux=") for p in v), v
PY
CONDA_OVERRIDE_CUDA= envtool info > h.txt
check "human: listed" grep -q '^ *virtual packages : __unix=0=0$' h.txt
check "human: CONDA_OVERRIDE_CUDA= removes __cuda" sh -c '! grep -q "__cuda=" h.txt'
CONDA_OVERRIDE_GLIBC='2.x!' envtool info > /dev/null 2> bad.err
check "bad override: exit 1" [ $? -eq 1 ]
check "bad override: named" grep -q "CONDA_OVERRIDE_GLIBC" bad.err
exit $failed
