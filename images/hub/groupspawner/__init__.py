"""groupspawner: JupyterHub spawn forms and resources from the user's groups.

Public API::

    from groupspawner import Policy, PolicyError, GroupFormMixin
    policy = Policy.from_file("/etc/jupyterhub/groups.yaml")
    resources = policy.resolve(["ds-gpu"], {"image": "notebook:stable", "cpu": 2})

``groupspawner.GroupFormKubeSpawner`` is imported lazily (it needs kubespawner).
"""

from typing import Any

from .form import options_from_form_data, render_form
from .groups import GroupLookupError, LDAPConfig, LDAPGroupSource, hub_groups
from .policy import (
    DEFAULT_GROUP,
    Limits,
    NoPolicyError,
    Policy,
    PolicyError,
    PolicySchemaError,
    PolicyStore,
    Resources,
)
from .spawner import GroupFormMixin

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_GROUP",
    "GroupFormKubeSpawner",
    "GroupFormMixin",
    "GroupLookupError",
    "LDAPConfig",
    "LDAPGroupSource",
    "Limits",
    "NoPolicyError",
    "Policy",
    "PolicyError",
    "PolicySchemaError",
    "PolicyStore",
    "Resources",
    "hub_groups",
    "options_from_form_data",
    "render_form",
]


def __getattr__(name: str) -> Any:
    if name == "GroupFormKubeSpawner":
        from ._kube import GroupFormKubeSpawner

        return GroupFormKubeSpawner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
