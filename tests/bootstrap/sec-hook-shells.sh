# requires-root
# Issue 14: the root phase's hooks share a shell, and so do the user's, but
# never one another's: the root phase's shell is gone (killed and reaped)
# before the privilege drop, and the user's hooks run in a shell of the
# user's (uid, gid), started after it.  The user's two hooks share it.
. "$NBK_SRC/tests/bootstrap/sec-lib.bash"
mkdir -p roothooks
printf 'echo "root $$ $(id -u)" >>"$OUT"\n' >roothooks/10-root.sh
printf 'echo "root $$ $(id -u)" >>"$OUT"\n' >roothooks/20-root.sh
fresh_home
as_user mkdir -p home/.config/bootstrap/before-start.d
for n in 10 20; do
	as_user sh -c "printf '%s\n' 'r=\$(sed -n \"s/^root \\([0-9]*\\) .*/\\1/p\" \"\$OUT\" | head -n 1)' \
		'[ -e /proc/\$r ] && state=alive || state=gone' \
		'echo \"user \$\$ \$(id -u):\$(id -g) root-shell-\$state\" >>\"\$OUT\"' \
		>home/.config/bootstrap/before-start.d/$n-user.sh"
done
: >out
chown $SEC_UID:$SEC_GID out
config cfg.yaml 'home: {skeleton: "", directories: []}' 'envs: {root: "~/.conda", condarc: ""}' \
	"hooks: {dirs: [$PWD/roothooks], user_dirs: [\"~/.config/bootstrap/before-start.d\"]}"
OUT=$PWD/out bootstrap -q -c cfg.yaml -- true
echo "exit=$?"
# the pids differ from run to run: say only which lines share a shell
awk '{ if (!($2 in id)) id[$2] = ++n; $2 = "shell" id[$2]; print }' out
