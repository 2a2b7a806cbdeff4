# requires-root
# A home the user cannot write (owned by another uid): one clear warning
# naming the folder, the documented fallback (skip writes, start anyway).
set -u
mkdir -p conf.d home
chown 1:1 home
chmod 755 home
cat > cfg.yaml <<YAML
user: {name: nobody, uid: 65534, gid: 65534, home: $PWD/home}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
YAML
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d bootstrap -c cfg.yaml -- sh -c 'echo started as $(id -u)' 2>err
echo "exit=$?"
grep -c "is not writable by uid 65534" err
ls -A home | wc -l
