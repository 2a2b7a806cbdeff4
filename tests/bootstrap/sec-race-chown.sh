# requires-root
# timeout: 600
# Issue 9, "mkdir then chown by name": bootstrap made ~/.conda/envs as root,
# then set its owner and mode by name; the user swaps the new folder for a
# link to /etc/shadow in between, and root gives /etc/shadow to the user
# (won after 98 and 429 starts).  1,000 starts against a racing user
# process: the root-only target keeps its owner, mode and content after
# every one, and every start runs the command.
. "$NBK_SRC/tests/bootstrap/sec-lib.bash"
root_only shadow 'root:$6$secret:19000:0:99999:7:::'
fresh_home
mkdir home/.conda
chown $SEC_UID:$SEC_GID home/.conda
config cfg.yaml 'home: {skeleton: "", directories: []}' 'envs: {root: "~/.conda", condarc: ""}' \
	'hooks: {dirs: [], user_dirs: []}'
start_racer swap-dir "$PWD/home/.conda/envs" "$PWD/shadow"
/usr/bin/python3 "$NBK_SRC/tests/bootstrap/lib/starts.py" 1000 owner:shadow --reset home/.conda/envs --reset home/.conda/pkgs -- \
	bootstrap -q -c cfg.yaml -- echo started
stop_racer
echo "target: $(stat -c '%u:%g %a' shadow)"
