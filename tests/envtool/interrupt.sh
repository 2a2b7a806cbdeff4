# SPDX-License-Identifier: Apache-2.0
# SIGKILL envtool at several moments of an install, a remove and a create
# (ENVTOOL_TEST_PAUSE_MS slows each package step); after each, conda-meta
# claims nothing that is not there (files of a package being linked or
# removed may be there unclaimed), and the next run finishes the change:
# then conda-meta and the files agree both ways.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
for n in t1 t2 t3; do
	mkpkg '{"name": "'$n'", "version": "1.0", "build": "0",
		"files": {"bin/'$n'": {"text": "#!/bin/sh\necho '$n'\n", "mode": 493}, "share/'$n'/a.txt": "a", "share/'$n'/b.txt": "b"}}' > /dev/null
done
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
ok=1
for d in 0.05 0.2 0.35 0.5; do
	ENVTOOL_TEST_PAUSE_MS=150 envtool install -n k t1 t2 t3 -c "$CHAN" -q > /dev/null 2>&1 &
	pid=$!; sleep $d; kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
	meta_consistent "$E/k" || { echo "install killed at $d s: conda-meta claims missing files"; ok=0; }
	envtool install -n k t1 t2 t3 -c "$CHAN" -q > /dev/null 2> next.err || { echo "install after $d s: $(cat next.err)"; ok=0; }
	truthful "$E/k" && [ "$("$E/k/bin/t2")" = t2 ] && [ ! -e "$E/k/conda-meta/.envtool-journal" ] ||
		{ echo "install after a kill at $d s: not finished"; ok=0; }
	ENVTOOL_TEST_PAUSE_MS=150 envtool remove -n k t1 t2 t3 -q > /dev/null 2>&1 &
	pid=$!; sleep $d; kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
	meta_consistent "$E/k" || { echo "remove killed at $d s: conda-meta claims missing files"; ok=0; }
	# the next run (here an install of what is there) finishes the remove first
	envtool install -n k zlib -c "$CHAN" -q > /dev/null 2> next.err || { echo "after remove $d s: $(cat next.err)"; ok=0; }
	truthful "$E/k" && [ ! -e "$E/k/conda-meta/.envtool-journal" ] || { echo "remove after a kill at $d s: not finished"; ok=0; }
	left=$(ls "$E/k/conda-meta" | grep -c '^t[123]-')
	[ "$left" = 0 ] || envtool remove -n k t1 t2 t3 -q > /dev/null 2>&1 || true
	[ -z "$(ls "$E/k/conda-meta" | grep '^t[123]-')" ] || { echo "remove after $d s: t* left"; ok=0; }
done
check "install and remove killed at 4 moments: truthful, then finished" [ $ok = 1 ]
check "zlib untouched throughout" grep -qx "prefix=$E/k" "$E/k/lib/pkgconfig/zlib.pc"

ok=1
for d in 0.05 0.25; do
	ENVTOOL_TEST_PAUSE_MS=150 envtool create -n c zlib t1 t2 -c "$CHAN" -q > /dev/null 2>&1 &
	pid=$!; sleep $d; kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
	[ ! -e "$E/c" ] || { echo "create killed at $d s: a half environment"; ok=0; }
	envtool create -n c zlib t1 t2 -c "$CHAN" -q -y > /dev/null 2> next.err || { echo "create after $d s: $(cat next.err)"; ok=0; }
	truthful "$E/c" && [ "$(ls -A "$E" | sort | tr '\n' ' ')" = "c k " ] || { echo "create after a kill at $d s: leftovers: $(ls -A "$E")"; ok=0; }
	envtool remove -n c --all -q > /dev/null 2>&1
done
check "create killed at 2 moments: nothing half-made, the next create cleans up" [ $ok = 1 ]
exit $failed
