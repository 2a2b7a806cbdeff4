# requires-root
# As root, for an uid/gid with no passwd entry: the entries are added, the
# home and the listed folders are created and owned by the user, the
# skeleton is copied without overwriting the user's files or following a
# link planted in the home, nothing already there is chowned, and the
# .condarc merge keeps the user's keys.  /etc/passwd and /etc/group are
# private copies in a mount namespace, so the machine's stay untouched.
set -u
mkdir -p skel/.config/app conf.d home/work/big outside
printf 'skel bashrc\n' > skel/.bashrc
printf 'skel profile\n' > skel/.profile
printf 'skel app\n' > skel/.config/app/settings
ln -s .bashrc skel/.bashrc-link
printf 'users own bashrc\n' > home/.bashrc
printf 'precious\n' > outside/target
ln -s "$PWD/outside/target" home/.profile
for i in 1 2 3; do printf 'x\n' > "home/work/big/f$i"; done
printf 'channels: [defaults]\nalways_yes: true\n' > home/.condarc
chown -R 0:0 home
cat > cfg.yaml <<YAML
user: {name: nbtest, uid: 4242, gid: 4343, home: $PWD/home, umask: "0027"}
home: {skeleton: $PWD/skel, directories: [.local/share/jupyter/kernels, "~/data/raw"]}
envs: {channels: [https://mirror.example/conda-forge]}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
YAML
cp /etc/passwd passwd.copy
cp /etc/group group.copy
unshare --mount sh -c '
  mount --bind passwd.copy /etc/passwd && mount --bind group.copy /etc/group &&
  BOOTSTRAP_CONFIG_DIR=$PWD/conf.d bootstrap -c cfg.yaml -- sh -c "id -u; id -g; umask; echo HOME=\$HOME USER=\$USER; touch \$HOME/made-by-command"
  echo "exit=$?"
  grep "^nbtest:" /etc/passwd | cut -d: -f1,3,4,6
  grep ":4343:" /etc/group | cut -d: -f1,3
'
own() { stat -c '%u:%g %a' "$1"; }
echo "home $(own home)"
echo "kernels $(own home/.local/share/jupyter/kernels)"
echo "local $(own home/.local)"
echo "data/raw $(own home/data/raw)"
echo "made-by-command $(own home/made-by-command)"
echo "bashrc: $(cat home/.bashrc)"
echo "profile is a link: $(test -L home/.profile && echo yes)"
echo "outside: $(cat outside/target) $(own outside/target)"
echo "app: $(cat home/.config/app/settings) $(own home/.config/app/settings)"
echo "bashrc-link -> $(readlink home/.bashrc-link)"
echo "big (not chowned): $(own home/work/big/f1) $(own home/work)"
echo "envs $(own home/.conda/envs) pkgs $(own home/.conda/pkgs)"
echo "condarc $(own home/.condarc)"
cat home/.condarc
