#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# `make demo`: the notebook image running on this machine.  Builds what is
# missing (the Docker engine is started when none answers; the local base
# image; nbkit/notebook:dev, Debian Jupyter; the real offline channel,
# scripts/mkchannel: python 3.11, numpy, pandas, ipykernel ... made from
# Debian's binaries, kept in DEMO_CHANNEL), starts the image with a named
# home volume on 127.0.0.1:8888 and the channel mounted read-only as its
# demo channel (/opt/nbkit/demo-channel), creates an environment with
# envtool from it as the notebook user (its kernel "Python (demo)" appears
# in Jupyter), runs a notebook that imports pandas in that kernel through
# the running Jupyter server (scripts/notebook-run.py: its REST and
# websocket API, as a browser does), prints what it printed, and the URL
# with its token.
#   DEMO_PORT=8888  DEMO_IMAGE=nbkit/notebook:dev  DEMO_VOLUME=nbkit-demo-home
#   DEMO_CHANNEL=build/channel (make demo passes $(CHANNEL))
# `make image` rebuilds the image; `docker rm -f nbkit-demo` stops the demo
# (the home volume stays: `docker volume rm nbkit-demo-home` removes it).
set -eu
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-docker}
PORT=${DEMO_PORT:-8888}
IMAGE=${DEMO_IMAGE:-nbkit/notebook:dev}
VOLUME=${DEMO_VOLUME:-nbkit-demo-home}
CHANNEL=${DEMO_CHANNEL:-build/channel}
NAME=nbkit-demo

up=$(scripts/docker-up.sh)
case $up in started*) echo "== started the Docker engine (dockerd pid ${up#started })" ;; esac
if ! $DOCKER image inspect "$IMAGE" >/dev/null 2>&1; then
	echo "== building $IMAGE (a few minutes the first time; scripts/build-image.sh)"
	TAG=${IMAGE##*:} IMAGE_REPO=${IMAGE%:*} VERSION_TAG= JUPYTER_SOURCE=debian scripts/build-image.sh 2>&1 |
		grep -E '^(build-image|mkrootfs|Successfully)' || true
	$DOCKER image inspect "$IMAGE" >/dev/null 2>&1 || { echo "demo: the image did not build: run 'make image' to see why" >&2; exit 1; }
else
	echo "== $IMAGE is there (make image rebuilds it)"
fi
echo "== the demo channel: scripts/mkchannel $CHANNEL (made once from Debian's packages, then kept)"
scripts/mkchannel -q "$CHANNEL" | sed 's/^mkchannel: /   /'
CHANNEL=$(cd "$CHANNEL" && pwd)
$DOCKER rm -f "$NAME" >/dev/null 2>&1 || true
if curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/"; then
	echo "demo: something already answers on 127.0.0.1:$PORT: stop it, or DEMO_PORT=8899 make demo" >&2
	exit 1
fi
$DOCKER volume create "$VOLUME" >/dev/null
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "== docker run: $IMAGE, home volume $VOLUME, 127.0.0.1:$PORT, the channel at /opt/nbkit/demo-channel"
$DOCKER run -d --name "$NAME" -p "127.0.0.1:$PORT:8888" -e JUPYTER_TOKEN="$token" \
	-v "$VOLUME:/home/jovyan" -v "$CHANNEL:/opt/nbkit/demo-channel:ro" "$IMAGE" >/dev/null
# Jupyter logs "is running at:" once it listens: wait for that line
if ! DOCKER=$DOCKER scripts/wait-log-line.sh "$NAME" "is running at:" ||
	! curl -fs --max-time 30 -o /dev/null -H "Authorization: token $token" "http://127.0.0.1:$PORT/api/status"; then
	echo "demo: Jupyter did not start; its log:" >&2
	$DOCKER logs "$NAME" 2>&1 | tail -n 20 >&2
	exit 1
fi
echo "== bootstrap's log (docker logs $NAME)"
$DOCKER logs "$NAME" 2>&1 | grep '^bootstrap' | grep -v -e ': gpu:' -e 'user-hooks' || true
echo
# -y: an environment 'demo' from an earlier demo (on the volume) is replaced;
# the package cache on the volume makes that quick
echo "== in a terminal of the notebook: envtool create -n demo python=3.11 numpy pandas ipykernel"
if ! out=$($DOCKER exec -u 1000:100 -e HOME=/home/jovyan -w /home/jovyan "$NAME" envtool create -y -n demo \
	--override-channels -c file:///opt/nbkit/demo-channel python=3.11 numpy pandas ipykernel 2>&1); then
	printf '%s\n' "$out" >&2
	echo "demo: envtool create failed" >&2
	exit 1
fi
# the summary, without the table of the 69 packages
printf '%s\n' "$out" | grep -E '^(Summary|Created|Replaced|Jupyter kernel)' | sed 's/^/   /'
echo "== kernels Jupyter offers now:"
curl -fsS -H "Authorization: token $token" "http://127.0.0.1:$PORT/api/kernelspecs" |
	python3 -c 'import json,sys; [print("   ", k, "-", v["spec"]["display_name"]) for k, v in sorted(json.load(sys.stdin)["kernelspecs"].items())]'
echo "== a notebook in the kernel of 'demo', through the Jupyter server (demo.ipynb in your home):"
if ! out=$(JUPYTER_TOKEN=$token /usr/bin/python3 scripts/notebook-run.py "http://127.0.0.1:$PORT" demo demo.ipynb \
	"import sys, numpy as np, pandas as pd
print('python', sys.version.split()[0], 'from', sys.prefix)
print('numpy', np.__version__, 'pandas', pd.__version__)" \
	"df = pd.DataFrame({'city': ['Paris', 'Lyon', 'Paris', 'Nice', 'Lyon', 'Paris'],
                   'sales': [120.0, 80.5, 99.5, 60.0, 70.0, 150.0]})
print(df.groupby('city')['sales'].agg(['count', 'sum', 'mean']).round(2))" 2>&1); then
	printf '%s\n' "$out" >&2
	echo "demo: the notebook did not run in the kernel of 'demo'" >&2
	exit 1
fi
printf '%s\n' "$out" | sed 's/^/   /'
echo
echo "Jupyter is running: http://127.0.0.1:$PORT/?token=$token"
echo "  (over ssh: ssh -L $PORT:127.0.0.1:$PORT this-machine, then open the URL)"
echo "  stop it: docker rm -f $NAME   (your files stay on the volume $VOLUME)"
