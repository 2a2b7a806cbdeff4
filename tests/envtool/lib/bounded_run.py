#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Run a command under a wall-clock limit and measure it.

usage: bounded_run.py LIMIT_S STATSFILE CMD [ARG...]

Runs CMD in its own process group; past LIMIT_S seconds the group is
killed (SIGKILL) and the exit status is 124, as timeout(1).  Otherwise the
exit status is CMD's.  STATSFILE gets "PEAK_RSS_KB ELAPSED_S" (the peak
resident set of CMD, from getrusage, and the wall-clock time).
"""
import os
import resource
import signal
import subprocess
import sys
import time

limit, stats, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
start = time.monotonic()
p = subprocess.Popen(cmd, start_new_session=True)
try:
    rc = p.wait(timeout=limit)
except subprocess.TimeoutExpired:
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    rc = 124
elapsed = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(stats, "w") as f:
    f.write(f"{rss} {elapsed:.2f}\n")
sys.exit(rc)
