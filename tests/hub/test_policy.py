"""The policy: merging, schema errors (key and line), hostile inputs, and
reloading the file."""

from __future__ import annotations

import logging
import os
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest

from hub_support import EXAMPLE_POLICY
from groupspawner import NoPolicyError, Policy, PolicyError, PolicySchemaError, PolicyStore

GIB = 2**30


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_file(EXAMPLE_POLICY)


# -- merging -----------------------------------------------------------------


def test_default_group_applies_to_everyone(policy: Policy) -> None:
    res = policy.resolve([], {})
    assert res.image == "registry.example/nbkit/notebook:stable"
    assert (res.image_name, res.image_tag) == ("notebook", "stable")
    assert res.cpu_limit == 1.0
    assert res.cpu_guarantee == 0.333  # 1 x 0.3333, in millicores
    assert res.mem_limit == res.mem_guarantee == 4 * GIB
    assert res.gpu == 0 and res.extra_resource_limits == {}
    assert res.node_selector == {"pool": "shared"} and res.tolerations == []
    assert res.groups == ("default",) and res.primary_group == "default"
    # unknown groups are ignored
    assert policy.resolve(["nobody", "staff"], {}).groups == ("default",)


def test_groups_merge_to_the_most_generous_limits_and_union(policy: Policy) -> None:
    limits = policy.limits_for(["mlops", "ds-gpu"])
    assert limits.groups == ("default", "ds-gpu", "mlops")
    assert limits.primary_group == "ds-gpu"
    assert limits.cpu.max == 16 and limits.cpu.min == Decimal("0.5")
    assert limits.cpu.step == Decimal("0.5")
    assert limits.memory_gib.max == 128 and limits.memory_gib.default == 4
    assert limits.gpu_max == 2 and limits.gpu_resource == "nvidia.com/gpu"
    assert limits.image_choices == ["notebook:stable", "notebook:stable-old",
                                    "notebook:hotfix", "notebook:dev"]
    assert limits.pool_names == ["shared", "gpu-a100"]
    res = limits.resolve({"image": "notebook:dev", "cpu": 16, "memory": "128", "gpu": "2",
                          "pool": "gpu-a100"})
    assert res.image == "registry.example/nbkit/notebook:dev"
    assert res.cpu_limit == 16.0 and res.cpu_guarantee == 5.333
    assert res.mem_limit == res.mem_guarantee == 128 * GIB
    assert res.extra_resource_limits == {"nvidia.com/gpu": 2}
    assert res.node_selector == {"pool": "gpu-a100"}
    assert res.tolerations == [{"key": "nvidia.com/gpu", "operator": "Exists",
                                "effect": "NoSchedule"}]
    assert res.options == {"image": "notebook:dev", "cpu": "16", "memory": "128", "gpu": 2,
                           "pool": "gpu-a100"}
    # mlops alone: more images, but no GPUs and the default limits
    mlops = policy.limits_for(["mlops"])
    assert mlops.gpu_max == 0 and mlops.cpu.max == 4 and mlops.pool_names == ["shared"]
    assert "notebook:hotfix" in mlops.image_choices


def test_merge_takes_the_largest_default_smallest_min_and_step() -> None:
    p = Policy.from_yaml(textwrap.dedent("""\
        images: {nb: {repository: r/nb, tags: [a, b]}}
        groups:
          default: {cpu: {min: 1, max: 4, default: 1, step: 0.5},
                    memory_gib: {min: 2, max: 8, default: 2, step: 1}, images: {nb: [a]}}
          big: {cpu: {max: 32, default: 8, min: 0.25, step: 0.25}, memory_gib: {default: 6}}
          mid: {cpu: {max: 8, default: 2}, images: {nb: [b]}}
        """))
    limits = p.limits_for(["big", "mid"])
    assert (limits.cpu.min, limits.cpu.max, limits.cpu.default, limits.cpu.step) == (
        Decimal("0.25"), 32, 8, Decimal("0.25"))
    assert limits.memory_gib.default == 6
    assert limits.image_choices == ["nb:a", "nb:b"]
    assert p.resolve(["mid"], {}).cpu_limit == 2.0
    assert limits.default_pool is None and p.resolve([], {}).node_selector == {}
    # default cpu_guarantee_ratio is 1/3
    assert p.resolve([], {"cpu": 3}).cpu_guarantee == 1.0


# -- hostile inputs ----------------------------------------------------------

HOSTILE = [
    ({"cpu": "nan"}, "NaN"),
    ({"cpu": "NaN"}, "NaN"),
    ({"cpu": float("nan")}, "NaN"),
    ({"cpu": "inf"}, "infinity"),
    ({"cpu": "-Infinity"}, "infinity"),
    ({"memory": float("inf")}, "infinity"),
    ({"cpu": "1e1"}, "exponents are not allowed"),
    ({"cpu": "2E0"}, "exponents are not allowed"),
    ({"memory": 1e-5}, "exponents are not allowed"),
    ({"cpu": "-1"}, "negative values are not allowed"),
    ({"cpu": -1}, "negative values are not allowed"),
    ({"cpu": 0}, "must be greater than 0"),
    ({"cpu": "0"}, "must be greater than 0"),
    ({"memory": "0.0"}, "must be greater than 0"),
    ({"cpu": "4.5"}, "above the maximum"),
    ({"cpu": "0.25"}, "below the minimum"),
    ({"memory": 17}, "above the maximum"),
    ({"cpu": "0.7"}, "not a multiple of 0.5"),
    ({"memory": "1.2"}, "not a multiple of 0.5"),
    ({"cpu": " 1"}, "not a valid number"),
    ({"cpu": "1 "}, "not a valid number"),
    ({"cpu": "0x10"}, "not a valid number"),
    ({"cpu": "１"}, "not a valid number"),  # full-width digit
    ({"cpu": "1_0"}, "not a valid number"),
    ({"cpu": True}, "not a boolean"),
    ({"cpu": [1]}, "not a list or object"),
    ({"cpu": {"value": 1}}, "not a list or object"),
    ({"image": ["notebook:stable"]}, "not a list or object"),
    ({"pool": {"name": "shared"}}, "not a list or object"),
    ({"gpu": [0]}, "not a list or object"),
    ({"cpu": 10**30}, "too long"),
    ({"cpu": "9" * 40}, "too long"),
    ({"image": "n" * 300}, "longer than 256"),
    ({"pool": "p" * 300}, "longer than 256"),
    ({"image": "notebook:dev"}, "allowed: notebook:stable, notebook:stable-old"),
    ({"image": "notebook"}, "is not allowed"),
    ({"image": "registry.example/nbkit/notebook:stable"}, "is not allowed"),
    ({"image": "evil/image:latest"}, "is not allowed"),
    ({"image": 5}, "expected a string"),
    ({"pool": "gpu-a100"}, "allowed: shared"),
    ({"pool": "../../etc"}, "is not allowed"),
    ({"gpu": 1}, "allow no GPUs"),
    ({"gpu": "1.5"}, "fractions are not allowed"),
    ({"gpu": -1}, "negative values are not allowed"),
    ({"gpu": "1e0"}, "exponents are not allowed"),
    ({"gpu": 1.5}, "fractions are not allowed"),
    ({"privileged": True}, "unknown option 'privileged'"),
    ({"profile": "gpu"}, "unknown option"),
    ({"x" * 1000: 1}, "unknown option"),
    ({1: 2}, "unknown option"),
]


@pytest.mark.parametrize("options,message", HOSTILE, ids=[repr(h[0])[:40] for h in HOSTILE])
def test_hostile_inputs_are_refused_with_what_is_allowed(policy: Policy, options,
                                                         message: str) -> None:
    with pytest.raises(PolicyError) as info:
        policy.resolve(["mlops"] if "dev" not in str(options) else [], options)
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)
    text = str(info.value)
    assert "allowed" in text or "expected" in text, text
    assert len(text) < 400


def test_hostile_inputs_for_gpu_users(policy: Policy) -> None:
    with pytest.raises(PolicyError, match=r"gpu: 3 asked; allowed: 0 to 2 GPUs"):
        policy.resolve(["ds-gpu"], {"gpu": 3})
    with pytest.raises(PolicyError, match="must be greater than 0"):
        policy.resolve(["ds-gpu"], {"cpu": "0.000"})


@pytest.mark.parametrize("options", [None, "cpu=1", ["cpu"], 42])
def test_options_must_be_an_object(policy: Policy, options) -> None:
    if options is None:
        assert policy.resolve([], None).cpu_limit == 1.0
        return
    with pytest.raises(PolicyError, match="options must be an object"):
        policy.resolve([], options)


def test_accepted_spellings(policy: Policy) -> None:
    for value in ("2", "2.0", "2.50", 2, 2.5, "0.5"):
        res = policy.resolve([], {"cpu": value})
        assert res.cpu_limit == float(Decimal(str(value)))
    assert policy.resolve([], {"cpu": "", "memory": None, "gpu": ""}).cpu_limit == 1.0
    assert policy.resolve([], {"gpu": "0"}).gpu == 0
    assert policy.resolve(["ds-gpu"], {"gpu": 2.0}).gpu == 2


# -- schema errors -----------------------------------------------------------


def schema_error(text: str) -> PolicySchemaError:
    with pytest.raises(PolicySchemaError) as info:
        Policy.from_yaml(textwrap.dedent(text), source="test.yaml")
    return info.value


GOOD_HEAD = """\
images:
  nb: {repository: r/nb, tags: [a, b]}
groups:
  default:
    cpu: {min: 1, max: 4, default: 1}
    memory_gib: {min: 1, max: 8, default: 2}
    images: {nb: [a]}
"""


@pytest.mark.parametrize("tail,key,line,message", [
    ("  extra:\n    cpu: {maxx: 8}\n", "groups.extra.cpu.maxx", 9, "unknown key 'maxx'"),
    ("  extra:\n    cpus: {max: 8}\n", "groups.extra.cpus", 9, "allowed: cpu, memory_gib"),
    ("  extra:\n    cpu: {max: .nan}\n", "groups.extra.cpu.max", 9, "finite"),
    ("  extra:\n    cpu: {max: -2}\n", "groups.extra.cpu.max", 9, "greater than 0"),
    ("  extra:\n    cpu: {max: '8'}\n", "groups.extra.cpu.max", 9, "must be a number"),
    ("  extra:\n    cpu: {default: 9}\n", "groups.extra", 8, "outside min 1 and max 4"),
    ("  extra:\n    images: {nb: [c]}\n", "groups.extra.images.nb[0]", 9, "unknown tag 'c'"),
    ("  extra:\n    images: {other: [a]}\n", "groups.extra.images.other", 9, "unknown image"),
    ("  extra:\n    pools: [gpu]\n", "groups.extra.pools[0]", 9, "unknown pool 'gpu'"),
    ("  extra:\n    team_envs: 'Risk Envs'\n", "groups.extra.team_envs", 9,
     "not a valid PersistentVolumeClaim name"),
    ("  extra:\n    team_envs: [a]\n", "groups.extra.team_envs", 9, "non-empty string"),
    ("  extra:\n    gpu: {max: 1.5}\n", "groups.extra.gpu.max", 9, "whole number"),
    ("  extra:\n    gpu: {max: 1, resource: 'nvidia gpu'}\n", "groups.extra.gpu.resource", 9,
     "not a valid extended resource name"),
    ("  extra:\n    memory_gib: {step: 0.1}\n", "groups.extra.memory_gib.step", 9, "1/1024 GiB"),
    ("  extra:\n    cpu: {step: 0.25}\n", "groups.*.cpu.step", 4, "do not divide each other"),
    ("  default: {}\n", "default", 8, "duplicate key"),
    ("colour: blue\n", "policy.colour", 8, "unknown key 'colour'"),
    ("cpu_guarantee_ratio: 2\n", "cpu_guarantee_ratio", 8, "at most 1"),
    ("pools:\n  p1: {node_selector: {pool: 5}}\n", "pools.p1.node_selector.pool", 9,
     "label values must be strings"),
    ("pools:\n  p1: {tolerations: [{key: k, operator: Maybe}]}\n", "pools.p1.tolerations[0].operator",
     9, "Equal or Exists"),
])
def test_schema_errors_name_the_key_and_line(tail: str, key: str, line: int,
                                             message: str) -> None:
    err = schema_error(GOOD_HEAD + tail)
    assert err.key == key, str(err)
    assert err.line == line, str(err)
    assert message in str(err)
    assert str(err).startswith(f"test.yaml: {key} (line {line}): ")


def test_schema_errors_for_the_whole_document() -> None:
    assert "missing required key 'images'" in str(schema_error("groups: {default: {}}\n"))
    err = schema_error("images: {nb: {repository: r/nb, tags: [a]}}\ngroups: {staff: {}}\n")
    assert "'default' is required" in str(err) and err.line == 2
    err = schema_error(GOOD_HEAD.replace("default: 1}", "default: 1"))
    assert "invalid YAML" in str(err) and err.line is not None
    assert "must be a mapping" in str(schema_error("[1, 2]\n"))
    err = schema_error(GOOD_HEAD.replace("min: 1, max: 4, ", "max: 4, "))
    assert "the default group must set cpu.min" in str(err)
    err = schema_error(GOOD_HEAD.replace("r/nb", "r/nb:latest"))
    assert "must not include a tag" in str(err)
    err = schema_error(GOOD_HEAD.replace("tags: [a, b]", "tags: [a, 'b c']"))
    assert err.key == "images.nb.tags[1]"


def test_from_file_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicySchemaError, match="cannot read the policy file"):
        Policy.from_file(tmp_path / "missing.yaml")
    big = tmp_path / "big.yaml"
    big.write_text("#" * (2 << 20))
    with pytest.raises(PolicySchemaError, match="larger than"):
        Policy.from_file(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PolicySchemaError, match="not UTF-8"):
        Policy.from_file(binary)
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("!!python/object/apply:os.system ['true']\n")
    with pytest.raises(PolicySchemaError, match="invalid YAML"):
        Policy.from_file(unsafe)


# -- the final check after overrides -----------------------------------------


def test_check_final_catches_overrides(policy: Policy) -> None:
    limits = policy.limits_for([])
    ok = dict(cpu_limit=2.0, cpu_guarantee=0.5, mem_limit=4 * GIB, mem_guarantee=4 * GIB,
              image="registry.example/nbkit/notebook:stable", extra_resource_limits={},
              node_selector={"pool": "shared"}, tolerations=[])
    limits.check_final(**ok)
    bad = [
        ({"cpu_limit": 64.0}, "cpu_limit is 64"),
        ({"cpu_limit": None}, "requires a number"),
        ({"cpu_guarantee": 3.0}, "cpu_guarantee is 3"),
        ({"mem_limit": 64 * GIB}, "mem_limit is"),
        ({"mem_guarantee": 8 * GIB}, "mem_guarantee is"),
        ({"image": "registry.example/nbkit/notebook:dev"}, "image is"),
        ({"extra_resource_limits": {"nvidia.com/gpu": 1}}, "allowed: 0 to 0"),
        ({"extra_resource_limits": {"example.com/fpga": 1}}, "extra resource"),
        ({"node_selector": {"pool": "gpu-a100"}}, "match no pool"),
        ({"tolerations": [{"key": "x", "operator": "Exists"}]}, "match no pool"),
    ]
    for change, message in bad:
        with pytest.raises(PolicyError, match=message):
            limits.check_final(**{**ok, **change})


# -- reloading ---------------------------------------------------------------


def bump(path: Path, seconds: int) -> None:
    now = time.time_ns() + seconds * 10**9
    os.utime(path, ns=(now, now))


def test_store_rereads_a_changed_file_and_keeps_the_last_good_one(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "groups.yaml"
    path.write_text(EXAMPLE_POLICY.read_text())
    store = PolicyStore(path)
    first = store.get()
    assert store.get() is first  # unchanged file: not re-read
    assert first.resolve(["ds-gpu"], {"cpu": 16}).cpu_limit == 16.0

    path.write_text(EXAMPLE_POLICY.read_text().replace("cpu: {max: 16}", "cpu: {max: 8}"))
    bump(path, 1)
    second = store.get()
    assert second is not first
    with pytest.raises(PolicyError, match="0.5 to 8 CPUs"):
        second.resolve(["ds-gpu"], {"cpu": 16})

    with caplog.at_level(logging.ERROR):
        path.write_text("groups: {default: {cpu: {max: 'lots'}}}\n")
        bump(path, 2)
        assert store.get() is second  # broken: the last good one is kept
    assert "keeping the last good one" in caplog.text
    assert "missing required key 'images'" in store.last_error

    # a ConfigMap update swaps the file (new inode) even with the same mtime
    replacement = tmp_path / "new.yaml"
    replacement.write_text(EXAMPLE_POLICY.read_text())
    os.utime(replacement, ns=(path.stat().st_mtime_ns,) * 2)
    os.replace(replacement, path)
    assert store.get().resolve(["ds-gpu"], {"cpu": 16}).cpu_limit == 16.0
    assert store.last_error is None


def test_store_without_a_good_policy_refuses_clearly(tmp_path: Path) -> None:
    path = tmp_path / "groups.yaml"
    store = PolicyStore(path)
    with pytest.raises(NoPolicyError, match="spawning is disabled: no valid resource policy"):
        store.get()
    path.write_text("images: {}\ngroups: {default: {}}\n")
    with pytest.raises(NoPolicyError, match="images.*non-empty mapping"):
        store.get()
    path.write_text(EXAMPLE_POLICY.read_text())
    bump(path, 1)
    assert store.get().group_names == ["default", "ds-gpu", "mlops"]
    assert PolicyStore.for_path(path) is PolicyStore.for_path(str(path))
