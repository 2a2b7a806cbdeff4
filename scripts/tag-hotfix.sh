#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# scripts/tag-hotfix.sh (`make hotfix`): build this checkout as the hotfix
# image.  A hotfix is a fix on the stable line: the commit the stable image
# was built from (its org.opencontainers.image.revision label) must be an
# ancestor of HEAD, e.g. a branch made with
#   git switch -c hotfix/x $(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.revision"}}' nbkit/notebook:stable)
# Refuses otherwise (a build of main would ship everything of dev).  Then
# scripts/build-image.sh with TAG=hotfix (pushed when REGISTRY is set).
set -eu
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-docker}
IMAGE_REPO=${IMAGE_REPO:-nbkit/notebook}
REGISTRY=${REGISTRY:-}
repo=${REGISTRY:+${REGISTRY%/}/}$IMAGE_REPO

[ -z "$REGISTRY" ] || $DOCKER pull -q "$repo:stable" >/dev/null 2>&1 || true
if ! $DOCKER image inspect "$repo:stable" >/dev/null 2>&1; then
	echo "hotfix: there is no $repo:stable: nothing to fix (make promote makes it)" >&2
	exit 1
fi
rev=$($DOCKER image inspect -f '{{index .Config.Labels "org.opencontainers.image.revision"}}' "$repo:stable")
if [ -z "$rev" ] || ! git cat-file -e "$rev^{commit}" 2>/dev/null; then
	echo "hotfix: $repo:stable was built from revision '$rev', which this clone does not have" >&2
	exit 1
fi
if ! git merge-base --is-ancestor "$rev" HEAD; then
	echo "hotfix: HEAD is not on the stable line: stable was built from $rev, which HEAD does not contain" >&2
	echo "hotfix: start from it: git switch -c hotfix/NAME $rev" >&2
	exit 1
fi
echo "hotfix: stable is $rev; HEAD $(git rev-parse --short HEAD) adds $(git rev-list --count "$rev"..HEAD) commit(s)" >&2
TAG=hotfix exec scripts/build-image.sh
