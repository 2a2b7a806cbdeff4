"""Groups from LDAP, against a real slapd on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from hub_support import WEIRD_USER, Slapd, free_port
from groupspawner import GroupLookupError, LDAPConfig, LDAPGroupSource


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


def test_results_are_cached_for_a_short_time(slapd: Slapd) -> None:
    src = source(slapd, cache_ttl=0.5)

    async def scenario() -> None:
        # concurrent lookups of one user share one query
        results = await asyncio.gather(*(src.groups_for("alice") for _ in range(5)))
        assert all(r == {"ds-gpu"} for r in results)
        assert src.lookups == 1
        assert await src.groups_for("alice") == {"ds-gpu"}
        assert src.lookups == 1  # cached
        await asyncio.sleep(0.6)
        assert await src.groups_for("alice") == {"ds-gpu"}
        assert src.lookups == 2  # expired, looked up again

    try:
        asyncio.run(scenario())
    finally:
        src.close()


def test_lookups_do_not_block_the_event_loop(slapd: Slapd) -> None:
    """While LDAP is slow to answer, the event loop keeps running."""
    # a TCP server that accepts and never answers: the LDAP bind waits for
    # receive_timeout
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    src = LDAPGroupSource(LDAPConfig.from_dict(slapd.config(
        url=f"ldap://127.0.0.1:{port}", receive_timeout=1.5, connect_timeout=1)))

    async def scenario() -> tuple[int, float]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        task = asyncio.create_task(ticker())
        started = time.monotonic()
        with pytest.raises(GroupLookupError, match="LDAP"):
            await src.groups_for("alice")
        elapsed = time.monotonic() - started
        task.cancel()
        return ticks, elapsed

    try:
        ticks, elapsed = asyncio.run(scenario())
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        listener.close()
        src.close()
    assert 1.0 < elapsed < 6, elapsed  # the timeout applied
    assert ticks >= elapsed / 0.05 * 0.5, (ticks, elapsed)  # the loop kept ticking


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
