# requires-root
# Issue 9, "planted links, no race": with ~/.local -> /etc and ~/.conda ->
# /root, root created user-owned /etc/share/jupyter/kernels, /root/envs and
# /root/pkgs; with envs.condarc under a linked folder root rewrote a file
# outside the home; a skeleton folder whose name the user linked elsewhere
# was filled through the link.  Now every managed path is made as the user:
# the root-owned stand-ins for /etc and /root stay exactly as they were,
# each refused path is one warning naming it, and the command starts.
. "$NBK_SRC/tests/bootstrap/sec-lib.bash"
mkdir -p etc rootdir conf skel/.config/app
printf 'etc file\n' >etc/hostname
printf 'channels: [admin]\n' >conf/condarc
printf 'skel app\n' >skel/.config/app/settings
chmod 755 etc conf
chmod 700 rootdir
fresh_home
as_user ln -s "$PWD/etc" home/.local
as_user ln -s "$PWD/rootdir" home/.conda
as_user ln -s "$PWD/conf" home/cfg
as_user ln -s "$PWD/etc" home/.config
config cfg.yaml "home: {skeleton: $PWD/skel, directories: [.local/share/jupyter/kernels]}" \
	'envs: {root: "~/.conda", condarc: "~/cfg/condarc"}' 'hooks: {dirs: [], user_dirs: []}'
tree() { (cd "$1" && find . | sort | while read -r f; do echo "  $f $(stat -c '%u:%g %a' "$f")"; done); }
tree etc >etc.before
tree rootdir >rootdir.before
tree conf >conf.before
bootstrap -c cfg.yaml -- echo started 2>err
echo "exit=$?"
for d in etc rootdir conf; do
	tree $d | cmp -s - $d.before && echo "$d unchanged" || { echo "$d CHANGED"; tree $d; }
done
echo "condarc: $(cat conf/condarc)"
echo "warnings: $(grep -c '^bootstrap: warning:' err)"
grep -o "home: cannot create '[^']*'" err | sed "s|$PWD/||"
grep -o "envroots: cannot create '[^']*'" err | sed "s|$PWD/||"
grep -o "envroots: cannot [a-z ]* '[^']*condarc[^']*'" err | sed "s|$PWD/||"
echo "skeleton: $(grep -o '[0-9]* kept' err)"
