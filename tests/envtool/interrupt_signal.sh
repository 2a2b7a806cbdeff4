# SPDX-License-Identifier: Apache-2.0
# Ctrl-C (issue 12): SIGINT or SIGTERM during create, install and remove
# stops envtool at once with 130 or 143, and right after it (no next run)
# the environment is the old one or the new one, whole: conda-meta and the
# files agree both ways, no journal, no temporary folder, the lock free.
# First at each step of the change (lib/steps.bash: the signal arrives at
# a known step, not at a guessed time): install and remove finish the
# change they journaled, a create that is not renamed in yet leaves
# nothing.  Then at random moments of whole installs and creates (a loop;
# the delay only picks the moment, every check waits on envtool's exit).
# timeout: 240
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
. "$NBK_SRC/tests/envtool/lib/steps.bash"
step_packages
# big: 3,000 files, so that a change lasts long enough for a random
# moment to fall inside it (fetching, extracting, linking)
mkpkg "$(/usr/bin/python3 -c 'import json; print(json.dumps({"name": "big", "version": "1.0",
	"files": {"share/big/f%04d" % i: "x" for i in range(3000)}}))')" > /dev/null
make_real_channel
E=$HOME/.conda/envs
envtool create -n k zlib -c "$CHAN" -q
records() { ls "$1/conda-meta" 2>/dev/null | grep '\.json$' | sed 's/-[^-]*-[^-]*\.json$//' | sort | tr '\n' ' '; }
OLD=$(records "$E/k")
NEW=$(printf '%s\n' $OLD t1 t2 t3 | sort | tr '\n' ' ')
# whole PREFIX: records agree with the files, no journal, the lock free,
# and no temporary folder next to it
whole() {
	meta_consistent "$1" || return 1
	for n in t1 t2 t3; do
		if ! records "$1" | grep -qw "$n"; then
			[ ! -e "$1/bin/$n" ] && [ ! -e "$1/share/$n/a.txt" ] || { echo "$n: files without a record" >&2; return 1; }
		fi
	done
	[ ! -e "$1/conda-meta/.envtool-journal" ] || { echo "a journal is left" >&2; return 1; }
	flock -n "$1/conda-meta/.envtool-lock" true || { echo "the lock is held" >&2; return 1; }
	[ -z "$(ls -A "$(dirname "$1")" | grep envtool-)" ] || { echo "leftovers: $(ls -A "$(dirname "$1")")" >&2; return 1; }
}
# one "signal at step" case: SIG STEP WANT-STATUS ARGS...
ok=1
at_step() {
	local sig=$1 d=$2 want=$3
	shift 3
	signal_at_step "$sig" "$d" "$@" || { ok=0; return; }
	[ "$STEP_STATUS" = "$want" ] || { echo "$* at step $d: exit $STEP_STATUS, not $want ($(tail -n 1 step.err))"; ok=0; }
	grep -q "interrupted" step.err || { echo "$* at step $d: no line says it was interrupted"; ok=0; }
}
for d in 1 2 3 4; do
	at_step INT $d 130 install -n k t1 t2 t3 -c "$CHAN" -q
	[ "$(records "$E/k")" = "$NEW" ] && whole "$E/k" || { echo "install, SIGINT at step $d: $(records "$E/k")"; ok=0; }
	at_step INT $d 130 remove -n k t1 t2 t3 -q
	[ "$(records "$E/k")" = "$OLD" ] && whole "$E/k" || { echo "remove, SIGINT at step $d: $(records "$E/k")"; ok=0; }
done
at_step TERM 2 143 install -n k t1 t2 t3 -c "$CHAN" -q
[ "$(records "$E/k")" = "$NEW" ] && whole "$E/k" || { echo "install, SIGTERM: $(records "$E/k")"; ok=0; }
envtool remove -n k t1 t2 t3 -q
check "install and remove, SIGINT at each step (SIGTERM at one): exit 130/143, the change finished at once" [ $ok = 1 ]

ok=1
for d in 1 2 3 4; do
	at_step INT $d 130 create -n c zlib t1 t2 -c "$CHAN" -q
	[ ! -e "$E/c" ] && [ "$(ls -A "$E" | tr '\n' ' ')" = "k " ] || { echo "create, SIGINT at step $d: $(ls -A "$E")"; ok=0; }
done
check "create, SIGINT at each step: exit 130, nothing left" [ $ok = 1 ]

# random moments: the environment is the old or the new one, whole, right
# after; the caches are emptied each time, so fetching and extracting are
# part of every change
NEW=$(printf '%s\n' $OLD big t1 t2 t3 | sort | tr '\n' ' ')
ok=1
for i in 1 2 3 4 5 6 7 8; do
	envtool clean --all -q
	envtool install -n k big t1 t2 t3 -c "$CHAN" -q >/dev/null 2>rnd.err &
	pid=$!
	sleep "0.$((RANDOM % 60))"
	kill -INT $pid 2>/dev/null
	wait $pid
	st=$?
	r=$(records "$E/k")
	{ [ "$r" = "$OLD" ] || [ "$r" = "$NEW" ]; } && whole "$E/k" ||
		{ echo "install, SIGINT at a random moment ($i): exit $st, $r"; ok=0; }
	echo "random install $i: exit $st" >&2
	case $st in 0 | 130) ;; *) echo "install, SIGINT at a random moment ($i): exit $st: $(cat rnd.err)"; ok=0 ;; esac
	[ "$r" = "$OLD" ] || envtool remove -n k big t1 t2 t3 -q
	envtool clean --all -q
	envtool create -n r zlib big t1 -c "$CHAN" -q >/dev/null 2>rnd.err &
	pid=$!
	sleep "0.$((RANDOM % 60))"
	kill -INT $pid 2>/dev/null
	wait $pid
	st=$?
	echo "random create $i: exit $st" >&2
	if [ -e "$E/r" ]; then
		whole "$E/r" && { [ "$st" = 0 ] || [ "$st" = 130 ]; } || { echo "create, SIGINT at a random moment ($i): exit $st, $(records "$E/r")"; ok=0; }
		envtool remove -n r --all -q
	fi
	[ "$(ls -A "$E" | tr '\n' ' ')" = "k " ] || { echo "create, SIGINT at a random moment ($i): left $(ls -A "$E")"; ok=0; }
done
check "SIGINT at random moments of install and create: old or new, whole, at once" [ $ok = 1 ]
check "zlib untouched throughout" grep -qx "prefix=$E/k" "$E/k/lib/pkgconfig/zlib.pc"
exit $failed
