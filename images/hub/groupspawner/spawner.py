"""``GroupFormMixin``: a spawn form built from the user's groups, and the
policy enforced in the spawn path itself.

Use it with any JupyterHub Spawner::

    class MySpawner(GroupFormMixin, LocalProcessSpawner): ...

or with KubeSpawner through :class:`GroupFormKubeSpawner` (imported lazily:
``c.JupyterHub.spawner_class = "groupspawner.GroupFormKubeSpawner"``).

Where options are checked:

* the form (``options_from_form``) and query strings (``options_from_query``):
  a refused value re-renders the form with the message, nothing is spawned;
* every spawn, whatever sent the options (form, REST API, options replayed
  from the database): the pre-spawn hook resolves them against the policy
  and sets the traits; a refused value stops the spawn with HTTP 400 and the
  message, before anything starts;
* right before ``start``, after every override (the operator's
  ``pre_spawn_hook``, ...), the final traits are checked once more.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

from tornado import web
from traitlets import Any as AnyTrait
from traitlets import Dict, Unicode, default
from traitlets.config import LoggingConfigurable

from .form import options_from_form_data, render_form
from .groups import GroupLookupError, LDAPConfig, LDAPGroupSource, hub_groups
from .policy import Limits, NoPolicyError, PolicyError, PolicyStore, Resources

__all__ = ["GroupFormMixin", "GroupFormKubeSpawner", "label_value"]

_LDAP_SOURCES: dict[LDAPConfig, LDAPGroupSource] = {}
_LDAP_LOCK = threading.Lock()


def _ldap_source(config: LDAPConfig) -> LDAPGroupSource:
    """One shared source (thread pool + cache) per LDAP configuration."""
    with _LDAP_LOCK:
        source = _LDAP_SOURCES.get(config)
        if source is None:
            source = _LDAP_SOURCES[config] = LDAPGroupSource(config)
        return source


def label_value(value: str) -> str:
    """``value`` made into a valid Kubernetes label value (at most 63
    characters of [A-Za-z0-9_.-], starting and ending with an alphanumeric)."""
    cleaned = "".join(c if (c.isascii() and (c.isalnum() or c in "-_.")) else "-" for c in value)
    cleaned = cleaned[:63].strip("-_.")
    return cleaned or "unknown"


async def _maybe_await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


class GroupFormMixin(LoggingConfigurable):
    """Spawner mixin: the form and the resources come from the user's groups.

    Put it first: ``class S(GroupFormMixin, SomeSpawner)``.
    """

    policy_file = Unicode(
        "/etc/jupyterhub/groups.yaml",
        help="The YAML resource policy (re-read when it changes).",
    ).tag(config=True)

    ldap = Dict(
        help="""Look groups up in LDAP instead of using JupyterHub's groups.

        Empty (the default): the user's JupyterHub groups are used. Keys:
        url (required; string or list), user_base, group_base (required),
        bind_dn, bind_password or bind_password_file, user_filter (default
        "(&(objectClass=*)(uid={username}))"), group_filter (default matches
        member, uniqueMember and memberUid), nested (false), max_depth (5),
        group_name_attribute (cn), connect_timeout (5 s), receive_timeout
        (10 s), cache_ttl (60 s), start_tls, ca_file, validate_cert.
        """,
    ).tag(config=True)

    group_label = Unicode(
        "nbkit.io/group", help="Pod label with the user's main policy group."
    ).tag(config=True)

    image_tag_label = Unicode(
        "nbkit.io/image-tag", help="Pod label with the image tag."
    ).tag(config=True)

    groups_annotation = Unicode(
        "nbkit.io/groups", help="Pod annotation with all the policy groups that applied."
    ).tag(config=True)

    group_resources = AnyTrait(
        None, allow_none=True,
        help="The Resources the last spawn resolved (read-only, set by the spawner).",
    )

    _group_limits: Optional[Limits] = None
    _group_hook_ran: bool = False

    # -- sources ---------------------------------------------------------------

    def group_policy(self):
        """The current policy (re-read if the file changed).

        Raises NoPolicyError when none is valid."""
        return PolicyStore.for_path(self.policy_file, self.log).get()

    async def get_user_groups(self) -> list[str]:
        """The user's group names: from LDAP when ``ldap`` is set, else from
        JupyterHub."""
        if self.ldap:
            try:
                config = LDAPConfig.from_dict(self.ldap)
            except ValueError as e:
                raise GroupLookupError(f"LDAP is misconfigured: {e}") from e
            return sorted(await _ldap_source(config).groups_for(self.user.name))
        return hub_groups(self.user)

    async def get_group_limits(self) -> Limits:
        """The merged limits of the user's groups."""
        groups = await self.get_user_groups()
        return self.group_policy().limits_for(groups)

    # -- the form --------------------------------------------------------------

    async def get_options_form(self) -> str:
        """The spawn form, limited to what the user's groups allow."""
        try:
            limits = await self.get_group_limits()
        except (PolicyError, GroupLookupError) as e:
            self.log.error("groupspawner: no form for %s: %s", self.user.name, e)
            return render_form(None, error=str(e))
        return render_form(limits, previous=self.user_options)

    @default("options_from_form")
    def _default_group_options_from_form(self):
        return self._group_options_from_form

    def _group_options_from_form(self, form_data: dict) -> Any:
        # JupyterHub awaits what this returns (maybe_future), so a coroutine
        # is fine; the group lookup may need LDAP.
        return self._checked_form_options(form_data)

    async def _checked_form_options(self, form_data: dict) -> dict:
        options = options_from_form_data(form_data)
        limits = await self.get_group_limits()
        # raises PolicyError: JupyterHub shows the form again with the message
        return limits.resolve(options).options

    # -- the spawn path ----------------------------------------------------------

    def _refuse(self, status: int, message: str) -> web.HTTPError:
        self.log.warning("groupspawner: refused spawn for %s: %s", self.user.name, message)
        return web.HTTPError(status, "%s", message)

    async def apply_group_policy(self) -> Resources:
        """Resolve ``user_options`` against the policy and set the traits.

        Raises ``tornado.web.HTTPError`` (400 for a refused value, 503 when
        there is no policy or the groups cannot be looked up)."""
        try:
            limits = await self.get_group_limits()
        except NoPolicyError as e:
            raise self._refuse(503, str(e)) from e
        except GroupLookupError as e:
            raise self._refuse(503, f"cannot look up your groups: {e}") from e
        try:
            resources = limits.resolve(self.user_options)
        except PolicyError as e:
            raise self._refuse(400, str(e)) from e
        self._group_limits = limits
        self.group_resources = resources
        self.cpu_limit = resources.cpu_limit
        self.cpu_guarantee = resources.cpu_guarantee
        self.mem_limit = resources.mem_limit
        self.mem_guarantee = resources.mem_guarantee
        self.apply_group_resources(resources)
        self.log.info("groupspawner: %s gets %s, %s CPUs (%s guaranteed), %d bytes, %d GPUs, "
                      "pool %s (groups %s)", self.user.name, resources.image,
                      resources.cpu_limit, resources.cpu_guarantee, resources.mem_limit,
                      resources.gpu, resources.pool, ",".join(resources.groups))
        return resources

    def apply_group_resources(self, resources: Resources) -> None:
        """Set spawner-specific traits (image, GPUs, node pool, labels).

        The generic spawner has none; GroupFormKubeSpawner overrides it."""

    def group_final_values(self) -> dict[str, Any]:
        """The trait values to check right before start (see
        :meth:`Limits.check_final`). Subclasses add their own."""
        return {
            "cpu_limit": self.cpu_limit,
            "cpu_guarantee": self.cpu_guarantee,
            "mem_limit": self.mem_limit,
            "mem_guarantee": self.mem_guarantee,
        }

    def check_group_final_values(self) -> None:
        """Check the final traits once more; raise HTTPError 403 if an
        override went outside the policy."""
        limits = self._group_limits
        if limits is None:
            raise self._refuse(500, "the resource policy was not applied before start")
        try:
            limits.check_final(**self.group_final_values())
        except PolicyError as e:
            raise self._refuse(403, f"the server's resources are outside the policy: {e}") from e

    async def run_pre_spawn_hook(self) -> None:
        """Apply the policy, then the configured ``pre_spawn_hook``."""
        await self.apply_group_policy()
        self._group_hook_ran = True
        await _maybe_await(super().run_pre_spawn_hook())

    async def start(self) -> Any:
        """Check the final traits, then start."""
        try:
            if not self._group_hook_ran:
                # started without JupyterHub's pre-spawn step: apply it here
                await self.apply_group_policy()
            self.check_group_final_values()
        finally:
            self._group_hook_ran = False
        return await _maybe_await(super().start())


def __getattr__(name: str) -> Any:
    # GroupFormKubeSpawner needs kubespawner: import it only when asked for.
    if name == "GroupFormKubeSpawner":
        from ._kube import GroupFormKubeSpawner

        return GroupFormKubeSpawner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
