# requires-root
# Issue 14: where the shared shell cannot be had, each sourced hook gets a
# shell of its own, with the same results: bash older than 5.0 (no
# BASH_ARGV0 to give each hook its $0; faked here through BASH_ENV, which
# bash reads before anything of ours) and an image without bash (hidden
# here in a mount namespace: /bin/sh, dash, sources the hooks).  Exports,
# changes and unsets reach later hooks and the command, $0 is the hook's
# path, `exit 4` fails the hook and keeps its exports.
. "$NBK_SRC/tests/bootstrap/sv-lib.bash"
mkdir -p d
printf 'export A=1 GONE=x\necho "10: 0=${0##*/}" >> seen\n' > d/10-a.sh
printf 'echo "20: A=$A" >> seen\nexport B=2\nexit 4\n' > d/20-exits.sh
printf 'unset GONE\nexport C="$A,$B"\n' > d/30-c.sh
CFG_HOOK_DIRS="$PWD/d" write_config cfg.yaml
run() {
	rm -f seen
	"$@" -vvv -c cfg.yaml -- sh -c 'echo "A=$A B=$B C=$C GONE=${GONE-unset}"' 2>err
	echo "bootstrap: $?"
	cat seen
	echo "one shell per hook: $(grep -c "debug: hooks: started '.*' (pid [0-9]*) to source hooks, one per shell$" err)"
	grep -q "warning: hooks: '$PWD/d/20-exits.sh' failed: exited with status 4" err || fail "$(cat err)"
}
echo "== bash 4.4"
echo 'BASH_VERSION=4.4.20' > old-bash.env
BASH_ENV=$PWD/old-bash.env run bootstrap
echo "== no bash"
: > no-bash
export BS=$(command -v bootstrap)
run unshare --mount sh -c 'mount --bind no-bash /usr/bin/bash && mount --bind no-bash /bin/bash && exec "$BS" "$@"' sh
grep -q "started '/bin/sh'" err || fail "$(cat err)"
