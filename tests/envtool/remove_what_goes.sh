# SPDX-License-Identifier: Apache-2.0
# Issue 10: what `remove NAME` removes, decided once (docs/envtool.md,
# docs/design.md): NAME and every installed package that depends on it,
# transitively (conda's rule: they would be broken); the packages NAME
# needed stay even when nothing needs them any more (conda does not prune
# on remove; micromamba does by default, and envtool follows conda).
. "$NBK_SRC/tests/envtool/lib/server.bash"
local_channel '{"name": "base", "version": "1.0", "files": {"share/base.txt": "b\n"}}' \
	'{"name": "mid", "version": "1.0", "depends": ["base >=1"], "files": {"share/mid.txt": "m\n"}}' \
	'{"name": "top", "version": "1.0", "depends": ["mid"], "files": {"share/top.txt": "t\n"}}' \
	'{"name": "other", "version": "1.0", "files": {"share/other.txt": "o\n"}}'
E=$PWD/env
envtool create -p "$E" top other $C -q -y > /dev/null
check "setup: base, mid, top, other" [ "$(ls "$E/conda-meta" | grep -c json)" -eq 4 ]

envtool remove -p "$E" mid --dry-run --json > dry.json
check "dry run: mid and top (depends on mid), nothing else" /usr/bin/python3 -c "
import json; u = json.load(open('dry.json'))['actions']['UNLINK']
assert sorted(x['name'] for x in u) == ['mid', 'top'], u"
envtool remove -p "$E" mid -y > rm.out
check "remove mid: exit 0" [ $? -eq 0 ]
check "remove mid: says mid and top" [ "$(grep '^  - ' rm.out | sort)" = "  - mid-1.0-0
  - top-1.0-0" ]
check "remove mid: mid and top gone" [ ! -e "$E/share/mid.txt" ] && [ ! -e "$E/share/top.txt" ]
check "remove mid: base (now needed by nothing) stays" [ -f "$E/share/base.txt" ] && [ -f "$E/conda-meta/base-1.0-0.json" ]
check "remove mid: other stays" [ -f "$E/share/other.txt" ]
exit $failed
