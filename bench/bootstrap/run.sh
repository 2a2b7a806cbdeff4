#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bootstrap's benchmarks (issue 2), medians of repeated runs:
#   1. start overhead: `bootstrap -- true` against `true` alone, default
#      configuration but for the user (the current one, home in a scratch
#      folder: the default jovyan would add a passwd entry to this machine)
#      and empty hook folders; target: under 5 ms added;
#   2. ten trivial sourced hooks: bootstrap against a bash baseline that
#      sources the same files in a loop the way docker-stacks' run-hooks.sh
#      does, then execs the command; the ratio is reported;
#   3. resident memory of bootstrap while it supervises `sleep`: VmRSS (and
#      VmHWM, the peak during the steps) from /proc; target: VmRSS < 2 MB.
# hyperfine is used when installed (scripts/deps/bootstrap-tests.txt), else
# a loop of our own.  Figures are printed and written to
# bench/out/bootstrap.txt.
#
#   BUILD=build bench/bootstrap/run.sh        (or: make bench)
#   RUNS=500 bench/bootstrap/run.sh           more runs
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
BUILD=${BUILD:-build}
BS=$SRC/$BUILD/bin/bootstrap
RUNS=${RUNS:-300}
OUT=$SRC/bench/out/bootstrap.txt
[ -x "$BS" ] || { echo "no $BS: run make first" >&2; exit 1; }
mkdir -p "$SRC/bench/out"

WORK=$(mktemp -d /tmp/nbk-bench-bootstrap.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
mkdir -p conf.d hooks-none hooks-ten home
unset NB_USER NB_UID NB_GID NB_UMASK JUPYTERHUB_API_TOKEN BOOTSTRAP_CONFIG \
	BOOTSTRAP_VERBOSITY BOOTSTRAP_LOG_FORMAT
export BOOTSTRAP_CONFIG_DIR=$WORK/conf.d
for i in 01 02 03 04 05 06 07 08 09 10; do
	printf 'export NBK_BENCH_HOOK_%s=1\n' "$i" >"hooks-ten/$i-trivial.sh"
done
config() { # FILE HOOK_DIR
	cat >"$1" <<YAML
user:
  name: $(id -un)
  uid: $(id -u)
  gid: $(id -g)
  home: $WORK/home
hooks:
  dirs: [$WORK/$2]
  user_dirs: []
YAML
}
config none.yaml hooks-none
config ten.yaml hooks-ten
# docker-stacks' run-hooks.sh, reduced to what it does per file (its echo
# lines included, to stderr here), then the exec of the command.
cat >run-hooks.sh <<'SH'
#!/bin/bash
echo "Running hooks in: $1 as uid: $(id -u) gid: $(id -g)" >&2
for f in "$1/"*; do
	case "$f" in
	*.sh)
		echo "Sourcing shell script: $f" >&2
		source "$f" || echo "$f has failed, continuing execution" >&2
		;;
	*)
		if [ -x "$f" ]; then
			echo "Running executable: $f" >&2
			"$f" || echo "$f has failed, continuing execution" >&2
		else
			echo "Ignoring non-executable: $f" >&2
		fi
		;;
	esac
done
echo "Done running hooks in: $1" >&2
shift
exec "$@"
SH
chmod 755 run-hooks.sh

# Sanity: both ways the hooks' exports reach the command.
got=$("$BS" -q -c ten.yaml -- sh -c 'echo $NBK_BENCH_HOOK_10')
[ "$got" = 1 ] || { echo "bootstrap did not run the hooks" >&2; exit 1; }
got=$(./run-hooks.sh "$WORK/hooks-ten" sh -c 'echo $NBK_BENCH_HOOK_10' 2>/dev/null)
[ "$got" = 1 ] || { echo "the baseline did not run the hooks" >&2; exit 1; }

# median_ms NAME COMMAND...: median wall time in ms (3 decimals)
median_ms() {
	local name=$1
	shift
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N -w 20 -r "$RUNS" --export-json "$name.json" "$*" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$name.json"
	else
		python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
for _ in range(20):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t = []
for _ in range(runs):
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append(time.perf_counter() - s)
print("%.3f" % (statistics.median(t) * 1000))
PY
	fi
}

tool=$(command -v hyperfine >/dev/null 2>&1 && hyperfine --version || echo "own loop (python3)")
true_ms=$(median_ms true /bin/true)
bs_ms=$(median_ms bs "$BS" -q -c "$WORK/none.yaml" -- /bin/true)
added=$(python3 -c "print('%.3f' % ($bs_ms - $true_ms))")

hooks_bs=$(median_ms hooks_bs "$BS" -q -c "$WORK/ten.yaml" -- /bin/true)
hooks_sh=$(median_ms hooks_sh "$WORK/run-hooks.sh" "$WORK/hooks-ten" /bin/true)
ratio=$(python3 -c "print('%.2f' % ($hooks_bs / $hooks_sh))")

# Resident memory while supervising: five starts, medians.
rss=()
hwm=()
for i in 1 2 3 4 5; do
	"$BS" -q -c none.yaml -- sleep 30 &
	pid=$!
	for _ in $(seq 200); do
		[ -n "$(cat "/proc/$pid/task/$pid/children" 2>/dev/null)" ] && break
		sleep 0.01
	done
	sleep 0.2 # past malloc_trim, settled in sigwaitinfo
	rss+=("$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")")
	hwm+=("$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")")
	kill -TERM "$pid"
	wait "$pid" || true
done
med() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
rss_kb=$(med "${rss[@]}")
hwm_kb=$(med "${hwm[@]}")

verdict() { python3 -c "print('ok' if $1 else 'OVER TARGET')"; }
{
	echo "bootstrap benchmarks ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $tool, $RUNS runs, medians)"
	echo "start overhead: true ${true_ms} ms, bootstrap -- true ${bs_ms} ms: +${added} ms added (target < 5 ms: $(verdict "$added < 5"))"
	echo "ten sourced hooks: bootstrap ${hooks_bs} ms, bash run-hooks.sh loop ${hooks_sh} ms: ratio ${ratio}"
	echo "memory while supervising: VmRSS ${rss_kb} kB, VmHWM ${hwm_kb} kB (target VmRSS < 2048 kB: $(verdict "$rss_kb < 2048"))"
} | tee "$OUT"
