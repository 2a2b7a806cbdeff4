# requires-root
# Attack (issue 9): ids and umasks that do not read as what they are.
# strtol took NB_UID=" 4242" and "+4242" (YAML's int takes "+4242" too), so
# a value that slipped past a review or a spawner's check as "not a
# number" still became an uid.  Only plain digits are ids (decimal) and
# umasks (octal): anything else is refused with one line, exit 1, before
# /etc/passwd or /etc/group change.
. "$NBK_SRC/tests/bootstrap/sec-identity-lib.bash"
write_cfg "{name: nbimage, uid: 4242, gid: 4343, home: $PWD/home}"
refused "NB_UID= 4242"
refused "NB_UID=+4243"
refused "NB_UID=4243 "
refused "NB_GID=+100"
refused "NB_UMASK=+022"
refused "NB_UMASK=0x12"
write_cfg "{name: nbimage, uid: +4242, gid: 4343, home: $PWD/home}"
refused
write_cfg "{name: nbimage, uid: 4242, gid: 4343, home: $PWD/home}"
accepted NB_UID=4245 NB_GID=4346 NB_UMASK=0027
grep "^nbimage:" /etc/passwd | cut -d: -f1,3,4
