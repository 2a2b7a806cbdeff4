# SPDX-License-Identifier: Apache-2.0
# timeout: 300
# Issue 9, prefix replacement in bounded memory: a small (highly
# compressible) package whose has_prefix files are 33 MiB each (text with
# the placeholder hundreds of thousands of times; text with it once, at the
# very end, across a 64 KiB boundary; binary with NUL-terminated strings,
# one of them 1 MiB long; a script whose shebang becomes /usr/bin/env).
# envtool create must give byte-exact what conda gives (the reference is
# a transcription of conda's code, lib/conda_replace.py) and its peak RSS must stay low:
# under 64 MiB, or its RSS for a tiny package plus 32 MiB where sanitizers
# make that higher (reading whole files took over 100 MiB here).
. "$NBK_SRC/tests/envtool/lib/server.bash"
LIB=$NBK_SRC/tests/envtool/lib
PH=/home/conda/feedstock_root/build_artifacts/big_1700000000000/_h_env_placehold_placehold_placehold
mkdir -p src
/usr/bin/python3 - "$PH" src <<'PY'
import sys
ph, d = sys.argv[1].encode(), sys.argv[2]
size = 33 << 20
with open(f"{d}/many.txt", "wb") as f:
    n = 0
    i = 0
    while n < size:
        line = b"x=" + ph + b"/lib/python3.11/site-packages/mod%d.py\n" % (i % 97)
        f.write(line)
        n += len(line)
        i += 1
with open(f"{d}/once.txt", "wb") as f:
    f.write(b"a" * (512 * 65536 - 10) + ph)
with open(f"{d}/libbig.so", "wb") as f:
    block = b"\x7fELF\x02\x01" + bytes(range(256)) * 8 + ph + b"/lib:" + ph + b"/lib64\0" + b"\0" * 50
    f.write(ph + b"/share/long" + b"L" * (1 << 20) + b"\0")
    while f.tell() < size:
        f.write(block)
with open(f"{d}/tool", "wb") as f:
    f.write(b"#!" + ph + b"/bin/python3.11 -u\nprint('" + ph + b"')\n")
PY
/usr/bin/python3 "$LIB/make_pkg.py" built '{"name": "big", "version": "1.0", "build": "0", "files": {
	"share/many.txt": {"from_file": "src/many.txt", "placeholder": "'"$PH"'"},
	"share/once.txt": {"from_file": "src/once.txt", "placeholder": "'"$PH"'"},
	"lib/libbig.so": {"from_file": "src/libbig.so", "placeholder": "'"$PH"'", "file_mode": "binary"},
	"bin/tool": {"from_file": "src/tool", "placeholder": "'"$PH"'", "mode": 493}}}' > /dev/null
/usr/bin/python3 "$LIB/make_pkg.py" built '{"name": "tiny", "version": "1.0", "build": "0", "files": {
	"share/tiny.txt": {"text": "'"$PH"'\n", "placeholder": "'"$PH"'"}}}' > /dev/null
/usr/bin/python3 "$LIB/make_channel.py" chan built/*.tar.bz2 > /dev/null
check "the package is small" [ "$(stat -c %s chan/noarch/big-1.0-0.tar.bz2)" -lt 2000000 ]
C="-c file://$PWD/chan --override-channels -q"

/usr/bin/time -f %M -o tiny.rss envtool create -p "$PWD/tiny" tiny $C
check "tiny: created" [ $? -eq 0 ]
/usr/bin/time -f %M -o big.rss envtool create -p "$PWD/env" big $C
check "big: created" [ $? -eq 0 ]
base=$(tail -1 tiny.rss)
peak=$(tail -1 big.rss)
limit=$((base + 32768 > 65536 ? base + 32768 : 65536))
check "peak RSS ${peak} KiB under ${limit} KiB" [ "$peak" -lt "$limit" ]
[ "$peak" -lt "$limit" ] || echo "tiny: $base KiB, big: $peak KiB" >&2

P=$HOME/.conda/pkgs/big-1.0-0
for f in share/many.txt:text share/once.txt:text lib/libbig.so:binary bin/tool:text; do
	path=${f%%:*}
	/usr/bin/python3 "$LIB/conda_replace.py" "${f##*:}" "$PH" "$PWD/env" "$P/$path" want
	check "$path: as conda writes it" cmp -s want "env/$path"
done
check "bin/tool: the shebang has the prefix" [ "$(head -1 env/bin/tool)" = "#!$PWD/env/bin/python3.11 -u" ]
check "once.txt: the placeholder at the end replaced" [ "$(tail -c $((${#PWD} + 4)) env/share/once.txt)" = "$PWD/env" ]
check "libbig.so: same size" [ "$(stat -c %s env/lib/libbig.so)" = "$(stat -c %s "$P/lib/libbig.so")" ]
check "many.txt: no placeholder left" [ -z "$(grep -m1 -F "$PH" env/share/many.txt)" ]
exit $failed
