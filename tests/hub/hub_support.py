"""Shared fixtures and helpers of the groupspawner tests (conftest.py
re-exports the fixtures): a real slapd, a real JupyterHub 3.0
and a real headless Chromium, all on 127.0.0.1, on free ports, stopped at
teardown (even when a test fails). A peer that cannot start makes the tests
that need it fail (never skip)."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
HUB_DIR = REPO / "images" / "hub"
TESTS = Path(__file__).resolve().parent
if str(HUB_DIR) not in sys.path:
    sys.path.insert(0, str(HUB_DIR))

EXAMPLE_POLICY = HUB_DIR / "groups.yaml"

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOCALHOST, 0))
        return s.getsockname()[1]


#: How long a wait on an event may take before the test fails: a guard
#: against a peer that never sends it, never a wait in itself (docs/
#: decisions.md, "Tests wait on events"); generous for a loaded machine.
GUARD_S = 300


class LineWatch:
    """The output of a process we started (stdout and stderr on one pipe),
    read line by line by a thread that copies it to ``log``.  ``wait()``
    blocks until a line that matches arrives: the wait is on the event
    itself, not a poll of a port or of the log file."""

    def __init__(self, proc: subprocess.Popen, log: Path) -> None:
        self.proc = proc
        self.log = log
        self.lines: list[str] = []
        self.eof = False
        self._cond = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        with open(self.log, "ab") as out:
            for raw in iter(self.proc.stdout.readline, b""):
                out.write(raw)
                out.flush()
                with self._cond:
                    self.lines.append(raw.decode(errors="replace"))
                    self._cond.notify_all()
        with self._cond:
            self.eof = True
            self._cond.notify_all()

    def mark(self) -> int:
        """Where the lines are now: ``wait(since=mark())`` sees only later ones."""
        with self._cond:
            return len(self.lines)

    def tail(self, n: int = 40) -> str:
        with self._cond:
            return "".join(self.lines[-n:])

    def wait(self, pattern: str, what: str, since: int = 0) -> str:
        """The first line from ``since`` on that matches ``pattern``; fails
        when the process ends first (EOF), or past GUARD_S."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + GUARD_S
        i = since
        with self._cond:
            while True:
                for i in range(i, len(self.lines)):
                    if rx.search(self.lines[i]):
                        return self.lines[i]
                i = len(self.lines)
                if self.eof:
                    self.proc.wait()
                    pytest.fail(f"{what}: the process ended ({self.proc.returncode}) without "
                                f"a line matching {pattern!r}:\n{self.tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{what}: no line matching {pattern!r} within {GUARD_S} s:\n"
                                f"{self.tail()}")
                self._cond.wait(left)


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL, the process (and its process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(5)


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait for the end of ``pid`` (not our child) on a pidfd, which becomes
    readable when it exits: True once gone, False past ``timeout`` (a guard)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def kill_pid(pid: int) -> None:
    """Kill a process we started indirectly (a single-user server)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if wait_gone(pid, 30):
            return


def require_binary(name: str, package: str) -> str:
    """The path of ``name``; fail loudly (never skip) when it is missing."""
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    if not path:
        pytest.fail(f"{name} is not installed: install the Debian package {package} "
                    "(scripts/deps/hub.txt lists it)")
    return path


# --------------------------------------------------------------------------
# slapd

LDAP_SUFFIX = "dc=nbkit,dc=test"
LDAP_ADMIN = f"cn=admin,{LDAP_SUFFIX}"
LDAP_PASSWORD = "secret"
#: A username full of LDAP filter characters.
WEIRD_USER = "we*ird(x)\\y"

LDIF = f"""\
dn: {LDAP_SUFFIX}
objectClass: dcObject
objectClass: organization
o: nbkit
dc: nbkit

dn: ou=people,{LDAP_SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{LDAP_SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,{LDAP_SUFFIX}
objectClass: inetOrgPerson
uid: alice
cn: Alice
sn: A

dn: uid=bob,ou=people,{LDAP_SUFFIX}
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: B

dn: uid=we*ird(x)\\5Cy,ou=people,{LDAP_SUFFIX}
objectClass: inetOrgPerson
uid: {WEIRD_USER}
cn: Weird
sn: W

dn: uid=nogroups,ou=people,{LDAP_SUFFIX}
objectClass: inetOrgPerson
uid: nogroups
cn: Nobody
sn: N

dn: cn=ds-gpu,ou=groups,{LDAP_SUFFIX}
objectClass: groupOfNames
cn: ds-gpu
member: uid=alice,ou=people,{LDAP_SUFFIX}

dn: cn=platform,ou=groups,{LDAP_SUFFIX}
objectClass: groupOfNames
cn: platform
member: uid=we*ird(x)\\5Cy,ou=people,{LDAP_SUFFIX}

dn: cn=mlops,ou=groups,{LDAP_SUFFIX}
objectClass: groupOfNames
cn: mlops
member: uid=bob,ou=people,{LDAP_SUFFIX}
member: cn=platform,ou=groups,{LDAP_SUFFIX}

dn: cn=everyone,ou=groups,{LDAP_SUFFIX}
objectClass: groupOfNames
cn: everyone
member: cn=mlops,ou=groups,{LDAP_SUFFIX}

dn: cn=legacy,ou=groups,{LDAP_SUFFIX}
objectClass: posixGroup
cn: legacy
gidNumber: 5000
memberUid: {WEIRD_USER}
"""


class Slapd:
    """A running slapd: ``url`` and ``config(**overrides)`` for groupspawner."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"ldap://{LOCALHOST}:{port}"

    def config(self, **overrides: Any) -> dict:
        base = {
            "url": self.url,
            "bind_dn": LDAP_ADMIN,
            "bind_password": LDAP_PASSWORD,
            "user_base": f"ou=people,{LDAP_SUFFIX}",
            "group_base": f"ou=groups,{LDAP_SUFFIX}",
            "connect_timeout": 3,
            "receive_timeout": 5,
        }
        base.update(overrides)
        return base


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    """A real slapd on 127.0.0.1 with a users-and-groups fixture."""
    binary = require_binary("slapd", "slapd")
    slapadd = require_binary("slapadd", "slapd")
    root = tmp_path_factory.mktemp("slapd")
    data = root / "data"
    data.mkdir()
    conf = root / "slapd.conf"
    modulepath = "/usr/lib/ldap"
    conf.write_text(textwrap.dedent(f"""\
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/nis.schema
        include /etc/ldap/schema/inetorgperson.schema
        pidfile {root}/slapd.pid
        argsfile {root}/slapd.args
        modulepath {modulepath}
        moduleload back_mdb
        database mdb
        maxsize 16777216
        suffix "{LDAP_SUFFIX}"
        rootdn "{LDAP_ADMIN}"
        rootpw {LDAP_PASSWORD}
        directory {data}
        index objectClass eq
        """))
    ldif = root / "fixture.ldif"
    ldif.write_text(LDIF)
    res = subprocess.run([slapadd, "-f", str(conf), "-l", str(ldif)], capture_output=True,
                         text=True, timeout=60)
    if res.returncode != 0:
        pytest.fail(f"slapadd failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    port = free_port()
    # "-d conns" logs "daemon: added <fd>r listener=0x..." when the daemon
    # thread adds its listener, which it does right after listen(): the
    # event that slapd takes connections ("slapd starting" comes before
    # listen(), from another thread)
    proc = subprocess.Popen([binary, "-h", f"ldap://{LOCALHOST}:{port}/", "-f", str(conf),
                             "-d", "conns"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    watch = LineWatch(proc, root / "slapd.log")
    try:
        watch.wait(r"daemon: added \d+r listener=0x", "slapd")
        yield Slapd(port)
    finally:
        stop_process(proc)


# --------------------------------------------------------------------------
# JupyterHub

HUB_TOKEN = "groupspawner-test-token-0123456789abcdef"
HUB_PASSWORD = "pw-for-tests"
#: JupyterHub groups of the test users (alice has only the default group).
HUB_GROUPS = {
    "ds-gpu": ["gina", "rest-gpu", "replay"],
    "mlops": ["mona"],
}

HUB_CONFIG = """\
import os, sys
sys.path.insert(0, {hub_dir!r})
from groupspawner import GroupFormMixin
from jupyterhub.spawner import LocalProcessSpawner

RUN = {run!r}

class TestSpawner(GroupFormMixin, LocalProcessSpawner):
    # the test runs as root with no UNIX account per user: run the server as
    # the hub's own user, in a scratch home
    def make_preexec_fn(self, name):
        return None

    def user_env(self, env):
        env["USER"] = self.user.name
        home = os.path.join(RUN, "home", self.user.name)
        os.makedirs(home, exist_ok=True)
        env["HOME"] = home
        return env

    async def start(self):
        result = await super().start()
        with open(os.path.join(RUN, "pids", self.user.name + ".pid"), "w") as f:
            f.write(str(self.pid))
        return result

c.JupyterHub.spawner_class = TestSpawner
c.GroupFormMixin.policy_file = {policy!r}
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(RUN, "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(RUN, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(RUN, "cookie_secret")
c.JupyterHub.pid_file = os.path.join(RUN, "hub.pid")
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.JupyterHub.load_groups = {groups!r}
c.JupyterHub.services = [{{"name": "tester", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "tester-role",
    "scopes": ["admin:users", "admin:servers", "admin:groups", "list:users", "read:users"],
    "services": ["tester"],
}}]
c.JupyterHub.cleanup_servers = True
c.JupyterHub.slow_spawn_timeout = 15
c.Spawner.cmd = [sys.executable, {echo!r}]
c.Spawner.ip = "127.0.0.1"
c.Spawner.environment = {{"GROUPSPAWNER_TEST_RUN": RUN}}
# the hub's own limits on a spawn: failure guards, far past a loaded machine
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.poll_interval = 5
"""


class Hub:
    """A running JupyterHub: REST helpers and where its servers leave traces."""

    def __init__(self, run: Path, port: int, policy: Path, watch: LineWatch) -> None:
        self.run = run
        self.port = port
        self.policy = policy
        self.watch = watch
        self.url = f"http://{LOCALHOST}:{port}"

    def api(self, method: str, path: str, body: Any = None,
            raw: Optional[bytes] = None) -> tuple[int, Any]:
        """Call the hub's REST API as the admin test service."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(f"{self.url}/hub/api{path}", data=data, method=method,
                                     headers={"Authorization": f"token {HUB_TOKEN}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read().decode()
                return resp.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text

    def pid_file(self, user: str) -> Path:
        return self.run / "pids" / f"{user}.pid"

    def env_file(self, user: str) -> Path:
        return self.run / "env" / f"{user}.json"

    def server_state(self, user: str) -> dict:
        status, model = self.api("GET", f"/users/{user}")
        assert status == 200, model
        return model.get("servers", {})

    def wait_ready(self, user: str) -> dict:
        """Wait for the end of ``user``'s spawn on the hub's progress event
        stream (it ends with a "ready" or a "failed" event); the server's
        model once ready."""
        req = urllib.request.Request(f"{self.url}/hub/api/users/{user}/server/progress",
                                     headers={"Authorization": f"token {HUB_TOKEN}"})
        try:
            # the hub sends a keepalive every few seconds: GUARD_S only
            # bounds a hub that stops talking
            with urllib.request.urlopen(req, timeout=GUARD_S) as resp:
                for line in resp:
                    if not line.startswith(b"data:"):
                        continue
                    event = json.loads(line[5:])
                    if event.get("failed"):
                        pytest.fail(f"{user}'s server failed to start: {event.get('message')}:\n"
                                    f"{self.log_tail()}")
                    if event.get("ready"):
                        break
                else:
                    pytest.fail(f"{user}'s progress stream ended before ready:\n{self.log_tail()}")
        except urllib.error.HTTPError as e:
            pytest.fail(f"{user}'s spawn progress: {e.code} {e.read().decode(errors='replace')}")
        server = self.server_state(user).get("", {})
        assert server.get("ready"), server
        return server

    def stop_server(self, user: str) -> None:
        """Stop ``user``'s server: done when the DELETE answers 204; on 202
        (slower than the hub's slow_stop_timeout) wait for the hub's line
        "User NAME server took S seconds to stop", logged when it is."""
        mark = self.watch.mark()
        status, body = self.api("DELETE", f"/users/{user}/server")
        assert status in (202, 204, 400), (status, body)
        if status == 202:
            self.watch.wait(rf"User {re.escape(user)} server took [0-9.]+ seconds to stop",
                            f"{user}'s server to stop", since=mark)
        assert not self.server_state(user), self.server_state(user)

    def log_tail(self, n: int = 4000) -> str:
        path = self.run / "hub.log"
        return path.read_text(errors="replace")[-n:] if path.exists() else ""


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A real JupyterHub (Debian's 3.0) with GroupFormMixin on its
    LocalProcessSpawner, on 127.0.0.1."""
    jupyterhub = require_binary("jupyterhub", "jupyterhub")
    require_binary("configurable-http-proxy", "node-configurable-http-proxy")
    run = tmp_path_factory.mktemp("hub")
    for sub in ("pids", "env", "home"):
        (run / sub).mkdir()
    policy = run / "groups.yaml"
    shutil.copy(EXAMPLE_POLICY, policy)
    port, hub_port, api_port = free_port(), free_port(), free_port()
    while len({port, hub_port, api_port}) < 3:
        hub_port, api_port = free_port(), free_port()
    config = run / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(
        hub_dir=str(HUB_DIR), run=str(run), policy=str(policy), port=port, hub_port=hub_port,
        proxy_api_port=api_port, password=HUB_PASSWORD, groups=HUB_GROUPS, token=HUB_TOKEN,
        echo=str(TESTS / "echo_server.py")))
    env = dict(os.environ)
    env["NODE_PATH"] = "/usr/share/nodejs"  # Debian's configurable-http-proxy needs it
    env.pop("JUPYTERHUB_API_TOKEN", None)
    proc = subprocess.Popen([jupyterhub, "-f", str(config)], cwd=run, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    h = Hub(run, port, policy, LineWatch(proc, run / "hub.log"))
    try:
        # logged once the hub listens, the proxy runs and routes /hub to it
        h.watch.wait(r"JupyterHub is now running at", "jupyterhub")
        status, info = h.api("GET", "/")
        assert status == 200 and isinstance(info, dict) and "version" in info, (status, info)
        if not info["version"].startswith("3."):
            pytest.fail(f"expected JupyterHub 3.x, got {info['version']}")
        yield h
    finally:
        stop_process(proc, timeout=20)
        # single-user servers run in their own sessions: make sure none is left
        for pid_file in (run / "pids").glob("*.pid"):
            try:
                kill_pid(int(pid_file.read_text()))
            except ValueError:
                pass
        proxy_pid = run / "proxy.pid"
        if proxy_pid.exists():
            try:
                kill_pid(int(proxy_pid.read_text()))
            except ValueError:
                pass


# --------------------------------------------------------------------------
# headless Chromium

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--no-proxy-server", "--disable-extensions",
    "--disable-default-apps", "--metrics-recording-only", "--window-size=1200,900",
    # never resolve any name but the loopback address
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Chromium driven through chromedriver (selenium)."""
    chromium = require_binary("chromium", "chromium")
    chromedriver = require_binary("chromedriver", "chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        pytest.fail(f"selenium is not installed (Debian package python3-selenium): {e}")
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    real = "/usr/lib/chromium/chromium"
    options.binary_location = real if os.path.exists(real) else chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    service = Service(executable_path=chromedriver, port=free_port(), log_path=str(log))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception as e:  # noqa: BLE001 - report every start failure loudly
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        pytest.fail(f"headless chromium did not start: {e}\n{tail}")
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        service.stop()
