# A second YAML document in the main config or in a drop-in was silently
# ignored (issue 9), so a setting written below a "---" never applied: each
# is now an error naming the file, line and column; exit 1, nothing started.
set -u
unset NB_USER NB_UID NB_GID NB_UMASK
mkdir conf.d empty.d
cat > two.yaml <<YAML
user: {home: $PWD/home}
---
hooks: {on_error: abort}
YAML
printf 'user: {home: %s/home}\n' "$PWD" > ok.yaml
printf 'gpu: {mode: "off"}\n...\n---\nthreads: {mode: "off"}\n' > conf.d/50-site.yaml
run() { "$@" -- touch started 2>err </dev/null; echo "exit=$?"; cat err; test -e started && echo STARTED; }
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap -c two.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d run bootstrap --check -c ok.yaml
test -e home || echo "home untouched"
