# requires-root
# A Kubernetes fsGroup volume (root-owned, group 2345, setgid, group-
# writable): bootstrap leaves its owner and group alone, and the user keeps
# the volume's group as a supplementary group, so the home stays writable.
set -u
mkdir -p conf.d home
chown 0:2345 home
chmod 2775 home
cat > cfg.yaml <<YAML
user: {name: nobody, uid: 65534, gid: 65534, home: $PWD/home}
home: {skeleton: "", directories: [work]}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
YAML
BOOTSTRAP_CONFIG_DIR=$PWD/conf.d bootstrap -c cfg.yaml -- \
	sh -c 'id -G | tr " " "\n" | grep -x 2345; touch "$HOME/notebook.ipynb" && echo saved' 2>err
echo "exit=$?"
stat -c '%u:%g %a' home
stat -c '%u:%g' home/notebook.ipynb home/work
