# Secrets read from files (*_file keys and env_files): never on stderr at
# the highest verbosity (text or JSON), shown as *** by --print-env, and
# still the real values in the command's environment.  A variable of
# integrations.env built from a secret is a secret too.
set -u
mkdir conf.d secrets
printf 'mlflow-user-4242\n' > secrets/user
printf 'Pw-9f8e7d6c5b\n' > secrets/password
printf 'AKIA-CLI-7777\n' > secrets/access
printf 'S3-aZ0yX9wV8u\r\n' > secrets/secret
cat > secrets/team.env <<'ENV'
# mounted from a Kubernetes secret
export DB_PASSWORD='Db-3c2b1a'
REPO_URL="https://x:Tok-5e5e@git"
ENV
chmod 0400 secrets/*
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}   # an uid that exists everywhere: no passwd entry is added
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
threads: {mode: "off"}
integrations:
  mlflow:
    tracking_uri: https://mlflow.example
    username_file: $PWD/secrets/user
    password_file: $PWD/secrets/password
  s3:
    endpoint: https://minio.example:9000
    access_key_file: $PWD/secrets/access
    secret_key_file: $PWD/secrets/secret
  env_files: [$PWD/secrets/team.env]
  env: {S3_URL: "https://\${AWS_ACCESS_KEY_ID}:\${AWS_SECRET_ACCESS_KEY}@minio", TEAM: risk}
YAML
BS=$(command -v bootstrap)
run() { env -i PATH=/usr/bin:/bin BOOTSTRAP_CONFIG_DIR=$PWD/conf.d "$@"; }
secrets='mlflow-user-4242|Pw-9f8e7d6c5b|AKIA-CLI-7777|S3-aZ0yX9wV8u|Db-3c2b1a|Tok-5e5e'

run "$BS" -vvv -c cfg.yaml --print-env > env.out 2> err.text
echo "print-env exit=$?"
run "$BS" -vvv --log-format json -c cfg.yaml --print-env > /dev/null 2> err.json
grep -E '^(MLFLOW_TRACKING_(USERNAME|PASSWORD|URI)|AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)|DB_PASSWORD|REPO_URL|S3_URL|TEAM)=' env.out
grep -q 'integrations: set .*MLFLOW_TRACKING_PASSWORD' err.text && echo "the integrations line names the variables"
for f in env.out err.text err.json; do echo "$f: $(grep -c -E "$secrets" $f) lines with a secret"; done

# the command gets the real values (stdout is the command's, stderr the log)
run "$BS" -vvv -c cfg.yaml -- sh -c 'echo "$MLFLOW_TRACKING_USERNAME $MLFLOW_TRACKING_PASSWORD $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $DB_PASSWORD $REPO_URL $S3_URL"' 2> err.run
echo "run exit=$?"
echo "err.run: $(grep -c -E "$secrets" err.run) lines with a secret"

# the pod's own value wins over the file
run MLFLOW_TRACKING_PASSWORD=from-the-pod "$BS" -q -c cfg.yaml -- sh -c 'echo "$MLFLOW_TRACKING_PASSWORD"'
