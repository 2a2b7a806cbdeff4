"""A real JupyterHub 3.0 with GroupFormMixin on LocalProcessSpawner: the
policy is enforced on spawns through the REST API."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from hub_support import EXAMPLE_POLICY, HUB_GROUPS, Hub
from groupspawner import Policy


def groups_of(user: str) -> list[str]:
    return [g for g, members in HUB_GROUPS.items() if user in members]


def ensure_user(hub: Hub, user: str) -> None:
    status, body = hub.api("POST", f"/users/{user}")
    assert status in (201, 409), (status, body)


def assert_nothing_started(hub: Hub, user: str) -> None:
    assert hub.server_state(user) == {}, hub.server_state(user)
    assert not hub.pid_file(user).exists(), "a server process was started"
    assert not hub.env_file(user).exists(), "a server process ran"


REFUSED = [
    ({"cpu": 99}, "cpu: 99 is above the maximum", "0.5 to 4 CPUs"),
    ({"cpu": "nan"}, "NaN", "plain decimal number"),
    ({"cpu": "1e1"}, "exponents are not allowed", "plain decimal number"),
    ({"cpu": -2}, "negative", "plain decimal number"),
    ({"cpu": 0.7}, "not a multiple of 0.5", "0.5 to 4 CPUs"),
    ({"memory": [4]}, "not a list or object", "plain decimal number"),
    ({"memory": {"$gt": 1}}, "not a list or object", "plain decimal number"),
    ({"image": "notebook:dev"}, "not allowed for your groups", "notebook:stable, notebook:stable-old"),
    ({"gpu": 1}, "allow no GPUs", "allowed: 0"),
    ({"pool": "gpu-a100"}, "not allowed for your groups", "allowed: shared"),
    ({"privileged": True}, "unknown option", "image, cpu, memory, gpu, pool"),
    ({"image": "x" * 1000}, "longer than", "256"),
]


@pytest.mark.parametrize("options,problem,allowed", REFUSED,
                         ids=[json.dumps(r[0])[:30] for r in REFUSED])
def test_rest_spawn_outside_policy_is_refused_and_starts_nothing(hub: Hub, options, problem,
                                                                 allowed) -> None:
    user = "rest-refused"
    ensure_user(hub, user)
    status, body = hub.api("POST", f"/users/{user}/server", options)
    assert status == 400, (status, body)
    assert problem in body["message"], body
    assert allowed in body["message"], body
    assert_nothing_started(hub, user)


def test_rest_spawn_with_allowed_values_gets_the_policy_values(hub: Hub) -> None:
    user = "rest-gpu"  # in ds-gpu
    options = {"image": "notebook:stable-old", "cpu": "6", "memory": 24, "gpu": 2,
               "pool": "gpu-a100"}
    expected = Policy.from_file(EXAMPLE_POLICY).resolve(groups_of(user), options)
    status, body = hub.api("POST", f"/users/{user}/server", options)
    assert status in (201, 202), (status, body)
    hub.wait_ready(user)
    env = json.loads(hub.env_file(user).read_text())
    assert env["CPU_LIMIT"] == str(expected.cpu_limit) == "6.0"
    assert env["CPU_GUARANTEE"] == str(expected.cpu_guarantee) == "2.0"
    assert env["MEM_LIMIT"] == str(expected.mem_limit) == str(24 * 2**30)
    assert env["MEM_GUARANTEE"] == str(expected.mem_guarantee)
    # the process really has these variables
    pid = int(hub.pid_file(user).read_text())
    with open(f"/proc/{pid}/environ", "rb") as f:
        proc_env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    assert proc_env[b"CPU_LIMIT"] == b"6.0"
    assert proc_env[b"MEM_LIMIT"] == str(24 * 2**30).encode()
    # the options were saved as sent; the spawner normalised nothing else
    hub.stop_server(user)


def test_rest_spawn_defaults_for_missing_keys(hub: Hub) -> None:
    user = "rest-defaults"
    ensure_user(hub, user)
    status, body = hub.api("POST", f"/users/{user}/server", {"cpu": 2})
    assert status in (201, 202), (status, body)
    hub.wait_ready(user)
    env = json.loads(hub.env_file(user).read_text())
    assert env["CPU_LIMIT"] == "2.0"
    assert env["CPU_GUARANTEE"] == "0.667"
    assert env["MEM_LIMIT"] == str(4 * 2**30)  # the default group's default
    hub.stop_server(user)


def test_replayed_options_are_checked_against_the_current_policy(hub: Hub) -> None:
    """Options saved in the database are validated again on the next spawn;
    a policy edit is picked up without a restart; a broken edit is ignored."""
    user = "replay"  # in ds-gpu
    status, body = hub.api("POST", f"/users/{user}/server", {"cpu": 12, "memory": 64})
    assert status in (201, 202), (status, body)
    hub.wait_ready(user)
    hub.stop_server(user)
    hub.env_file(user).unlink()
    hub.pid_file(user).unlink()

    original = hub.policy.read_text()
    try:
        # tighten ds-gpu: 12 CPUs are no longer allowed
        hub.policy.write_text(original.replace("cpu: {max: 16}", "cpu: {max: 8}"))
        os.utime(hub.policy, ns=(time.time_ns(), time.time_ns() + 10**9))
        # no body: JupyterHub replays the options saved in its database
        status, body = hub.api("POST", f"/users/{user}/server", raw=b"")
        assert status == 400, (status, body)
        assert "cpu: 12 is above the maximum" in body["message"]
        assert "0.5 to 8 CPUs" in body["message"]
        assert_nothing_started(hub, user)

        # a broken new version is refused and the last good one kept
        mark = hub.watch.mark()
        hub.policy.write_text("groups: [this is not a policy\n")
        status, body = hub.api("POST", f"/users/{user}/server", raw=b"")
        assert status == 400, (status, body)
        assert "0.5 to 8 CPUs" in body["message"]
        # the hub's output reaches us through a pipe: wait for the line
        hub.watch.wait("policy refused, keeping the last good one", "the refusal's log line",
                       since=mark)
    finally:
        shutil.copy(EXAMPLE_POLICY, hub.policy)
        os.utime(hub.policy, ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
    # back to the example policy: the saved options are allowed again
    status, body = hub.api("POST", f"/users/{user}/server", raw=b"")
    assert status in (201, 202), (status, body)
    hub.wait_ready(user)
    assert json.loads(hub.env_file(user).read_text())["CPU_LIMIT"] == "12.0"
    hub.stop_server(user)
