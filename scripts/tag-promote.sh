#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# scripts/tag-promote.sh (`make promote`): stable becomes stable-old, dev
# becomes stable.  With REGISTRY set, the tags are pulled first and the
# moved ones pushed.  Refuses when there is no dev image.  Prints each tag's
# version and revision (OCI labels) before and after.
set -eu
DOCKER=${DOCKER:-docker}
IMAGE_REPO=${IMAGE_REPO:-nbkit/notebook}
REGISTRY=${REGISTRY:-}
repo=${REGISTRY:+${REGISTRY%/}/}$IMAGE_REPO

have() { $DOCKER image inspect "$repo:$1" >/dev/null 2>&1; }
show() {
	if have "$1"; then
		$DOCKER image inspect -f "  $1: {{index .Config.Labels \"org.opencontainers.image.version\"}} (revision {{index .Config.Labels \"org.opencontainers.image.revision\"}}, {{.Id}})" "$repo:$1"
	else
		echo "  $1: (none)"
	fi
}
if [ -n "$REGISTRY" ]; then
	for t in dev stable; do $DOCKER pull -q "$repo:$t" >/dev/null 2>&1 || true; done
fi
have dev || { echo "promote: there is no $repo:dev to promote (make image TAG=dev)" >&2; exit 1; }
echo "promote: before"; show dev; show stable; show stable-old
if have stable; then
	$DOCKER tag "$repo:stable" "$repo:stable-old"
fi
$DOCKER tag "$repo:dev" "$repo:stable"
echo "promote: after"; show stable; show stable-old
if [ -n "$REGISTRY" ]; then
	have stable-old && $DOCKER push "$repo:stable-old"
	$DOCKER push "$repo:stable"
fi
