"""The resource policy: which images, CPUs, memory, GPUs and node pools a
user's groups allow.

The policy is a YAML file (see DESIGN.md, "The hub companion")::

    images:
      notebook: {repository: registry.example/nbkit/notebook, tags: [stable, dev]}
    groups:
      default: {cpu: {min: 0.5, max: 4, default: 1, step: 0.5},
                memory_gib: {min: 1, max: 16, default: 4},
                images: {notebook: [stable]}, gpu: {max: 0}, pools: [shared]}
      ds-gpu:  {cpu: {max: 16}, gpu: {max: 2, resource: nvidia.com/gpu},
                pools: [shared, gpu-a100]}
    pools:
      shared:   {node_selector: {pool: shared}}
      gpu-a100: {node_selector: {pool: gpu-a100},
                 tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]}
    cpu_guarantee_ratio: 0.3333

Public API::

    policy = Policy.from_file("/etc/jupyterhub/groups.yaml")
    res = policy.resolve(["ds-gpu"], {"image": "notebook:stable", "cpu": "2"})
    res.cpu_limit, res.mem_limit, res.extra_resource_limits, ...

Every value a user sends is checked here; anything the policy does not allow
raises :class:`PolicyError`, whose message says what is allowed.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping, Optional, Sequence

import yaml

__all__ = [
    "PolicyError",
    "PolicySchemaError",
    "NoPolicyError",
    "Policy",
    "Limits",
    "NumberRange",
    "Resources",
    "PolicyStore",
    "DEFAULT_GROUP",
    "OPTION_KEYS",
    "MAX_STRING_LENGTH",
]

log = logging.getLogger("groupspawner.policy")

#: The group that applies to every user.
DEFAULT_GROUP = "default"
#: The keys a spawn request may carry.
OPTION_KEYS = ("image", "cpu", "memory", "gpu", "pool")
#: Longest string accepted in a spawn request (keys and values).
MAX_STRING_LENGTH = 256
#: Largest policy file read, in bytes.
MAX_POLICY_BYTES = 1 << 20

GIB = 1 << 30
_MILLI = Decimal("0.001")
_DEFAULT_RATIO = Decimal(1) / Decimal(3)
_DEFAULT_STEP = {"cpu": Decimal("0.1"), "memory_gib": Decimal("0.5")}
_UNITS = {"cpu": "CPUs", "memory_gib": "GiB"}
_OPTION_OF_KIND = {"cpu": "cpu", "memory_gib": "memory"}

# A plain decimal number: digits, optionally a dot and more digits. No sign,
# no exponent, no whitespace, ASCII digits only.
_PLAIN_NUMBER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?\Z")
_PLAIN_INT = re.compile(r"[0-9]{1,6}\Z")
_IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}\Z")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:-]{0,254}\Z")
_RESOURCE = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?/[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?\Z")
_POOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}\Z")
# a PersistentVolumeClaim's name (DNS-1123 subdomain)
_CLAIM = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PolicyError(ValueError):
    """A value, or a policy, that the policy does not allow.

    The message says what was wrong and what is allowed.
    """


class PolicySchemaError(PolicyError):
    """The policy file itself is invalid. ``key`` and ``line`` locate it."""

    def __init__(self, message: str, key: str = "", line: Optional[int] = None,
                 source: str = "") -> None:
        where = key or "policy"
        if line is not None:
            where += f" (line {line})"
        if source:
            where = f"{source}: {where}"
        super().__init__(f"{where}: {message}")
        self.detail = message
        self.key = key
        self.line = line
        self.source = source


class NoPolicyError(PolicyError):
    """No valid policy has been loaded, so nothing can be spawned."""


# --------------------------------------------------------------------------
# YAML loading with line numbers


class _LineDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}


class _LineList(list):
    """A sequence that remembers the line of each item (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []


class _Loader(yaml.SafeLoader):
    """SafeLoader that records line numbers and refuses duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise PolicySchemaError(f"keys must be strings, not {key!r}", str(key), line)
        if key in out:
            raise PolicySchemaError("duplicate key (first at line %d)" % out.lines[key], key, line)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _LineList:
    out = _LineList()
    out.line = node.start_mark.line + 1
    for item in node.value:
        out.append(loader.construct_object(item, deep=True))
        out.lines.append(item.start_mark.line + 1)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _Ctx:
    """Where we are in the policy document, for error messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, key: str, line: Optional[int]) -> PolicySchemaError:
        return PolicySchemaError(message, key, line, self.source)


def _line_of(container: Any, key: Any) -> Optional[int]:
    if isinstance(container, _LineDict):
        return container.lines.get(key, container.line)
    if isinstance(container, _LineList) and isinstance(key, int) and key < len(container.lines):
        return container.lines[key]
    return getattr(container, "line", None)


def _check_keys(ctx: _Ctx, mapping: Any, path: str, allowed: Sequence[str],
                line: Optional[int]) -> None:
    if not isinstance(mapping, dict):
        raise ctx.fail(f"must be a mapping with keys {', '.join(allowed)}", path, line)
    for key in mapping:
        if key not in allowed:
            raise ctx.fail(f"unknown key {key!r}; allowed: {', '.join(allowed)}",
                           f"{path}.{key}", _line_of(mapping, key))


def _policy_number(ctx: _Ctx, value: Any, path: str, line: Optional[int],
                   positive: bool = True) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ctx.fail(f"must be a number, not {value!r}", path, line)
    if isinstance(value, float) and not math.isfinite(value):
        raise ctx.fail("must be a finite number", path, line)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if positive and number <= 0:
        raise ctx.fail(f"must be greater than 0, not {value!r}", path, line)
    if number < 0:
        raise ctx.fail(f"must not be negative, not {value!r}", path, line)
    if number.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ctx.fail("at most 6 decimal places", path, line)
    if number > 1_000_000:
        raise ctx.fail("must be at most 1000000", path, line)
    return number


def _policy_string(ctx: _Ctx, value: Any, path: str, line: Optional[int],
                   pattern: Optional[re.Pattern] = None, what: str = "") -> str:
    if not isinstance(value, str) or not value:
        raise ctx.fail(f"must be a non-empty string, not {value!r}", path, line)
    if pattern is not None and not pattern.match(value):
        raise ctx.fail(f"{value!r} is not a valid {what}", path, line)
    if len(value) > MAX_STRING_LENGTH or _CONTROL.search(value):
        raise ctx.fail(f"{value!r} is too long or has control characters", path, line)
    return value


def _string_list(ctx: _Ctx, value: Any, path: str, line: Optional[int]) -> list[str]:
    if not isinstance(value, list):
        raise ctx.fail(f"must be a list of strings, not {value!r}", path, line)
    out: list[str] = []
    for i, item in enumerate(value):
        item = _policy_string(ctx, item, f"{path}[{i}]", _line_of(value, i))
        if item in out:
            raise ctx.fail(f"{item!r} is listed twice", f"{path}[{i}]", _line_of(value, i))
        out.append(item)
    return out


# --------------------------------------------------------------------------
# The parsed policy


@dataclass(frozen=True)
class ImageSpec:
    """One image of the catalogue: its repository and known tags."""

    name: str
    repository: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class PoolSpec:
    """One node pool: where pods go and what they tolerate."""

    name: str
    node_selector: Mapping[str, str]
    tolerations: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class _PartialRange:
    min: Optional[Decimal] = None
    max: Optional[Decimal] = None
    default: Optional[Decimal] = None
    step: Optional[Decimal] = None


@dataclass(frozen=True)
class _GroupSpec:
    name: str
    index: int
    line: Optional[int]
    cpu: _PartialRange
    memory_gib: _PartialRange
    gpu_max: Optional[int]
    gpu_default: Optional[int]
    gpu_resource: Optional[str]
    images: Mapping[str, tuple[str, ...]]
    pools: tuple[str, ...]
    team_envs: Optional[str] = None  # a PersistentVolumeClaim of the team's environments


def _fmt(number: Decimal) -> str:
    """A Decimal as a plain string without exponent or trailing zeros."""
    text = format(number.normalize(), "f")
    return text


@dataclass(frozen=True)
class NumberRange:
    """The allowed values of one kind (CPUs or GiB of memory)."""

    kind: str
    min: Decimal
    max: Decimal
    default: Decimal
    step: Decimal

    @property
    def unit(self) -> str:
        """The unit shown to users."""
        return _UNITS[self.kind]

    def describe(self) -> str:
        """Human-readable description of what is allowed."""
        return (f"{_fmt(self.min)} to {_fmt(self.max)} {self.unit}"
                f" in steps of {_fmt(self.step)}")

    def contains(self, value: Decimal) -> bool:
        """Whether ``value`` is within the range and on the step."""
        return self.min <= value <= self.max and value % self.step == 0

    def as_strings(self) -> dict[str, str]:
        """min, max, default and step as plain strings (for the form)."""
        return {"min": _fmt(self.min), "max": _fmt(self.max),
                "default": _fmt(self.default), "step": _fmt(self.step)}


@dataclass
class Resources:
    """What a spawn gets: the result of :meth:`Policy.resolve`.

    Numbers are ready for Spawner/KubeSpawner traits: ``cpu_limit`` and
    ``cpu_guarantee`` in CPUs, ``mem_limit`` and ``mem_guarantee`` in bytes.
    """

    image: str
    image_name: str
    image_tag: str
    cpu_limit: float
    cpu_guarantee: float
    mem_limit: int
    mem_guarantee: int
    gpu: int
    extra_resource_limits: dict[str, int]
    node_selector: dict[str, str]
    tolerations: list[dict[str, Any]]
    pool: Optional[str]
    groups: tuple[str, ...]
    primary_group: str
    options: dict[str, Any] = field(default_factory=dict)
    #: (group, claim) of each of the user's groups that has team_envs: the
    #: read-only volumes of its shared environments
    team_envs: tuple[tuple[str, str], ...] = ()


def _number_option(key: str, value: Any, integer: bool = False) -> Optional[Decimal]:
    """Parse one numeric option sent by a user (string or JSON number)."""
    what = "a whole number like 1" if integer else "a plain decimal number like 2 or 0.5"
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise PolicyError(f"{key}: expected {what}, not a boolean")
    if isinstance(value, (list, tuple, dict, set)):
        raise PolicyError(f"{key}: expected a single value ({what}), not a list or object")
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise PolicyError(f"{key}: NaN and infinity are not allowed; expected {what}")
        text = repr(value)
        if text.endswith(".0"):
            text = text[:-2]
    elif isinstance(value, int):
        if abs(value) >= 10**12:
            raise PolicyError(f"{key}: value is too long; expected {what}")
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise PolicyError(f"{key}: expected {what}, not {type(value).__name__}")
    if len(text) > 32:
        raise PolicyError(f"{key}: value is too long; expected {what}")
    pattern = _PLAIN_INT if integer else _PLAIN_NUMBER
    if not pattern.match(text):
        lowered = text.strip().lower()
        if lowered.lstrip("+-") in ("nan", "inf", "infinity") or "nan" in lowered or "inf" in lowered:
            problem = "NaN and infinity are not allowed"
        elif "e" in lowered and any(c.isdigit() for c in lowered):
            problem = "exponents are not allowed"
        elif lowered.startswith("-"):
            problem = "negative values are not allowed"
        elif integer and "." in lowered:
            problem = "fractions are not allowed"
        else:
            problem = f"{_short(text)} is not a valid number"
        raise PolicyError(f"{key}: {problem}; expected {what}")
    return Decimal(text)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _string_option(key: str, value: Any) -> Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple, dict, set)):
        raise PolicyError(f"{key}: expected a single string, not a list or object")
    if not isinstance(value, str):
        raise PolicyError(f"{key}: expected a string, not {type(value).__name__}")
    if len(value) > MAX_STRING_LENGTH:
        raise PolicyError(f"{key}: value is longer than {MAX_STRING_LENGTH} characters; "
                          f"expected one of the {key} names allowed for your groups")
    return value


@dataclass(frozen=True)
class Limits:
    """What a set of groups allows, merged: the most generous limit of each
    kind and the union of images and pools."""

    groups: tuple[str, ...]
    primary_group: str
    cpu: NumberRange
    memory_gib: NumberRange
    gpu_max: int
    gpu_default: int
    gpu_resource: str
    images: tuple[tuple[str, str, str], ...]  # (name:tag, name, tag) in catalogue order
    repositories: Mapping[str, str]
    pools: tuple[PoolSpec, ...]
    cpu_guarantee_ratio: Decimal
    team_envs: tuple[tuple[str, str], ...] = ()

    @property
    def image_choices(self) -> list[str]:
        """Allowed image choices as "name:tag"."""
        return [choice for choice, _, _ in self.images]

    @property
    def pool_names(self) -> list[str]:
        """Allowed pool names, in policy order."""
        return [p.name for p in self.pools]

    @property
    def default_image(self) -> Optional[str]:
        """The image used when none is asked for."""
        return self.images[0][0] if self.images else None

    @property
    def default_pool(self) -> Optional[str]:
        """The pool used when none is asked for."""
        return self.pools[0].name if self.pools else None

    def _allowed_images(self) -> str:
        return ", ".join(self.image_choices) or "none"

    def resolve(self, options: Optional[Mapping[str, Any]]) -> Resources:
        """Check ``options`` against these limits and compute the resources.

        Raises :class:`PolicyError` for anything not allowed.
        """
        if options is None:
            options = {}
        if not isinstance(options, Mapping):
            raise PolicyError("options must be an object with keys "
                              + ", ".join(OPTION_KEYS))
        for key in options:
            if not isinstance(key, str) or key not in OPTION_KEYS:
                raise PolicyError(f"unknown option {_short(key)}; allowed options: "
                                  + ", ".join(OPTION_KEYS))

        # image
        image = _string_option("image", options.get("image"))
        if image is None:
            if self.default_image is None:
                raise PolicyError("no image is allowed for your groups "
                                  f"({', '.join(self.groups)})")
            image = self.default_image
        found = None
        for choice, name, tag in self.images:
            if choice == image:
                found = (name, tag)
                break
        if found is None:
            raise PolicyError(f"image: {_short(image)} is not allowed for your groups; "
                              f"allowed: {self._allowed_images()}")
        image_name, image_tag = found

        cpu = self._number("cpu", self.cpu, options.get("cpu"))
        memory = self._number("memory", self.memory_gib, options.get("memory"))

        gpu_value = _number_option("gpu", options.get("gpu"), integer=True)
        gpu = self.gpu_default if gpu_value is None else int(gpu_value)
        if gpu > self.gpu_max:
            if self.gpu_max == 0:
                raise PolicyError(f"gpu: {gpu} asked, but your groups allow no GPUs "
                                  "(allowed: 0)")
            raise PolicyError(f"gpu: {gpu} asked; allowed: 0 to {self.gpu_max} GPUs")

        pool_name = _string_option("pool", options.get("pool"))
        pool: Optional[PoolSpec] = None
        if pool_name is None:
            pool = self.pools[0] if self.pools else None
        else:
            for candidate in self.pools:
                if candidate.name == pool_name:
                    pool = candidate
                    break
            if pool is None:
                raise PolicyError(f"pool: {_short(pool_name)} is not allowed for your groups; "
                                  f"allowed: {', '.join(self.pool_names) or 'none'}")

        guarantee = (cpu * self.cpu_guarantee_ratio).quantize(_MILLI, rounding=ROUND_HALF_UP)
        guarantee = min(guarantee, cpu)
        if guarantee <= 0:
            guarantee = _MILLI
        mem_bytes = int(memory * GIB)
        normalized: dict[str, Any] = {
            "image": image,
            "cpu": _fmt(cpu),
            "memory": _fmt(memory),
            "gpu": gpu,
        }
        if pool is not None:
            normalized["pool"] = pool.name
        return Resources(
            image=f"{self.repositories[image_name]}:{image_tag}",
            image_name=image_name,
            image_tag=image_tag,
            cpu_limit=float(cpu),
            cpu_guarantee=float(guarantee),
            mem_limit=mem_bytes,
            mem_guarantee=mem_bytes,
            gpu=gpu,
            extra_resource_limits={self.gpu_resource: gpu} if gpu > 0 else {},
            node_selector=dict(pool.node_selector) if pool else {},
            tolerations=[dict(t) for t in pool.tolerations] if pool else [],
            pool=pool.name if pool else None,
            groups=self.groups,
            primary_group=self.primary_group,
            options=normalized,
            team_envs=self.team_envs,
        )

    def _number(self, key: str, allowed: NumberRange, raw: Any) -> Decimal:
        value = _number_option(key, raw)
        if value is None:
            return allowed.default
        if value <= 0:
            raise PolicyError(f"{key}: must be greater than 0; allowed: {allowed.describe()}")
        if value < allowed.min:
            raise PolicyError(f"{key}: {_fmt(value)} is below the minimum; "
                              f"allowed: {allowed.describe()}")
        if value > allowed.max:
            raise PolicyError(f"{key}: {_fmt(value)} is above the maximum for your groups; "
                              f"allowed: {allowed.describe()}")
        if value % allowed.step != 0:
            raise PolicyError(f"{key}: {_fmt(value)} is not a multiple of "
                              f"{_fmt(allowed.step)}; allowed: {allowed.describe()}")
        return value

    def check_final(self, *, cpu_limit: Any, cpu_guarantee: Any, mem_limit: Any,
                    mem_guarantee: Any, image: Optional[str] = None,
                    extra_resource_limits: Optional[Mapping[str, Any]] = None,
                    node_selector: Optional[Mapping[str, Any]] = None,
                    tolerations: Optional[Sequence[Mapping[str, Any]]] = None) -> None:
        """Check values as they are right before the start, after every
        override (pre-spawn hooks, profiles ...), against these limits.

        Unset (None) CPU or memory limits are refused: the policy always
        sets them. Keyword arguments left at None are not checked (spawners
        without images or node selectors).
        """
        def number(name: str, value: Any) -> Decimal:
            if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
                raise PolicyError(f"after overrides, {name} is {value!r}; "
                                  "the policy requires a number")
            if isinstance(value, float) and not math.isfinite(value):
                raise PolicyError(f"after overrides, {name} is {value!r}")
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)

        cpu_l = number("cpu_limit", cpu_limit)
        cpu_g = number("cpu_guarantee", cpu_guarantee)
        if not (self.cpu.min <= cpu_l <= self.cpu.max):
            raise PolicyError(f"after overrides, cpu_limit is {_fmt(cpu_l)}; "
                              f"allowed: {self.cpu.describe()}")
        if not (0 < cpu_g <= cpu_l):
            raise PolicyError(f"after overrides, cpu_guarantee is {_fmt(cpu_g)}; "
                              f"allowed: more than 0 and at most cpu_limit {_fmt(cpu_l)}")
        mem_l = number("mem_limit", mem_limit)
        mem_g = number("mem_guarantee", mem_guarantee)
        lo, hi = self.memory_gib.min * GIB, self.memory_gib.max * GIB
        if not (lo <= mem_l <= hi):
            raise PolicyError(f"after overrides, mem_limit is {int(mem_l)} bytes; "
                              f"allowed: {self.memory_gib.describe()}")
        if not (0 < mem_g <= mem_l):
            raise PolicyError(f"after overrides, mem_guarantee is {int(mem_g)} bytes; "
                              "allowed: more than 0 and at most mem_limit")
        if image is not None:
            allowed = {f"{self.repositories[n]}:{t}" for _, n, t in self.images}
            if image not in allowed:
                raise PolicyError(f"after overrides, image is {_short(image)}; allowed: "
                                  + ", ".join(sorted(allowed)))
        if extra_resource_limits is not None:
            for name, count in extra_resource_limits.items():
                if name != self.gpu_resource:
                    raise PolicyError(f"after overrides, extra resource {_short(name)} is "
                                      f"requested; allowed: {self.gpu_resource}")
                try:
                    n = int(str(count))
                except ValueError:
                    raise PolicyError(f"after overrides, {name} is {count!r}; "
                                      f"allowed: 0 to {self.gpu_max}") from None
                if not 0 <= n <= self.gpu_max:
                    raise PolicyError(f"after overrides, {name} is {n}; "
                                      f"allowed: 0 to {self.gpu_max}")
        if node_selector is not None or tolerations is not None:
            selector = dict(node_selector or {})
            tols = [dict(t) for t in (tolerations or [])]
            ok = False
            candidates = list(self.pools) or [PoolSpec("", {}, ())]
            for pool in candidates:
                if selector == dict(pool.node_selector) and all(
                        t in [dict(x) for x in pool.tolerations] for t in tols):
                    ok = True
                    break
            if not ok:
                raise PolicyError("after overrides, the node selector or tolerations match "
                                  "no pool allowed for your groups; allowed pools: "
                                  + (", ".join(self.pool_names) or "none"))


class Policy:
    """A validated policy. Build it with :meth:`from_file`, :meth:`from_yaml`
    or :meth:`from_dict`; it is immutable afterwards."""

    def __init__(self, images: Mapping[str, ImageSpec], groups: Mapping[str, _GroupSpec],
                 pools: Mapping[str, PoolSpec], cpu_guarantee_ratio: Decimal,
                 source: str = "") -> None:
        self.images = dict(images)
        self._groups = dict(groups)
        self.pools = dict(pools)
        self.cpu_guarantee_ratio = cpu_guarantee_ratio
        self.source = source
        self._cache: dict[frozenset, Limits] = {}
        self._cache_lock = threading.Lock()

    # -- construction ------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "Policy":
        """Read and validate the policy at ``path``."""
        path = os.fspath(path)
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_POLICY_BYTES + 1)
        except OSError as e:
            raise PolicySchemaError(f"cannot read the policy file: {e.strerror}",
                                    source=path) from e
        if len(data) > MAX_POLICY_BYTES:
            raise PolicySchemaError(f"the policy file is larger than {MAX_POLICY_BYTES} bytes",
                                    source=path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise PolicySchemaError(f"not UTF-8: {e}", source=path) from e
        return cls.from_yaml(text, source=path)

    @classmethod
    def from_yaml(cls, text: str, source: str = "<policy>") -> "Policy":
        """Parse and validate a policy from YAML text."""
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
        except PolicySchemaError as e:
            raise PolicySchemaError(e.detail, e.key, e.line, source) from None
        except yaml.MarkedYAMLError as e:
            line = e.problem_mark.line + 1 if e.problem_mark else None
            raise PolicySchemaError(f"invalid YAML: {e.problem}", "", line, source) from e
        except yaml.YAMLError as e:
            raise PolicySchemaError(f"invalid YAML: {e}", source=source) from e
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, source: str = "<policy>") -> "Policy":
        """Validate an already parsed policy (a dict as in the YAML file)."""
        ctx = _Ctx(source)
        _check_keys(ctx, data, "policy", ("images", "groups", "pools", "cpu_guarantee_ratio"),
                    getattr(data, "line", 1))
        for required in ("images", "groups"):
            if required not in data:
                raise ctx.fail(f"missing required key {required!r}", required,
                               getattr(data, "line", 1))

        images = cls._parse_images(ctx, data["images"], _line_of(data, "images"))
        pools = cls._parse_pools(ctx, data.get("pools", {}), _line_of(data, "pools"))

        ratio = _DEFAULT_RATIO
        if "cpu_guarantee_ratio" in data:
            ratio = _policy_number(ctx, data["cpu_guarantee_ratio"], "cpu_guarantee_ratio",
                                   _line_of(data, "cpu_guarantee_ratio"))
            if ratio > 1:
                raise ctx.fail("must be greater than 0 and at most 1", "cpu_guarantee_ratio",
                               _line_of(data, "cpu_guarantee_ratio"))

        raw_groups = data["groups"]
        if not isinstance(raw_groups, dict) or not raw_groups:
            raise ctx.fail("must be a non-empty mapping of group names",
                           "groups", _line_of(data, "groups"))
        if DEFAULT_GROUP not in raw_groups:
            raise ctx.fail(f"the group {DEFAULT_GROUP!r} is required: it applies to every user",
                           "groups", _line_of(data, "groups"))
        groups: dict[str, _GroupSpec] = {}
        for index, (name, spec) in enumerate(raw_groups.items()):
            _policy_string(ctx, name, f"groups.{name}", _line_of(raw_groups, name))
            groups[name] = cls._parse_group(ctx, name, index, spec, _line_of(raw_groups, name),
                                            images, pools)

        policy = cls(images, groups, pools, ratio, source)
        policy._check_consistency(ctx, raw_groups)
        return policy

    @staticmethod
    def _parse_images(ctx: _Ctx, raw: Any, line: Optional[int]) -> dict[str, ImageSpec]:
        if not isinstance(raw, dict) or not raw:
            raise ctx.fail("must be a non-empty mapping of image names", "images", line)
        images: dict[str, ImageSpec] = {}
        for name, spec in raw.items():
            path = f"images.{name}"
            _policy_string(ctx, name, path, _line_of(raw, name), _IMAGE_NAME,
                           "image name (lowercase letters, digits, '.', '_', '-')")
            _check_keys(ctx, spec, path, ("repository", "tags"), _line_of(raw, name))
            for required in ("repository", "tags"):
                if required not in spec:
                    raise ctx.fail(f"missing required key {required!r}", path, _line_of(raw, name))
            repo = _policy_string(ctx, spec["repository"], f"{path}.repository",
                                  _line_of(spec, "repository"), _REPOSITORY, "repository")
            if ":" in repo.rsplit("/", 1)[-1]:
                raise ctx.fail("the repository must not include a tag; list tags under 'tags'",
                               f"{path}.repository", _line_of(spec, "repository"))
            tags = _string_list(ctx, spec["tags"], f"{path}.tags", _line_of(spec, "tags"))
            if not tags:
                raise ctx.fail("must list at least one tag", f"{path}.tags", _line_of(spec, "tags"))
            for i, tag in enumerate(tags):
                if not _TAG.match(tag):
                    raise ctx.fail(f"{tag!r} is not a valid image tag", f"{path}.tags[{i}]",
                                   _line_of(spec["tags"], i))
            images[name] = ImageSpec(name, repo, tuple(tags))
        return images

    @staticmethod
    def _parse_pools(ctx: _Ctx, raw: Any, line: Optional[int]) -> dict[str, PoolSpec]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise ctx.fail("must be a mapping of pool names", "pools", line)
        pools: dict[str, PoolSpec] = {}
        for name, spec in raw.items():
            path = f"pools.{name}"
            _policy_string(ctx, name, path, _line_of(raw, name), _POOL, "pool name")
            if spec is None:
                spec = {}
            _check_keys(ctx, spec, path, ("node_selector", "tolerations"), _line_of(raw, name))
            selector: dict[str, str] = {}
            raw_sel = spec.get("node_selector", {}) or {}
            if not isinstance(raw_sel, dict):
                raise ctx.fail("must be a mapping of label to value", f"{path}.node_selector",
                               _line_of(spec, "node_selector"))
            for key, value in raw_sel.items():
                kpath = f"{path}.node_selector.{key}"
                _policy_string(ctx, key, kpath, _line_of(raw_sel, key))
                if not isinstance(value, str):
                    raise ctx.fail("label values must be strings (quote numbers and booleans)",
                                   kpath, _line_of(raw_sel, key))
                selector[key] = value
            tolerations: list[Mapping[str, Any]] = []
            raw_tol = spec.get("tolerations", []) or []
            if not isinstance(raw_tol, list):
                raise ctx.fail("must be a list of tolerations", f"{path}.tolerations",
                               _line_of(spec, "tolerations"))
            for i, tol in enumerate(raw_tol):
                tpath = f"{path}.tolerations[{i}]"
                _check_keys(ctx, tol, tpath,
                            ("key", "operator", "value", "effect", "tolerationSeconds"),
                            _line_of(raw_tol, i))
                if tol.get("operator", "Equal") not in ("Equal", "Exists"):
                    raise ctx.fail("operator must be Equal or Exists", f"{tpath}.operator",
                                   _line_of(tol, "operator"))
                if tol.get("effect", "") not in ("", "NoSchedule", "PreferNoSchedule",
                                                 "NoExecute"):
                    raise ctx.fail("effect must be NoSchedule, PreferNoSchedule or NoExecute",
                                   f"{tpath}.effect", _line_of(tol, "effect"))
                for key in ("key", "value"):
                    if key in tol and not isinstance(tol[key], str):
                        raise ctx.fail("must be a string", f"{tpath}.{key}", _line_of(tol, key))
                if "tolerationSeconds" in tol and (
                        isinstance(tol["tolerationSeconds"], bool)
                        or not isinstance(tol["tolerationSeconds"], int)):
                    raise ctx.fail("must be a whole number of seconds",
                                   f"{tpath}.tolerationSeconds", _line_of(tol, "tolerationSeconds"))
                tolerations.append(dict(tol))
            pools[name] = PoolSpec(name, selector, tuple(tolerations))
        return pools

    @staticmethod
    def _parse_range(ctx: _Ctx, raw: Any, path: str, line: Optional[int],
                     kind: str) -> _PartialRange:
        if raw is None:
            return _PartialRange()
        _check_keys(ctx, raw, path, ("min", "max", "default", "step"), line)
        values = {k: _policy_number(ctx, raw[k], f"{path}.{k}", _line_of(raw, k))
                  for k in ("min", "max", "default", "step") if k in raw}
        if kind == "memory_gib" and "step" in values and (values["step"] * 1024) % 1 != 0:
            raise ctx.fail("must be a multiple of 1/1024 GiB (1 MiB), e.g. 0.25 or 0.5",
                           f"{path}.step", _line_of(raw, "step"))
        return _PartialRange(**values)

    @classmethod
    def _parse_group(cls, ctx: _Ctx, name: str, index: int, spec: Any, line: Optional[int],
                     images: Mapping[str, ImageSpec],
                     pools: Mapping[str, PoolSpec]) -> _GroupSpec:
        path = f"groups.{name}"
        if spec is None:
            spec = _LineDict()
        _check_keys(ctx, spec, path, ("cpu", "memory_gib", "gpu", "images", "pools", "team_envs"),
                    line)
        team_envs = None
        if spec.get("team_envs") is not None:
            team_envs = _policy_string(ctx, spec["team_envs"], f"{path}.team_envs",
                                       _line_of(spec, "team_envs"), _CLAIM,
                                       "PersistentVolumeClaim name (like risk-envs)")
        cpu = cls._parse_range(ctx, spec.get("cpu"), f"{path}.cpu", _line_of(spec, "cpu"), "cpu")
        mem = cls._parse_range(ctx, spec.get("memory_gib"), f"{path}.memory_gib",
                               _line_of(spec, "memory_gib"), "memory_gib")
        gpu_max = gpu_default = None
        gpu_resource = None
        if spec.get("gpu") is not None:
            gpu = spec["gpu"]
            gline = _line_of(spec, "gpu")
            _check_keys(ctx, gpu, f"{path}.gpu", ("max", "default", "resource"), gline)
            for key in ("max", "default"):
                if key in gpu:
                    value = gpu[key]
                    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 64:
                        raise ctx.fail("must be a whole number from 0 to 64",
                                       f"{path}.gpu.{key}", _line_of(gpu, key))
            gpu_max = gpu.get("max")
            gpu_default = gpu.get("default")
            if gpu_max is not None and gpu_default is not None and gpu_default > gpu_max:
                raise ctx.fail(f"default {gpu_default} is above max {gpu_max}",
                               f"{path}.gpu.default", _line_of(gpu, "default"))
            if "resource" in gpu:
                gpu_resource = _policy_string(ctx, gpu["resource"], f"{path}.gpu.resource",
                                              _line_of(gpu, "resource"), _RESOURCE,
                                              "extended resource name (like nvidia.com/gpu)")
        allowed_images: dict[str, tuple[str, ...]] = {}
        if spec.get("images") is not None:
            raw_images = spec["images"]
            ipath = f"{path}.images"
            if not isinstance(raw_images, dict):
                raise ctx.fail("must map image names to lists of tags", ipath,
                               _line_of(spec, "images"))
            for image, tags in raw_images.items():
                if image not in images:
                    raise ctx.fail(f"unknown image {image!r}; known images: "
                                   + ", ".join(images), f"{ipath}.{image}",
                                   _line_of(raw_images, image))
                tag_list = _string_list(ctx, tags, f"{ipath}.{image}", _line_of(raw_images, image))
                for i, tag in enumerate(tag_list):
                    if tag not in images[image].tags:
                        raise ctx.fail(f"unknown tag {tag!r}; tags of {image}: "
                                       + ", ".join(images[image].tags), f"{ipath}.{image}[{i}]",
                                       _line_of(tags, i))
                allowed_images[image] = tuple(tag_list)
        group_pools: tuple[str, ...] = ()
        if spec.get("pools") is not None:
            plist = _string_list(ctx, spec["pools"], f"{path}.pools", _line_of(spec, "pools"))
            for i, pool in enumerate(plist):
                if pool not in pools:
                    raise ctx.fail(f"unknown pool {pool!r}; known pools: "
                                   + (", ".join(pools) or "none"), f"{path}.pools[{i}]",
                                   _line_of(spec["pools"], i))
            group_pools = tuple(plist)
        return _GroupSpec(name, index, line, cpu, mem, gpu_max, gpu_default, gpu_resource,
                          allowed_images, group_pools, team_envs)

    def _check_consistency(self, ctx: _Ctx, raw_groups: Any) -> None:
        default = self._groups[DEFAULT_GROUP]
        dline = _line_of(raw_groups, DEFAULT_GROUP)
        for kind in ("cpu", "memory_gib"):
            part: _PartialRange = getattr(default, kind)
            for key in ("min", "max", "default"):
                if getattr(part, key) is None:
                    raise ctx.fail(f"the default group must set {kind}.{key}",
                                   f"groups.{DEFAULT_GROUP}.{kind}", dline)
            # steps must divide each other so that merged limits stay on one grid
            steps = sorted({getattr(g, kind).step for g in self._groups.values()
                            if getattr(g, kind).step is not None}
                           | {part.step or _DEFAULT_STEP[kind]})
            for a in steps:
                for b in steps:
                    if a < b and b % a != 0:
                        raise ctx.fail(f"steps {_fmt(a)} and {_fmt(b)} do not divide each "
                                       "other; use steps that are multiples of each other",
                                       f"groups.*.{kind}.step", dline)
        for name in self._groups:
            try:
                self.limits_for([name])
            except PolicyError as e:
                raise ctx.fail(str(e), f"groups.{name}", _line_of(raw_groups, name)) from None

    # -- queries -----------------------------------------------------------

    @property
    def group_names(self) -> list[str]:
        """The groups the policy knows, in file order."""
        return list(self._groups)

    def limits_for(self, groups: Iterable[str]) -> Limits:
        """Merge the limits of ``groups`` (plus ``default``). Groups the
        policy does not know are ignored. Results are cached."""
        known = frozenset(g for g in groups if isinstance(g, str) and g in self._groups)
        known |= {DEFAULT_GROUP}
        cached = self._cache.get(known)
        if cached is not None:
            return cached
        limits = self._merge(known)
        with self._cache_lock:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[known] = limits
        return limits

    def resolve(self, groups: Iterable[str], options: Optional[Mapping[str, Any]]) -> Resources:
        """Check ``options`` for a user in ``groups`` and return what to spawn.

        ``options`` keys: image ("name:tag"), cpu (CPUs), memory (GiB), gpu
        (count), pool (name); strings or numbers; missing keys take the
        groups' defaults. Raises :class:`PolicyError` when anything is not
        allowed.
        """
        return self.limits_for(groups).resolve(options)

    def _merge(self, names: frozenset) -> Limits:
        specs = sorted((self._groups[n] for n in names), key=lambda g: g.index)
        ranges = {}
        for kind in ("cpu", "memory_gib"):
            parts = [getattr(g, kind) for g in specs]
            default_part: _PartialRange = getattr(self._groups[DEFAULT_GROUP], kind)
            lo = min(p.min for p in parts if p.min is not None)
            hi = max(p.max for p in parts if p.max is not None)
            dflt = max(p.default for p in parts if p.default is not None)
            steps = [p.step for p in parts if p.step is not None]
            steps.append(default_part.step or _DEFAULT_STEP[kind])
            step = min(steps)
            rng = NumberRange(kind, lo, hi, dflt, step)
            label = ", ".join(g.name for g in specs)
            if not lo <= dflt <= hi:
                raise PolicyError(f"{kind}: default {_fmt(dflt)} is outside min {_fmt(lo)} "
                                  f"and max {_fmt(hi)} for groups {label}")
            for what, value in (("min", lo), ("max", hi), ("default", dflt)):
                if value % step != 0:
                    raise PolicyError(f"{kind}: {what} {_fmt(value)} is not a multiple of the "
                                      f"step {_fmt(step)} for groups {label}")
            ranges[kind] = rng
        gpu_max = 0
        gpu_default = 0
        gpu_resource = "nvidia.com/gpu"
        best = -1
        for g in specs:
            if g.gpu_max is not None and g.gpu_max > best:
                best = g.gpu_max
                gpu_max = g.gpu_max
                if g.gpu_resource:
                    gpu_resource = g.gpu_resource
            if g.gpu_default is not None:
                gpu_default = max(gpu_default, g.gpu_default)
        if best < 0:
            for g in specs:
                if g.gpu_resource:
                    gpu_resource = g.gpu_resource
        gpu_default = min(gpu_default, gpu_max)
        allowed_tags: dict[str, set[str]] = {}
        for g in specs:
            for image, tags in g.images.items():
                allowed_tags.setdefault(image, set()).update(tags)
        images = tuple((f"{name}:{tag}", name, tag)
                       for name, spec in self.images.items() if name in allowed_tags
                       for tag in spec.tags if tag in allowed_tags[name])
        allowed_pools = {p for g in specs for p in g.pools}
        pools = tuple(spec for name, spec in self.pools.items() if name in allowed_pools)
        non_default = [g.name for g in specs if g.name != DEFAULT_GROUP]
        return Limits(
            groups=tuple(g.name for g in specs),
            primary_group=non_default[0] if non_default else DEFAULT_GROUP,
            cpu=ranges["cpu"],
            memory_gib=ranges["memory_gib"],
            gpu_max=gpu_max,
            gpu_default=gpu_default,
            gpu_resource=gpu_resource,
            images=images,
            repositories={n: s.repository for n, s in self.images.items()},
            pools=pools,
            cpu_guarantee_ratio=self.cpu_guarantee_ratio,
            team_envs=tuple((g.name, g.team_envs) for g in specs if g.team_envs),
        )


class PolicyStore:
    """Keeps the policy of one file up to date.

    :meth:`get` re-reads the file when its inode, size or mtime changed (a
    Kubernetes ConfigMap update swaps a symlink, which changes the inode). A
    broken new version is logged and the last good policy kept; with no good
    policy :meth:`get` raises :class:`NoPolicyError`.
    """

    _registry: dict[str, "PolicyStore"] = {}
    _registry_lock = threading.Lock()

    def __init__(self, path: str | os.PathLike,
                 logger: Optional[logging.Logger] = None) -> None:
        self.path = os.fspath(path)
        self.log = logger or log
        self._lock = threading.Lock()
        self._policy: Optional[Policy] = None
        self._stamp: Optional[tuple] = None
        self._error: Optional[str] = None

    @classmethod
    def for_path(cls, path: str | os.PathLike,
                 logger: Optional[logging.Logger] = None) -> "PolicyStore":
        """The shared store of ``path`` (one per path and process); ``logger``
        is used when the store is created."""
        key = os.path.abspath(os.fspath(path))
        with cls._registry_lock:
            store = cls._registry.get(key)
            if store is None:
                store = cls._registry[key] = cls(key, logger)
            return store

    @property
    def last_error(self) -> Optional[str]:
        """Why the newest version of the file was refused, if it was."""
        return self._error

    def _stat(self) -> Optional[tuple]:
        try:
            st = os.stat(self.path)
        except OSError as e:
            return ("missing", e.errno)
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def get(self) -> Policy:
        """The current good policy, re-read first if the file changed."""
        stamp = self._stat()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._reload(stamp)
        policy = self._policy
        if policy is None:
            raise NoPolicyError(
                "spawning is disabled: no valid resource policy is loaded from "
                f"{self.path} ({self._error or 'not loaded'}); please contact the "
                "hub administrators")
        return policy

    def _reload(self, stamp: Optional[tuple]) -> None:
        self._stamp = stamp
        try:
            policy = Policy.from_file(self.path)
        except PolicyError as e:
            self._error = str(e)
            if self._policy is not None:
                self.log.error("groupspawner: new policy refused, keeping the last good one: %s",
                               e)
            else:
                self.log.error("groupspawner: no valid policy, spawning is refused: %s", e)
            return
        self._policy = policy
        self._error = None
        self.log.info("groupspawner: policy loaded from %s (%d groups)", self.path,
                      len(policy.group_names))
