# requires-root
# timeout: 600
# Issue 9, "check then open": bootstrap checked that ~/.condarc is a plain
# file, then opened it by name; the user swaps in a link to a root-only
# YAML file in between, and root merges that file into the user's .condarc
# (won after 19 starts).  1,000 starts against a racing user process: the
# root-only text never reaches anything the user can read, and every start
# runs the command.
. "$NBK_SRC/tests/bootstrap/sec-lib.bash"
root_only secret.yaml 'aws_secret: TOPSECRET-4711'
fresh_home
config cfg.yaml 'home: {skeleton: "", directories: []}' 'envs: {root: "~/.conda", condarc: "~/.condarc"}' \
	'hooks: {dirs: [], user_dirs: []}'
start_racer flip-file "$PWD/home/.condarc" "$PWD/secret.yaml"
/usr/bin/python3 "$NBK_SRC/tests/bootstrap/lib/starts.py" 1000 absent:TOPSECRET:home -- \
	bootstrap -q -c cfg.yaml -- echo started
stop_racer
echo "secret: $(stat -c '%u:%g %a' secret.yaml)"
