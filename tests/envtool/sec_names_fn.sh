# SPDX-License-Identifier: Apache-2.0
# Issue 9, the attack: a channel on 127.0.0.1 whose repodata gives a record
# a file name that is not a plain NAME-VERSION-BUILD.conda ("...conda" made
# the cache folder PKGS/.., so the extracted package replaced ~/.conda).
# Each variant is refused with a message naming the repo and the file name;
# the package cache, environments.txt and canaries beside them stay.  Then
# the same through `install` (the good build is chosen, the bad one left
# out, from the binary cache too), an @EXPLICIT lock file, and a conda-meta
# record read back.
. "$NBK_SRC/tests/envtool/lib/server.bash"
LIB=$NBK_SRC/tests/envtool/lib
GOOD=empty-0.1.0-h4616a5c_0.conda
/usr/bin/python3 "$LIB/make_pkg.py" built '{"name": "other", "version": "1.0", "build": "0", "files": {"share/other.txt": "1\n"}}' > /dev/null
/usr/bin/python3 "$LIB/make_channel.py" srv/chan "$SHARED/data/conda/packages/$GOOD" built/other-1.0-0.tar.bz2 > /dev/null
cp srv/chan/noarch/repodata.json good.json
start_server
C="-c $URL/ok/chan --override-channels"

mkdir -p "$HOME/.conda/pkgs"
echo keep > "$HOME/.conda/canary"
echo keep > "$HOME/.conda/pkgs/canary"
echo /elsewhere/env > "$HOME/.conda/environments.txt"
intact() {
	[ "$(cat "$HOME/.conda/canary" 2>/dev/null)" = keep ] &&
		[ "$(cat "$HOME/.conda/pkgs/canary" 2>/dev/null)" = keep ] &&
		grep -qx /elsewhere/env "$HOME/.conda/environments.txt"
}

# serve FN SOURCE: the channel's noarch repodata is good.json with the
# record SOURCE moved to the key FN; its url is still the real package, so
# only the file name is hostile.
serve() {
	/usr/bin/python3 - good.json srv/chan/noarch/repodata.json "$URL/ok/chan/noarch" "$@" <<'PY'
import json, sys
src, dst, base, fn, source = sys.argv[1:6]
d = json.load(open(src))
rec = d["packages.conda"].pop(source)
rec["url"] = base + "/" + source
d["packages.conda"][fn] = rec
json.dump(d, open(dst, "w"))
PY
}

i=0
for fn in '...conda' '.conda' "../$GOOD" "a/$GOOD" "$GOOD"$'\n'; do
	i=$((i + 1))
	serve "$fn" "$GOOD"
	shown=${fn//$'\n'/\\n}
	envtool create -n v$i empty $C -y > v$i.out 2> v$i.err
	check "create, fn '$shown': refused (exit 1)" [ $? -eq 1 ]
	check "create, fn '$shown': the message names the repo and the file" \
		grep -qF "warning: repodata of '$URL/ok/chan/noarch': package '$shown': " v$i.err
	check "create, fn '$shown': one line each" [ "$(grep -c "package '" v$i.err)" = 1 ]
	check "create, fn '$shown': pkgs, environments.txt and canaries intact" intact
	check "create, fn '$shown': no environment" [ ! -e "$HOME/.conda/envs/v$i" ]
done

# install: other 1.0 is good; "other 2.0" is served as '...conda'
cp good.json srv/chan/noarch/repodata.json
envtool create -n good empty $C -y -q > good.out 2> good.err
check "create from the good channel: exit 0" [ $? -eq 0 ]
/usr/bin/python3 - good.json srv/chan/noarch/repodata.json "$URL/ok/chan/noarch" <<'PY'
import json, sys
src, dst, base = sys.argv[1:4]
d = json.load(open(src))
rec = dict(d["packages"]["other-1.0-0.tar.bz2"], version="2.0", url=base + "/other-1.0-0.tar.bz2")
d["packages"]["...conda"] = rec
json.dump(d, open(dst, "w"))
PY
for run in json cache; do
	envtool install -n good other $C -y > inst-$run.out 2> inst-$run.err
	check "install ($run): exit 0 with the good build" [ $? -eq 0 ]
	check "install ($run): other 1.0 linked" [ -f "$HOME/.conda/envs/good/conda-meta/other-1.0-0.json" ]
	check "install ($run): the hostile record named" \
		grep -qF "warning: repodata of '$URL/ok/chan/noarch': package '...conda': the file name starts with '.': refused, left out" inst-$run.err
	check "install ($run): pkgs, environments.txt and canaries intact" intact
	envtool remove -n good other -y -q > /dev/null 2>&1
done

# @EXPLICIT: the URL's file name passes the same grammar
sha=$(sha256sum "srv/chan/noarch/$GOOD" | cut -d' ' -f1)
printf '@EXPLICIT\n%s/ok/chan/noarch/.%s#%s\n' "$URL" "$GOOD" "$sha" > lock.txt
envtool create -n ex -f lock.txt -y > ex.out 2> ex.err
check "@EXPLICIT '.$GOOD': exit 1" [ $? -eq 1 ]
check "@EXPLICIT: the file, the line and the name" \
	grep -qF "'lock.txt', line 2: package '.$GOOD': the name starts with '.'" ex.err
check "@EXPLICIT: nothing fetched" [ "$(count "/.$GOOD")" = 0 ]
check "@EXPLICIT: intact" intact

# a conda-meta record read back: its file name is checked too
meta="$HOME/.conda/envs/good/conda-meta/$(basename "$GOOD" .conda).json"
/usr/bin/python3 - "$meta" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["fn"] = "...conda"; json.dump(d, open(sys.argv[1], "w"))
PY
envtool install -n good other $C -y > meta.out 2> meta.err
check "conda-meta with fn '...conda': exit 1" [ $? -eq 1 ]
check "conda-meta: the file and the name" grep -qF "$meta' is not a conda-meta record: package '...conda': the file name starts with '.'" meta.err
check "conda-meta: intact" intact
exit $failed
