"""Where a user's groups come from: JupyterHub itself (the Authenticator's
groups) or straight from LDAP.

LDAP lookups are blocking (ldap3's synchronous strategy), so they run in a
small thread pool of their own, never on the hub's event loop. Values put in
search filters are escaped (RFC 4515), every network call has a timeout, and
results are kept in a short TTL cache; concurrent lookups of one user share
one query.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any, Mapping, Optional, Sequence

__all__ = ["GroupLookupError", "LDAPConfig", "LDAPGroupSource", "hub_groups"]

log = logging.getLogger("groupspawner.groups")


class GroupLookupError(RuntimeError):
    """The user's groups could not be looked up (LDAP down, bad config ...)."""


def hub_groups(user: Any) -> list[str]:
    """The names of a JupyterHub user's groups (a ``jupyterhub.user.User``
    or ORM user), sorted."""
    groups = getattr(user, "groups", None) or []
    return sorted({getattr(g, "name", g) for g in groups if getattr(g, "name", g)})


@dataclass(frozen=True)
class LDAPConfig:
    """How to find a user's groups in LDAP.

    ``user_filter`` and ``group_filter`` are templates: ``{username}`` and
    ``{user_dn}`` are replaced by the escaped values. With ``nested``, groups
    that contain the user's groups are followed up to ``max_depth`` levels.
    """

    url: Sequence[str]
    user_base: str
    group_base: str
    bind_dn: str = ""
    bind_password: str = ""
    bind_password_file: str = ""
    user_filter: str = "(&(objectClass=*)(uid={username}))"
    group_filter: str = ("(|(member={user_dn})(uniqueMember={user_dn})"
                         "(memberUid={username}))")
    nested_filter: str = "(|(member={group_dn})(uniqueMember={group_dn}))"
    group_name_attribute: str = "cn"
    nested: bool = False
    max_depth: int = 5
    connect_timeout: float = 5.0
    receive_timeout: float = 10.0
    cache_ttl: float = 60.0
    cache_size: int = 10000
    start_tls: bool = False
    ca_file: str = ""
    validate_cert: bool = True
    max_workers: int = 4

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LDAPConfig":
        """Build from a plain dict (``c.GroupFormMixin.ldap``); unknown keys
        and wrong types raise ValueError naming the key."""
        names = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"ldap: unknown key(s) {', '.join(unknown)}; allowed: "
                             + ", ".join(names))
        for required in ("url", "user_base", "group_base"):
            if not data.get(required):
                raise ValueError(f"ldap: {required} is required")
        values: dict[str, Any] = {}
        for key, value in data.items():
            default = names[key].default
            if key == "url":
                urls = [value] if isinstance(value, str) else list(value)
                if not urls or not all(isinstance(u, str) and u.startswith(("ldap://", "ldaps://"))
                                       for u in urls):
                    raise ValueError("ldap: url must be ldap://host:port or ldaps://host:port "
                                     "(or a list of them)")
                value = tuple(urls)
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"ldap: {key} must be true or false")
            elif isinstance(default, (int, float)):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ValueError(f"ldap: {key} must be a positive number")
                value = type(default)(value)
            elif not isinstance(value, str):
                raise ValueError(f"ldap: {key} must be a string")
            values[key] = value
        return cls(**values)

    def password(self) -> str:
        """The bind password, read from ``bind_password_file`` when set."""
        if self.bind_password_file:
            with open(self.bind_password_file, encoding="utf-8") as f:
                return f.read().strip()
        return self.bind_password


@dataclass
class _Entry:
    expires: float
    groups: frozenset = field(default_factory=frozenset)


class LDAPGroupSource:
    """Looks up users' groups in LDAP, off the event loop, with a TTL cache."""

    def __init__(self, config: LDAPConfig, logger: Optional[logging.Logger] = None) -> None:
        self.config = config
        self.log = logger or log
        self._executor = ThreadPoolExecutor(max_workers=config.max_workers,
                                            thread_name_prefix="groupspawner-ldap")
        self._cache: dict[str, _Entry] = {}
        self._inflight: dict[str, asyncio.Future] = {}
        self.lookups = 0  # number of LDAP round trips made (for tests and metrics)

    def close(self) -> None:
        """Stop the thread pool."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def clear_cache(self) -> None:
        """Forget every cached result."""
        self._cache.clear()

    async def groups_for(self, username: str) -> frozenset:
        """The names of the groups of ``username`` (cached for cache_ttl
        seconds). Raises :class:`GroupLookupError` when LDAP fails."""
        now = time.monotonic()
        entry = self._cache.get(username)
        if entry is not None and entry.expires > now:
            return entry.groups
        pending = self._inflight.get(username)
        if pending is not None:
            return await asyncio.shield(pending)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self.lookup_sync, username)
        self._inflight[username] = future
        try:
            groups = await future
        finally:
            self._inflight.pop(username, None)
        if len(self._cache) >= self.config.cache_size:
            oldest = sorted(self._cache.items(), key=lambda kv: kv[1].expires)
            for key, _ in oldest[: max(1, len(oldest) // 10)]:
                self._cache.pop(key, None)
        self._cache[username] = _Entry(time.monotonic() + self.config.cache_ttl, groups)
        return groups

    # -- blocking part, runs in the thread pool ----------------------------

    def _connection(self) -> Any:
        import ldap3

        cfg = self.config
        tls = None
        if cfg.start_tls or any(u.startswith("ldaps://") for u in cfg.url):
            import ssl
            tls = ldap3.Tls(validate=ssl.CERT_REQUIRED if cfg.validate_cert else ssl.CERT_NONE,
                            ca_certs_file=cfg.ca_file or None)
        servers = [ldap3.Server(u, connect_timeout=cfg.connect_timeout, get_info=ldap3.NONE,
                                tls=tls) for u in cfg.url]
        pool = servers[0] if len(servers) == 1 else ldap3.ServerPool(
            servers, ldap3.ROUND_ROBIN, active=1, exhaust=True)
        try:
            conn = ldap3.Connection(pool, user=cfg.bind_dn or None,
                                    password=cfg.password() if cfg.bind_dn else None,
                                    # ldap3 packs this into SO_RCVTIMEO: whole seconds
                                    receive_timeout=max(1, math.ceil(cfg.receive_timeout)),
                                    read_only=True,
                                    raise_exceptions=True, auto_bind=ldap3.AUTO_BIND_NONE)
            if cfg.start_tls:
                conn.open()
                conn.start_tls()
            conn.bind()
        except Exception as e:  # noqa: BLE001 - ldap3 raises more than LDAPException
            raise GroupLookupError(f"cannot connect to LDAP ({', '.join(cfg.url)}): {e}") from e
        return conn

    def lookup_sync(self, username: str) -> frozenset:
        """Blocking lookup (no cache). Prefer :meth:`groups_for`."""
        from ldap3 import SUBTREE
        from ldap3.utils.conv import escape_filter_chars

        cfg = self.config
        self.lookups += 1
        conn = self._connection()
        try:
            esc_user = escape_filter_chars(username)
            time_limit = max(1, int(cfg.receive_timeout))
            conn.search(cfg.user_base, cfg.user_filter.format(username=esc_user),
                        search_scope=SUBTREE, attributes=[], size_limit=2,
                        time_limit=time_limit)
            entries = [e for e in conn.response if e.get("type") == "searchResEntry"]
            if len(entries) > 1:
                raise GroupLookupError(f"LDAP: more than one entry matches user {username!r}")
            user_dn = entries[0]["dn"] if entries else ""
            if not user_dn:
                self.log.warning("groupspawner: LDAP has no entry for user %r", username)
            filt = cfg.group_filter.format(username=esc_user,
                                           user_dn=escape_filter_chars(user_dn) if user_dn
                                           else "\\00")
            found = self._search_groups(conn, filt, time_limit)
            names = {name for name, _ in found.values()}
            if cfg.nested:
                frontier = list(found)
                seen = set(found)
                for _ in range(cfg.max_depth):
                    next_frontier = []
                    for dn in frontier:
                        nf = cfg.nested_filter.format(group_dn=escape_filter_chars(dn))
                        for parent_dn, (name, _) in self._search_groups(conn, nf,
                                                                        time_limit).items():
                            if parent_dn not in seen:
                                seen.add(parent_dn)
                                names.add(name)
                                next_frontier.append(parent_dn)
                    if not next_frontier:
                        break
                    frontier = next_frontier
            return frozenset(names)
        except GroupLookupError:
            raise
        except Exception as e:  # noqa: BLE001 - ldap3 raises more than LDAPException
            raise GroupLookupError(f"LDAP search failed for user {username!r}: {e}") from e
        finally:
            try:
                conn.unbind()
            except Exception:  # noqa: BLE001 - best effort close
                pass

    def _search_groups(self, conn: Any, search_filter: str,
                       time_limit: int) -> dict[str, tuple[str, str]]:
        from ldap3 import SUBTREE

        attr = self.config.group_name_attribute
        conn.search(self.config.group_base, search_filter, search_scope=SUBTREE,
                    attributes=[attr], size_limit=5000, time_limit=time_limit)
        out: dict[str, tuple[str, str]] = {}
        for entry in conn.response:
            if entry.get("type") != "searchResEntry":
                continue
            value = entry["attributes"].get(attr)
            if isinstance(value, list):
                value = value[0] if value else None
            if value:
                out[entry["dn"]] = (str(value), entry["dn"])
        return out
