#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# envtool create on the real channel (issue 15; `make bench`, BUILD set):
# scripts/mkchannel's channel of Debian's binaries ($BUILD/channel, made
# once, then kept), served over HTTP on 127.0.0.1 by
# tests/envtool/lib/pkg_server.py (started and stopped here).  RUNS rounds
# (medians reported), side by side in each round:
#   cold   envtool create -p FS/cold-N -y --json --no-kernel python=3.11 numpy pandas ipykernel
#          -c http://127.0.0.1:PORT/ok/channel --override-channels, with an
#          empty package cache and HOME (repodata, solve, download, verify,
#          extract, link)
#   curl   the floor of the cold create's transfer: the same archives (the
#          cold create's FETCH list) by one curl, 5 at a time as envtool
#          fetches them (curl -Z --parallel-max 5)
#   warm   the same environment into a new prefix FS/warm-N, the cache full
#   cp -al the floor of the warm create: every extracted folder of the
#          cache hard-linked into a new folder by one cp -al (no
#          conda-meta, no prefix rewrites, no entry points)
# The package cache, HOME and the prefixes are on one fresh filesystem
# (bench/envtool-extract/fs.bash: a journaled ext4 on a loop device as
# root).  Figures: stdout and bench/out/envtool-channel.txt.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
SPECS="python=3.11 numpy pandas ipykernel"
. bench/envtool-extract/fs.bash
work=$out/envtool-channel
mkdir -p "$work"
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
ENVTOOL=$BUILD/bin/envtool
chan=$BUILD/channel
t0=$(now)
scripts/mkchannel "$chan" | tee "$work/mkchannel.log"
build_s=$(elapsed "$t0")
bench_fs envtool-channel

unset CONDARC CONDA_PREFIX CONDA_CHANNELS CONDA_PKGS_DIRS CONDA_ENVS_DIRS XDG_CONFIG_HOME \
	http_proxy https_proxy HTTPS_PROXY HTTP_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy
: > "$work/server.log"
bench_server "$(dirname "$chan")" "$PWD/$work/server.log"
URL=http://127.0.0.1:$PORT/ok/$(basename "$chan")

cold=() warm=() rss=() cpal=() curls=()
for r in $(seq "$RUNS"); do
	rm -rf "$FS/home" "$FS/pkgs" "$FS"/cold-* "$FS"/warm-* "$FS"/cpal-* "$FS"/curl-*
	mkdir -p "$FS/home" "$FS/curl-$r"
	# shellcheck disable=SC2086
	set -- $(bench_create "$work" cold "$r" $SPECS)
	cold+=("$1") rss+=("$2") npkgs=$3
	/usr/bin/python3 -c "import json, sys; print('\n'.join(x['url'] for x in json.load(open(sys.argv[1]))['actions']['FETCH']))" \
		"$work/cold.json" > "$work/urls"
	sync
	t0=$(now)
	xargs curl -sSf --no-progress-meter -Z --parallel-max 5 --remote-name-all --output-dir "$FS/curl-$r" < "$work/urls"
	curls+=("$(elapsed "$t0")")
	# shellcheck disable=SC2086
	set -- $(bench_create "$work" warm "$r" $SPECS)
	warm+=("$1") rss+=("$2")
	cpal+=("$(bench_cpal "$FS/cpal-$r")")
	if [ "$r" = 1 ]; then
		files=$(find "$FS/warm-1" -path "$FS/warm-1/conda-meta" -prune -o \( -type f -o -type l \) -print | wc -l)
		bytes=$(du -sb --exclude=conda-meta "$FS/cold-1" | cut -f1)
		abytes=$(du -cb "$FS/curl-1"/*.conda | tail -n 1 | cut -f1)
	fi
done
med() { printf '%s\n' "$@" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
{
	echo "envtool create on the real channel: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), medians of $RUNS runs"
	echo "channel: $(sed -n 's/^mkchannel: //p' "$work/mkchannel.log") (this run's mkchannel: ${build_s} s)"
	echo "environment: $SPECS -> $npkgs packages, $files files and links, $(awk -v b="$bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB; $(awk -v b="$abytes" 'BEGIN {printf "%.1f", b / 1e6}') MB of archives over HTTP from $URL (pkg_server.py)"
	echo "filesystem (cache, HOME, prefixes): $FS_KIND"
	printf 'cold create over HTTP (repodata, solve, download, verify, extract, link): %6.2f s   (runs: %s)\n' "$(med "${cold[@]}")" "${cold[*]}"
	printf 'floor: curl of the same archives, 5 at a time:                          %6.2f s   (runs: %s)   cold / curl = %s\n' \
		"$(med "${curls[@]}")" "${curls[*]}" "$(ratio "$(med "${cold[@]}")" "$(med "${curls[@]}")")"
	printf 'warm create, new prefix:                                                 %6.2f s   (runs: %s)\n' "$(med "${warm[@]}")" "${warm[*]}"
	printf 'floor: cp -al of the cache into a new folder:                           %6.2f s   (runs: %s)   warm / cp -al = %s\n' \
		"$(med "${cpal[@]}")" "${cpal[*]}" "$(ratio "$(med "${warm[@]}")" "$(med "${cpal[@]}")")"
	echo "peak memory of envtool: $(printf '%s\n' "${rss[@]}" | sort -n | tail -1) MB at most"
	echo "command: HOME=FS/home CONDA_PKGS_DIRS=FS/pkgs envtool create -p FS/KIND-N --json -y --no-kernel $SPECS -c $URL --override-channels"
	echo "script: BUILD=$BUILD RUNS=$RUNS bash bench/envtool-channel/run.sh"
} | tee "$out/envtool-channel.txt"
