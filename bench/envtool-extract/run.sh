#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# envtool's extraction benchmark (`make bench`, BUILD set; issue 4).
#
# The channel: bench/out/envtool-channel, generated once by gen_channel.py
# (56 .conda packages, ~23,500 files, ~545 MB extracted, ~360 MB of
# archives; never committed).  Then RUNS rounds (medians reported), each
# extracting every package, into a fresh folder of the same filesystem
# (fs.bash: a fresh ext4 on a loop device as root, else bench/out), with:
#   envtool-1   extractbench 1 (et_extract_all on 1 worker), on one core (taskset -c 0)
#   pipe-1      the physical baseline, one package after the other, on the
#               same core: unzip -p PKG.conda '*.tar.zst' | zstd -dc | tar -xi -C DIR
#               (info-*.tar.zst and pkg-*.tar.zst: the same payload; -i reads
#               both tars of the stream)
#   ztar-1      the physical baseline of the issue, zstd -dc | tar -x,
#               on the inner archives taken out of the zips beforehand
#               (untimed, once, into bench/out/envtool-channel/inner):
#               zstd -dcq info-*.tar.zst pkg-*.tar.zst | tar -xi -C DIR,
#               on the same core
#   envtool-2   extractbench 2 (2 workers), both cores
#   pipe-2, ztar-2   two such pipelines at a time (xargs -P2), both cores
# unzip -p is slow (~110 MB/s here, it makes pipe-N 3-4x slower than
# ztar-N): the targets are judged against ztar-N, the stricter baseline.
# and, unless EXTRACT_TMPFS=0, the same four on tmpfs (/dev/shm), where the
# filesystem costs least: CPU only.  The folders are removed (and synced)
# between runs, outside the timings.  Peak memory: extractbench's max RSS.
# Targets: envtool-1 within 1.3x of ztar-1; envtool-2 faster than ztar-2;
# peak memory < 200 MB.  Figures: stdout and bench/out/envtool-extract.txt.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
. bench/envtool-extract/fs.bash
work=$out/envtool-extract
mkdir -p "$work"
bench_channel
bench_fs envtool-extract

# the driver links the engine's library (libconda.a, built from today's sources)
make -s BUILD="$BUILD" "$BUILD/lib/libnbkit.a" "$BUILD/lib/libconda.a" >/dev/null
cc -Iinclude -D_GNU_SOURCE -std=gnu11 -O2 bench/envtool-extract/extractbench.c "$BUILD/lib/libconda.a" \
	"$BUILD/lib/libnbkit.a" $(pkg-config --libs libsolvext libsolv libcurl libarchive libzstd yaml-0.1) \
	-ldl -lpthread -o "$work/extractbench"
eb=$work/extractbench

tmpfs=
if [ "${EXTRACT_TMPFS:-1}" = 1 ] && [ -d /dev/shm ] &&
	[ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt 2000000 ]; then
	tmpfs=$(mktemp -d /dev/shm/nbkit-extract.XXXXXX)
	trap '_fs_cleanup; rm -rf "$tmpfs"' EXIT
fi
# the inner archives for ztar-N, taken out once (not timed)
inner=$CHAN/inner
if [ ! -f "$inner/.done" ]; then
	rm -rf "$inner"
	for p in $PKGS; do
		d=$inner/$(basename "$p" .conda)
		mkdir -p "$d"
		unzip -q -o "$p" '*.tar.zst' -d "$d"
	done
	touch "$inner/.done"
fi
pin1="taskset -c 0"
command -v taskset >/dev/null || pin1=

# run CONFIG DIR: one timed extraction of every package into DIR (fresh);
# prints "seconds rss_mb"
run() {
	local cfg=$1 dir=$2 t0 line
	rm -rf "$dir"
	mkdir -p "$dir"
	sync
	t0=$(now)
	case $cfg in
	envtool-1) line=$($pin1 "$eb" 1 "$dir" $PKGS) ;;
	envtool-2) line=$("$eb" 2 "$dir" $PKGS) ;;
	ztar-1 | ztar-2)
		# shellcheck disable=SC2016
		ls "$inner" | $([ "$cfg" = ztar-1 ] && echo "$pin1") xargs -P "${cfg#ztar-}" -n 1 bash -c \
			'set -o pipefail; mkdir "$0/$2" && zstd -dcq "$1/$2"/info-*.tar.zst "$1/$2"/pkg-*.tar.zst | tar -xi -C "$0/$2"' "$dir" "$inner"
		line= ;;
	pipe-1 | pipe-2)
		# shellcheck disable=SC2016
		printf '%s\n' $PKGS | $([ "$cfg" = pipe-1 ] && echo "$pin1") xargs -P "${cfg#pipe-}" -n 1 bash -c \
			'set -o pipefail; d=$0/$(basename "$1" .conda); mkdir "$d" && unzip -p "$1" "*.tar.zst" | zstd -dcq | tar -xi -C "$d"' "$dir"
		line= ;;
	esac
	echo "$(elapsed "$t0") $(echo "$line" | field maxrss_mb)"
}

configs="envtool-1 ztar-1 pipe-1 envtool-2 ztar-2 pipe-2"
[ "$(nproc)" -ge 2 ] || configs="envtool-1 ztar-1 pipe-1"
fss=disk
[ -n "$tmpfs" ] && fss="disk tmpfs"
declare -A secs rss
for r in $(seq "$RUNS"); do
	for f in $fss; do
		root=$FS
		[ "$f" = tmpfs ] && root=$tmpfs
		for c in $configs; do
			set -- $(run "$c" "$root/$c")
			secs[$f.$c]="${secs[$f.$c]:-} $1"
			[ -n "${2:-}" ] && rss[$f.$c]="${rss[$f.$c]:-} $2"
			if [ "$r" = 1 ]; then
				# the same trees: as many files and links, as many bytes
				n=$(find "$root/$c" -type f -o -type l | wc -l)
				b=$(du -sb "$root/$c" | cut -f1)
				echo "$f $c: $n files, $b bytes (run 1: $1 s)" >&2
				echo "$n" > "$work/count.$f.$c"
			fi
			rm -rf "${root:?}/$c"
		done
	done
done
sync

med() { printf '%s\n' $1 | median; }
mb=$(awk -v b="$(stat_of bytes)" 'BEGIN {printf "%.0f", b / 1e6}')
amb=$(awk -v b="$(stat_of archive_bytes)" 'BEGIN {printf "%.0f", b / 1e6}')
{
	echo "envtool extraction benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), medians of $RUNS runs"
	echo "channel: $(stat_of packages) .conda packages, $(stat_of files) files, $mb MB extracted, $amb MB of archives ($CHAN)"
	for f in $fss; do
		if [ "$f" = disk ]; then echo "filesystem: $FS_KIND"; else echo "filesystem: tmpfs ($tmpfs)"; fi
		for c in $configs; do
			s=$(med "${secs[$f.$c]}")
			printf '  %-10s %7.3f s  %6.0f MB/s extracted  %6.0f MB/s of archives%s\n' "$c" "$s" \
				"$(awk -v m="$mb" -v s="$s" 'BEGIN {print m / s}')" "$(awk -v m="$amb" -v s="$s" 'BEGIN {print m / s}')" \
				"$([ -n "${rss[$f.$c]:-}" ] && echo "   peak RSS $(med "${rss[$f.$c]}") MB")"
		done
		ratio() { awk -v a="$(med "${secs[$f.$1]}")" -v b="$(med "${secs[$f.$2]}")" 'BEGIN {printf "%.2f", a / b}'; }
		echo "  one core:  envtool-1 / ztar-1 = $(ratio envtool-1 ztar-1)   (target <= 1.3); envtool-1 / pipe-1 = $(ratio envtool-1 pipe-1)"
		if [ -n "${secs[$f.envtool-2]:-}" ]; then
			echo "  two cores: envtool-2 / ztar-2 = $(ratio envtool-2 ztar-2)   (target < 1); envtool-2 / pipe-2 = $(ratio envtool-2 pipe-2); envtool-2 / envtool-1 = $(ratio envtool-2 envtool-1)"
		fi
		counts=$(cat "$work"/count."$f".* | sort -u | wc -l)
		[ "$counts" = 1 ] && echo "  every run made the same $(cat "$work"/count."$f".envtool-1) files and links" ||
			echo "  WARNING: the trees differ in their file counts: $(cat "$work"/count."$f".* | tr '\n' ' ')"
	done
	peak=$(printf '%s\n' ${rss[disk.envtool-1]:-} ${rss[disk.envtool-2]:-} ${rss[tmpfs.envtool-2]:-} | sort -n | tail -1)
	echo "peak memory of the extraction (max RSS, 1 or 2 workers): $peak MB   (target < 200)"
	echo "commands: BUILD=$BUILD RUNS=$RUNS bash bench/envtool-extract/run.sh; driver: $eb THREADS DIR $CHAN/channel/linux-64/*.conda"
} | tee "$out/envtool-extract.txt"
