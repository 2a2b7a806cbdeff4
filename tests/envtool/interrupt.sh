# SPDX-License-Identifier: Apache-2.0
# SIGKILL envtool at each step of an install, a remove and a create: once
# the journal (a create's temporary folder) is made, then after each package
# step.  After each kill, conda-meta claims nothing that is not there (files
# of a package being linked or removed may be there unclaimed), and the next
# run finishes the change: then conda-meta and the files agree both ways.
# The kill waits on an event, not a time: ENVTOOL_TEST_STEP_FDS makes
# envtool write a line at each step boundary and wait for a go
# (lib/steps.bash).
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
. "$NBK_SRC/tests/envtool/lib/steps.bash"
step_packages
make_real_channel
E=$HOME/.conda/envs
envtool create -n k zlib -c "$CHAN" -q
# truthful PREFIX (once no change is half-done): meta_consistent, and no
# file of a package conda-meta does not list
truthful() {
	meta_consistent "$1" || return 1
	for n in t1 t2 t3; do
		if ! ls "$1/conda-meta" | grep -q "^$n-1.0-0.json$"; then
			[ ! -e "$1/bin/$n" ] && [ ! -e "$1/share/$n/a.txt" ] || { echo "$n: files without a record" >&2; return 1; }
		fi
	done
}
# kill_at_step N ARGS...: SIGKILL at the Nth step (lib/steps.bash)
kill_at_step() { signal_at_step KILL "$@" 2>/dev/null; }
ok=1
for d in 1 2 3 4; do
	kill_at_step $d install -n k t1 t2 t3 -c "$CHAN" -q || ok=0
	meta_consistent "$E/k" || { echo "install killed at step $d: conda-meta claims missing files"; ok=0; }
	envtool install -n k t1 t2 t3 -c "$CHAN" -q > /dev/null 2> next.err || { echo "install after step $d: $(cat next.err)"; ok=0; }
	truthful "$E/k" && [ "$("$E/k/bin/t2")" = t2 ] && [ ! -e "$E/k/conda-meta/.envtool-journal" ] ||
		{ echo "install after a kill at step $d: not finished"; ok=0; }
	kill_at_step $d remove -n k t1 t2 t3 -q || ok=0
	meta_consistent "$E/k" || { echo "remove killed at step $d: conda-meta claims missing files"; ok=0; }
	# the next run (here an install of what is there) finishes the remove first
	envtool install -n k zlib -c "$CHAN" -q > /dev/null 2> next.err || { echo "after remove step $d: $(cat next.err)"; ok=0; }
	truthful "$E/k" && [ ! -e "$E/k/conda-meta/.envtool-journal" ] || { echo "remove after a kill at step $d: not finished"; ok=0; }
	left=$(ls "$E/k/conda-meta" | grep -c '^t[123]-')
	[ "$left" = 0 ] || envtool remove -n k t1 t2 t3 -q > /dev/null 2>&1 || true
	[ -z "$(ls "$E/k/conda-meta" | grep '^t[123]-')" ] || { echo "remove after step $d: t* left"; ok=0; }
done
check "install and remove killed at each of their 4 steps: truthful, then finished" [ $ok = 1 ]
check "zlib untouched throughout" grep -qx "prefix=$E/k" "$E/k/lib/pkgconfig/zlib.pc"

ok=1
for d in 1 2 3 4; do
	kill_at_step $d create -n c zlib t1 t2 -c "$CHAN" -q || ok=0
	[ ! -e "$E/c" ] || { echo "create killed at step $d: a half environment"; ok=0; }
	envtool create -n c zlib t1 t2 -c "$CHAN" -q -y > /dev/null 2> next.err || { echo "create after step $d: $(cat next.err)"; ok=0; }
	truthful "$E/c" && [ "$(ls -A "$E" | sort | tr '\n' ' ')" = "c k " ] || { echo "create after a kill at step $d: leftovers: $(ls -A "$E")"; ok=0; }
	envtool remove -n c --all -q > /dev/null 2>&1
done
check "create killed at each of its 4 steps: nothing half-made, the next create cleans up" [ $ok = 1 ]
exit $failed
