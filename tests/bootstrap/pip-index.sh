# requires-root
# pip's index behind a password (issue 11): envs.pip_index_url with the
# user and password of a basic-auth secret mounted as two files
# (envs.pip_username_file, pip_password_file).  pip, as the notebook user,
# installs a wheel from a simple index served over HTTPS (the test's CA in
# tls.ca_files) on 127.0.0.1; the password, with characters a URL cannot
# hold as they are, reaches pip percent-encoded and appears in no log,
# --print-env, --check or file of the home.  Bad combinations stop the
# start with one line; a link planted in the home is read as the user.
# Private passwd/group and a private /run (sec-identity-lib.bash + tmpfs).
. "$NBK_SRC/tests/bootstrap/sec-identity-lib.bash"
mount -t tmpfs tmpfs /run || { echo "cannot mount a private /run"; exit 9; }
. "$NBK_SRC/tests/envtool/lib/server.bash"
pw='s3cr:t@p/ss%20 wd'
export NBK_TEST_USER=ann NBK_TEST_PASSWORD=$pw
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out ca.pem 2> openssl.err
/usr/bin/python3 "$NBK_SRC/tests/envtool/lib/make_pip_index.py" srv > /dev/null
start_server "$PWD/ca.pem" "$PWD/key.pem"
unset SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE $(env | sed -n 's/^\(PIP_[A-Z_]*\)=.*/\1/p')
mkdir -m 755 secret
printf 'ann\n' > secret/username
printf '%s\n' "$pw" > secret/password
chmod 755 "$PWD"
chmod 644 secret/* ca.pem
cat > cfg.yaml <<YAML
user: {name: nbpip, uid: 4243, gid: 4243, home: $PWD/home}
home: {skeleton: "", directories: []}
tls: {ca_files: [$PWD/ca.pem]}
envs: {pip_index_url: "$URL/basic/simple", pip_username_file: $PWD/secret/username,
       pip_password_file: $PWD/secret/password}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
threads: {mode: "off"}
YAML
bootstrap -v -c cfg.yaml -- sh -c '
	PIP_CONFIG_FILE=/dev/null python3 -m pip install --disable-pip-version-check \
		--target "$HOME/site" nbkitprobe > "$HOME/pip.out" 2>&1; echo "pip install: exit=$?"
	PYTHONPATH=$HOME/site python3 -c "import nbkitprobe; print(\"nbkitprobe\", nbkitprobe.__version__)"
' </dev/null 2> bootstrap.err
echo "bootstrap: exit=$?"
check "the wheel came through the index" grep -q '^GET /basic/packages/nbkitprobe-1.0-py3-none-any.whl 200 ' server.log
check "pip says where it looked, masked" grep -q "Looking in indexes: https://ann:\*\*\*\*@127.0.0.1:$PORT/basic/simple" home/pip.out
check "the log names the index, masked" grep -q "pip index https://\*\*\*@127.0.0.1:$PORT/basic/simple" bootstrap.err
bootstrap -c cfg.yaml --print-env 2>/dev/null | grep -e '^PIP_' | sed "s|$PORT|PORT|"
bootstrap -c cfg.yaml --check 2>&1 | grep -o 'pip_index_url=[^ ]*' | sed "s|$PORT|PORT|"
bootstrap -c cfg.yaml --log-format json -v -- true </dev/null 2> json.err
enc=$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$pw")
check "the password, plain or encoded, in no log or home file" sh -c \
	'! grep -rqF -e "$1" -e "$2" bootstrap.err json.err home' _ "$pw" "$enc"
# asked for: PIP_TRUSTED_HOST is the index's host and port; the container's variables win
printf 'envs: {pip_trusted_host: true}\n' > conf.d/40-trusted.yaml
bootstrap -c cfg.yaml --print-env 2>/dev/null | grep -e '^PIP_' | sed "s|$PORT|PORT|"
PIP_INDEX_URL=https://pod.example/simple bootstrap -c cfg.yaml --print-env 2>/dev/null | grep -e '^PIP_' | sed "s|$PORT|PORT|"
# attack: the password file is in the home, and the user makes it a link to
# a file only root may read; its contents must not reach the variable
mkdir -m 700 rootonly && printf 'root-only-content\n' > rootonly/pw && chmod 600 rootonly/pw
ln -s "$PWD/rootonly/pw" home/pw
sed -i "s|pip_password_file: [^}]*}|pip_password_file: ~/pw}|" cfg.yaml
bootstrap -c cfg.yaml -- sh -c 'printf "%s\n" "$PIP_INDEX_URL"' </dev/null > link.out 2> link.err
echo "a link to root's file: exit=$?"
sed "s|$PORT|PORT|" link.out
grep warning link.err | sed "s|$PWD|.|g"
# bad combinations: one line each, no secret in it
printf 'envs: {pip_password_file: ""}\n' > conf.d/50-one.yaml
bootstrap -c cfg.yaml --check 2>&1 | head -n 1
printf 'envs: {pip_index_url: "https://u:%s@h/simple"}\n' "$pw" > conf.d/50-one.yaml
bootstrap -c cfg.yaml --check 2>&1 | head -n 1
printf 'envs: {pip_index_url: ""}\n' > conf.d/50-one.yaml
bootstrap -c cfg.yaml --check 2>&1 | head -n 1
exit $failed
