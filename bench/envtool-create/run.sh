#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# envtool create benchmark (`make bench`, BUILD set; issue 4), on the
# channel of bench/envtool-extract (bench/out/envtool-channel: 56 .conda
# packages, ~23,500 files, ~545 MB; generated once, never committed),
# served over HTTP on 127.0.0.1 by tests/envtool/lib/pkg_server.py (started
# and stopped here).  RUNS rounds (medians reported) of:
#   cold   envtool create -p FS/cold-N --json -y ALL-56-PACKAGES -c http://127.0.0.1:PORT/ok/channel
#          --override-channels, with an empty package cache and HOME
#          (repodata, download, verify, extract, link)
#   warm   the same into a new prefix FS/warm-N, the cache now full
#          (target < 1 s for the ~23,500 files)
#   cp -al the physical floor of the warm create, measured in the same
#          round: every extracted folder of the cache hard-linked into a
#          new folder by one cp (cp -al PKGS/DIST/. ... FS/cpal-N/;
#          no conda-meta, no prefix rewrites: fs.bash's bench_cpal)
# peak memory: envtool's max RSS from /usr/bin/time (target < 200 MB).
# The package cache (CONDA_PKGS_DIRS), HOME and the prefixes are on one
# fresh filesystem (fs.bash: a journaled ext4 on a loop device as root,
# else bench/out), so the warm create hard-links.  Figures: stdout and
# bench/out/envtool-create.txt.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
. bench/envtool-extract/fs.bash
work=$out/envtool-create
mkdir -p "$work"
if ! [ -x "$BUILD/bin/envtool" ] || ! grep -q 'et_install_apply' envtool/apply*.c 2>/dev/null; then
	echo "skipped: create not wired yet" | tee "$out/envtool-create.txt"
	exit 0
fi
bench_channel
bench_fs envtool-create
case $BUILD in /*) ENVTOOL=$BUILD/bin/envtool ;; *) ENVTOOL=$PWD/$BUILD/bin/envtool ;; esac

unset CONDARC CONDA_PREFIX CONDA_CHANNELS CONDA_PKGS_DIRS CONDA_ENVS_DIRS XDG_CONFIG_HOME \
	http_proxy https_proxy HTTPS_PROXY HTTP_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy
: > "$work/server.log"
bench_server "$PWD/$CHAN" "$PWD/$work/server.log"
URL=http://127.0.0.1:$PORT/ok/channel

cold=() warm=() rcold=() rwarm=() cpal=()
for r in $(seq "$RUNS"); do
	rm -rf "$FS/home" "$FS/pkgs" "$FS"/cold-* "$FS"/warm-* "$FS"/cpal-*
	mkdir -p "$FS/home"
	# shellcheck disable=SC2086
	set -- $(bench_create "$work" cold "$r" $SPECS)
	[ "$3" = "$(stat_of packages)" ] || { echo "cold create linked $3 packages" >&2; exit 1; }
	cold+=("$1") rcold+=("$2")
	# shellcheck disable=SC2086
	set -- $(bench_create "$work" warm "$r" $SPECS)
	warm+=("$1") rwarm+=("$2")
	cpal+=("$(bench_cpal "$FS/cpal-$r")")
	if [ "$r" = 1 ]; then
		files=$(find "$FS/warm-1" -path "$FS/warm-1/conda-meta" -prune -o \( -type f -o -type l \) -print | wc -l)
		linked=$(find "$FS/warm-1" -path "$FS/warm-1/conda-meta" -prune -o -type f -links +1 -print | wc -l)
		bytes=$(du -sb --exclude=conda-meta "$FS/cold-1" | cut -f1)
	fi
done
med() { printf '%s\n' "$@" | median; }
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.0f", b / 1e6}')
{
	echo "envtool create benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), medians of $RUNS runs"
	echo "channel: $(stat_of packages) .conda packages ($(stat_of archive_bytes | awk '{printf "%.0f", $1 / 1e6}') MB of archives) over HTTP from $URL (pkg_server.py)"
	echo "environment: $files files and links, $mb MB; $linked files hard-linked from the cache (the rest: prefix rewrites, symlinks)"
	echo "filesystem (cache, HOME, prefixes): $FS_KIND"
	printf 'cold cache (download, verify, extract, link): %6.2f s   peak RSS %5.1f MB   (runs: %s)\n' "$(med "${cold[@]}")" "$(med "${rcold[@]}")" "${cold[*]}"
	printf 'warm cache, new prefix:                      %6.2f s   peak RSS %5.1f MB   (runs: %s)   (target < 1 s)\n' "$(med "${warm[@]}")" "$(med "${rwarm[@]}")" "${warm[*]}"
	printf 'cp -al of the cache into a new folder:      %6.2f s                      (runs: %s)   warm / cp -al = %.2f\n' "$(med "${cpal[@]}")" "${cpal[*]}" \
		"$(awk -v a="$(med "${warm[@]}")" -v b="$(med "${cpal[@]}")" 'BEGIN {print a / b}')"
	echo "peak memory: $(printf '%s\n' "${rcold[@]}" "${rwarm[@]}" | sort -n | tail -1) MB at most   (target < 200)"
	echo "command: HOME=FS/home CONDA_PKGS_DIRS=FS/pkgs /usr/bin/time -f '%e %M' $BUILD/bin/envtool create -p FS/KIND-N --json -y --no-kernel \$(cat $CHAN/specs) -c $URL --override-channels"
	echo "script: BUILD=$BUILD RUNS=$RUNS bash bench/envtool-create/run.sh"
} | tee "$out/envtool-create.txt"
