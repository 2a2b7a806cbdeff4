#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Start a daemon and wait until it says it is ready (sd_notify).

usage: start-notify.py SECONDS LOG CMD...

Starts CMD in a session of its own (stdin /dev/null, stdout and stderr
appended to LOG) with NOTIFY_SOCKET set to a datagram socket of ours, and
waits on that socket and on CMD's pidfd: for "READY=1" (systemd's
Type=notify protocol, which dockerd speaks once its API is served) or for
CMD's end.  No poll of the daemon: the wait is on the event it sends.

Prints CMD's pid and exits 0 once ready (CMD runs on); exits 1 when CMD
ended first; 2 past SECONDS, a guard against a daemon that never says it
(CMD is killed then).
"""
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time


def main() -> int:
    limit, log, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
    folder = tempfile.mkdtemp(prefix="nbkit-notify-")
    path = os.path.join(folder, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(path)
        with open(log, "ab") as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    env=dict(os.environ, NOTIFY_SOCKET=path))
        pidfd = os.pidfd_open(proc.pid)
        deadline = time.monotonic() + limit
        while True:
            left = deadline - time.monotonic()
            ready = select.select([sock, pidfd], [], [], max(left, 0))[0]
            if sock in ready:
                if "READY=1" in sock.recv(4096).decode(errors="replace").split("\n"):
                    print(proc.pid)
                    return 0
            elif pidfd in ready:
                proc.wait()
                print(f"{cmd[0]} exited with status {proc.returncode} before it was ready",
                      file=sys.stderr)
                return 1
            elif left <= 0:
                print(f"{cmd[0]} (pid {proc.pid}) did not say READY=1 within {limit:g} s: killed",
                      file=sys.stderr)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return 2
    finally:
        sock.close()
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(folder)


if __name__ == "__main__":
    sys.exit(main())
