# requires-root
# tls.ca_files (issue 11): the bank's CA, mounted from a secret, joins the
# system's CAs in one bundle that the notebook's programs use.  A channel
# served over HTTPS with a certificate of that CA (on 127.0.0.1) is then
# reachable by envtool as the user, through REQUESTS_CA_BUNDLE and, with
# every variable removed, through the .condarc's ssl_verify.  The secret
# also holds the private key: the bundle gets the certificate only.  A CA
# file without a certificate stops the start with one line naming it.
# Private passwd/group and a private /run (sec-identity-lib.bash + tmpfs).
. "$NBK_SRC/tests/bootstrap/sec-identity-lib.bash"
mount -t tmpfs tmpfs /run || { echo "cannot mount a private /run"; exit 9; }
. "$NBK_SRC/tests/envtool/lib/server.bash"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out ca.pem 2> openssl.err
mkdir secret
cat key.pem ca.pem > secret/bank-ca.pem
printf '{}\n' > secret/auth.json
make_channel srv/chan "$REPODATA/conda-forge-numpy-linux-64.json"
start_server "$PWD/ca.pem" "$PWD/key.pem"
unset SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE PIP_CERT NODE_EXTRA_CA_CERTS
chmod 755 "$PWD"
cat > cfg.yaml <<YAML
user: {name: nbtls, uid: 4242, gid: 4242, home: $PWD/home}
home: {skeleton: "", directories: []}
tls: {ca_files: [$PWD/secret/bank-ca.pem]}
envs: {auth_file: $PWD/secret/auth.json}
hooks: {dirs: [], user_dirs: []}
gpu: {mode: "off"}
threads: {mode: "off"}
YAML
bootstrap -q -c cfg.yaml -- sh -c '
	for v in SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE PIP_CERT NODE_EXTRA_CA_CERTS; do
		eval "echo \$v=\${$v:-unset}"; done
	envtool search numpy -c "'"$URL"'/ok/chan" --override-channels > "$HOME/env.out" 2>&1; echo "with the variables: exit=$?"
	rm -rf "$HOME/.conda/pkgs/cache"
	env -u SSL_CERT_FILE -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE envtool search numpy \
		-c "'"$URL"'/ok/chan" --override-channels > "$HOME/rc.out" 2>&1; echo "through .condarc: exit=$?"
' </dev/null 2> bootstrap.err
echo "bootstrap: exit=$?"
check "numpy found with the variables" grep -q '^numpy ' home/env.out
check "numpy found through .condarc" grep -q '^numpy ' home/rc.out
check ".condarc names the bundle" grep -qx "ssl_verify: /run/nbkit/ca-bundle.pem" home/.condarc
check "the bundle is root's, readable" [ "$(stat -c '%u %a' /run/nbkit/ca-bundle.pem)" = "0 644" ]
check "the bank's CA is in the bundle" grep -qF "$(sed -n 2p ca.pem)" /run/nbkit/ca-bundle.pem
check "the private key is not" sh -c '! grep -q "PRIVATE KEY" /run/nbkit/ca-bundle.pem'
check "the system's CAs are too" [ "$(grep -c 'BEGIN CERTIFICATE' /run/nbkit/ca-bundle.pem)" -gt 1 ]
# a variable set by the container wins; envs.auth_file reaches envtool as RATTLER_AUTH_FILE
REQUESTS_CA_BUNDLE=/etc/pod-ca.pem bootstrap -q -c cfg.yaml --print-env 2>/dev/null |
	grep -e '^REQUESTS_CA_BUNDLE=' -e '^RATTLER_AUTH_FILE=' | sed "s|$PWD|.|"
printf 'no certificate here\n' > secret/bank-ca.pem
bootstrap -q -c cfg.yaml -- true 2> bad.err </dev/null
echo "no certificate: exit=$?"
head -n 1 bad.err | sed "s|$PWD|.|g"
# attack: tls.ca_files names a file in the home, which the user replaces by
# a link to a file only root may read; root must not copy it into the
# world-readable bundle.  Read as the user, it is a warning and skipped.
mkdir -p rootonly && chmod 700 rootonly
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=root-only \
	-keyout rootonly/k.pem -out rootonly/cert.pem 2>> openssl.err
chmod 600 rootonly/cert.pem
ln -sf "$PWD/rootonly/cert.pem" home/ca.pem
sed -i "s|^tls: .*|tls: {ca_files: [$PWD/ca.pem, ~/ca.pem]}|" cfg.yaml
bootstrap -c cfg.yaml -- true 2> link.err </dev/null
echo "a link to root's file: exit=$?"
grep "warning" link.err | sed "s|$PWD|.|g"
check "root's certificate is not in the bundle" sh -c "! grep -qF '$(sed -n 2p rootonly/cert.pem)' /run/nbkit/ca-bundle.pem"
check "the deployment's CA still is" grep -qF "$(sed -n 2p ca.pem)" /run/nbkit/ca-bundle.pem
# the user's own file without a certificate: a warning, the server starts
rm home/ca.pem && printf 'nothing\n' > home/ca.pem && chown 4242:4242 home/ca.pem
bootstrap -c cfg.yaml -- true 2> own.err </dev/null
echo "the user's bad file: exit=$?"
grep "warning" own.err | sed "s|$PWD|.|g"
exit $failed
