"""The deployment artifacts in images/hub agree with the package: the hub
configuration loads, the Z2JH values mount the policy ConfigMap as its own
directory, the Dockerfile builds on the Z2JH hub image, the Grafana
dashboard queries the labels the spawner sets; and the benchmark policy
meets the 5 ms target."""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import sys
import time
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

from hub_support import HUB_DIR, TESTS
from groupspawner import GroupFormMixin, LDAPConfig, Policy, render_form

REPO = HUB_DIR.parents[1]


def load_hub_config(monkeypatch: pytest.MonkeyPatch, env: dict) -> Config:
    for key in [k for k in list(__import__("os").environ) if k.startswith("NBKIT_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = Config()
    code = (HUB_DIR / "jupyterhub_config.py").read_text()
    exec(compile(code, "jupyterhub_config.py", "exec"), {"get_config": lambda: config})
    return config


def test_hub_config_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    c = load_hub_config(monkeypatch, {})
    assert c.JupyterHub.spawner_class == "groupspawner.GroupFormKubeSpawner"
    assert c.GroupFormMixin.policy_file == "/etc/jupyterhub/policy/groups.yaml"
    assert "ldap" not in c.GroupFormMixin
    assert c.Spawner.consecutive_failure_limit == 0
    assert c.KubeSpawner.profile_list == []


def test_hub_config_ldap_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    c = load_hub_config(monkeypatch, {
        "NBKIT_LDAP_URL": "ldaps://a.example:636,ldaps://b.example:636",
        "NBKIT_LDAP_USER_BASE": "ou=people,dc=example,dc=org",
        "NBKIT_LDAP_GROUP_BASE": "ou=groups,dc=example,dc=org",
        "NBKIT_LDAP_BIND_DN": "cn=hub,dc=example,dc=org",
        "NBKIT_LDAP_BIND_PASSWORD_FILE": "/etc/jupyterhub/ldap/password",
        "NBKIT_LDAP_NESTED": "true",
        "NBKIT_SPAWNER_CLASS": "mymodule.MySpawner",
    })
    cfg = LDAPConfig.from_dict(c.GroupFormMixin.ldap)
    assert cfg.url == ("ldaps://a.example:636", "ldaps://b.example:636")
    assert cfg.nested is True and cfg.bind_password_file.endswith("/password")
    assert c.JupyterHub.spawner_class == "mymodule.MySpawner"
    assert "profile_list" not in c.KubeSpawner


def test_spawner_class_string_resolves_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    from traitlets.utils.importstring import import_item

    monkeypatch.syspath_prepend(str(TESTS / "stubs"))
    monkeypatch.delitem(sys.modules, "kubespawner", raising=False)
    monkeypatch.delitem(sys.modules, "groupspawner._kube", raising=False)
    try:
        cls = import_item("groupspawner.GroupFormKubeSpawner")
        assert issubclass(cls, GroupFormMixin)
    finally:
        sys.modules.pop("groupspawner._kube", None)
        sys.modules.pop("kubespawner", None)


def test_z2jh_values_mount_the_policy_configmap_as_a_directory() -> None:
    values = yaml.safe_load((HUB_DIR / "z2jh-values.yaml").read_text())
    hub = values["hub"]
    policy_file = hub["extraEnv"]["NBKIT_POLICY_FILE"]
    volume = next(v for v in hub["extraVolumes"] if "configMap" in v)
    mount = next(m for m in hub["extraVolumeMounts"] if m["name"] == volume["name"])
    assert "subPath" not in mount, "a subPath mount never sees ConfigMap updates"
    assert mount["readOnly"] is True
    assert str(Path(mount["mountPath"]) / volume["configMap"]["items"][0]["path"]) == policy_file
    assert volume["configMap"]["items"][0]["key"] == "groups.yaml"
    assert hub["consecutiveFailureLimit"] == 0
    assert values["singleuser"]["profileList"] == []


def test_dockerfile_builds_on_the_z2jh_hub_image() -> None:
    text = (HUB_DIR / "Dockerfile").read_text()
    assert re.search(r"^ARG Z2JH_HUB_IMAGE=quay\.io/jupyterhub/k8s-hub:\S+$", text, re.M)
    assert re.search(r"^FROM \$\{Z2JH_HUB_IMAGE\}$", text, re.M)
    assert "COPY groupspawner " in text
    assert ("COPY jupyterhub_config.py /usr/local/etc/jupyterhub/jupyterhub_config.d/"
            in text)
    assert "groups.yaml" not in re.sub(r"#.*", "", text), "no policy is baked into the image"
    assert text.rstrip().splitlines()[-1] == "USER 1000"


def test_grafana_dashboard_queries_the_spawner_labels() -> None:
    dash = json.loads((HUB_DIR / "grafana-dashboard.json").read_text())
    assert dash["uid"] == "nbkit-groupspawner"
    group_label = "label_" + re.sub(r"[^a-z0-9]", "_", GroupFormMixin.group_label.default_value)
    tag_label = "label_" + re.sub(r"[^a-z0-9]", "_", GroupFormMixin.image_tag_label.default_value)
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    assert all(e.count("(") == e.count(")") and e.count("{") == e.count("}") for e in exprs)
    titles = " ".join(p["title"] for p in dash["panels"]).lower()
    for word in ("cpu", "memory", "gpu", "image tags"):
        assert word in titles
    joined = "\n".join(exprs)
    assert group_label in joined and tag_label in joined
    for metric in ("kube_pod_container_resource_requests", "container_cpu_usage_seconds_total",
                   "container_memory_working_set_bytes", "nvidia_com_gpu"):
        assert metric in joined
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))


def test_benchmark_policy_meets_the_5ms_target() -> None:
    spec = importlib.util.spec_from_file_location("hub_bench", REPO / "bench" / "hub" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    policy = Policy.from_yaml(bench.make_policy())
    assert len(policy.group_names) == 50
    options = {"image": "img1:dev", "cpu": "6.5", "memory": 20, "gpu": "1", "pool": "pool2"}

    def timed(fn) -> float:
        samples = []
        for _ in range(200):
            policy._cache.clear()
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        return statistics.median(samples) * 1000

    assert timed(lambda: policy.resolve(policy.group_names, options)) < 5
    assert timed(lambda: render_form(policy.limits_for(policy.group_names), options)) < 5
