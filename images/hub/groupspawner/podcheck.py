"""Check a Kubernetes pod manifest (after every hook) against the limits of
the user's groups. Works on kubernetes-client V1Pod objects or plain dicts;
needs neither kubespawner nor a cluster."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Optional

from .policy import GIB, Limits, PolicyError

__all__ = ["check_pod_manifest", "parse_quantity"]

_SUFFIX = {
    "m": Decimal("0.001"), "": Decimal(1), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9, "T": Decimal(10) ** 12, "P": Decimal(10) ** 15,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40, "Pi": Decimal(2) ** 50,
}


def parse_quantity(value: Any) -> Decimal:
    """A Kubernetes quantity ("500m", "4Gi", 2, "4294967296") as a Decimal."""
    if isinstance(value, bool):
        raise PolicyError(f"invalid quantity {value!r}")
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = str(value).strip()
    for suffix in ("Ki", "Mi", "Gi", "Ti", "Pi", "m", "k", "M", "G", "T", "P"):
        if text.endswith(suffix):
            number, unit = text[: -len(suffix)], suffix
            break
    else:
        number, unit = text, ""
    try:
        result = Decimal(number) * _SUFFIX[unit]
    except InvalidOperation:
        raise PolicyError(f"invalid quantity {value!r}") from None
    if not result.is_finite():
        raise PolicyError(f"invalid quantity {value!r}")
    return result


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if obj is None:
            return None
        if isinstance(obj, Mapping):
            obj = obj.get(name)
        else:
            obj = getattr(obj, name, None)
    return obj


def _python_name(camel: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in camel)


def _field(obj: Any, camel: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(camel, obj.get(_python_name(camel)))
    return getattr(obj, _python_name(camel), None)


def check_pod_manifest(pod: Any, limits: Optional[Limits], container_name: str = "notebook") -> None:
    """Raise PolicyError if the notebook container of ``pod`` asks for more
    than ``limits`` allow, or if any container asks for more GPUs."""
    if limits is None:
        raise PolicyError("the policy was not applied to this pod")
    spec = _field(pod, "spec")
    containers = list(_field(spec, "containers") or [])
    if not containers:
        raise PolicyError("the pod has no containers")
    main = next((c for c in containers if _field(c, "name") == container_name), containers[0])
    image = _field(main, "image")
    allowed = {f"{limits.repositories[n]}:{t}" for _, n, t in limits.images}
    if image not in allowed:
        raise PolicyError(f"image {image!r} is not allowed; allowed: {', '.join(sorted(allowed))}")
    resources = _field(main, "resources")
    lim = dict(_field(resources, "limits") or {})
    req = dict(_field(resources, "requests") or {})
    for what, table in (("limit", lim), ("request", req)):
        if "cpu" not in table or "memory" not in table:
            raise PolicyError(f"the notebook container has no cpu or memory {what}")
        cpu = parse_quantity(table["cpu"])
        if not 0 < cpu <= limits.cpu.max:
            raise PolicyError(f"cpu {what} {cpu} is outside the policy; allowed: "
                              + limits.cpu.describe())
        mem = parse_quantity(table["memory"])
        if not 0 < mem <= limits.memory_gib.max * GIB:
            raise PolicyError(f"memory {what} {mem} bytes is outside the policy; allowed: "
                              + limits.memory_gib.describe())
    if parse_quantity(req["cpu"]) > parse_quantity(lim["cpu"]):
        raise PolicyError("the cpu request is above the cpu limit")
    gpus = Decimal(0)
    for container in containers:
        res = _field(container, "resources")
        tables = [dict(_field(res, "limits") or {}), dict(_field(res, "requests") or {})]
        count = max((parse_quantity(t[limits.gpu_resource]) for t in tables
                     if limits.gpu_resource in t), default=Decimal(0))
        gpus += count
    if gpus > limits.gpu_max:
        raise PolicyError(f"{gpus} GPUs ({limits.gpu_resource}) asked; allowed: 0 to "
                          f"{limits.gpu_max}")
