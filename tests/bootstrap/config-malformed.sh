# A malformed config stops the start with one line naming file:line:column,
# before anything in the home changes and before the command starts.
mkdir conf.d
cat > bad.yaml <<YAML
user:
  home: $PWD/home
hooks: [oops
YAML
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d bootstrap -c bad.yaml -- touch started
echo "exit=$?"
test -e home || echo "home untouched"
test -e started || echo "not started"
