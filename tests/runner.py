#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""nbkit's test runner.

Suites, in this order:

unit    every cmocka program build/tests/test_* (VALGRIND=1: under valgrind)
cli     command-line cases tests/bootstrap/*.sh and tests/envtool/*.sh: a case
        is a script plus expectations beside it (zstd's cli-tests):
          NAME.sh.exit          expected exit status (default 0)
          NAME.sh.stdout.exact  / NAME.sh.stderr.exact   exact text
          NAME.sh.stdout.glob   / NAME.sh.stderr.glob    line globs; a line
                                "..." matches any number of lines
        The case runs in a fresh scratch folder with bash, `bootstrap` and
        `envtool` first on PATH (wrappers that add valgrind when VALGRIND=1),
        and these variables: NBK_SRC (the checkout), NBK_BUILD, NBK_HELPERS
        (built tests/helpers), NBK_FIXTURES (tests/fixtures), NBK_SHARED
        (../shared when present).  CASES=GLOB (e.g. 'bootstrap/hooks-*')
        runs only the matching cases.  A line "# timeout: N" sets its time limit
        (default 120 s); "# requires-root" skips it, loudly, when not root.
pytest  tests/hub and any other tests/*/ holding test_*.py, with Debian's
        /usr/bin/python3 -m pytest
custom  tests/*/run.sh, each ending with its own "N passed, M failed" line

The last line is "N passed, M failed" (", K skipped" when some were).  The
exit status is 0 only when nothing failed and something ran.
"""

import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.path.join(SRC, os.environ.get("BUILD", "build")))
VALGRIND = os.environ.get("VALGRIND") == "1"
VALGRIND_CMD = ["valgrind", "-q", "--vgdb=no", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite", "--track-fds=no"]
SCRATCH = os.path.join(BUILD, "scratch")

totals = {"passed": 0, "failed": 0, "skipped": 0}
failures = []


def report(suite, name, ok, detail="", skipped=False):
    if skipped:
        totals["skipped"] += 1
        print(f"SKIP {suite}/{name}: {detail}", flush=True)
        return
    totals["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'} {suite}/{name}{'' if ok else ': ' + detail}",
          flush=True)
    if not ok:
        failures.append(f"{suite}/{name}")


def run_unit():
    bins = sorted(p for p in (os.listdir(os.path.join(BUILD, "tests"))
                              if os.path.isdir(os.path.join(BUILD, "tests")) else [])
                  if p.startswith("test_") and "." not in p)
    for b in bins:
        path = os.path.join(BUILD, "tests", b)
        cmd = (VALGRIND_CMD if VALGRIND else []) + [path]
        env = dict(os.environ, NBK_SRC=SRC, NBK_FIXTURES=os.path.join(SRC, "tests", "fixtures"),
                   NBK_SHARED=os.path.join(os.path.dirname(SRC), "shared"), CMOCKA_MESSAGE_OUTPUT="STDOUT")
        start = time.monotonic()
        # Output goes to a file, not a pipe: a server a test forgot to stop
        # must not keep the runner waiting for EOF.  The test runs in its own
        # process group, and whatever is left of it afterwards is killed.
        with tempfile.TemporaryFile() as outf:
            p = subprocess.Popen(cmd, cwd=SRC, env=env, stdout=outf,
                                 stderr=subprocess.STDOUT, start_new_session=True)
            try:
                rc = p.wait(timeout=900)
            except subprocess.TimeoutExpired:
                rc = -1
            try:
                os.killpg(p.pid, signal.SIGKILL)
                print(f"  {b}: killed processes it left behind", flush=True)
            except ProcessLookupError:
                pass
            p.wait()
            outf.seek(0)
            out = outf.read().decode(errors="replace")
        passed = sum(int(m) for m in re.findall(r"^\[  PASSED  \] (\d+) test", out, re.M))
        failed_names = re.findall(r"^\[  FAILED  \] (\S+)$", out, re.M)
        ran = re.findall(r"^\[ RUN      \] (\S+)", out, re.M)
        oks = set(re.findall(r"^\[       OK \] (\S+)", out, re.M))
        # Count each test by name so a crash mid-way counts the rest as failed.
        for t in ran:
            report(b, t, t in oks and t not in failed_names,
                   "failed" if t not in oks else "valgrind or exit status")
        if rc != 0 and not failed_names and (not ran or passed == len(ran)):
            report(b, "(exit status)", False, f"{b} exited with {rc}:\n{out[-3000:]}")
        elif rc != 0 and failed_names:
            sys.stdout.write(out[-6000:])
        if not ran:
            report(b, "(no test ran)", False, out[-2000:])
        print(f"  {b}: {time.monotonic() - start:.1f}s", flush=True)


def glob_match(pattern, line):
    """'*' matches any text and '?' one character; nothing else is special."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, line, re.S) is not None


def glob_lines_match(patterns, lines):
    """Match lines against patterns; a pattern line '...' eats any lines."""
    memo = {}

    def m(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(patterns):
            r = j == len(lines)
        elif patterns[i] == "...":
            r = any(m(i + 1, k) for k in range(j, len(lines) + 1))
        elif j < len(lines) and glob_match(patterns[i], lines[j]):
            r = m(i + 1, j + 1)
        else:
            r = False
        memo[key] = r
        return r

    return m(0, 0)


def make_wrappers(bindir):
    os.makedirs(bindir, exist_ok=True)
    for prog in ("bootstrap", "envtool"):
        real = os.path.join(BUILD, "bin", prog)
        w = os.path.join(bindir, prog)
        with open(w, "w") as f:
            pre = " ".join(VALGRIND_CMD) + " " if VALGRIND else ""
            f.write(f"#!/bin/sh\nexec {pre}{real} \"$@\"\n")
        os.chmod(w, 0o755)


def system_files_digest():
    """The machine's user databases: a case must never change them."""
    import hashlib
    out = {}
    for f in ("/etc/passwd", "/etc/group", "/etc/shadow"):
        try:
            out[f] = hashlib.sha256(open(f, "rb").read()).hexdigest()
        except OSError:
            out[f] = None
    return out


def run_cli():
    before = system_files_digest()
    try:
        run_cli_cases()
    finally:
        after = system_files_digest()
        for f in before:
            if before[f] != after[f]:
                report("cli", f"(machine's {f} unchanged)", False,
                       f"a case changed {f}: cases must use a private copy "
                       "(unshare --mount + mount --bind)")


def run_cli_cases():
    bindir = os.path.join(SCRATCH, "bin")
    make_wrappers(bindir)
    is_root = os.geteuid() == 0
    for d in ("bootstrap", "envtool"):
        casedir = os.path.join(SRC, "tests", d)
        if not os.path.isdir(casedir):
            continue
        for name in sorted(os.listdir(casedir)):
            if not name.endswith(".sh"):
                continue
            if os.environ.get("CASES") and not fnmatch.fnmatchcase(f"{d}/{name}", os.environ["CASES"]):
                continue
            case = os.path.join(casedir, name)
            text = open(case, errors="replace").read()
            if "# requires-root" in text and not is_root:
                report(d, name, False, "needs root", skipped=True)
                continue
            m = re.search(r"^# timeout: (\d+)", text, re.M)
            timeout = int(m.group(1)) if m else 120
            scratch = os.path.join(SCRATCH, d, name[:-3])
            shutil.rmtree(scratch, ignore_errors=True)
            os.makedirs(scratch)
            env = dict(os.environ)
            env.update(PATH=bindir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
                       NBK_SRC=SRC, NBK_BUILD=BUILD,
                       NBK_HELPERS=os.path.join(BUILD, "tests", "helpers"),
                       NBK_FIXTURES=os.path.join(SRC, "tests", "fixtures"),
                       NBK_SHARED=os.path.join(os.path.dirname(SRC), "shared"),
                       NBK_VALGRIND="1" if VALGRIND else "0",
                       # no image layer from the machine's /usr/share/nbkit
                       BOOTSTRAP_IMAGE_CONFIG_DIR="")
            start = time.monotonic()
            # A case waits on events, never on time (docs/decisions.md): one
            # whose event never comes runs into this limit, and then what it
            # started (its process group: a bootstrap waiting out a long
            # stop_timeout, a server) is killed with it.
            p = subprocess.Popen(["bash", case], cwd=scratch, env=env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True)
            try:
                out, err = p.communicate(timeout=timeout)
                rc, out, err = p.returncode, out.decode(errors="replace"), err.decode(errors="replace")
            except subprocess.TimeoutExpired as e:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
                report(d, name, False, f"timed out after {timeout}s\nstdout:\n{(e.stdout or b'').decode(errors='replace')[-2000:]}\nstderr:\n{(e.stderr or b'').decode(errors='replace')[-2000:]}")
                continue
            problems = []
            exp_exit = 0
            if os.path.exists(case + ".exit"):
                exp_exit = int(open(case + ".exit").read().strip())
            if rc != exp_exit:
                problems.append(f"exit status {rc}, expected {exp_exit}")
            for stream, got in (("stdout", out), ("stderr", err)):
                exact = case + f".{stream}.exact"
                glob = case + f".{stream}.glob"
                if os.path.exists(exact):
                    want = open(exact).read()
                    if got != want:
                        problems.append(f"{stream} differs from {os.path.basename(exact)}")
                if os.path.exists(glob):
                    pats = open(glob).read().splitlines()
                    if not glob_lines_match(pats, got.splitlines()):
                        problems.append(f"{stream} does not match {os.path.basename(glob)}")
            detail = "; ".join(problems)
            if problems:
                detail += f"\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}"
            report(d, name, not problems, detail)
            if time.monotonic() - start > 20:
                print(f"  {d}/{name}: {time.monotonic() - start:.1f}s", flush=True)


def run_pytest():
    tdir = os.path.join(SRC, "tests")
    for d in sorted(os.listdir(tdir)):
        full = os.path.join(tdir, d)
        if not os.path.isdir(full) or d in ("unit", "fuzz"):
            continue
        if not any(f.startswith("test_") and f.endswith(".py") for f in os.listdir(full)):
            continue
        start = time.monotonic()
        env = dict(os.environ, NBK_SRC=SRC, NBK_BUILD=BUILD)
        p = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "-rfE", os.path.join("tests", d)], cwd=SRC, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace")
        out = p.stdout
        last = [l for l in out.splitlines() if re.search(r"\d+ (passed|failed|error)", l)]
        summary = last[-1] if last else ""
        counts = {k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary)}
        passed = counts.get("passed", 0)
        failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
        for line in out.splitlines():
            if line.startswith(("FAILED ", "ERROR ")):
                print(line)
        totals["passed"] += passed
        totals["failed"] += failed
        totals["skipped"] += counts.get("skipped", 0)
        if failed:
            failures.append(f"pytest tests/{d}")
            sys.stdout.write(out[-8000:])
        if p.returncode not in (0, 1) or (p.returncode != 0 and not failed):
            report("pytest", d, False, f"pytest exited with {p.returncode}:\n{out[-4000:]}")
        if not passed and not failed:
            report("pytest", d, False, "no test ran")
        print(f"pytest tests/{d}: {passed} passed, {failed} failed "
              f"({time.monotonic() - start:.1f}s)", flush=True)


def run_custom():
    tdir = os.path.join(SRC, "tests")
    for d in sorted(os.listdir(tdir)):
        script = os.path.join(tdir, d, "run.sh")
        if not os.path.isfile(script):
            continue
        start = time.monotonic()
        env = dict(os.environ, NBK_SRC=SRC, NBK_BUILD=BUILD)
        p = subprocess.run(["bash", script], cwd=SRC, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace")
        out = p.stdout
        sys.stdout.write(out if len(out) < 20000 else out[-20000:])
        m = None
        for line in out.splitlines():
            mm = re.match(r"^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$", line.strip())
            if mm:
                m = mm
        if not m:
            report("custom", d, False, f"run.sh printed no summary (exit {p.returncode})")
            continue
        totals["passed"] += int(m.group(1))
        totals["failed"] += int(m.group(2))
        totals["skipped"] += int(m.group(3) or 0)
        if int(m.group(2)) or p.returncode != 0:
            failures.append(f"tests/{d}/run.sh")
            if not int(m.group(2)):
                report("custom", d, False, f"exit status {p.returncode}")
        print(f"tests/{d}: {time.monotonic() - start:.1f}s", flush=True)


def main():
    suites = sys.argv[1:] or ["unit", "cli", "pytest", "custom"]
    start = time.monotonic()
    for s in suites:
        print(f"=== {s}", flush=True)
        {"unit": run_unit, "cli": run_cli, "pytest": run_pytest, "custom": run_custom}[s]()
    print(f"=== {time.monotonic() - start:.0f}s")
    if failures:
        print("failed: " + ", ".join(failures))
    line = f"{totals['passed']} passed, {totals['failed']} failed"
    if totals["skipped"]:
        line += f", {totals['skipped']} skipped"
    print(line, flush=True)
    sys.exit(0 if totals["failed"] == 0 and totals["passed"] > 0 else 1)


if __name__ == "__main__":
    main()
