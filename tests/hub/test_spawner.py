"""GroupFormMixin on JupyterHub's own Spawner (and GroupFormKubeSpawner on a
stand-in of KubeSpawner): the form, the form and query parsing, and the
checks in the spawn path."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from jupyterhub import orm
from jupyterhub.objects import Hub
from jupyterhub.spawner import Spawner
from tornado import web

from hub_support import EXAMPLE_POLICY, TESTS, Slapd, free_port
from groupspawner import GroupFormMixin, PolicyError

GIB = 2**30


class RecordingSpawner(Spawner):
    """JupyterHub's Spawner with a start that only records what it got."""

    started: int = 0

    async def start(self):
        if self.hub is None:
            self.hub = Hub()
        self.started += 1
        self.env_at_start = self.get_env()
        return ("127.0.0.1", 8888)

    async def stop(self, now=False):
        pass

    async def poll(self):
        return None if self.started else 0


class GroupSpawner(GroupFormMixin, RecordingSpawner):
    pass


@pytest.fixture
def db():
    session = orm.new_session_factory("sqlite:///:memory:")()
    yield session
    session.close()


def make_user(db, name: str, groups: list[str]) -> Any:
    """A hub user as the spawner sees it: name, url and JupyterHub groups
    (ORM objects in an in-memory JupyterHub database)."""
    user = orm.User(name=name)
    db.add(user)
    for group_name in groups:
        group = orm.Group.find(db, group_name) or orm.Group(name=group_name)
        db.add(group)
        group.users.append(user)
    db.commit()
    return SimpleNamespace(name=name, escaped_name=name, url=f"/user/{name}/",
                           groups=user.groups, orm_user=user)


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "groups.yaml"
    shutil.copy(EXAMPLE_POLICY, path)
    return path


def spawner_for(db, name: str, groups: list[str], policy_file: Path,
                cls: type = GroupSpawner, **traits: Any) -> Any:
    return cls(user=make_user(db, name, groups), policy_file=str(policy_file), **traits)


def run(coro):
    return asyncio.run(coro)


# -- the form ----------------------------------------------------------------


def test_form_offers_only_the_groups_choices(db, policy_file: Path) -> None:
    plain = spawner_for(db, "alice", [], policy_file)
    html = run(plain.get_options_form())
    assert 'value="notebook:stable"' in html and 'value="notebook:dev"' not in html
    assert 'name="gpu"' not in html and 'name="pool"' not in html
    assert 'max="4"' in html and "<label for=\"nbkit-cpu\">" in html
    assert 'aria-describedby="nbkit-cpu-help"' in html
    gpu = spawner_for(db, "gina", ["ds-gpu", "unrelated"], policy_file)
    html = run(gpu.get_options_form())
    assert 'name="gpu"' in html and 'max="2"' in html
    assert '<option value="gpu-a100"' in html
    assert "default, ds-gpu." in html and "unrelated" not in html


def test_form_is_prefilled_with_the_previous_options_when_still_allowed(db, policy_file) -> None:
    s = spawner_for(db, "gina", ["ds-gpu"], policy_file)
    s.user_options = {"cpu": "6", "memory": "8", "pool": "gpu-a100"}
    html = run(s.get_options_form())
    assert 'value="6"' in html and '<option value="gpu-a100" selected>' in html
    s.user_options = {"cpu": "600"}  # no longer allowed: back to the defaults
    html = run(s.get_options_form())
    assert 'value="600"' not in html and 'step="0.5" value="1"' in html


def test_form_escapes_everything(db, tmp_path: Path) -> None:
    path = tmp_path / "groups.yaml"
    path.write_text(EXAMPLE_POLICY.read_text().replace(
        "  mlops:", "  '<script>alert(1)</script>': {cpu: {max: 8}}\n  mlops:"))
    s = spawner_for(db, "eve", ["<script>alert(1)</script>"], path)
    html = run(s.get_options_form())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_form_without_a_policy_shows_why(db, tmp_path: Path) -> None:
    s = spawner_for(db, "alice", [], tmp_path / "missing.yaml")
    html = run(s.get_options_form())
    assert 'role="alert"' in html and "spawning is disabled" in html
    assert 'name="cpu"' not in html


def test_options_from_form_and_query(db, policy_file: Path) -> None:
    s = spawner_for(db, "gina", ["ds-gpu"], policy_file)
    form = {"image": ["notebook:stable-old"], "cpu": ["3.5"], "memory": ["12"], "gpu": ["1"],
            "pool": ["gpu-a100"], "_xsrf": ["token"]}
    options = run(s.run_options_from_form(form))
    assert options == {"image": "notebook:stable-old", "cpu": "3.5", "memory": "12", "gpu": 1,
                       "pool": "gpu-a100"}
    assert run(s.options_from_query({"cpu": ["2"]}))["cpu"] == "2"
    for bad, message in [
        ({"cpu": ["2", "3"]}, "expected one value, got 2"),
        ({"cpu": ["99"]}, "above the maximum"),
        ({"image": ["notebook:dev"]}, "not allowed for your groups"),
        ({"home_file": [b"..."]}, "unknown option 'home_file'"),
        ({"cpu": [b"2"]}, "expected text"),
    ]:
        with pytest.raises(PolicyError, match=message):
            run(s.run_options_from_form(bad))
    with pytest.raises(PolicyError, match="unknown option"):
        run(s.options_from_query({"next": ["x"], "cmd": ["sh"]}))


# -- the spawn path ----------------------------------------------------------


def spawn(s: Any) -> Any:
    """What JupyterHub's User.spawn does around the spawner."""
    async def go():
        await s.run_pre_spawn_hook()
        return await s.start()
    return run(go())


def test_spawn_sets_the_policy_traits(db, policy_file: Path) -> None:
    s = spawner_for(db, "gina", ["ds-gpu"], policy_file)
    s.user_options = {"cpu": 10, "memory": "20", "gpu": 2, "pool": "gpu-a100"}
    spawn(s)
    assert s.started == 1
    assert (s.cpu_limit, s.cpu_guarantee) == (10.0, 3.333)
    assert s.mem_limit == s.mem_guarantee == 20 * GIB
    assert s.env_at_start["CPU_LIMIT"] == "10.0"
    assert s.env_at_start["MEM_GUARANTEE"] == str(20 * GIB)
    assert s.group_resources.extra_resource_limits == {"nvidia.com/gpu": 2}


@pytest.mark.parametrize("options,status,message", [
    ({"cpu": 99}, 400, "above the maximum"),
    ({"gpu": 3}, 400, "allowed: 0 to 2 GPUs"),
    ({"cpu": "Infinity"}, 400, "infinity"),
    ({"shell": "/bin/sh"}, 400, "unknown option"),
])
def test_spawn_outside_the_policy_is_refused_before_start(db, policy_file: Path, options,
                                                          status: int, message: str) -> None:
    s = spawner_for(db, "gina", ["ds-gpu"], policy_file)
    s.user_options = options
    with pytest.raises(web.HTTPError) as info:
        spawn(s)
    assert info.value.status_code == status
    assert message in info.value.log_message % info.value.args
    assert s.started == 0


def test_start_without_the_pre_spawn_step_still_applies_the_policy(db, policy_file) -> None:
    s = spawner_for(db, "alice", [], policy_file)
    s.user_options = {"cpu": 4}
    run(s.start())
    assert s.cpu_limit == 4.0 and s.started == 1
    s.user_options = {"cpu": 8}
    with pytest.raises(web.HTTPError, match="400"):
        run(s.start())
    assert s.started == 1


def test_overrides_after_the_policy_are_checked_again(db, policy_file: Path) -> None:
    def greedy_hook(spawner):
        spawner.mem_limit = 64 * GIB

    s = spawner_for(db, "alice", [], policy_file, pre_spawn_hook=greedy_hook)
    s.user_options = {}
    with pytest.raises(web.HTTPError) as info:
        spawn(s)
    assert info.value.status_code == 403
    assert "mem_limit" in info.value.args[0] and "1 to 16 GiB" in info.value.args[0]
    assert s.started == 0

    async def modest_hook(spawner):  # lowering a value is fine
        spawner.cpu_guarantee = 0.1

    s = spawner_for(db, "bob", [], policy_file, pre_spawn_hook=modest_hook)
    spawn(s)
    assert s.started == 1 and s.cpu_guarantee == 0.1


def test_no_policy_refuses_with_a_clear_message(db, tmp_path: Path) -> None:
    path = tmp_path / "groups.yaml"
    path.write_text("images: [oops\n")
    s = spawner_for(db, "alice", [], path)
    s.user_options = {}
    with pytest.raises(web.HTTPError) as info:
        spawn(s)
    assert info.value.status_code == 503
    text = info.value.args[0]
    assert "spawning is disabled: no valid resource policy" in text and "invalid YAML" in text
    assert s.started == 0


def test_config_section_is_groupformmixin(db, policy_file: Path) -> None:
    from traitlets.config import Config

    config = Config()
    config.GroupFormMixin.policy_file = str(policy_file)
    config.GroupFormMixin.group_label = "example.org/team"
    s = GroupSpawner(user=make_user(db, "carol", []), config=config)
    assert s.policy_file == str(policy_file) and s.group_label == "example.org/team"
    assert GroupSpawner(user=make_user(db, "dan", [])).policy_file == "/etc/jupyterhub/groups.yaml"


# -- groups from LDAP --------------------------------------------------------


def test_ldap_groups_replace_the_hub_groups(db, policy_file: Path, slapd: Slapd) -> None:
    # alice is in no JupyterHub group, but in ds-gpu in LDAP
    s = spawner_for(db, "alice", [], policy_file, ldap=slapd.config())
    html = run(s.get_options_form())
    assert 'name="gpu"' in html
    s.user_options = {"gpu": 1, "pool": "gpu-a100", "cpu": 16}
    spawn(s)
    assert s.group_resources.groups == ("default", "ds-gpu") and s.cpu_limit == 16.0
    # bob is in ds-gpu in JupyterHub, but LDAP says mlops: LDAP wins
    b = spawner_for(db, "bob", ["ds-gpu"], policy_file, ldap=slapd.config())
    b.user_options = {"gpu": 1}
    with pytest.raises(web.HTTPError, match="400"):
        spawn(b)


def test_ldap_down_or_misconfigured_refuses_clearly(db, policy_file: Path, slapd: Slapd) -> None:
    s = spawner_for(db, "alice", [], policy_file,
                    ldap=slapd.config(url=f"ldap://127.0.0.1:{free_port()}", connect_timeout=1))
    s.user_options = {}
    with pytest.raises(web.HTTPError) as info:
        spawn(s)
    assert info.value.status_code == 503
    assert "cannot look up your groups" in info.value.args[0]
    assert "cannot connect to LDAP" in run(s.get_options_form())
    bad = spawner_for(db, "bob", [], policy_file, ldap={"url": "ldap://127.0.0.1:1"})
    bad.user_options = {}
    with pytest.raises(web.HTTPError, match="503"):
        spawn(bad)


# -- GroupFormKubeSpawner ----------------------------------------------------


@pytest.fixture
def kube(monkeypatch: pytest.MonkeyPatch):
    """GroupFormKubeSpawner on the KubeSpawner stand-in of tests/hub/stubs."""
    monkeypatch.syspath_prepend(str(TESTS / "stubs"))
    monkeypatch.delitem(sys.modules, "kubespawner", raising=False)
    monkeypatch.delitem(sys.modules, "groupspawner._kube", raising=False)
    import groupspawner

    cls = groupspawner.GroupFormKubeSpawner
    assert cls.__mro__[2].__module__ == "kubespawner"
    yield cls
    sys.modules.pop("groupspawner._kube", None)
    sys.modules.pop("kubespawner", None)


def test_kube_spawner_import_error_is_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kubespawner", None)
    monkeypatch.delitem(sys.modules, "groupspawner._kube", raising=False)
    import groupspawner
    import groupspawner.spawner

    with pytest.raises(ImportError, match="needs jupyterhub-kubespawner"):
        groupspawner.GroupFormKubeSpawner
    with pytest.raises(ImportError, match="needs jupyterhub-kubespawner"):
        groupspawner.spawner.GroupFormKubeSpawner


def test_kube_spawner_sets_pod_traits_and_labels(db, policy_file: Path, kube) -> None:
    base_toleration = {"key": "hub.jupyter.org/dedicated", "operator": "Equal",
                       "value": "user", "effect": "NoSchedule"}
    s = spawner_for(db, "gina", ["ds-gpu", "mlops", "{weird} group"], policy_file, cls=kube,
                    tolerations=[base_toleration], node_selector={"zone": "a"},
                    extra_labels={"team": "ds"})
    s.user_options = {"image": "notebook:dev", "cpu": 8, "memory": 32, "gpu": 1,
                      "pool": "gpu-a100"}
    spawn(s)
    pod = s.created_pods[-1]
    assert s.image == "registry.example/nbkit/notebook:dev"
    container = pod["spec"]["containers"][0]
    assert container["image"] == "registry.example/nbkit/notebook:dev"
    assert container["resources"]["limits"] == {"cpu": 8.0, "memory": 32 * GIB,
                                                "nvidia.com/gpu": "1"}
    assert container["resources"]["requests"]["nvidia.com/gpu"] == "1"
    assert pod["spec"]["nodeSelector"] == {"zone": "a", "pool": "gpu-a100"}
    assert pod["spec"]["tolerations"] == [base_toleration, {
        "key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert pod["metadata"]["labels"] == {"team": "ds", "nbkit.io/group": "ds-gpu",
                                         "nbkit.io/image-tag": "dev"}
    assert pod["metadata"]["annotations"]["nbkit.io/groups"] == "default,ds-gpu,mlops"
    # a second spawn with other options does not accumulate the first one's values
    s.user_options = {}
    spawn(s)
    pod = s.created_pods[-1]
    assert pod["spec"]["tolerations"] == [base_toleration]
    assert pod["spec"]["nodeSelector"] == {"zone": "a", "pool": "shared"}
    assert s.extra_resource_limits == {}


def test_kube_spawner_mounts_only_the_users_team_envs(db, policy_file: Path, kube) -> None:
    """A group's team_envs claim reaches the pod's volume list, read-only, at
    /mnt/teams/GROUP/envs (bootstrap's envs.shared_dirs: /mnt/teams/*/envs),
    for the group's members only; the configured volumes stay."""
    home = {"name": "home", "persistentVolumeClaim": {"claimName": "claim-{username}"}}
    home_mount = {"name": "home", "mountPath": "/home/jovyan"}
    s = spawner_for(db, "mo", ["mlops"], policy_file, cls=kube, volumes=[home],
                    volume_mounts=[home_mount])
    spawn(s)
    pod = s.created_pods[-1]
    team = [v for v in pod["spec"]["volumes"] if v["name"] != "home"]
    assert pod["spec"]["volumes"][0] == home and len(team) == 1
    assert team[0]["persistentVolumeClaim"] == {"claimName": "mlops-envs", "readOnly": True}
    mounts = pod["spec"]["containers"][0]["volumeMounts"]
    assert mounts[0] == home_mount
    assert mounts[1] == {"name": team[0]["name"], "readOnly": True,
                         "mountPath": "/mnt/teams/mlops/envs"}
    # a user of another team: no team volume, and a second spawn does not accumulate
    s2 = spawner_for(db, "dana", ["ds-gpu"], policy_file, cls=kube, volumes=[home],
                     volume_mounts=[home_mount])
    spawn(s2)
    assert s2.created_pods[-1]["spec"]["volumes"] == [home]
    spawn(s)
    assert len(s.created_pods[-1]["spec"]["volumes"]) == 2


def test_kube_spawner_checks_the_final_pod(db, policy_file: Path, kube) -> None:
    def sneaky(spawner, pod):
        pod["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = 4
        return pod

    s = spawner_for(db, "gina", ["ds-gpu"], policy_file, cls=kube, modify_pod_hook=sneaky)
    s.user_options = {}
    with pytest.raises(web.HTTPError) as info:
        spawn(s)
    assert info.value.status_code == 403 and "4 GPUs" in info.value.args[0]
    assert not getattr(s, "created_pods", [])

    def image_swap(spawner):
        spawner.image = "docker.io/library/ubuntu:latest"

    s = spawner_for(db, "mona", ["mlops"], policy_file, cls=kube, pre_spawn_hook=image_swap)
    s.user_options = {}
    with pytest.raises(web.HTTPError, match="image is 'docker.io/library/ubuntu:latest'"):
        spawn(s)

    s = spawner_for(db, "pete", [], policy_file, cls=kube,
                    profile_list=[{"display_name": "big", "kubespawner_override": {}}])
    s.user_options = {}
    with pytest.raises(web.HTTPError, match="profile_list"):
        spawn(s)


def test_pod_check_on_kubernetes_client_objects(policy_file: Path) -> None:
    from kubernetes.client import (V1Container, V1Pod, V1PodSpec,
                                   V1ResourceRequirements)

    from groupspawner import Policy
    from groupspawner.podcheck import check_pod_manifest, parse_quantity

    limits = Policy.from_file(policy_file).limits_for(["ds-gpu"])

    def pod(image="registry.example/nbkit/notebook:stable", cpu="2", mem="4Gi", gpu=None,
            req_cpu="500m"):
        lim = {"cpu": cpu, "memory": mem}
        if gpu is not None:
            lim["nvidia.com/gpu"] = gpu
        return V1Pod(spec=V1PodSpec(containers=[V1Container(
            name="notebook", image=image,
            resources=V1ResourceRequirements(limits=lim, requests={"cpu": req_cpu,
                                                                   "memory": mem}))]))

    check_pod_manifest(pod(), limits)
    check_pod_manifest(pod(cpu="16", mem="128Gi", gpu="2"), limits)
    for bad, message in [
        (pod(image="evil:latest"), "image"),
        (pod(cpu="17"), "cpu limit"),
        (pod(mem="129Gi"), "memory limit"),
        (pod(gpu="3"), "3 GPUs"),
        (pod(req_cpu="4", cpu="2"), "above the cpu limit"),
        (pod(cpu="nan"), "invalid quantity"),
    ]:
        with pytest.raises(PolicyError, match=message):
            check_pod_manifest(bad, limits)
    assert parse_quantity("1500m") == parse_quantity("1.5")
    assert parse_quantity("1Gi") == GIB and parse_quantity("1G") == 10**9
