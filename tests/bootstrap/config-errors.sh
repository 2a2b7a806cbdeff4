# Wrong types, unknown keys, bad NB_* values, a broken drop-in and a
# missing explicit file: each one line, exit 1, nothing started.
mkdir conf.d empty.d
printf 'user: {uid: abc}\n' > types.yaml
printf 'user:\n  nmae: ann\n' > unknown.yaml
printf 'threads: {mode: sometimes}\n' > conf.d/50-site.yaml
printf 'user: {home: %s/home}\n' "$PWD" > ok.yaml
run() { "$@" -- touch started 2>err; echo "exit=$?"; cat err; test -e started && echo STARTED; }
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap -c types.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap -c unknown.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d run bootstrap -c ok.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d NB_UID=-1 run bootstrap -c ok.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d NB_UMASK=0999 run bootstrap -c ok.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap -c missing.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap --log-format xml -c ok.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap --no-such-option
test -e home || echo "home untouched"
