# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/envtool-extract/run.sh, bench/envtool-create/run.sh and
# bench/envtool-channel/run.sh:
# the channel both use, and the filesystem they write on.
#
#   bench_channel      generate bench/out/envtool-channel once (reused while
#                      gen_channel.py and ZSTD_LEVEL are unchanged); sets
#                      CHAN (the channel folder), SPECS (the package names),
#                      PKGS (the archives), STATS (packages= files= bytes=
#                      archive_bytes=)
#   bench_server, bench_create, bench_cpal   the package server, one timed
#                      create and its cp -al floor (bench/envtool-create,
#                      bench/envtool-channel); see each below
#   bench_fs NAME      a fresh filesystem for the trees, mounted at
#                      bench/out/NAME/fs and unmounted/removed on exit: by
#                      default (BENCH_FS=loop) a new journaled ext4 on a
#                      loop device (as root), like a home volume; this VM's
#                      own / is ext4 *without* a journal, where creating
#                      files after many deletions (anyone's, in the last
#                      minutes) is up to 10x slower (the inode allocator
#                      skips recently deleted inodes: ext4's
#                      recently_deleted()), which made run-to-run noise of
#                      1-18 s for the same extraction.  BENCH_FS=dir (or no
#                      root / no loop device): a folder in bench/out.
#                      Sets FS (the folder) and FS_KIND.
set -eu
out=bench/out

bench_channel() {
	local gen=bench/envtool-extract/gen_channel.py
	local want
	CHAN=$out/envtool-channel
	want="$(sha256sum "$gen" tests/envtool/lib/make_channel.py tests/envtool/lib/make_pkg.py | cut -c1-64 | tr -d '\n') level=${ZSTD_LEVEL:-10}"
	if [ "$(cat "$CHAN/stamp" 2>/dev/null)" != "$want" ]; then
		echo "generating the channel in $CHAN (once; ~20 s) ..."
		rm -rf "$CHAN" "$CHAN.tmp"
		/usr/bin/python3 "$gen" "$CHAN.tmp"
		echo "$want" > "$CHAN.tmp/stamp"
		mv "$CHAN.tmp" "$CHAN"
	fi
	SPECS=$(cat "$CHAN/specs")
	PKGS=$(ls "$CHAN"/channel/linux-64/*.conda)
	STATS=$(cat "$CHAN/stats")
}

stat_of() { echo "$STATS" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

_fs_dir= _fs_loop=
_fs_cleanup() {
	if [ -n "$_server_pid" ]; then
		kill "$_server_pid" 2>/dev/null || true
		wait "$_server_pid" 2>/dev/null || true
		_server_pid=
	fi
	if [ -n "$_fs_loop" ]; then
		umount "$_fs_dir" 2>/dev/null || umount -l "$_fs_dir" 2>/dev/null || true
		rm -f "$_fs_loop"
	fi
	[ -n "$_fs_dir" ] && rm -rf "$_fs_dir"
	return 0
}

bench_fs() {
	local base=$out/$1
	_fs_dir=$PWD/$base/fs
	mkdir -p "$base"
	mountpoint -q "$_fs_dir" 2>/dev/null && umount "$_fs_dir"
	rm -rf "$_fs_dir" "$base/fs.img"
	mkdir -p "$_fs_dir"
	trap _fs_cleanup EXIT
	FS=$_fs_dir
	FS_KIND="folder on $(df -PT "$_fs_dir" | awk 'NR == 2 {print $2 " (" $1 ")"}')"
	if [ "${BENCH_FS:-loop}" = loop ] && [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null &&
		truncate -s "${BENCH_FS_SIZE:-6G}" "$base/fs.img" && mkfs.ext4 -q -F "$base/fs.img" 2>/dev/null &&
		mount -o loop "$base/fs.img" "$_fs_dir" 2>/dev/null; then
		_fs_loop=$base/fs.img
		FS_KIND="fresh ext4 (journaled, defaults) on a loop device, ${BENCH_FS_SIZE:-6G} sparse image in $base"
	else
		rm -f "$base/fs.img"
	fi
}

# bench_server ROOT LOG: tests/envtool/lib/pkg_server.py serving ROOT on
# 127.0.0.1 (its requests in LOG), stopped with the filesystem on exit;
# PORT once it listens (it prints the port then: read from that pipe).
_server_pid=
bench_server() {
	local fd
	exec {fd}< <(exec /usr/bin/python3 tests/envtool/lib/pkg_server.py "$1" "$2")
	_server_pid=$!
	read -r PORT <&"$fd" || { echo "pkg_server.py did not start" >&2; exit 1; }
	exec {fd}<&-
}

# bench_create WORK KIND N SPEC...: one timed `envtool create -p FS/KIND-N`
# of the SPECs from $URL alone, the package cache FS/pkgs and HOME FS/home;
# prints "seconds max_rss_MB packages_linked"; its --json answer is
# WORK/KIND.json.  ENVTOOL is the program.
bench_create() {
	local work=$1 kind=$2 n=$3 res=$1/time.$2 links
	shift 3
	sync
	HOME=$FS/home CONDA_PKGS_DIRS=$FS/pkgs /usr/bin/time -f '%e %M' -o "$res" \
		"$ENVTOOL" create -p "$FS/$kind-$n" --json -y --no-kernel "$@" -c "$URL" --override-channels \
		> "$work/$kind.json" 2> "$work/$kind.err" ||
		{ echo "envtool create failed:" >&2; cat "$work/$kind.err" >&2; exit 1; }
	links=$(/usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); assert d['success'], d; print(len(d['actions']['LINK']))" "$work/$kind.json")
	awk -v n="$links" '{printf "%s %.1f %s\n", $1, $2 / 1024, n}' "$res"
}

# bench_cpal DEST: the floor of a warm create, every extracted folder of the
# cache FS/pkgs hard-linked into DEST by one `cp -al PKG/. ... DEST/` (no
# conda-meta, no prefix rewrites; one process: until 2026-12-06 one cp per
# package, whose 56-69 process starts made the floor 0.3-0.6 s slower);
# prints the seconds it took
bench_cpal() {
	local d t0 srcs=()
	for d in "$FS"/pkgs/*/info/repodata_record.json; do
		srcs+=("${d%/info/repodata_record.json}/.")
	done
	mkdir -p "$1"
	sync
	t0=$(now)
	cp -al "${srcs[@]}" "$1/"
	elapsed "$t0"
}

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}'; }
