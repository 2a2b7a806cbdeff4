# Run interactively (docker run -it): the command gets the terminal's
# foreground, so Ctrl-C and job control reach it, and bootstrap takes the
# terminal back when it ends.  `script` gives the case a real pseudo-terminal.
mkdir -p conf.d
cat > cfg.yaml <<YAML
user: {name: root, uid: 0, gid: 0, home: $PWD/home}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
YAML
export BOOTSTRAP_CONFIG_DIR=$PWD/conf.d
script -qec "bootstrap -q -c cfg.yaml -- sh -c 'echo \$(ps -o pgid=,tpgid= -p \$\$) \$(ps -o pgid= -p \$PPID); exit 7'; echo exit=\$?" /dev/null \
	< /dev/null | tr -d '\r' > out
# fields: the command's process group, the terminal's foreground group,
# bootstrap's process group
awk 'NR == 1 { print ($1 == $2 && $1 != $3) ? "command owns the terminal" : "not in the foreground: " $0 } NR > 1' out
