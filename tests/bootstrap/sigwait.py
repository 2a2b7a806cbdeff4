#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A command that takes signals without ever losing one, for the cases
supervise-* (sourced by none: the runner runs only *.sh).

usage: sigwait.py READY GOT SIG[:ACTION]...

Blocks the signals SIG... (HUP, TERM, ...), appends its pid and a newline
to READY (a FIFO the case reads, or a file), then takes them one by one with
sigwaitinfo() and appends each one's name and a newline to GOT.  ACTION:
  record  (the default) go on waiting
  die     then die of that signal (its default action), as a plain
          program would
  exit0   then exit with status 0, as a server that handles it cleanly
A blocked signal stays pending until sigwaitinfo() takes it: one sent at
any time is taken.  A bash trap is no substitute: bash runs it only when
what it waits in returns, and restarts read(2) after SIGWINCH (SA_RESTART),
so a trap waiting in `read` can wait for good, and one in a sleep loop is a
poll (docs/decisions.md, "Tests wait on events").
"""
import os
import signal
import sys


def append(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, line.encode() + b"\n")
    finally:
        os.close(fd)


def main() -> None:
    ready, got = sys.argv[1:3]
    actions = {}
    for arg in sys.argv[3:]:
        name, _, action = arg.partition(":")
        actions[signal.Signals["SIG" + name]] = action or "record"
    signal.pthread_sigmask(signal.SIG_BLOCK, set(actions))
    append(ready, str(os.getpid()))
    while True:
        sig = signal.Signals(signal.sigwaitinfo(set(actions)).si_signo)
        append(got, sig.name[3:])
        if actions[sig] == "exit0":
            sys.exit(0)
        if actions[sig] == "die":
            sys.stdout.flush()
            signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
            os.kill(os.getpid(), sig)
            os._exit(128 + sig)  # not reached: the signal ends it


if __name__ == "__main__":
    main()
