# SPDX-License-Identifier: Apache-2.0
# Each command accepts the options it declares (issue 10): any other one is
# a usage error (exit 2) in one line naming the command and the option, and
# nothing runs; `envtool COMMAND --help` (and -h) lists the command's options
# and exits 0.  One table: the options of each command.  "--OPT ARG --help"
# probes an option without running anything (--help stops at once), so an
# option a command wrongly accepts shows as exit 0.
set -u
export HOME=$PWD/home
mkdir -p "$HOME"
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# every option a command may declare, as "long[=]:short" ("=": it takes an argument)
all_opts="channel=:c override-channels: platform=: subdir=: offline: name=:n prefix=:p file=:f
	dry-run: json: yes:y all: no-kernel: explicit: tarballs: index: packages:"
# every command takes these
common="root-prefix=:r rc-file=: no-rc: verbose:v quiet:q help:h"
chan="channel= override-channels platform= subdir= offline"
declare -A own=(
	[search]="$chan json"
	[info]="$chan json"
	[create]="name= prefix= file= $chan dry-run json yes no-kernel"
	[install]="name= prefix= $chan dry-run json yes no-kernel"
	[update]="name= prefix= all $chan dry-run json yes no-kernel"
	[remove]="name= prefix= all dry-run json yes"
	[list]="name= prefix= json"
	[env]="name= prefix= json explicit"
	[run]="name= prefix="
	[clean]="all tarballs index packages dry-run"
	[kernel]="name= prefix="
)
commands="search info create install update remove list env run clean kernel"

# probe CMD OPTION(with "=" when it takes an argument) EXPECTED_EXIT
probe() {
	local cmd=$1 opt=${2%=} want=$3 shown args out rc
	case $opt in -?) shown=$opt ;; *) shown=--$opt ;; esac
	args=("$shown")
	case $2 in *=) args+=(x) ;; esac
	[ "$shown" = --help ] || [ "$shown" = -h ] || args+=(--help)
	out=$(envtool "$cmd" "${args[@]}" 2>err.txt)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$cmd $shown: exit $rc, not $want ($(head -c 200 err.txt))"
	elif [ "$want" -eq 2 ]; then
		[ "$(cat err.txt)" = "envtool $cmd: unknown option '$shown' (see envtool $cmd --help)" ] ||
			fail "$cmd $shown: message '$(cat err.txt)'"
		[ -z "$out" ] || fail "$cmd $shown: printed '$out'"
	else
		[ ! -s err.txt ] || fail "$cmd $shown: stderr '$(cat err.txt)'"
		printf '%s\n' "$out" | grep -q "^usage: envtool $cmd" || fail "$cmd $shown: no usage"
	fi
}

for cmd in $commands; do
	n_own=0 n_foreign=0
	for spec in $all_opts $common; do
		long=${spec%%:*} short=${spec#*:}
		accepted=0
		for o in ${own[$cmd]} $common; do
			o=${o%%:*}
			[ "$o" = "$long" ] && accepted=1
		done
		if [ $accepted = 1 ]; then
			probe "$cmd" "$long" 0
			[ -n "$short" ] && probe "$cmd" "-$short${long//[!=]/}" 0
			n_own=$((n_own + 1))
			# --help lists it, one line each
			envtool "$cmd" --help | grep -Eq -- "^ +(-., )?--${long%=}[ ,]|, --${long%=}( |$)" ||
				fail "$cmd --help does not list --${long%=}"
		else
			probe "$cmd" "$long" 2
			[ -n "$short" ] && probe "$cmd" "-$short${long//[!=]/}" 2
			n_foreign=$((n_foreign + 1))
		fi
	done
	echo "ok: $cmd: $n_own options accepted and listed by --help, $n_foreign refused"
done

# the repro of issue 10: exit 2, the first foreign option named, nothing else
envtool list --tarballs --explicit --no-kernel > out.txt 2> err.txt
rc=$?
[ $rc -eq 2 ] && [ ! -s out.txt ] &&
	[ "$(cat err.txt)" = "envtool list: unknown option '--tarballs' (see envtool list --help)" ] &&
	echo "ok: list --tarballs --explicit --no-kernel: exit 2, '--tarballs' named" ||
	fail "list --tarballs: exit $rc, '$(cat err.txt)'"
# a foreign option after a good one, as --opt=value, and bundled short ones
envtool search numpy --json --all=1 > json.out 2> err.txt
[ $? -eq 2 ] && grep -q "^envtool search: unknown option '--all' " err.txt &&
	/usr/bin/python3 -c 'import json, sys; d = json.load(open("json.out")); assert d["error"]["kind"] == "usage" and not d["success"], d' &&
	echo "ok: search --all=1 refused (with --json: one usage object on stdout)" || fail "search --all=1: '$(cat err.txt)'"
envtool clean -qy 2> err.txt
[ $? -eq 2 ] && grep -q "^envtool clean: unknown option '-y' " err.txt &&
	echo "ok: clean -qy refused (-y)" || fail "clean -qy: '$(cat err.txt)'"
# run: options end at its command, whose own options stay its own
envtool run -n nowhere --json 2> err.txt
[ $? -eq 2 ] && grep -q "^envtool run: unknown option '--json' " err.txt &&
	echo "ok: run -n x --json refused" || fail "run --json: '$(cat err.txt)'"
envtool run -n nowhere sh -c 'exit 0' --json 2> err.txt
[ $? -eq 1 ] && grep -q "nowhere" err.txt &&
	echo "ok: run -n x CMD --json: CMD's option, not run's" || fail "run CMD --json: '$(cat err.txt)'"
# a missing argument and an argument to a flag: one line each, exit 2
envtool list -n 2> err.txt
[ $? -eq 2 ] && [ "$(cat err.txt)" = "envtool list: option '-n' needs an argument (see envtool list --help)" ] &&
	echo "ok: list -n without NAME" || fail "list -n: '$(cat err.txt)'"
envtool list --json=yes 2> err.txt
[ $? -eq 2 ] && [ "$(cat err.txt)" = "envtool list: option '--json' takes no argument (see envtool list --help)" ] &&
	echo "ok: list --json=yes" || fail "list --json=yes: '$(cat err.txt)'"
envtool create --p x 2> err.txt
[ $? -eq 2 ] && [ "$(cat err.txt)" = "envtool create: ambiguous option '--p' (see envtool create --help)" ] &&
	echo "ok: create --p: ambiguous" || fail "create --p: '$(cat err.txt)'"

# envtool --help: every command, and where the options are
envtool --help > help.txt
rc=$?
missing=
for cmd in $commands; do grep -q "^  $cmd " help.txt || missing="$missing $cmd"; done
[ $rc -eq 0 ] && [ -z "$missing" ] && grep -q "envtool COMMAND --help" help.txt &&
	echo "ok: envtool --help lists the commands" || fail "envtool --help: exit $rc, missing:$missing"
exit $failed
