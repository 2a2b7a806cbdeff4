# requires-root
# Attack (issue 9): NB_USER naming an existing system account.  home.c
# replaces the passwd entry of the name, so NB_USER=root or NB_USER=daemon
# with an uid that has no entry rewrote root's or daemon's line (root with
# uid 4242: the machine's root account gone).  Now the name must be new, the
# image's own user (user.name from the files: docker-stacks' NB_UID
# renumbers it), or already have exactly the configured uid; anything else
# is refused with one line, exit 1, nothing changed.  /etc/passwd and
# /etc/group are private files in a mount namespace (sec-identity-lib.bash).
. "$NBK_SRC/tests/bootstrap/sec-identity-lib.bash"
write_cfg "{name: nbimage, uid: 4242, gid: 4343, home: $PWD/home}"
refused NB_USER=root
refused NB_USER=daemon
refused NB_USER=daemon NB_UID=4242
refused NB_USER=root NB_UID=1
grep "^root:" /etc/passwd | cut -d: -f1,3,4
grep "^daemon:" /etc/passwd | cut -d: -f1,3,4
# What stays allowed (and shows that a rewrite would be seen here): the
# account with exactly its own uid, the image's user, a new name.
accepted NB_USER=daemon NB_UID=1
cmp -s passwd.copy passwd.orig && echo "passwd unchanged"
accepted NB_USER=nbimage
grep "^nbimage:" /etc/passwd | cut -d: -f1,3,4
accepted NB_USER=nbfresh NB_UID=4244
grep "^nbfresh:" /etc/passwd | cut -d: -f1,3,4
