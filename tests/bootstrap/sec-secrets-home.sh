# requires-root
# Issue 9, "secrets under ~": token_file: ~/... and env_files: [~/...] were
# read as root and followed the user's links (/etc/shadow reached the
# server's environment).  A secret file in the home is read as the user: a
# link to a root-only file gives nothing, one warning, and the start goes
# on; the user's own readable file still works; a mounted secret outside
# the home is still read as root (the deployment's, e.g. a Kubernetes
# secret readable by root only).
. "$NBK_SRC/tests/bootstrap/sec-lib.bash"
root_only shadow 'ROOTSECRET-shadow'
root_only shadow.env 'LEAKED=ROOTSECRET-env'
root_only mounted-token 'Mounted-Tok-1234'
fresh_home
as_user ln -s "$PWD/shadow" home/token
as_user ln -s "$PWD/shadow.env" home/team.env
as_user sh -c 'echo "Users-Own-Pw-77" > home/password && echo "OWN=users-own" > home/own.env'
config cfg.yaml 'home: {skeleton: "", directories: []}' 'envs: {root: "~/.conda", condarc: ""}' \
	'hooks: {dirs: [], user_dirs: []}' \
	'integrations:' \
	'  mlflow: {tracking_uri: "https://mlflow.example", token_file: "~/token", password_file: "~/password",' \
	"           username_file: $PWD/mounted-token}" \
	"  env_files: [\"~/team.env\", \"~/own.env\", \"$PWD/home/../home/team.env\"]"
bootstrap -c cfg.yaml -- sh -c 'env | grep -E "^(MLFLOW_TRACKING_(TOKEN|PASSWORD|USERNAME)|LEAKED|OWN)=" | sort' 2>err
echo "exit=$?"
grep -c ROOTSECRET err | sed 's/^/root secrets in the log: /'
grep '^bootstrap: warning:' err | sed -e "s|$PWD/||g" -e 's/^bootstrap: warning: /  /'
