#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/images/run.sh: sizes of the image variants, and the time from
# `docker run` to Jupyter's /api answering, median of RUNS (default 9) runs
# on a fresh home volume each, with bootstrap's share of it (its "ready in N
# ms" log line: from its start to the exec of the server).  Needs the images
# (make image; the variants are built here when missing) and a Docker engine.
# Figures printed and written to bench/out/images.txt.
set -eu
cd "$(dirname "$0")/../.."
DOCKER=${DOCKER:-docker}
IMG=${IMG:-nbkit/notebook:dev}
RUNS=${RUNS:-9}
out=bench/out/images.txt
mkdir -p bench/out
scripts/docker-up.sh >/dev/null
$DOCKER image inspect "$IMG" >/dev/null 2>&1 || { echo "bench/images: no $IMG: make image" >&2; exit 1; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
tok=benchtoken$$
{
	echo "# bench/images/run.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, image $IMG"
	echo "## sizes (docker image inspect .Size, uncompressed)"
	for v in "debian 0 1" "none 0 1" "none 0 0" "none 1 1"; do
		set -- $v
		tag=bench-$1-java$2-tools$3
		if ! $DOCKER image inspect "nbkit/notebook:$tag" >/dev/null 2>&1; then
			if [ "$1$2$3" = debian01 ]; then
				$DOCKER tag "$IMG" "nbkit/notebook:$tag"
			else
				TAG=$tag VERSION_TAG= JUPYTER_SOURCE=$1 WITH_JAVA=$2 WITH_TOOLS=$3 scripts/build-image.sh >/dev/null 2>&1
			fi
		fi
		s=$($DOCKER image inspect -f '{{.Size}}' "nbkit/notebook:$tag")
		printf 'jupyter=%-7s java=%s tools=%s  %6.1f MB\n' "$1" "$2" "$3" "$(echo "$s / 1000000" | bc -l)"
	done
	echo "## docker run -> /api/status answering ($RUNS runs, a fresh anonymous home volume each)"
	: >/tmp/bench-images.$$
	for i in $(seq 1 "$RUNS"); do
		name=nbkit-bench-$$-$i
		t0=$(now_ms)
		$DOCKER run -d --name "$name" -p 127.0.0.1::8888 -e JUPYTER_TOKEN=$tok -v /home/jovyan "$IMG" >/dev/null
		t1=$(now_ms)
		p=$($DOCKER port "$name" 8888/tcp | head -n 1 | sed 's/.*://')
		deadline=$((t0 + 60000))
		until curl -fs --max-time 1 -o /dev/null -H "Authorization: token $tok" "http://127.0.0.1:$p/api/status"; do
			[ "$(now_ms)" -lt "$deadline" ] || { echo "bench/images: no /api within 60 s" >&2; $DOCKER rm -f "$name" >/dev/null; exit 1; }
			sleep 0.02
		done
		t2=$(now_ms)
		ready=$($DOCKER logs "$name" 2>&1 | sed -n 's/^bootstrap: start: ready in \([0-9]*\) ms.*/\1/p')
		$DOCKER rm -f -v "$name" >/dev/null
		echo "$((t2 - t0)) $((t1 - t0)) $ready" >>/tmp/bench-images.$$
		echo "run $i: /api after $((t2 - t0)) ms (docker run -d returned after $((t1 - t0)) ms; bootstrap ready in $ready ms)"
	done
	tot=$(cut -d' ' -f1 /tmp/bench-images.$$ | median)
	dr=$(cut -d' ' -f2 /tmp/bench-images.$$ | median)
	bs=$(cut -d' ' -f3 /tmp/bench-images.$$ | median)
	rm -f /tmp/bench-images.$$
	echo "median: /api after $tot ms; docker run -d (create + start) $dr ms; bootstrap $bs ms ($(echo "scale=1; 100 * $bs / $tot" | bc)% of the total)"
} | tee "$out"
