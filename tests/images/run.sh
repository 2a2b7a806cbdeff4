#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# tests/images/run.sh: the notebook image in a real Docker engine (issue 5).
# A custom suite of tests/runner.py: one PASS/FAIL/SKIP line per check, then
# "N passed, M failed[, K skipped]".
#
# It starts dockerd when none answers (and stops it at the end), makes the
# local base image when it is missing (scripts/mkrootfs.sh), builds the image
# (Debian Jupyter) with the layer cache, and checks running containers:
# PID 1, /api through a port published on 127.0.0.1 with a token, docker
# stop, --cpus, NB_UID/NB_GID and fsGroup-like homes, a hook, secrets, the
# hub command, the home volume across `docker rm` (files, an envtool
# environment and its kernel), bad configurations and unwritable homes, the
# conda path against a local channel, the Java and runtime-only variants.
# The demo channel is the real one (issue 15; scripts/mkchannel, kept in
# $BUILD/channel), mounted read-only at /opt/nbkit/demo-channel as `make
# demo` does: the notebook user creates python, numpy, pandas and ipykernel
# from it over HTTP (a server inside the container), a notebook runs in
# that kernel through the running Jupyter server (scripts/notebook-run.py:
# its REST and websocket API), pip installs a local wheel into it, and
# `env export --explicit` creates it again, file for file.
# When no engine can be had, every check is counted as skipped, never passed.
#
# Kept between runs, as the build cache: nbkit/base:bookworm and
# nbkit/notebook:test, :test-runtime and :test-java (NBK_IMAGES_KEEP=0
# removes them too).  Everything else it makes (containers, volumes, the
# conda and bad-config images) is removed on exit.
set -u
SRC=${NBK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$SRC" || exit 1
BUILD=${NBK_BUILD:-$SRC/build}
DOCKER=${DOCKER:-docker}
IMG=nbkit/notebook:test
ID=nbkt$$
LOGDIR=$BUILD/images-test
mkdir -p "$LOGDIR"
tmp=$(mktemp -d /tmp/nbkit-images.XXXXXX)
chmod 755 "$tmp"
passed=0 failed=0 skipped=0
started_dockerd=
server_pid=

ALL_CHECKS="engine build/channel build/base-image build/image build/labels build/labels-version-created-source build/manifest size/notebook-under-450MB
build/runtime-only size/runtime-under-120MB build/java java/java-home run/confd-mount-keeps-image-layer run/pid1-is-bootstrap run/api-with-token
run/port-on-127.0.0.1-only run/threads-cpus-1 run/hook-before-notebook.d run/secrets-in-server-env
run/secrets-not-in-logs home/file-saved home/envtool-create-kernel home/notebook-through-server
home/pip-local-wheel home/explicit-again-file-for-file stop/docker-stop run/hub-command
run/nb-uid-gid-owner run/nb-uid-seeded-volume run/chown-home run/chown-extra run/fsgroup-home run/non-root-user home/file-after-rm home/env-after-rm
home/kernel-starts bad/config-baked-in bad/config-mounted bad/home-other-uid bad/home-read-only
conda/build-local-channel conda/opt-conda perimeter/create-over-tls-with-credentials
perimeter/pip-install-over-tls-with-credentials perimeter/no-secret-anywhere perimeter/no-ca-clear-error
perimeter/wrong-password-401 shell/conda-activate-interactive-bash shell/conda-activate-login-bash
shell/names-mamba-create-conda-env-list shell/unknown-subcommand-exit-2 shared/kernel-appears
shared/install-refused shared/clone-works tags/promote tags/hotfix-refused-off-the-stable-line"

pass() { passed=$((passed + 1)); echo "PASS images/$1"; }
fail() { failed=$((failed + 1)); echo "FAIL images/$1: $2"; }
skip() { skipped=$((skipped + 1)); echo "SKIP images/$1: $2"; }
# ok NAME DETAIL CMD...: PASS when CMD succeeds, else FAIL with DETAIL
ok() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$detail"; fi
}
finish() {
	echo "images: $passed passed, $failed failed${skipped:+, $skipped skipped}" | sed 's/, 0 skipped//'
	echo "$passed passed, $failed failed$([ "$skipped" -gt 0 ] && echo ", $skipped skipped")"
}

cleanup() {
	set +e
	[ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }
	if [ -n "${have_engine:-}" ]; then
		ids=$($DOCKER ps -aq --filter "label=nbkit-test=$ID" 2>/dev/null)
		[ -z "$ids" ] || $DOCKER rm -f $ids >/dev/null 2>&1
		vols=$($DOCKER volume ls -q --filter "label=nbkit-test=$ID" 2>/dev/null)
		[ -z "$vols" ] || $DOCKER volume rm -f $vols >/dev/null 2>&1
		for i in $IMG-badconf-$ID $IMG-conda-$ID nbkit/tagtest-$ID:dev nbkit/tagtest-$ID:stable nbkit/tagtest-$ID:stable-old; do
			$DOCKER rmi -f "$i" >/dev/null 2>&1
		done
		if [ "${NBK_IMAGES_KEEP:-1}" = 0 ]; then
			$DOCKER rmi -f "$IMG" "$IMG-runtime" "$IMG-java" nbkit/base:bookworm >/dev/null 2>&1
		fi
		# superseded builds of ours only (untagged, with our label)
		$DOCKER image prune -f --filter label=io.nbkit.jupyter-source >/dev/null 2>&1
	fi
	if [ -n "$started_dockerd" ]; then
		kill "$started_dockerd" 2>/dev/null
		# dockerd is not our child: wait on its pid (60 s: a guard)
		if ! timeout 60 tail --pid="$started_dockerd" -f /dev/null; then
			echo "images: dockerd (pid $started_dockerd) did not stop within 60 s: killed"
			kill -9 "$started_dockerd" 2>/dev/null
		else
			echo "images: stopped the dockerd this suite started"
		fi
	fi
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the engine ------------------------------------------------------------
if ! up=$(DOCKER=$DOCKER scripts/docker-up.sh 2>"$tmp/up.err"); then
	echo "images: no Docker engine could be started: $(cat "$tmp/up.err")"
	echo "images: the image tests are SKIPPED (not passed): install docker.io (scripts/install-deps.sh) and run as root"
	for c in $ALL_CHECKS; do skip "$c" "no Docker engine"; done
	finish
	exit 0
fi
have_engine=1
case $up in started*) started_dockerd=${up#started }; echo "images: started dockerd (pid $started_dockerd)" ;; esac
pass engine

# ---- helpers -----------------------------------------------------------------
# run a docker command with a time limit, saying which one ran past it
dk() {
	local t=$1
	shift
	timeout "$t" $DOCKER "$@"
	local rc=$?
	[ $rc -ne 124 ] || echo "images: 'docker $*' ran past ${t}s" >&2
	return $rc
}
newvol() { $DOCKER volume create --label "nbkit-test=$ID" "$ID-$1" >/dev/null && echo "$ID-$1"; }
# start NAME ARGS...: a detached container of the test, port 8888 published on 127.0.0.1
start() {
	local name=$1
	shift
	dk 30 run -d --name "$ID-$name" --label "nbkit-test=$ID" -p 127.0.0.1::8888 "$@" >/dev/null
}
port() { $DOCKER port "$ID-$1" 8888/tcp 2>/dev/null | head -n 1 | sed 's/.*://'; }
# wait_api NAME TOKEN: wait for the server's "is running at:" log line (it
# listens then: scripts/wait-log-line.sh, an event, no poll), then /api/status
# must answer with the token, at once.  Fails, with the container's log tail,
# when the container ends first or /api does not answer.
wait_api() {
	local name=$1 token=$2 p rc
	DOCKER=$DOCKER scripts/wait-log-line.sh "$ID-$name" "is running at:"
	rc=$?
	p=$(port "$name")
	if [ $rc = 0 ] && [ -n "$p" ] && curl -fsS --max-time 30 -H "Authorization: token $token" \
		"http://127.0.0.1:$p/api/status" >/dev/null; then
		return 0
	fi
	case $rc in
	0) echo "images: $name logged that it runs, but /api/status did not answer; its log:" >&2 ;;
	124) echo "images: $name did not log that it runs within 300 s; its log:" >&2 ;;
	*) echo "images: container $name ended before its server ran; its log:" >&2 ;;
	esac
	$DOCKER logs "$ID-$name" 2>&1 | tail -n 8 >&2
	return 1
}
api() { # api NAME TOKEN METHOD PATH [DATA]
	local p
	p=$(port "$1")
	curl -sS --max-time 10 -X "$3" -H "Authorization: token $2" -H 'Content-Type: application/json' \
		${5:+--data "$5"} "http://127.0.0.1:$p$4"
}
# the environment of PID 1's first child (the server, uid 1000), one
# KEY=VALUE a line (read as its user: root without CAP_SYS_PTRACE may not)
server_env() {
	$DOCKER exec -u 1000:100 "$ID-$1" sh -c 'cat /proc/$(cut -d" " -f1 /proc/1/task/1/children)/environ' | tr '\0' '\n'
}
has_line() { grep -qxF -- "$2" <<<"$1"; }
tok=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

# ---- the demo channel: the real one (issue 15), made once, then kept --------------
CHANNEL=$BUILD/channel
if timeout 900 scripts/mkchannel "$CHANNEL" >"$LOGDIR/mkchannel.log" 2>&1; then
	pass build/channel
	echo "images: $(tail -n 1 "$LOGDIR/mkchannel.log")"
else
	fail build/channel "scripts/mkchannel failed (log $LOGDIR/mkchannel.log): $(tail -n 3 "$LOGDIR/mkchannel.log")"
fi
# mounted where the image's demo channel is, as `make demo` does
chan=(-v "$CHANNEL:/opt/nbkit/demo-channel:ro")

# ---- build -----------------------------------------------------------------
t0=$SECONDS
if $DOCKER image inspect nbkit/base:bookworm >/dev/null 2>&1; then
	pass build/base-image
	echo "images: nbkit/base:bookworm present: reused"
elif timeout 600 scripts/mkrootfs.sh nbkit/base:bookworm >"$LOGDIR/mkrootfs.log" 2>&1; then
	pass build/base-image
else
	fail build/base-image "scripts/mkrootfs.sh failed: $(tail -n 3 "$LOGDIR/mkrootfs.log")"
fi
build() { # build LOG [VAR=VALUE...]: scripts/build-image.sh with the test's settings
	local log=$1
	shift
	env DOCKER="$DOCKER" BASE_IMAGE=nbkit/base:bookworm VERSION_TAG= "$@" \
		timeout 600 scripts/build-image.sh >"$LOGDIR/$log" 2>&1
}
if build build.log IMAGE_REPO=nbkit/notebook TAG=test JUPYTER_SOURCE=debian; then
	pass build/image
	echo "images: built $IMG in $((SECONDS - t0)) s"
else
	fail build/image "scripts/build-image.sh failed (log $LOGDIR/build.log): $(tail -n 5 "$LOGDIR/build.log")"
	for c in $ALL_CHECKS; do
		case $c in engine | build/base-image | build/image) ;; *) skip "$c" "the image did not build" ;; esac
	done
	finish
	exit 1
fi
labels=$($DOCKER image inspect -f '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{"\n"}}{{end}}' "$IMG")
# the revision label: the commit built (HEAD then; a commit may have landed since)
rev=$(sed -n 's/^org.opencontainers.image.revision=//p' <<<"$labels")
ok build/labels "revision label '$rev' is not a commit of this checkout" \
	bash -c '[ -n "$1" ] && git merge-base --is-ancestor "$1" HEAD' _ "$rev"
ok build/labels-version-created-source "OCI labels missing" \
	bash -c 'grep -q "^org.opencontainers.image.version=." <<<"$1" && grep -q "^org.opencontainers.image.created=20" <<<"$1" && grep -q "^org.opencontainers.image.source=." <<<"$1"' _ "$labels"
manifest=$(dk 60 run --rm --network none --entrypoint cat "$IMG" /usr/share/nbkit/manifest.txt)
ok build/manifest "manifest.txt lacks tool versions or Debian packages" \
	bash -c 'grep -q "^bootstrap: bootstrap " <<<"$1" && grep -q "^envtool: " <<<"$1" && grep -q "^jupyterhub-singleuser: " <<<"$1" && grep -q "^python3-notebook " <<<"$1"' _ "$manifest"
size=$($DOCKER image inspect -f '{{.Size}}' "$IMG")
ok size/notebook-under-450MB "$((size / 1000000)) MB" [ "$size" -lt 450000000 ]
echo "images: $IMG: $((size / 1000000)) MB"

if build runtime.log IMAGE_REPO=nbkit/notebook TAG=test-runtime JUPYTER_SOURCE=none WITH_TOOLS=0; then
	pass build/runtime-only
	rsize=$($DOCKER image inspect -f '{{.Size}}' "$IMG-runtime")
	ok size/runtime-under-120MB "$((rsize / 1000000)) MB" [ "$rsize" -lt 120000000 ]
	echo "images: runtime only (JUPYTER_SOURCE=none WITH_TOOLS=0): $((rsize / 1000000)) MB"
else
	fail build/runtime-only "$(tail -n 5 "$LOGDIR/runtime.log")"
	skip size/runtime-under-120MB "not built"
fi
if build java.log IMAGE_REPO=nbkit/notebook TAG=test-java JUPYTER_SOURCE=none WITH_JAVA=1; then
	pass build/java
	out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" "$IMG-java" sh -c 'echo "JAVA_HOME=$JAVA_HOME"; "$JAVA_HOME/bin/java" -version 2>&1 | head -n 1' 2>/dev/null)
	ok java/java-home "got: $out" bash -c 'grep -qx "JAVA_HOME=/usr/lib/jvm/default-java" <<<"$1" && grep -q "openjdk version" <<<"$1"' _ "$out"
else
	fail build/java "$(tail -n 5 "$LOGDIR/java.log")"
	skip java/java-home "not built"
fi

# ---- a running server: the main container --------------------------------------
mkdir -p "$tmp/secrets/mlflow" "$tmp/secrets/minio" "$tmp/hooks"
pw="mlflow-pw-$tok"
sk="minio-secret-$tok"
printf '%s\n' "$pw" >"$tmp/secrets/mlflow/password"
printf 'AKIA%s\n' "${tok:0:12}" >"$tmp/secrets/minio/accesskey"
printf '%s\n' "$sk" >"$tmp/secrets/minio/secretkey"
chmod 0400 "$tmp"/secrets/*/*
# The deployment's drop-in comes as Kubernetes mounts a ConfigMap: the
# whole /etc/bootstrap/conf.d replaced by a folder whose files are links
# into ..data/ (issue 11).  The image's own layer (the Debian variant's
# `jupyter notebook`) must survive it: without it the server would not start.
mkdir -p "$tmp/confd/..2026_12_05"
ln -s ..2026_12_05 "$tmp/confd/..data"
ln -s ..data/50-test.yaml "$tmp/confd/50-test.yaml"
cat >"$tmp/confd/..2026_12_05/50-test.yaml" <<'YAML'
integrations:
  mlflow:
    tracking_uri: http://mlflow.test:5000
    password_file: /run/secrets/mlflow/password
  s3:
    endpoint: http://minio.test:9000
    access_key_file: /run/secrets/minio/accesskey
    secret_key_file: /run/secrets/minio/secretkey
YAML
cat >"$tmp/hooks/50-test.sh" <<'HOOK'
export NBK_TEST_HOOK="ran-as-$(id -u)"
HOOK
home=$(newvol home)
start main --cpus 1 -e JUPYTER_TOKEN="$tok" -v "$home:/home/jovyan" "${chan[@]}" \
	-v "$tmp/confd:/etc/bootstrap/conf.d:ro" \
	-v "$tmp/secrets/mlflow:/run/secrets/mlflow:ro" -v "$tmp/secrets/minio:/run/secrets/minio:ro" \
	-v "$tmp/hooks/50-test.sh:/usr/local/bin/before-notebook.d/50-test.sh:ro" "$IMG"
main_up=0
wait_api main "$tok" && main_up=1
if [ $main_up = 1 ]; then
	layers=$($DOCKER exec "$ID-main" bootstrap --check 2>&1 | head -n 1)
	ok run/confd-mount-keeps-image-layer "sources: $layers" bash -c 'grep -q "^configuration: /usr/share/nbkit/conf.d/10-jupyter-debian.yaml, /etc/bootstrap/bootstrap.yaml, /etc/bootstrap/conf.d/50-test.yaml$" <<<"$1"' _ "$layers"
	ok run/pid1-is-bootstrap "PID 1 is '$($DOCKER exec "$ID-main" cat /proc/1/comm)'" \
		[ "$($DOCKER exec "$ID-main" cat /proc/1/comm)" = bootstrap ]
	code_tok=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: token $tok" "http://127.0.0.1:$(port main)/api/contents")
	code_none=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$(port main)/api/contents")
	ok run/api-with-token "with the token $code_tok, without $code_none" [ "$code_tok" = 200 ] && [ "$code_none" = 403 ]
	bindings=$($DOCKER port "$ID-main" 8888/tcp)
	ok run/port-on-127.0.0.1-only "bindings: $bindings" bash -c '[ -n "$1" ] && ! grep -v "^127\.0\.0\.1:" <<<"$1"' _ "$bindings"
	senv=$(server_env main)
	ok run/threads-cpus-1 "$(grep ^OMP_NUM_THREADS= <<<"$senv")" has_line "$senv" OMP_NUM_THREADS=1
	ok run/hook-before-notebook.d "$(grep ^NBK_TEST_HOOK= <<<"$senv")" has_line "$senv" NBK_TEST_HOOK=ran-as-0
	ok run/secrets-in-server-env "MLflow/S3 variables missing" bash -c '
		for l in "MLFLOW_TRACKING_URI=http://mlflow.test:5000" "MLFLOW_TRACKING_PASSWORD=$2" "AWS_SECRET_ACCESS_KEY=$3" \
			"AWS_ENDPOINT_URL=http://minio.test:9000" "MLFLOW_S3_ENDPOINT_URL=http://minio.test:9000"; do
			grep -qxF -- "$l" <<<"$1" || { echo "missing: ${l%%=*}" >&2; exit 1; }
		done' _ "$senv" "$pw" "$sk"
	logs=$($DOCKER logs "$ID-main" 2>&1)
	ok run/secrets-not-in-logs "a secret value is in the container's log" \
		bash -c '! grep -qF -e "$2" -e "$3" -e "$4" <<<"$1"' _ "$logs" "$pw" "$sk" "$tok"
	# a file saved through Jupyter, an environment made with envtool in a terminal
	api main "$tok" PUT /api/contents/nbk-test.txt '{"type": "file", "format": "text", "content": "kept across docker rm"}' >/dev/null
	ok home/file-saved "not on the volume" $DOCKER exec "$ID-main" test -f /home/jovyan/nbk-test.txt
	# the notebook user, in a terminal: python, numpy, pandas, ipykernel and
	# pip from the demo channel over HTTP (repo_server.py run by the image's
	# python3 inside the container, on its own 127.0.0.1; it prints its
	# port once it listens: read from that pipe)
	exec {cfd}< <(exec $DOCKER exec -i -u 1000:100 "$ID-main" python3 - /opt/nbkit /tmp/channel-server.log \
		<"$SRC/tests/envtool/lib/repo_server.py")
	read -r cport <&"$cfd"
	chan_url=http://127.0.0.1:${cport:-0}/ok/demo-channel
	as_user=(exec -u 1000:100 -e HOME=/home/jovyan -w /home/jovyan "$ID-main")
	kname=
	if [ -n "$cport" ] && dk 300 "${as_user[@]}" envtool create -y -n demo --override-channels \
		-c "$chan_url" python=3.11 numpy pandas ipykernel pip >"$tmp/create.log" 2>&1; then
		specs=$(api main "$tok" GET /api/kernelspecs)
		kname=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["kernelspecs"]; print(next((k for k,v in d.items() if v["spec"]["display_name"] == "Python (demo)"), ""))' <<<"$specs" 2>/dev/null)
		got=$($DOCKER exec "$ID-main" grep -c "^GET /ok/demo-channel/.*\.conda 200 " /tmp/channel-server.log)
		ok home/envtool-create-kernel "kernel '$kname', $got packages over HTTP: $(tail -n 3 "$tmp/create.log")" \
			[ -n "$kname" ] && [ "${got:-0}" -gt 40 ]
	else
		fail home/envtool-create-kernel "envtool create over HTTP (server port '$cport') failed: $(tail -n 3 "$tmp/create.log")"
	fi
	# a notebook in that kernel, through the running server, as a browser runs it
	out=$(JUPYTER_TOKEN=$tok timeout 300 /usr/bin/python3 scripts/notebook-run.py "http://127.0.0.1:$(port main)" \
		"${kname:-demo}" nbk-test.ipynb "import sys, pandas as pd
print(sys.prefix)
df = pd.DataFrame({'team': ['a', 'b', 'a', 'c'], 'score': [1.0, 2.0, 3.0, 4.0]})
print(df.groupby('team')['score'].agg(['count', 'mean']).to_string())" 2>&1)
	# (pandas pads its header lines with spaces: compared without them)
	ok home/notebook-through-server "got: $out" [ "$(sed 's/ *$//' <<<"$out")" = "/home/jovyan/.conda/envs/demo
      count  mean
team
a         2   2.0
b         1   2.0
c         1   4.0" ]
	# pip: a local wheel into the environment
	/usr/bin/python3 "$SRC/tests/envtool/lib/make_pip_index.py" "$tmp/idx" >/dev/null
	$DOCKER cp "$tmp/idx/packages/nbkitprobe-1.0-py3-none-any.whl" "$ID-main:/tmp/" >/dev/null 2>&1
	out=$(dk 120 "${as_user[@]}" sh -c 'E=$HOME/.conda/envs/demo
		$E/bin/python -m pip install -q --no-index --disable-pip-version-check /tmp/nbkitprobe-1.0-py3-none-any.whl &&
		$E/bin/python -c "import nbkitprobe; print(nbkitprobe.__file__)"' 2>&1)
	ok home/pip-local-wheel "got: $(tail -n 3 <<<"$out")" \
		[ "$(tail -n 1 <<<"$out")" = /home/jovyan/.conda/envs/demo/lib/python3.11/site-packages/nbkitprobe/__init__.py ]
	# env export --explicit, create from it, the same files
	out=$(dk 300 exec -i -u 1000:100 -e HOME=/home/jovyan -w /home/jovyan "$ID-main" sh -c 'envtool env export -n demo --explicit >/tmp/lock.txt &&
		envtool create -q -y --no-kernel -p "$HOME/again" -f /tmp/lock.txt && python3 - "$HOME/.conda/envs/demo" "$HOME/again" 5000' \
		<"$SRC/tests/envtool/lib/same_env.py" 2>&1)
	rc=$?
	ok home/explicit-again-file-for-file "exit $rc: $(tail -n 3 <<<"$out")" bash -c '[ "$1" = 0 ] && grep -Eq "^[0-9]{4,} files compared$" <<<"$2"' _ "$rc" "$out"
	echo "images: export --explicit, created again: $(grep 'files compared' <<<"$out")"
	dk 60 "${as_user[@]}" rm -rf /home/jovyan/again
	exec {cfd}<&-
	t1=$(date +%s%N)
	dk 60 stop -t 20 "$ID-main" >/dev/null
	ms=$((($(date +%s%N) - t1) / 1000000))
	code=$($DOCKER inspect -f '{{.State.ExitCode}}' "$ID-main")
	logs=$($DOCKER logs "$ID-main" 2>&1)
	# 143 is 128+SIGTERM.  Jupyter handles SIGTERM and exits 0 after a clean
	# shutdown; bootstrap reports a command it stopped that way as stopped.
	# A container that had to be killed at the stop timeout ends with 137:
	# the status says it, no time window does.
	echo "images: docker stop: exit status $code after $ms ms (stop timeout 20 s)"
	ok stop/docker-stop "status $code after $ms ms" bash -c '
		[ "$1" = 143 ] && grep -q "received signal 15, stopping" <<<"$2"' _ "$code" "$logs"
else
	for c in run/pid1-is-bootstrap run/api-with-token run/port-on-127.0.0.1-only run/threads-cpus-1 \
		run/hook-before-notebook.d run/secrets-in-server-env run/secrets-not-in-logs home/file-saved \
		home/envtool-create-kernel home/notebook-through-server home/pip-local-wheel \
		home/explicit-again-file-for-file stop/docker-stop; do
		fail "$c" "the server did not start"
	done
	kname=
fi
$DOCKER rm -f "$ID-main" >/dev/null 2>&1

# ---- the home volume across docker rm -----------------------------------------------
start again -e JUPYTER_TOKEN="$tok" -v "$home:/home/jovyan" "$IMG"
if wait_api again "$tok"; then
	got=$(api again "$tok" GET /api/contents/nbk-test.txt | python3 -c 'import json,sys; print(json.load(sys.stdin).get("content"))' 2>/dev/null)
	ok home/file-after-rm "got '$got'" [ "$got" = "kept across docker rm" ]
	# an entry point of the environment (ipython, noarch: python) runs its python
	out=$($DOCKER exec -u 1000:100 -e HOME=/home/jovyan "$ID-again" /home/jovyan/.conda/envs/demo/bin/ipython \
		-c 'import sys, numpy; print("hello from", sys.prefix)' 2>&1)
	ok home/env-after-rm "got '$out'" [ "$out" = "hello from /home/jovyan/.conda/envs/demo" ]
	if [ -n "$kname" ]; then
		# the kernel of the environment, started from its kernelspec as Jupyter does, runs code
		out=$(dk 90 exec -u 1000:100 -e HOME=/home/jovyan "$ID-again" timeout 60 python3 -c '
import sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name=sys.argv[1], startup_timeout=50)
try:
    kc.execute_interactive("import sys, pandas; print(\"kernel prefix\", sys.prefix)", timeout=30)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
' "$kname" 2>&1)
		ok home/kernel-starts "kernel '$kname': $(tail -n 3 <<<"$out")" grep -qx "kernel prefix /home/jovyan/.conda/envs/demo" <<<"$out"
	else
		fail home/kernel-starts "no kernel from the first container"
	fi
else
	for c in home/file-after-rm home/env-after-rm home/kernel-starts; do fail "$c" "the second server did not start"; done
fi
$DOCKER rm -f "$ID-again" >/dev/null 2>&1

# ---- KubeSpawner's ways -------------------------------------------------------------
out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" --entrypoint bootstrap -e JUPYTERHUB_API_TOKEN=x "$IMG" --check 2>&1)
ver=$(dk 60 run --rm --network none --label "nbkit-test=$ID" "$IMG" jupyterhub-singleuser --version 2>/dev/null)
ok run/hub-command "plan: $(grep -i jupyterhub <<<"$out" | head -n 2); version '$ver'" \
	bash -c 'grep -q "jupyterhub-singleuser" <<<"$1" && grep -Eq "^[0-9]+\.[0-9]+" <<<"$2"' _ "$out" "$ver"
# a fresh volume (as a new PVC: empty, root's), NB_UID/NB_GID
v=$(newvol uid)
out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" -e NB_UID=1234 -e NB_GID=1234 \
	--mount "type=volume,src=$v,dst=/home/jovyan,volume-nocopy=true" "$IMG" \
	sh -c 'id -u; touch "$HOME/new-file"; stat -c %u:%g "$HOME" "$HOME/new-file" "$HOME/.condarc" "$HOME/.local/share/jupyter/kernels"' 2>"$tmp/uid.err")
ok run/nb-uid-gid-owner "got: $(echo $out) $(tail -n 2 "$tmp/uid.err")" [ "$(echo $out)" = "1234 1234:1234 1234:1234 1234:1234 1234:1234" ]
# a fresh named volume that Docker seeds from the image's /home/jovyan (1000:100),
# with a symlink to /etc/shadow planted as the image user (issue 11): handed to
# NB_UID:NB_GID as docker-stacks' usermod does, the link not followed, and an
# envtool environment can be made there by the new uid
v=$(newvol seeded)
dk 60 run --rm --network none --entrypoint sh -v "$v:/home/jovyan" "$IMG" \
	-c 'ln -s /etc/shadow /home/jovyan/evil && chown -h 1000:100 /home/jovyan/evil' >/dev/null 2>&1
out=$(dk 120 run --rm --network none --label "nbkit-test=$ID" -e NB_UID=1234 -e NB_GID=1234 -v "$v:/home/jovyan" \
	"${chan[@]}" "$IMG" sh -c 'stat -c %u:%g "$HOME" "$HOME/.bashrc" "$HOME/.condarc" && stat -c %u /etc/shadow &&
		envtool create -q -y -n seeded --override-channels -c file:///opt/nbkit/demo-channel python >/dev/null &&
		stat -c %u:%g "$HOME/.conda/envs/seeded/conda-meta/history"' 2>"$tmp/seeded.err")
ok run/nb-uid-seeded-volume "got: $(echo $out) $(tail -n 2 "$tmp/seeded.err")" \
	[ "$(echo $out)" = "1234:1234 1234:1234 1234:1234 0 1234:1234" ]
# CHOWN_HOME=yes CHOWN_HOME_OPTS=-R on a home of another uid; CHOWN_EXTRA on a root-owned folder
v=$(newvol chownhome)
dk 60 run --rm --network none --entrypoint sh -v "$v:/home/jovyan" "$IMG" -c 'chown -R 4242:4242 /home/jovyan' >/dev/null 2>&1
out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" -e NB_UID=1234 -e NB_GID=1234 -e CHOWN_HOME=yes \
	-e CHOWN_HOME_OPTS=-R -v "$v:/home/jovyan" "$IMG" sh -c 'stat -c %u:%g "$HOME" "$HOME/.bashrc"' 2>"$tmp/chownhome.err")
ok run/chown-home "got: $(echo $out) $(tail -n 2 "$tmp/chownhome.err")" [ "$(echo $out)" = "1234:1234 1234:1234" ]
v=$(newvol chownextra)
out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" -e NB_UID=1234 -e NB_GID=1234 -e CHOWN_EXTRA=/srv/team \
	-e CHOWN_EXTRA_OPTS=-R --mount "type=volume,src=$v,dst=/srv/team,volume-nocopy=true" "$IMG" \
	sh -c 'stat -c %u:%g /srv/team && touch /srv/team/f && echo written' 2>"$tmp/chownextra.err")
ok run/chown-extra "got: $(echo $out) $(tail -n 2 "$tmp/chownextra.err")" [ "$(echo $out)" = "1234:1234 written" ]
# an fsGroup volume: root:100, group-writable and setgid; an arbitrary uid in group 100
v=$(newvol fsgroup)
dk 60 run --rm --network none --entrypoint sh --mount "type=volume,src=$v,dst=/home/jovyan,volume-nocopy=true" "$IMG" \
	-c 'chown 0:100 /home/jovyan && chmod 2775 /home/jovyan' >/dev/null 2>&1
out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" -e NB_UID=5000 -e NB_GID=100 \
	--mount "type=volume,src=$v,dst=/home/jovyan,volume-nocopy=true" "$IMG" \
	sh -c 'touch "$HOME/f" && stat -c %u:%g "$HOME/f"' 2>"$tmp/fsg.err")
ok run/fsgroup-home "got '$out': $(tail -n 2 "$tmp/fsg.err")" [ "$out" = 5000:100 ]
# started as the user (Z2JH's default singleuser.uid 1000), not root
v=$(newvol nonroot)
out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" --user 1000:100 -v "$v:/home/jovyan" "$IMG" \
	sh -c 'id -u; touch "$HOME/f" && echo saved' 2>"$tmp/nonroot.err")
ok run/non-root-user "got: $(echo $out) $(tail -n 2 "$tmp/nonroot.err")" [ "$(echo $out)" = "1000 saved" ]

# ---- bad input -----------------------------------------------------------------------
# one_clear_line LOG STATUS TEXT: exit 1, one line naming the file (TEXT),
# no server (one that hung instead would run into dk's limit: status 124)
one_clear_line() {
	local lines
	lines=$(grep -c . <<<"$1")
	[ "$2" = 1 ] && [ "$lines" = 1 ] && grep -q "$3" <<<"$1" && ! grep -q NotebookApp <<<"$1"
}
mkdir -p "$tmp/bad"
printf 'user:\n  name: jovyan\n  uidd: 1000\n' >"$tmp/bad/99-bad.yaml"
printf 'FROM %s\nCOPY 99-bad.yaml /etc/bootstrap/conf.d/99-bad.yaml\n' "$IMG" >"$tmp/bad/Dockerfile"
if DOCKER_BUILDKIT=0 dk 300 build -q -t "$IMG-badconf-$ID" "$tmp/bad" >/dev/null 2>"$tmp/bad.err"; then
	s0=$SECONDS
	out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" "$IMG-badconf-$ID" 2>&1)
	rc=$?
	ok bad/config-baked-in "exit $rc after $((SECONDS - s0)) s: $out" one_clear_line "$out" $rc "99-bad.yaml:3"
	echo "images: baked-in error: $out"
else
	fail bad/config-baked-in "derived image did not build: $(tail -n 2 "$tmp/bad.err")"
fi
printf 'user: [jovyan\ncommand:\n' >"$tmp/bad/bootstrap.yaml"
s0=$SECONDS
out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" -v "$tmp/bad/bootstrap.yaml:/etc/bootstrap/bootstrap.yaml:ro" "$IMG" 2>&1)
rc=$?
ok bad/config-mounted "exit $rc after $((SECONDS - s0)) s: $out" one_clear_line "$out" $rc "bootstrap.yaml"
echo "images: mounted error: $out"
# a home owned by another uid, then the same volume read-only: the warning and a working server
v=$(newvol other)
dk 60 run --rm --network none --entrypoint sh -v "$v:/home/jovyan" "$IMG" -c 'chown -R 4242:4242 /home/jovyan && chmod 755 /home/jovyan' >/dev/null 2>&1
for mode in other-uid read-only; do
	ro=
	[ $mode = read-only ] && ro=:ro
	start "$mode" -e JUPYTER_TOKEN="$tok" -v "$v:/home/jovyan$ro" "$IMG"
	if wait_api "$mode" "$tok"; then
		logs=$($DOCKER logs "$ID-$mode" 2>&1)
		ok "bad/home-$mode" "no clear warning: $(grep -i writable <<<"$logs")" \
			bash -c 'grep -q "warning: home: .*/home/jovyan.* is not writable by uid 1000 (owned by 4242:4242, mode 0755)" <<<"$1" && grep -q "home-fallback:" <<<"$1"' _ "$logs"
	else
		fail "bad/home-$mode" "the server did not start on an unwritable home"
	fi
	$DOCKER rm -f "$ID-$mode" >/dev/null 2>&1
done

# ---- tags: promote and hotfix (no registry: local tags) ---------------------------------
PR=nbkit/tagtest-$ID
$DOCKER tag "$IMG" "$PR:dev"
if IMAGE_REPO=$PR DOCKER=$DOCKER timeout 60 scripts/tag-promote.sh >"$tmp/promote1.log" 2>&1 &&
	$DOCKER tag "$IMG-runtime" "$PR:dev" && IMAGE_REPO=$PR DOCKER=$DOCKER timeout 60 scripts/tag-promote.sh >"$tmp/promote2.log" 2>&1; then
	id() { $DOCKER image inspect -f '{{.Id}}' "$1" 2>/dev/null; }
	ok tags/promote "stable/stable-old not moved: $(tail -n 3 "$tmp/promote2.log")" \
		bash -c '[ "$1" = "$2" ] && [ "$3" = "$4" ]' _ "$(id "$PR:stable")" "$(id "$IMG-runtime")" "$(id "$PR:stable-old")" "$(id "$IMG")"
else
	fail tags/promote "$(tail -n 3 "$tmp/promote1.log" "$tmp/promote2.log" 2>/dev/null)"
fi
# hotfix: refused when HEAD is not on the stable line (a stable built from a commit HEAD lacks)
printf 'FROM %s\nLABEL org.opencontainers.image.revision=0000000000000000000000000000000000000000\n' "$IMG" |
	DOCKER_BUILDKIT=0 timeout 120 $DOCKER build -q -t "$PR:stable" - >/dev/null 2>&1
out=$(IMAGE_REPO=$PR DOCKER=$DOCKER timeout 60 scripts/tag-hotfix.sh 2>&1)
rc=$?
ok tags/hotfix-refused-off-the-stable-line "exit $rc: $out" bash -c '[ "$1" = 1 ] && grep -q "which this clone does not have" <<<"$2"' _ "$rc" "$out"
for t in dev stable stable-old hotfix; do $DOCKER rmi "$PR:$t" >/dev/null 2>&1; done

# ---- the conda path, against a local channel of test packages ------------------------
mkdir -p "$tmp/chan-src" && cd "$tmp/chan-src" || exit 1
mk() { python3 "$SRC/tests/envtool/lib/make_pkg.py" built "$1" >/dev/null; }
mk '{"name": "python", "version": "3.11.9", "build": "0_test", "subdir": "linux-64",
	"files": {"bin/python3": {"text": "#!/bin/sh\necho \"Python 3.11.9 (nbkit test package)\"\n", "mode": 493}}}'
mk '{"name": "jupyterlab", "version": "4.2.0", "build": "0_test", "depends": ["python"],
	"files": {"bin/jupyter": {"text": "#!/bin/sh\necho \"jupyterlab 4.2.0 (nbkit test package)\"\n", "mode": 493}}}'
mk '{"name": "jupyterhub-singleuser", "version": "5.0.0", "build": "0_test", "depends": ["python", "jupyterlab"],
	"files": {"bin/jupyterhub-singleuser": {"text": "#!/bin/sh\necho \"5.0.0 (nbkit test package)\"\n", "mode": 493}}}'
mk '{"name": "ipykernel", "version": "6.29.0", "build": "0_test", "depends": ["python"],
	"files": {"share/nbkit-test/ipykernel": "marker\n"}}'
python3 "$SRC/tests/envtool/lib/make_channel.py" "$tmp/srv/chan" built/*.tar.bz2 >/dev/null
cd "$SRC" || exit 1
# http.server prints "Serving HTTP on 127.0.0.1 port N ..." once it listens:
# read the port from that pipe (-u: unbuffered), no poll of a log file
exec {http_fd}< <(exec python3 -u -m http.server --bind 127.0.0.1 0 --directory "$tmp/srv" 2>"$tmp/http.log")
server_pid=$!
cport=
read -r line <&"$http_fd" && cport=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' <<<"$line")
if [ -n "$cport" ] && build conda.log IMAGE_REPO=nbkit/notebook TAG="test-conda-$ID" JUPYTER_SOURCE=conda \
	CONDA_CHANNEL="http://127.0.0.1:$cport/chan"; then
	pass conda/build-local-channel
	out=$(dk 60 run --rm --network none --label "nbkit-test=$ID" "$IMG-conda-$ID" sh -c \
		'ls /opt/conda/conda-meta; command -v jupyter; jupyterhub-singleuser; python3; sed -n "/^## conda/,/^$/p" /usr/share/nbkit/manifest.txt' 2>&1)
	ok conda/opt-conda "got: $out" bash -c '
		for w in "jupyterlab-4.2.0-0_test.json" "jupyterhub-singleuser-5.0.0-0_test.json" "ipykernel-6.29.0-0_test.json" \
			"python-3.11.9-0_test.json" "/opt/conda/bin/jupyter" "5.0.0 (nbkit test package)" "Python 3.11.9 (nbkit test package)"; do
			grep -qF -- "$w" <<<"$1" || exit 1
		done' _ "$out"
else
	fail conda/build-local-channel "channel server port '$cport'; $(tail -n 5 "$LOGDIR/conda.log" 2>/dev/null)"
	skip conda/opt-conda "not built"
fi
kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
exec {http_fd}<&-
server_pid=

# ---- the perimeter (issue 11): a mirror over TLS signed by the bank's own CA --------
# The test's CA signs a server certificate for 127.0.0.1; repo_server.py serves
# the demo channel and a pip simple index (make_pip_index.py) there
# over HTTPS, wanting a user and password (/basic/).  The container gets what
# a deployment mounts: the CA and the credentials as secrets (tls.ca_files,
# envs.auth_file, envs.pip_index_url with pip_username_file and
# pip_password_file, in a conf.d drop-in) and the mirror as channel_alias
# (/etc/conda/condarc.d), so `-c mirror` goes there.  The notebook user
# creates an environment and pip-installs a wheel (Debian's pip wheel,
# mounted: the test image has no pip); the password must be in no output,
# log or file of the home.  Without the CA: the TLS line; with a wrong
# password: the 401 line naming the source tried.
pdir=$tmp/perimeter
mkdir -p "$pdir/srv" "$pdir/secrets" "$pdir/pip" "$pdir/confd" "$pdir/noca-confd" "$pdir/condarc.d"
/usr/bin/python3 "$SRC/tests/envtool/lib/make_pip_index.py" "$pdir/srv" >/dev/null
pipwhl=$(ls /usr/share/python-wheels/pip-*.whl | head -n 1)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=nbkit test bank CA" \
	-keyout "$pdir/ca.key" -out "$pdir/secrets/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$pdir/srv.key" -out "$pdir/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$pdir/ext"
openssl x509 -req -in "$pdir/srv.csr" -CA "$pdir/secrets/ca.crt" -CAkey "$pdir/ca.key" -CAcreateserial \
	-days 2 -extfile "$pdir/ext" -out "$pdir/srv.crt" 2>/dev/null
ln -s "$CHANNEL" "$pdir/srv/mirror"
ppw="bank-pw-$tok"
exec {pfd}< <(NBK_TEST_USER=ann NBK_TEST_PASSWORD="$ppw" exec /usr/bin/python3 "$SRC/tests/envtool/lib/repo_server.py" \
	"$pdir/srv" "$pdir/server.log" "$pdir/srv.crt" "$pdir/srv.key")
server_pid=$!
pport=
read -r pport <&"$pfd"
printf '{"127.0.0.1:%s": {"BasicHTTP": {"username": "ann", "password": "%s"}}}\n' "$pport" "$ppw" >"$pdir/secrets/auth.json"
printf '%s\n' "$ppw" >"$pdir/secrets/the-password" # for the grep inside the container only
printf 'ann\n' >"$pdir/pip/username"
printf '%s\n' "$ppw" >"$pdir/pip/password"
printf 'channel_alias: https://127.0.0.1:%s/basic\n' "$pport" >"$pdir/condarc.d/50-mirror.yml"
penvs="envs: {auth_file: /run/secrets/bank/auth.json, pip_index_url: \"https://127.0.0.1:$pport/basic/simple\",
  pip_username_file: /run/secrets/pip/username, pip_password_file: /run/secrets/pip/password}"
printf 'tls: {ca_files: [/run/secrets/bank/ca.crt]}\n%s\n' "$penvs" >"$pdir/confd/50-bank.yaml"
printf '%s\n' "$penvs" >"$pdir/noca-confd/50-bank.yaml"
chmod 755 "$pdir/secrets" "$pdir/pip" "$pdir/confd" "$pdir/noca-confd" "$pdir/condarc.d"
chmod 644 "$pdir"/secrets/* "$pdir"/pip/* "$pdir"/confd/* "$pdir"/noca-confd/* "$pdir"/condarc.d/*
# perimeter_run CONFD: as the notebook user, an envtool create from `-c
# mirror` and a pip install from the index, each saying its exit status
perimeter_run() {
	dk 180 run --rm --network host --label "nbkit-test=$ID" -v "$(newvol "perimeter-$1"):/home/jovyan" \
		-v "$pdir/secrets:/run/secrets/bank:ro" -v "$pdir/pip:/run/secrets/pip:ro" \
		-v "$pdir/$1:/etc/bootstrap/conf.d:ro" -v "$pipwhl:/opt/pip.whl:ro" \
		-v "$pdir/condarc.d:/etc/conda/condarc.d:ro" -e PIP_NO_INPUT=1 -e PIP_RETRIES=0 "$IMG" sh -c '
			envtool create -y -n bank -c mirror --override-channels python ipykernel >"$HOME/create.out" 2>&1
			echo "create exit $?"; cat "$HOME/create.out"
			envtool list -n bank --json; envtool env export -n bank --explicit
			python3 /opt/pip.whl/pip install --disable-pip-version-check --target "$HOME/site" nbkitprobe \
				>"$HOME/pip.out" 2>&1
			echo "pip exit $?"; cat "$HOME/pip.out"
			PYTHONPATH=$HOME/site python3 -c "import nbkitprobe; print(\"imported nbkitprobe\", nbkitprobe.__version__)"
			echo "home files holding the password: $(grep -rlF -f /run/secrets/bank/the-password "$HOME" | wc -l)"' 2>&1
}
out=$(perimeter_run confd)
ok perimeter/create-over-tls-with-credentials "got: $(tail -n 8 <<<"$out")" \
	bash -c 'grep -q "^create exit 0$" <<<"$1" && grep -q "ipykernel" <<<"$1" && grep -Eq "^GET /basic/mirror/linux-64/repodata.json(.zst)? (200|304) " "$2"' _ "$out" "$pdir/server.log"
ok perimeter/pip-install-over-tls-with-credentials "got: $(sed -n '/^pip exit/,$p' <<<"$out" | tail -n 8)" \
	bash -c 'grep -q "^pip exit 0$" <<<"$1" && grep -q "^imported nbkitprobe 1.0$" <<<"$1" &&
		grep -q "^GET /basic/packages/nbkitprobe-1.0-py3-none-any.whl 200 " "$2"' _ "$out" "$pdir/server.log"
ok perimeter/no-secret-anywhere "the password is in the output or the home: $(grep -nF "$ppw" <<<"$out" | head -n 3)" \
	bash -c '! grep -qF "$2" <<<"$1" && grep -q "^home files holding the password: 0$" <<<"$1"' _ "$out" "$ppw"
out=$(perimeter_run noca-confd)
ok perimeter/no-ca-clear-error "got: $(grep -i error <<<"$out" | head -n 2)" \
	bash -c 'grep -q "^create exit 1$" <<<"$1" && grep -q "certificate is not trusted" <<<"$1" &&
		grep -q "^pip exit 1$" <<<"$1" && grep -q "CERTIFICATE_VERIFY_FAILED" <<<"$1"' _ "$out"
pwrong="wrong-pw-$tok"
printf '{"127.0.0.1:%s": {"BasicHTTP": {"username": "ann", "password": "%s"}}}\n' "$pport" "$pwrong" >"$pdir/secrets/auth.json"
printf '%s\n' "$pwrong" >"$pdir/pip/password"
out=$(perimeter_run confd)
ok perimeter/wrong-password-401 "got: $(grep -i error <<<"$out" | head -n 2)" \
	bash -c 'grep -q "^create exit 1$" <<<"$1" && grep -q "HTTP 401: credentials tried: the authentication file.s user and password" <<<"$1" &&
		grep -q "^pip exit 1$" <<<"$1" && grep -q "401" <<<"$1" && ! grep -qF "$2" <<<"$1"' _ "$out" "$pwrong"
kill "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
exec {pfd}<&-
server_pid=

# ---- what users type (issue 12): conda activate in the image's terminals -------------
# As the notebook user: `mamba create` from the demo channel, then a real
# interactive bash under script(1) (a tty; /etc/bash.bashrc gives the hook,
# nothing activated by itself) runs `conda activate m`: `which python` is the
# environment's, an activate.d variable is set, and `conda deactivate` gives
# back the environment byte for byte.  The same in a login bash (bash -l,
# through /etc/profile).  An unknown subcommand: one line, exit 2.
cat >"$tmp/shell-session.sh" <<'EOS'
echo "before: CONDA_SHLVL=${CONDA_SHLVL-unset} type=$(type -t conda)"
env -0 | sort -z >/tmp/before
conda activate m || echo "activate failed"
echo "which python: $(command -v python)"
echo "activate.d: ${NBK_PKG_HOME-unset} prompt: ${CONDA_PROMPT_MODIFIER-}"
conda deactivate
env -0 | sort -z >/tmp/after
cmp -s /tmp/before /tmp/after && echo "restored byte for byte" ||
	{ echo "environment differs:"; diff <(tr '\0' '\n' </tmp/before) <(tr '\0' '\n' </tmp/after) | head -n 5; }
EOS
out=$(dk 180 run --rm --network none --label "nbkit-test=$ID" -v "$(newvol shell):/home/jovyan" "${chan[@]}" \
	-v "$tmp/shell-session.sh:/tmp/session.sh:ro" "$IMG" bash -c '
		mamba create -y -q -n m --override-channels -c file:///opt/nbkit/demo-channel python >/tmp/create.out 2>&1
		echo "mamba create: $?"
		mkdir -p "$HOME/.conda/envs/m/etc/conda/activate.d" "$HOME/.conda/envs/m/etc/conda/deactivate.d"
		echo "export NBK_PKG_HOME=\"\$CONDA_PREFIX/lib/pkg\"" >"$HOME/.conda/envs/m/etc/conda/activate.d/pkg.sh"
		echo "unset NBK_PKG_HOME" >"$HOME/.conda/envs/m/etc/conda/deactivate.d/pkg.sh"
		conda env list | grep -c "/envs/m\$" | sed "s/^/conda env list, m: /"
		conda frobnicate 2>/tmp/err; echo "unknown: $? $(wc -l </tmp/err)"
		echo "== interactive"
		script -qec "bash -i /tmp/session.sh" /dev/null </dev/null | tr -d "\r"
		echo "== login"
		script -qec "bash -l -i /tmp/session.sh" /dev/null </dev/null | tr -d "\r"' 2>&1)
echo "$out" | sed 's/^/images: shell: /' | head -n 30
for kind in interactive login; do
	part=$(sed -n "/^== $kind\$/,/^== /p" <<<"$out")
	ok "shell/conda-activate-$kind-bash" "got: $(tr '\n' '|' <<<"$part")" bash -c '
		grep -q "^before: CONDA_SHLVL=unset type=function$" <<<"$1" &&
		grep -q "^which python: /home/jovyan/.conda/envs/m/bin/python$" <<<"$1" &&
		grep -q "^activate.d: /home/jovyan/.conda/envs/m/lib/pkg prompt: (m) $" <<<"$1" &&
		grep -q "^restored byte for byte$" <<<"$1"' _ "$part"
done
ok shell/names-mamba-create-conda-env-list "got: $(head -n 2 <<<"$out" | tr '\n' '|')" bash -c '
	grep -q "^mamba create: 0$" <<<"$1" && grep -q "^conda env list, m: 1$" <<<"$1"' _ "$out"
ok shell/unknown-subcommand-exit-2 "got: $(grep "^unknown" <<<"$out")" grep -q "^unknown: 2 1$" <<<"$out"

# ---- shared team environments (issue 12) ---------------------------------------------
# The team's administrators make an environment with the image's envtool in
# the team's volume; mounted read-only where groupspawner mounts a team's
# claim (/mnt/teams/GROUP/envs), the image's bootstrap.yaml lists it
# (shared_dirs: /mnt/teams/*/envs): as the notebook user its kernel is
# there, an install into it is refused with the line that says how to get a
# copy, and create --clone makes one.
mkdir -p "$tmp/teams"
dk 120 run --rm --network none --label "nbkit-test=$ID" -u 0 --entrypoint envtool -v "$tmp/teams:/mnt/teams" "${chan[@]}" "$IMG" \
	create -y -q --no-kernel -p /mnt/teams/risk/envs/ml --override-channels -c file:///opt/nbkit/demo-channel python ipykernel \
	>"$tmp/team-create.log" 2>&1
out=$(dk 180 run --rm --network none --label "nbkit-test=$ID" -v "$(newvol shared):/home/jovyan" "${chan[@]}" \
	-v "$tmp/teams:/mnt/teams:ro" "$IMG" bash -c '
		echo "CONDA_ENVS_DIRS=$CONDA_ENVS_DIRS"
		echo "JUPYTER_PATH=$JUPYTER_PATH"
		# what the notebook server sees (jupyter_client; the image has no jupyter-kernelspec)
		python3 -c "from jupyter_client.kernelspec import KernelSpecManager as M
for k, d in sorted(M().find_kernel_specs().items()): print(\"kernelspec:\", k, d)
s = M().get_kernel_spec(\"team-risk-ml\"); print(\"display:\", s.display_name)" 2>&1
		envtool install -n ml -y -q --override-channels -c file:///opt/nbkit/demo-channel ipykernel 2>&1
		echo "install into it: exit $?"
		envtool create --clone ml -n mine -y -q; echo "clone: exit $?"
		"$HOME/.conda/envs/mine/bin/python" -c "import sys; print(\"the copy runs:\", sys.prefix)"' 2>&1)
echo "$out" | grep -v "^bootstrap:" | sed 's/^/images: shared: /'
ok shared/kernel-appears "got: $(grep -i kernel <<<"$out" | head -n 2) $(tail -n 2 "$tmp/team-create.log")" \
	bash -c 'grep -q "^kernelspec: team-risk-ml /run/nbkit/jupyter/kernels/team-risk-ml$" <<<"$1" &&
		grep -q "^display: Python (ml, team risk)$" <<<"$1"' _ "$out"
ok shared/install-refused "got: $(grep -e "read-only" -e "^install" <<<"$out")" bash -c '
	grep -q "^install into it: exit 1$" <<<"$1" && grep -q "is read-only here (a shared environment?): make your own copy with .envtool create --clone" <<<"$1"' _ "$out"
ok shared/clone-works "got: $(grep -e "^clone" -e "copy runs" <<<"$out")" bash -c '
	grep -q "^clone: exit 0$" <<<"$1" && grep -q "^the copy runs: /home/jovyan/.conda/envs/mine$" <<<"$1"' _ "$out"

echo "images: $((SECONDS)) s in all"
finish
[ "$failed" -eq 0 ]
