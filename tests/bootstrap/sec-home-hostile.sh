# requires-root
# timeout: 60
# Issue 9, "a hostile home stops the start": ~/.conda as a file or a
# dangling link, a FIFO at ~/.conda/envs, ~/.local as a file or a link
# loop, a .condarc that is a FIFO, a folder or a link to a root-only file
# made bootstrap exit 1, so the user was locked out of their own notebook
# and could not fix it.  Now each problem is one warning naming the path,
# that part is skipped, and the server starts.
. "$NBK_SRC/tests/bootstrap/sec-lib.bash"
root_only shadow 'root:$6$secret:19000:0:99999:7:::'
config cfg.yaml 'home: {skeleton: "", directories: [.local/share/jupyter/kernels]}' \
	'envs: {root: "~/.conda", condarc: "~/.condarc"}' 'hooks: {dirs: [], user_dirs: []}'
shape() {
	local name=$1
	shift
	fresh_home
	as_user sh -c "cd home && $*"
	out=$(bootstrap -c cfg.yaml -- echo started 2>err)
	echo "$name: exit=$? $out"
	grep '^bootstrap: warning:' err | sed -e "s|$PWD/||g" -e 's/^bootstrap: warning: /  /'
	[ ! -L home/.condarc ] && grep -D skip -qs '\$6\$secret' home/.condarc && echo "  LEAK"
}
shape "conda is a file" 'echo x > .conda'
shape "conda dangles" 'ln -s nowhere .conda'
shape "envs is a fifo" 'mkdir .conda && mkfifo .conda/envs'
shape "local is a file" 'echo x > .local'
shape "local loops" 'ln -s .local .local'
shape "condarc is a fifo" 'mkfifo .condarc'
shape "condarc is a folder" 'mkdir .condarc'
shape "condarc links to a root-only file" "ln -s $PWD/shadow .condarc"
echo "shadow: $(stat -c '%u:%g %a' shadow)"
