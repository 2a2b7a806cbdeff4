# timeout: 30
# A FIFO given as the main config or as a drop-in hung bootstrap in open()
# forever (issue 9); a device was read as a config.  Each is refused at once
# with one line naming it: exit 1, nothing started, the home untouched.  The
# time limit above turns a hang into a failure: nothing here waits or sleeps.
set -u
unset NB_USER NB_UID NB_GID NB_UMASK
mkdir conf.d empty.d
mkfifo main.fifo conf.d/50-site.yaml
printf 'user: {home: %s/home}\n' "$PWD" > ok.yaml
run() { "$@" -- touch started 2>err </dev/null; echo "exit=$?"; cat err; test -e started && echo STARTED; }
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap -c main.fifo
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap --check -c main.fifo
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d run bootstrap -c ok.yaml
BOOTSTRAP_CONFIG_DIR=$PWD/empty.d run bootstrap -c /dev/zero
test -e home || echo "home untouched"
