# requires-root
# Issue 9, "supervise.unset_env comes too late": the user's own hooks (in the
# home) ran before it and saw the token meant for bootstrap's root phase.
# The root-phase hook still sees it; the user's hook and the command don't.
. "$NBK_SRC/tests/bootstrap/sec-lib.bash"
mkdir -p roothooks
printf 'echo "root hook sees: ${BOOT_ONLY_TOKEN:-nothing}" >>"$OUT"\n' >roothooks/10-root.sh
fresh_home
as_user mkdir -p home/.config/bootstrap/before-start.d
as_user sh -c 'printf "echo \"user hook sees: \${BOOT_ONLY_TOKEN:-nothing}\" >>\"\$OUT\"\n" \
	>home/.config/bootstrap/before-start.d/10-user.sh'
: >out
chown $SEC_UID:$SEC_GID out
config cfg.yaml 'home: {skeleton: "", directories: []}' 'envs: {root: "~/.conda", condarc: ""}' \
	"hooks: {dirs: [$PWD/roothooks], user_dirs: [\"~/.config/bootstrap/before-start.d\"]}" \
	'supervise: {unset_env: [BOOT_ONLY_TOKEN]}'
OUT=$PWD/out BOOT_ONLY_TOKEN=s3cr3t-for-root bootstrap -q -c cfg.yaml -- \
	sh -c 'echo "command sees: ${BOOT_ONLY_TOKEN:-nothing}" >>"$OUT"'
echo "exit=$?"
cat out
