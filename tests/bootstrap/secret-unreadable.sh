# An unreadable secret file (missing, a folder, a bad env_file line): one
# clear line naming the key and the file, never a value; exit 1; the
# command never started and the home never touched.
set -u
mkdir conf.d secrets secrets/folder
printf 'Pw-unused-1234\n' > secrets/password
printf 'GOOD=ok\nTOKEN=Tk-bad line"\nthis line has no equals sign Sec-999\n' > secrets/bad.env
BS=$(command -v bootstrap)
run() { env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "$@"; }
try() { # label, integrations YAML
	cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
threads: {mode: "off"}
integrations: $2
YAML
	run "$BS" -vvv -c cfg.yaml -- sh -c 'echo command started' 2> err
	echo "$1: exit=$?"
	grep -E 'error' err | sed "s|$PWD|.|g"
	grep -c -E 'Pw-unused|Tk-bad|Sec-999' err
	run "$BS" -c cfg.yaml --print-env > /dev/null 2>&1
	echo "$1: print-env exit=$?"
}
try missing "{mlflow: {password_file: $PWD/secrets/password, token_file: $PWD/secrets/missing}}"
try folder "{s3: {secret_key_file: $PWD/secrets/folder}}"
try env-file-missing "{env_files: [$PWD/secrets/missing.env]}"
try env-file-bad "{env_files: [$PWD/secrets/bad.env]}"
test -e home && echo "home touched" || echo "home untouched"
