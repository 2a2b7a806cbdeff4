# requires-root
# Attack (issue 9): a user name or home holding a newline or ':'.  home.c
# writes "NAME:x:UID:GID:...:HOME:/bin/bash", so user.name
# "ann\nroot2::0:0:..." added a second uid-0 account, and a home with ':'
# shifted the fields.  user.name and NB_USER must match the portable
# grammar (a lowercase letter or '_', then at most 31 of [a-z0-9_.-]); the
# home must be absolute, without ':', control characters, '.' or '..'
# parts.  Each is refused with one line (control characters escaped in the
# log), exit 1, nothing changed.
. "$NBK_SRC/tests/bootstrap/sec-identity-lib.bash"
write_cfg "{name: \"ann\\nroot2::0:0:x:/root:/bin/bash\", uid: 4242, gid: 4343, home: $PWD/home}"
refused
write_cfg "{name: \"ann:x\", uid: 4242, gid: 4343, home: $PWD/home}"
refused
write_cfg "{name: nbimage, uid: 4242, gid: 4343, home: \"$PWD/home\\nroot3::0:0::/:/bin/sh\"}"
refused
write_cfg "{name: nbimage, uid: 4242, gid: 4343, home: \"$PWD/home:/bin/sh\"}"
refused
write_cfg "{name: nbimage, uid: 4242, gid: 4343, home: \"$PWD/home/../../etc\"}"
refused
write_cfg "{name: nbimage, uid: 4242, gid: 4343, home: $PWD/home}"
refused "NB_USER=ann
root4::0:0::/:/bin/sh"
refused "NB_USER=Ann"
grep -c ":0:0:" /etc/passwd
