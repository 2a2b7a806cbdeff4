#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# `make demo-bootstrap`: run bootstrap on a sample configuration in a scratch folder
# and show what it does: the plan (--check), the command's environment
# (--print-env, secrets as ***), then a real start with a sourced hook, a
# secret read from a file and a command supervised to its end.
# (`make demo` starts the notebook image; this is `make demo-bootstrap`.)
set -eu
BUILD=${BUILD:-build}
BOOTSTRAP=$(cd "$(dirname "$0")/.." && pwd)/$BUILD/bin/bootstrap
demo=$(mktemp -d /tmp/nbkit-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT

mkdir -p "$demo/hooks" "$demo/secrets" "$demo/conf.d" "$demo/skel"
printf 'alias ll="ls -l"\n' > "$demo/skel/.bash_aliases"
printf 'minio-secret-value\n' > "$demo/secrets/s3-secret-key"
printf 'demo-access-key\n' > "$demo/secrets/s3-access-key"
cat > "$demo/hooks/10-team.sh" <<'HOOK'
# a sourced hook: its export reaches the command
export TEAM_BUCKET=s3://risk-models
HOOK
# As root, the demo drops to nobody (65534) the way a pod drops to jovyan;
# the secret files stay readable by root only, read before the drop.
if [ "$(id -u)" -eq 0 ]; then
	user="name: nobody, uid: 65534, gid: 65534"
	chmod 0400 "$demo/secrets/"*
	chmod 0755 "$demo"
else
	user="name: $(id -un), uid: $(id -u), gid: $(id -g)"
fi
cat > "$demo/bootstrap.yaml" <<YAML
user: {$user, home: $demo/home}
home: {skeleton: $demo/skel, directories: [.local/share/jupyter/kernels]}
envs: {channels: [https://mirror.example/conda-forge]}
integrations:
  mlflow: {tracking_uri: http://mlflow.mlops.svc:5000, experiment_name: demo}
  s3: {endpoint: http://minio.mlops.svc:9000, region: eu-west-1,
       access_key_file: $demo/secrets/s3-access-key, secret_key_file: $demo/secrets/s3-secret-key}
hooks: {dirs: [$demo/hooks], user_dirs: []}
command: {default: [sh, -c, 'echo "notebook server would start here, as \$(id -un) (uid \$(id -u)): OMP_NUM_THREADS=\$OMP_NUM_THREADS TEAM_BUCKET=\$TEAM_BUCKET"']}
YAML
export BOOTSTRAP_CONFIG_DIR="$demo/conf.d"

echo "== bootstrap --check (the plan)"
"$BOOTSTRAP" -c "$demo/bootstrap.yaml" --check
echo
echo "== bootstrap --print-env (the command's environment; secrets as ***)"
"$BOOTSTRAP" -c "$demo/bootstrap.yaml" --print-env | grep -E '^(AWS_|MLFLOW_|CONDA_|OMP_|MKL_|HOME=)'
echo
echo "== bootstrap -- (a real start on a new home: steps on stderr, the command's output on stdout)"
rm -rf "$demo/home"
"$BOOTSTRAP" -c "$demo/bootstrap.yaml"
echo
echo "== the home it prepared"
(cd "$demo/home" && find . -printf '%u %p\n' | sort -k2)
echo
echo "== ~/.condarc"
cat "$demo/home/.condarc"
