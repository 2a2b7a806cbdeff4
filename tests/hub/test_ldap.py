"""Groups from LDAP, against a real slapd on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import types
from typing import Optional

import pytest

from hub_support import GUARD_S, WEIRD_USER, Slapd, free_port
from groupspawner import GroupLookupError, LDAPConfig, LDAPGroupSource
from groupspawner import groups as groups_module


def source(slapd: Slapd, **overrides) -> LDAPGroupSource:
    return LDAPGroupSource(LDAPConfig.from_dict(slapd.config(**overrides)))


def lookup(src: LDAPGroupSource, user: str) -> frozenset:
    return asyncio.run(src.groups_for(user))


def test_groups_of_plain_users(slapd: Slapd) -> None:
    src = source(slapd)
    try:
        assert lookup(src, "alice") == {"ds-gpu"}
        assert lookup(src, "bob") == {"mlops"}
        assert lookup(src, "nogroups") == frozenset()
        assert lookup(src, "nobody-at-all") == frozenset()
    finally:
        src.close()


def test_username_with_filter_characters_is_escaped(slapd: Slapd) -> None:
    src = source(slapd)
    try:
        # member (by DN) and memberUid (by name) both match the weird user
        assert lookup(src, WEIRD_USER) == {"platform", "legacy"}
        # wildcards and filter syntax in a name match nothing and break nothing
        for hostile in ("*", "a*", "*)(uid=*", "alice)(|(uid=*", "\\2a", "bob\\", "(", ")"):
            assert lookup(src, hostile) == frozenset(), hostile
    finally:
        src.close()


def test_nested_groups(slapd: Slapd) -> None:
    src = source(slapd, nested=True)
    try:
        # weird -> platform -> mlops -> everyone
        assert lookup(src, WEIRD_USER) == {"platform", "legacy", "mlops", "everyone"}
        assert lookup(src, "bob") == {"mlops", "everyone"}
    finally:
        src.close()
    shallow = source(slapd, nested=True, max_depth=1)
    try:
        assert lookup(shallow, WEIRD_USER) == {"platform", "legacy", "mlops"}
    finally:
        shallow.close()


def test_results_are_cached_for_a_short_time(slapd: Slapd, monkeypatch) -> None:
    # the cache reads the time through its module's ``time``: a clock the
    # test moves, so no sleep and no window (a slow machine changes nothing)
    now = [1000.0]
    monkeypatch.setattr(groups_module, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    src = source(slapd, cache_ttl=0.5)

    async def scenario() -> None:
        # concurrent lookups of one user share one query
        results = await asyncio.gather(*(src.groups_for("alice") for _ in range(5)))
        assert all(r == {"ds-gpu"} for r in results)
        assert src.lookups == 1
        assert await src.groups_for("alice") == {"ds-gpu"}
        assert src.lookups == 1  # cached
        now[0] += 0.4
        assert await src.groups_for("alice") == {"ds-gpu"}
        assert src.lookups == 1  # still cached, just before the TTL
        now[0] += 0.2
        assert await src.groups_for("alice") == {"ds-gpu"}
        assert src.lookups == 2  # expired, looked up again

    try:
        asyncio.run(scenario())
    finally:
        src.close()


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts one connection and never
    answers; ``accepted`` is set, from its thread, once it has accepted."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.conn: Optional[socket.socket] = None
        self.on_accept = lambda: None
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        try:
            self.conn, _ = self.listener.accept()
        except OSError:
            return
        self.on_accept()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        # wakes a pending accept() (EINVAL) on Linux
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join()


def test_lookups_do_not_block_the_event_loop(slapd: Slapd) -> None:
    """While LDAP does not answer, the event loop keeps running.  The events:
    the server accepts the connection (the lookup now waits for an answer
    that only comes when the test closes it) and schedules a callback on the
    loop; that callback must run while the lookup is still pending.  A lookup
    that blocked the loop would let it run only after its receive_timeout."""
    server = SilentServer()
    src = LDAPGroupSource(LDAPConfig.from_dict(slapd.config(
        url=f"ldap://127.0.0.1:{server.port}", receive_timeout=60, connect_timeout=60)))

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        accepted = asyncio.Event()
        server.on_accept = lambda: loop.call_soon_threadsafe(accepted.set)
        lookup = asyncio.ensure_future(src.groups_for("alice"))
        await accepted.wait()
        assert not lookup.done()  # the loop ran while the lookup waited
        server.conn.close()  # now it fails, at once
        with pytest.raises(GroupLookupError, match="LDAP"):
            await asyncio.wait_for(lookup, GUARD_S)

    try:
        asyncio.run(scenario())
    finally:
        server.close()
        src.close()


def test_a_silent_server_fails_the_lookup_at_receive_timeout(slapd: Slapd) -> None:
    server = SilentServer()
    src = LDAPGroupSource(LDAPConfig.from_dict(slapd.config(
        url=f"ldap://127.0.0.1:{server.port}", receive_timeout=1.5, connect_timeout=1)))

    async def scenario() -> float:
        started = time.monotonic()
        with pytest.raises(GroupLookupError, match="LDAP"):
            # GUARD_S bounds a lookup that ignores the timeout: a failure guard
            await asyncio.wait_for(src.groups_for("alice"), GUARD_S)
        return time.monotonic() - started

    try:
        elapsed = asyncio.run(scenario())
    finally:
        server.close()
        src.close()
    # a lower bound only: a loaded machine makes it longer, never shorter
    assert elapsed >= 1.0, elapsed


def test_unreachable_server_fails_fast_with_a_clear_error(slapd: Slapd) -> None:
    src = source(slapd, url=f"ldap://127.0.0.1:{free_port()}", connect_timeout=1)
    started = time.monotonic()
    try:
        with pytest.raises(GroupLookupError, match="cannot connect to LDAP"):
            lookup(src, "alice")
    finally:
        src.close()
    assert time.monotonic() - started < 5


def test_wrong_password_is_an_error(slapd: Slapd) -> None:
    src = source(slapd, bind_password="wrong")
    try:
        with pytest.raises(GroupLookupError, match="LDAP"):
            lookup(src, "alice")
    finally:
        src.close()


def test_password_file(slapd: Slapd, tmp_path) -> None:
    secret = tmp_path / "password"
    secret.write_text("secret\n")
    cfg = slapd.config()
    del cfg["bind_password"]
    cfg["bind_password_file"] = str(secret)
    src = LDAPGroupSource(LDAPConfig.from_dict(cfg))
    try:
        assert lookup(src, "alice") == {"ds-gpu"}
    finally:
        src.close()


@pytest.mark.parametrize("bad,message", [
    ({"colour": "blue"}, "unknown key"),
    ({"url": "http://127.0.0.1"}, "ldap://"),
    ({"url": ""}, "url is required"),
    ({"nested": "yes"}, "true or false"),
    ({"cache_ttl": -1}, "positive number"),
    ({"user_filter": 5}, "must be a string"),
])
def test_config_errors(slapd: Slapd, bad: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LDAPConfig.from_dict({**slapd.config(), **bad})
