# SPDX-License-Identifier: Apache-2.0
# HTTPS with a self-signed certificate made here (openssl) and served on
# 127.0.0.1: verification fails clearly without the CA; ssl_verify: CA.pem
# in .condarc and REQUESTS_CA_BUNDLE both work; ssl_verify: false works
# with a warning.
. "$NBK_SRC/tests/envtool/lib/server.bash"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out ca.pem 2> openssl.err
check "certificate made" [ -s ca.pem ]
make_channel srv/chan "$REPODATA/conda-forge-numpy-linux-64.json"
start_server "$PWD/ca.pem" "$PWD/key.pem"
unset SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE

envtool search numpy -c "$URL/ok/chan" --override-channels > /dev/null 2> untrusted.err
check "untrusted: exit 1" [ $? -eq 1 ]
check "untrusted: says the certificate is not trusted" grep -q "certificate is not trusted" untrusted.err
check "untrusted: names the URL" grep -q "cannot fetch 'https://127.0.0.1:$PORT/ok/chan/" untrusted.err

printf 'ssl_verify: %s/ca.pem\n' "$PWD" > home/.condarc
envtool search numpy -c "$URL/ok/chan" --override-channels > rc.out 2> rc.err
check "ssl_verify CA in .condarc: exit 0" [ $? -eq 0 ]
check "ssl_verify CA in .condarc: numpy found" grep -q '^numpy ' rc.out

rm home/.condarc
rm -rf home/.conda/pkgs/cache
REQUESTS_CA_BUNDLE=$PWD/ca.pem envtool create -n x numpy -c "$URL/ok/chan" --override-channels --dry-run --json > env.json 2> env.err
check "REQUESTS_CA_BUNDLE: create --dry-run exit 0" [ $? -eq 0 ]
check "REQUESTS_CA_BUNDLE: a solution" grep -q '"success": true' env.json

rm -rf home/.conda/pkgs/cache
printf 'ssl_verify: false\n' > home/.condarc
envtool search numpy -c "$URL/ok/chan" --override-channels > off.out 2> off.err
check "ssl_verify false: exit 0" [ $? -eq 0 ]
check "ssl_verify false: a warning" grep -q "ssl_verify is false: the certificates of https channels are not checked" off.err
exit $failed
