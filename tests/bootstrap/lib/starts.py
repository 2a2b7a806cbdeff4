#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Start bootstrap N times and check, after each start, that an attack did not
win (one process for the whole loop: the checks cost no fork).

starts.py N CHECK [--reset PATH]... -- BOOTSTRAP ARGS...

CHECK is one of
  owner:FILE          FILE keeps the owner, group, mode and content it had
  absent:TEXT:DIR     no file under DIR (links not followed) holds TEXT

--reset PATH removes PATH after each start (a link itself, never its target),
so that the next start makes it again.  The command must print "started".
Prints how many starts ran, how many started the command, and the first
start the attack won, if any.
"""
import os
import shutil
import subprocess
import sys


def snapshot(path):
    st = os.lstat(path)
    with open(path, "rb") as f:
        return (st.st_uid, st.st_gid, st.st_mode, f.read())


def text_found(text, top):
    for root, dirs, files in os.walk(top):
        for name in files:
            p = os.path.join(root, name)
            # O_NOFOLLOW, not islink() then open(): the racer swaps links
            # in between, and this check runs as root.
            try:
                fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError:
                continue
            with os.fdopen(fd, "rb") as f:
                try:
                    if text in f.read():
                        return True
                except OSError:
                    pass
    return False


def remove(path):
    # The racer changes path between any two calls here: try both ways
    # until nothing is left (rmtree never follows a link).
    for _ in range(100):
        try:
            os.unlink(path)
        except FileNotFoundError:
            return
        except OSError:
            try:
                shutil.rmtree(path)
            except FileNotFoundError:
                return
            except OSError:
                pass
    sys.exit(f"cannot remove {path}")


def main():
    args = sys.argv[1:]
    n, check = int(args[0]), args[1]
    args = args[2:]
    resets = []
    while args[0] == "--reset":
        resets.append(args[1])
        args = args[2:]
    cmd = args[1:]
    kind, _, rest = check.partition(":")
    if kind == "owner":
        before = snapshot(rest)
        won = lambda: snapshot(rest) != before
    elif kind == "absent":
        text, _, top = rest.partition(":")
        won = lambda: text_found(text.encode(), top)
    else:
        sys.exit(f"unknown check {check}")
    started = 0
    first_win = 0
    for i in range(1, n + 1):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        if p.returncode == 0 and p.stdout == b"started\n":
            started += 1
        if won():
            first_win = i
            break
        for r in resets:
            remove(r)
    print(f"starts: {i}, commands started: {started}")
    print("the user never won" if not first_win else f"the user won at start {first_win}")


main()
