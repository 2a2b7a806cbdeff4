#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# scripts/image-report.sh [IMAGE] (`make image-report`): the image's size
# per layer and in total, what each build option costs (every local
# IMAGE_REPO image, by its io.nbkit.* labels), and the manifest the build
# wrote into it (/usr/share/nbkit/manifest.txt: tool versions, Debian
# packages).
set -eu
DOCKER=${DOCKER:-docker}
IMAGE_REPO=${IMAGE_REPO:-nbkit/notebook}
image=${1:-$IMAGE_REPO:${TAG:-dev}}
mb() { awk -v b="$1" 'BEGIN { if (b < 1e5) printf "%.1f kB", b / 1e3; else printf "%.1f MB", b / 1e6 }'; }

$DOCKER image inspect "$image" >/dev/null 2>&1 || { echo "image-report: no image $image (make image)" >&2; exit 1; }
echo "== $image"
$DOCKER image inspect -f '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{"\n"}}{{end}}' "$image" | grep -E '^(org.opencontainers|io.nbkit)' | sed 's/^/  /'
echo
echo "== layers (newest first; empty ones left out)"
$DOCKER history --human=false --no-trunc --format '{{.Size}}\t{{json .CreatedBy}}' "$image" |
	while IFS="$(printf '\t')" read -r size by; do
		[ "$size" -gt 0 ] || continue
		by=$(echo "$by" | sed -E -e 's/^"//' -e 's/"$//' -e 's#^.*/bin/sh (-eu )?-c ##' -e 's/#\(nop\) *//' -e 's/(file|dir):[0-9a-f]{64} //' -e 's/\\"/"/g' | tr -s ' ' | cut -c1-90)
		[ -n "$by" ] || by="(base image)"
		printf '%10s  %s\n' "$(mb "$size")" "$by"
	done
total=$($DOCKER image inspect -f '{{.Size}}' "$image")
printf '%10s  %s\n' "$(mb "$total")" "total (uncompressed)"
echo
echo "== what each option costs (local $IMAGE_REPO images)"
printf '%-42s %-8s %-5s %-5s %s\n' image jupyter java tools size
$DOCKER images --format '{{.Repository}}:{{.Tag}}' "$IMAGE_REPO" | grep -v ':<none>$' | sort | while read -r i; do
	$DOCKER image inspect -f '{{index .Config.Labels "io.nbkit.jupyter-source"}} {{index .Config.Labels "io.nbkit.with-java"}} {{index .Config.Labels "io.nbkit.with-tools"}} {{.Size}}' "$i" |
		while read -r j w t s; do printf '%-42s %-8s %-5s %-5s %s\n' "$i" "$j" "$w" "$t" "$(mb "$s")"; done
done
echo
echo "== /usr/share/nbkit/manifest.txt"
$DOCKER run --rm --network none --entrypoint cat "$image" /usr/share/nbkit/manifest.txt
