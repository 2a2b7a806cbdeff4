# SPDX-License-Identifier: Apache-2.0
# Shared by the sec-identity-* cases (sourced; the runner only runs *.sh).
# The case re-runs itself in a private mount namespace where /etc/passwd and
# /etc/group are small files of known contents (root, daemon, nobody), so the
# machine's stay untouched and no uid used here already has an entry.
set -u
unset NB_USER NB_UID NB_GID NB_UMASK JUPYTERHUB_API_TOKEN BOOTSTRAP_CONFIG
if [ -z "${NBK_IDENTITY_NS:-}" ]; then
	printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' 'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin' \
		'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' > passwd.copy
	printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'nogroup:x:65534:' > group.copy
	cp passwd.copy passwd.orig
	cp group.copy group.orig
	NBK_IDENTITY_NS=1 exec unshare --mount bash "$0"
fi
mount --bind passwd.copy /etc/passwd && mount --bind group.copy /etc/group ||
	{ echo "cannot bind-mount the private passwd and group files"; exit 9; }
mkdir -p conf.d
export BOOTSTRAP_CONFIG_DIR=$PWD/conf.d

# write_cfg USER-MAPPING: a config with that `user:` flow mapping.
write_cfg() {
	cat > cfg.yaml <<YAML
user: $1
home: {skeleton: "", directories: []}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
threads: {mode: "off"}
YAML
}

# refused [VAR=VALUE...]: bootstrap must stop with one line, exit 1, before
# starting anything or changing /etc/passwd or /etc/group.
refused() {
	env "$@" bootstrap -c cfg.yaml -- touch "$PWD/started" 2>err </dev/null
	echo "$*: exit=$? lines=$(wc -l <err)"
	cat err
	test -e started && echo "STARTED"
	cmp -s passwd.copy passwd.orig && cmp -s group.copy group.orig &&
		echo "passwd and group unchanged" || echo "PASSWD OR GROUP CHANGED"
}

# accepted [VAR=VALUE...]: bootstrap runs `true` and exits 0.
accepted() {
	env "$@" bootstrap -q -c cfg.yaml -- true 2>err </dev/null
	echo "$*: exit=$?"
}
