# SPDX-License-Identifier: Apache-2.0
# Sourced by the interrupt cases: signal envtool at an exact step of a
# change, not at a guessed time.  ENVTOOL_TEST_STEP_FDS=W,R makes envtool
# write "step" to fd W at each step boundary (the journal or a create's
# temporary folder made, then after each package) and wait there for a
# byte on fd R (libconda/transaction.c, test_step()).
mkfifo steps go

# step_packages: t1, t2, t3 (a script in bin/ and two files each) built
# for make_real_channel (real_channel.bash)
step_packages() {
	for n in t1 t2 t3; do
		mkpkg '{"name": "'$n'", "version": "1.0", "build": "0",
			"files": {"bin/'$n'": {"text": "#!/bin/sh\necho '$n'\n", "mode": 493}, "share/'$n'/a.txt": "a", "share/'$n'/b.txt": "b"}}' > /dev/null
	done
}

# signal_at_step SIG N ARGS...: run `envtool ARGS`, let it pass N-1 step
# boundaries, send SIG at the Nth (where it waits), then (unless SIG is
# KILL) let it go on to its end.
# STEP_STATUS is envtool's exit status.  Fails when envtool ended before
# its Nth step.
signal_at_step() {
	local sig=$1 n=$2 i pid r=0
	shift 2
	ENVTOOL_TEST_STEP_FDS=5,6 envtool "$@" >step.out 2>step.err 5>steps 6<go &
	pid=$!
	exec 7<steps 8>go
	for ((i = 1; i < n; i++)); do
		read -r _ <&7 || break
		echo >&8
	done
	if read -r _ <&7; then
		kill -"$sig" $pid
		# a signal envtool lives through: let it go on, through every
		# later step, until it closes the pipe by ending (a write to
		# "go" happens only while envtool waits on it)
		if [ "$sig" != KILL ]; then
			echo >&8
			while read -r _ <&7; do echo >&8; done
		fi
	else
		echo "envtool $1 ended before its step $n"
		r=1
	fi
	exec 7<&- 8>&-
	wait $pid
	STEP_STATUS=$?
	return $r
}
