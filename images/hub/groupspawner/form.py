"""The spawn form: HTML from a Jinja2 template (autoescaped) that offers
only what the user's groups allow, and the parsing of what it sends back."""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional

import jinja2

from .policy import OPTION_KEYS, Limits, PolicyError

__all__ = ["render_form", "form_values", "options_from_form_data"]

_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=False,
    lstrip_blocks=False,
)
_template = _env.get_template("form.html")

#: Most form fields accepted in one submission (anything beyond is refused).
MAX_FORM_FIELDS = 16
#: Fields the hub's own page adds (JupyterHub >= 4.1 puts its XSRF token in
#: the form body); they are not spawn options.
IGNORED_FIELDS = frozenset({"_xsrf"})


def form_values(limits: Limits, previous: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """Values to pre-fill: the previous options when the policy still allows
    them, else the groups' defaults."""
    if previous:
        try:
            return dict(limits.resolve(previous).options)
        except PolicyError:
            pass
    return dict(limits.resolve({}).options)


def render_form(limits: Optional[Limits], previous: Optional[Mapping[str, Any]] = None,
                error: Optional[str] = None) -> str:
    """The HTML of the spawn form for ``limits`` (see
    :meth:`groupspawner.policy.Policy.limits_for`).

    With ``limits`` None only ``error`` is shown (no policy, LDAP down ...).
    """
    if limits is None:
        return _template.render(limits=None, error=error or "Spawning is not available.")
    values = form_values(limits, previous)
    values.setdefault("pool", limits.default_pool or "")
    return _template.render(
        limits=limits,
        error=error,
        values=values,
        cpu=limits.cpu.as_strings(),
        memory=limits.memory_gib.as_strings(),
        guarantee_percent=int(round(float(limits.cpu_guarantee_ratio) * 100)),
    )


def options_from_form_data(form_data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn JupyterHub's form data (a dict of lists of strings) into an
    options dict with one value per key.

    Unknown fields, repeated fields and file uploads raise :class:`PolicyError`.
    """
    if not isinstance(form_data, Mapping):
        raise PolicyError("the form data must be a set of fields")
    if len(form_data) > MAX_FORM_FIELDS:
        raise PolicyError(f"too many form fields; allowed: {', '.join(OPTION_KEYS)}")
    options: dict[str, Any] = {}
    for key, values in form_data.items():
        if key in IGNORED_FIELDS:
            continue
        if not isinstance(key, str) or key not in OPTION_KEYS:
            shown = repr(key)[:40]
            raise PolicyError(f"unknown option {shown}; allowed options: {', '.join(OPTION_KEYS)}")
        if isinstance(values, (list, tuple)):
            if len(values) > 1:
                raise PolicyError(f"{key}: expected one value, got {len(values)}")
            value = values[0] if values else None
        else:
            value = values
        if isinstance(value, bytes):
            raise PolicyError(f"{key}: expected text")
        options[key] = value
    return options
