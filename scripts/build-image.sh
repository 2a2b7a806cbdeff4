#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# scripts/build-image.sh: build the notebook image (`make image`; see
# docs/images.md).  Settings from the environment (the Makefile passes them):
#   IMAGE_REPO      nbkit/notebook
#   TAG             dev                      the moving tag
#   VERSION_TAG     git describe             the fixed tag ("" for none)
#   REGISTRY        ""                       set: both tags are prefixed and pushed
#   BASE_IMAGE      nbkit/base:bookworm      made by scripts/mkrootfs.sh when it
#                                            is that local base and missing
#   JUPYTER_SOURCE  debian | conda | none
#   CONDA_CHANNEL, CONDA_SPECS, WITH_JAVA, WITH_TOOLS   Dockerfile arguments
#   DOCKER_BUILD_FLAGS                        more `docker build` options
# Builds with --network host (the apt archive, a channel mirror on the host).
set -eu
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-docker}
IMAGE_REPO=${IMAGE_REPO:-nbkit/notebook}
TAG=${TAG:-dev}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0)}
VERSION_TAG=${VERSION_TAG-$VERSION}
REGISTRY=${REGISTRY:-}
BASE_LOCAL=${BASE_LOCAL:-nbkit/base:bookworm}
BASE_IMAGE=${BASE_IMAGE:-$BASE_LOCAL}
JUPYTER_SOURCE=${JUPYTER_SOURCE:-debian}
WITH_JAVA=${WITH_JAVA:-0}
WITH_TOOLS=${WITH_TOOLS:-1}
# Without buildx the legacy builder; set DOCKER_BUILDKIT=1 where BuildKit is there.
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}

scripts/docker-up.sh >/dev/null
if [ "$BASE_IMAGE" = "$BASE_LOCAL" ] && ! $DOCKER image inspect "$BASE_LOCAL" >/dev/null 2>&1; then
	echo "build-image: $BASE_LOCAL is missing: making it (scripts/mkrootfs.sh)" >&2
	scripts/mkrootfs.sh "$BASE_LOCAL"
fi

repo=${REGISTRY:+${REGISTRY%/}/}$IMAGE_REPO
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source=$(git remote get-url origin 2>/dev/null || echo "file://$(pwd)")
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
set -- --network host -t "$repo:$TAG"
[ -z "$VERSION_TAG" ] || set -- "$@" -t "$repo:$VERSION_TAG"
for a in CONDA_CHANNEL CONDA_SPECS; do
	eval "v=\${$a:-}"
	[ -z "$v" ] || set -- "$@" --build-arg "$a=$v"
done
echo "build-image: $repo:$TAG${VERSION_TAG:+ and :$VERSION_TAG} (jupyter: $JUPYTER_SOURCE, java: $WITH_JAVA, tools: $WITH_TOOLS, base: $BASE_IMAGE)" >&2
# shellcheck disable=SC2086
$DOCKER build "$@" ${DOCKER_BUILD_FLAGS:-} \
	--build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg JUPYTER_SOURCE="$JUPYTER_SOURCE" \
	--build-arg WITH_JAVA="$WITH_JAVA" --build-arg WITH_TOOLS="$WITH_TOOLS" --build-arg NBK_VERSION="$VERSION" \
	--label org.opencontainers.image.title="nbkit notebook" \
	--label org.opencontainers.image.version="$VERSION" \
	--label org.opencontainers.image.revision="$revision" \
	--label org.opencontainers.image.created="$created" \
	--label org.opencontainers.image.source="$source" \
	--label org.opencontainers.image.base.name="$BASE_IMAGE" \
	--label io.nbkit.jupyter-source="$JUPYTER_SOURCE" \
	--label io.nbkit.with-java="$WITH_JAVA" \
	--label io.nbkit.with-tools="$WITH_TOOLS" \
	.
size=$($DOCKER image inspect -f '{{.Size}}' "$repo:$TAG")
echo "build-image: $repo:$TAG: $((size / 1000000)) MB" >&2
if [ -n "$REGISTRY" ]; then
	$DOCKER push "$repo:$TAG"
	[ -z "$VERSION_TAG" ] || $DOCKER push "$repo:$VERSION_TAG"
fi
