# --check validates and prints the plan, runs nothing; exit 1 when invalid.
mkdir conf.d
printf 'supervise: {stop_timeout: 9}\n' > conf.d/10-site.yaml
cat > cfg.yaml <<YAML
user: {name: ann, uid: 1234, gid: 1234, home: $PWD/home, umask: "0077"}
integrations:
  env: {TEAM: risk, API_TOKEN: not-for-logs}
command: {default: [touch, $PWD/started]}
YAML
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d bootstrap -c cfg.yaml --check
echo "exit=$?"
test -e home || echo "home untouched"
test -e started || echo "not started"
printf 'user: {uid: x}\n' > conf.d/20-bad.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d bootstrap -c cfg.yaml --check 2>/dev/null
echo "exit=$?"
