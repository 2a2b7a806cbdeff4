# SPDX-License-Identifier: Apache-2.0
# Channel credentials (issue 11; libconda/auth.h), against a server on
# 127.0.0.1 that wants them: user:password in the URL, anaconda.org's
# /t/TOKEN/, the authentication file (RATTLER_AUTH_FILE: BasicHTTP,
# BearerToken, CondaToken), ~/.netrc.  A wrong or missing credential is
# one line naming the channel without its secret and the source tried.
# A create through a URL with user:password records no secret: not in
# conda-meta, --json, `list --json`, `env export` or `--explicit`, nor
# anywhere in the home but the credential files.
. "$NBK_SRC/tests/envtool/lib/server.bash"
. "$NBK_SRC/tests/envtool/lib/real_channel.bash"
make_real_channel
mkdir -p srv
cp -r chan srv/chan
export NBK_TEST_USER=ann NBK_TEST_PASSWORD=pw-$RANDOM-s3cret NBK_TEST_TOKEN=tok-$RANDOM-s3cret
start_server
unset RATTLER_AUTH_FILE NETRC
H=127.0.0.1:$PORT
search() { rm -rf "$HOME/.conda/pkgs/cache"; envtool search zlib -c "$1" --override-channels > s.out 2> s.err; }

search "http://ann:$NBK_TEST_PASSWORD@$H/basic/chan"
check "user:password in the URL" [ $? -eq 0 ]
search "http://$H/t/$NBK_TEST_TOKEN/ok/chan"
check "/t/TOKEN/ in the URL" [ $? -eq 0 ]

printf '{"%s": {"BasicHTTP": {"username": "ann", "password": "%s"}}}\n' "$H" "$NBK_TEST_PASSWORD" > basic.json
RATTLER_AUTH_FILE=$PWD/basic.json search "http://$H/basic/chan"
check "auth file: BasicHTTP" [ $? -eq 0 ]
printf '{"%s/bearer": {"BearerToken": "%s"}}\n' "$H" "$NBK_TEST_TOKEN" > bearer.json
RATTLER_AUTH_FILE=$PWD/bearer.json search "http://$H/bearer/chan"
check "auth file: BearerToken (host/path key)" [ $? -eq 0 ]
printf '{"%s": {"CondaToken": "%s"}}\n' "$H" "$NBK_TEST_TOKEN" > conda.json
RATTLER_AUTH_FILE=$PWD/conda.json search "http://$H/ok/chan"
check "auth file: CondaToken" [ $? -eq 0 ]
check "auth file: CondaToken sent as /t/TOKEN/" grep -q "^GET /t/$NBK_TEST_TOKEN/ok/chan/" server.log
printf 'machine 127.0.0.1 login ann password %s\n' "$NBK_TEST_PASSWORD" > "$HOME/.netrc"
search "http://$H/basic/chan"
check "~/.netrc" [ $? -eq 0 ]
rm "$HOME/.netrc"

printf '{"%s": {"BasicHTTP": {"username": "ann", "password": "wrong-%s"}}}\n' "$H" "$NBK_TEST_PASSWORD" > wrong.json
RATTLER_AUTH_FILE=$PWD/wrong.json search "http://$H/basic/chan"
check "wrong password: exit 1" [ $? -eq 1 ]
check "wrong password: HTTP 401 and the source tried" grep -q "cannot fetch 'http://$H/basic/chan/.*HTTP 401: credentials tried: the authentication file's user and password" s.err
check "wrong password: one error line" [ "$(grep -c 'error:' s.err)" = 1 ]
search "http://$H/basic/chan"
check "no credentials: says none were found" grep -q "HTTP 401: credentials tried: none (no authentication file; ~/.netrc has none for the host either)" s.err
search "http://ann:wrong@$H/basic/chan"
check "wrong password in the URL: masked" sh -c 'grep -q "http://\*\*\*@'"$H"'/basic/chan" s.err && ! grep -q wrong s.err'
search "http://$H/t/bad-token/ok/chan"
check "bad token: HTTP 403, the token masked" sh -c 'grep -q "/t/\*\*\*/ok/chan.*HTTP 403" s.err && ! grep -q bad-token s.err'
printf '{"%s": {"Password": "%s"}}\n' "$H" "$NBK_TEST_PASSWORD" > broken.json
RATTLER_AUTH_FILE=$PWD/broken.json envtool search zlib -c "http://$H/basic/chan" --override-channels > b.out 2> b.err
check "a broken auth file: an error naming it, not its secret" sh -c 'grep -q "broken.json.*expected one of BearerToken, BasicHTTP or CondaToken" b.err && ! grep -q "$NBK_TEST_PASSWORD" b.err'

# a create through user:password: no secret recorded or printed
envtool create -n secretive zlib -y --json -c "http://ann:$NBK_TEST_PASSWORD@$H/basic/chan" --override-channels > create.json 2> create.err
check "create: exit 0" [ $? -eq 0 ]
envtool list -n secretive --json > list.json
envtool env export -n secretive > export.yml
envtool env export -n secretive --explicit > explicit.txt
check "explicit: the URL without credentials" grep -q "^http://$H/basic/chan/linux-64/zlib-1.2.11-h7b6447c_3.conda#" explicit.txt
check "no secret in any output" sh -c '! grep -l "$NBK_TEST_PASSWORD" create.json create.err list.json export.yml explicit.txt'
check "no secret in the home" sh -c '! grep -rl "$NBK_TEST_PASSWORD" "$HOME"'
exit $failed
