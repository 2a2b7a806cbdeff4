# requires-root
# docker-stacks' NB_UID on a home still owned by the image's own user (a
# fresh named volume seeded from the image's /home/jovyan, issue 11): the
# home follows to NB_UID:NB_GID, as `usermod -u` does in start.sh, so the
# .condarc and the user's files are there and writable.  A symlink and a
# hard link planted in the home to root-owned files are not followed.  A
# home owned by someone else is not walked; CHOWN_HOME=yes gives the folder
# itself, CHOWN_HOME_OPTS=-R the tree, CHOWN_EXTRA=a,b with
# CHOWN_EXTRA_OPTS=-R other folders.  /etc/passwd and /etc/group are private
# (sec-identity-lib.bash): the image user nbimage is 4000:4001 there.
. "$NBK_SRC/tests/bootstrap/sec-identity-lib.bash"
printf 'nbimage:x:4000:4001::%s/home:/bin/bash\n' "$PWD" >> /etc/passwd
printf 'nbimage:x:4001:\n' >> /etc/group
own() { stat -c '%u:%g' "$1"; }
write_cfg "{name: nbimage, uid: 4000, gid: 4001, home: $PWD/home}"
printf 'precious\n' > root-file
mkdir -p home/.local/share work1/sub work2
printf 'x\n' > home/notes.txt
printf 'x\n' > home/.local/share/state
ln -s "$PWD/root-file" home/link-to-root-file
ln "$PWD/root-file" home/hard-to-root-file
printf 'x\n' > home/someone-elses
chown -R 4000:4001 home
chown -h 4000:4001 home/link-to-root-file
chown 4500:4500 home/someone-elses
chown root:root root-file

NB_UID=5000 NB_GID=5001 bootstrap -q -c cfg.yaml -- sh -c 'touch "$HOME/made-by-5000"' </dev/null
echo "handoff: exit=$?"
echo "home $(own home)"
echo "notes $(own home/notes.txt)"
echo "deep $(own home/.local/share/state)"
echo "made $(own home/made-by-5000)"
echo "link itself $(stat -c '%u:%g' home/link-to-root-file)"
echo "root-file $(own root-file)"
echo "someone-elses $(own home/someone-elses)"
echo "condarc $(own home/.condarc 2>/dev/null || echo none)"
grep "^nbimage:" /etc/passwd | cut -d: -f1,3,4

# a second start: nothing left to hand over
NB_UID=5000 NB_GID=5001 bootstrap -c cfg.yaml -- true 2> again.err </dev/null
grep -c "gave the image user" again.err

# a home that belongs to someone else is not walked ...
chown -R 4500:4500 home
chown root:root root-file # (the hard link in the home is the same file)
NB_UID=5000 NB_GID=5001 bootstrap -q -c cfg.yaml -- true 2>/dev/null </dev/null
echo "other: home $(own home) notes $(own home/notes.txt)"
# ... unless asked: the folder itself, then the tree
CHOWN_HOME=yes NB_UID=5000 NB_GID=5001 bootstrap -q -c cfg.yaml -- true 2>/dev/null </dev/null
echo "CHOWN_HOME: home $(own home) notes $(own home/notes.txt)"
CHOWN_HOME=yes CHOWN_HOME_OPTS=-R NB_UID=5000 NB_GID=5001 bootstrap -q -c cfg.yaml -- true 2>/dev/null </dev/null
echo "CHOWN_HOME -R: notes $(own home/notes.txt) root-file $(own root-file)"
chown -R 0:0 work1 work2
CHOWN_EXTRA=$PWD/work1,$PWD/work2 CHOWN_EXTRA_OPTS=-R NB_UID=5000 NB_GID=5001 bootstrap -q -c cfg.yaml -- true 2>/dev/null </dev/null
echo "CHOWN_EXTRA: $(own work1) $(own work1/sub) $(own work2)"
CHOWN_EXTRA=relative CHOWN_EXTRA_OPTS='-R --frobnicate' NB_UID=5000 NB_GID=5001 bootstrap -c cfg.yaml -- true 2> extra.err </dev/null
grep -o "CHOWN_EXTRA_OPTS: '--frobnicate' is not supported (only -R): ignored\|CHOWN_EXTRA: 'relative' is not an absolute path: skipped" extra.err
