# SPDX-License-Identifier: Apache-2.0
# timeout: 60
# .condarc files that were read wrong (issue 9): a second YAML document was
# silently ignored (a "---" and everything below it never applied), a FIFO
# hung envtool in open(), and a 90,000-key file took about 30 s (the
# duplicate-key check was quadratic).  Now: an error naming file:line:column,
# an error naming the file at once, and a start in well under a second
# (bounded loosely here; tests/unit/test_lib_yaml.c bounds it tightly).
. "$NBK_SRC/tests/envtool/lib/server.bash"
printf 'channels: [conda-forge]\n---\nchannels: [evil]\n' > two.yml
CONDARC=$PWD/two.yml envtool info > /dev/null 2> two.err
check "second document: exit 1" [ $? -eq 1 ]
check "second document: position" grep -q "two.yml:2:1: a second YAML document" two.err
mkfifo "$HOME/.condarc"
envtool info > /dev/null 2> fifo.err
check "FIFO: exit 1" [ $? -eq 1 ]
check "FIFO: message" grep -q "cannot read '$HOME/.condarc': not a regular file" fifo.err
rm "$HOME/.condarc"
/usr/bin/python3 -c '
for i in range(90000):
    print("k%d: 0" % i)
print("channels: [big-rc]")' > "$HOME/.condarc"
start=$(date +%s%N)
envtool info --json > big.json
check "90,000 keys: exit 0" [ $? -eq 0 ]
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "90,000 keys: channels read" grep -q "big-rc" big.json
check "90,000 keys: under 20 s (took $took_ms ms)" [ "$took_ms" -lt 20000 ]
exit $failed
