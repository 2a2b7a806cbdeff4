# The configuration's layers (issue 11), lowest first: the image's own
# drop-ins (BOOTSTRAP_IMAGE_CONFIG_DIR, /usr/share/nbkit/conf.d in the
# image), the main file, the deployment's drop-ins (BOOTSTRAP_CONFIG_DIR),
# NB_* variables.  The deployment's folder replaced by a ConfigMap-shaped
# mount (files as links into ..data/) holding one drop-in hides nothing of
# the image's layer; the plan lists the files in the order read.
mkdir image cm cm/..2026_12_05 conf.d
printf 'command: {default: [touch, %s/variant-command]}\nsupervise: {stop_timeout: 3}\n' "$PWD" > image/10-variant.yaml
printf 'hooks: {timeout: 40}\n' > image/20-extra.yaml
cat > main.yaml <<YAML
user: {name: ann, uid: 1234, gid: 1234, home: $PWD/home}
supervise: {stop_timeout: 20}
hooks: {timeout: 50}
YAML
printf 'hooks: {timeout: 60}\n' > cm/..2026_12_05/50-team.yaml
ln -s ..2026_12_05 cm/..data
ln -s ..data/50-team.yaml cm/50-team.yaml
BOOTSTRAP_IMAGE_CONFIG_DIR=$PWD/image BOOTSTRAP_CONFIG_DIR=$PWD/cm NB_UMASK=0027 \
	bootstrap -c main.yaml --check > plan.txt
echo "exit=$?"
sed -n 's|'"$PWD"'|.|g; /^configuration:/p; /^1\./p; /^6\./p; /^10\./p' plan.txt
# no image layer: the command is the built-in default again
BOOTSTRAP_IMAGE_CONFIG_DIR= BOOTSTRAP_CONFIG_DIR=$PWD/cm bootstrap -c main.yaml --check |
	sed -n 's|'"$PWD"'|.|g; /^10\./p'
# an unreadable image layer is an error naming it
printf 'gpu: {mode: maybe}\n' > image/30-bad.yaml
BOOTSTRAP_IMAGE_CONFIG_DIR=$PWD/image bootstrap -c main.yaml --check 2> err.txt
echo "exit=$?"
grep -c "image/30-bad.yaml:1:" err.txt
