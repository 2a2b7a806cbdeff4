"""GroupFormKubeSpawner: everything that is specific to KubeSpawner.

Imported only when ``groupspawner.GroupFormKubeSpawner`` is asked for, so the
rest of the package works (and is tested) without kubespawner.
"""

from __future__ import annotations

import hashlib
from typing import Any

try:
    from kubespawner import KubeSpawner
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError(
        "groupspawner.GroupFormKubeSpawner needs jupyterhub-kubespawner "
        "(it is in the zero-to-jupyterhub hub image); with another spawner use "
        "groupspawner.GroupFormMixin") from e

from .policy import PolicyError, Resources
from .podcheck import check_pod_manifest
from .spawner import GroupFormMixin, label_value


class GroupFormKubeSpawner(GroupFormMixin, KubeSpawner):
    """KubeSpawner whose form and pod resources come from the group policy.

    The policy sets image, cpu/mem limit and guarantee, GPUs
    (extra_resource_limits/guarantees), node_selector and the pool's
    tolerations (added to the configured ones), the read-only volumes of the
    user's teams' shared environments (a group's ``team_envs`` claim, mounted
    at ``/mnt/teams/GROUP/envs``, which the image's bootstrap lists in
    CONDA_ENVS_DIRS and gives kernels: ``envs.shared_dirs:
    [/mnt/teams/*/envs]``), and labels the pod with the user's main group and
    the image tag. profile_list is not supported.
    """

    #: where a team's environments are mounted ({team}: the group's name as a path part)
    team_envs_mount = "/mnt/teams/{team}/envs"

    _base: dict = None  # configured values, captured before the first change

    def _capture_base(self) -> dict:
        if self._base is None:
            self._base = {
                "tolerations": [dict(t) for t in self.tolerations],
                "node_selector": dict(self.node_selector),
                "extra_labels": dict(self.extra_labels),
                "extra_annotations": dict(self.extra_annotations),
                "modify_pod_hook": self.modify_pod_hook,
                "volumes": [dict(v) for v in self.volumes],
                "volume_mounts": [dict(m) for m in self.volume_mounts],
            }
        return self._base

    def apply_group_resources(self, resources: Resources) -> None:
        if self.profile_list:
            raise self._refuse(500, "groupspawner replaces profile_list; leave it empty")
        base = self._capture_base()
        self.image = resources.image
        # Kubernetes quantities as strings, e.g. {"nvidia.com/gpu": "1"}
        gpus = {k: str(v) for k, v in resources.extra_resource_limits.items()}
        self.extra_resource_limits = dict(gpus)
        self.extra_resource_guarantees = dict(gpus)
        self.node_selector = {**base["node_selector"], **resources.node_selector}
        self.tolerations = base["tolerations"] + [
            t for t in resources.tolerations if t not in base["tolerations"]]
        volumes, mounts = self._team_envs_volumes(resources)
        self.volumes = base["volumes"] + volumes
        self.volume_mounts = base["volume_mounts"] + mounts
        # KubeSpawner expands {...} in labels and annotations: escape braces.
        groups = ",".join(resources.groups).replace("{", "{{").replace("}", "}}")
        self.extra_labels = {
            **base["extra_labels"],
            self.group_label: label_value(resources.primary_group),
            self.image_tag_label: label_value(resources.image_tag),
        }
        self.extra_annotations = {**base["extra_annotations"], self.groups_annotation: groups}
        self.modify_pod_hook = self._checked_modify_pod_hook

    def _team_envs_volumes(self, resources: Resources) -> tuple[list, list]:
        """One read-only PersistentVolumeClaim volume and mount per team of
        the user that has shared environments; nothing of other teams."""
        volumes, mounts = [], []
        for group, claim in resources.team_envs:
            team = label_value(group)
            # a DNS-1123 label, unique per group; KubeSpawner expands {...}: none here
            name = "team-envs-" + hashlib.sha256(group.encode()).hexdigest()[:12]
            volumes.append({"name": name,
                            "persistentVolumeClaim": {"claimName": claim, "readOnly": True}})
            mounts.append({"name": name, "readOnly": True,
                           "mountPath": self.team_envs_mount.format(team=team)})
        return volumes, mounts

    async def _checked_modify_pod_hook(self, spawner: Any, pod: Any) -> Any:
        hook = self._capture_base()["modify_pod_hook"]
        if hook is not None:
            pod = hook(spawner, pod)
            if hasattr(pod, "__await__"):
                pod = await pod
        try:
            check_pod_manifest(pod, self._group_limits, container_name=self.container_name)
        except PolicyError as e:
            raise self._refuse(403, f"the pod is outside the policy: {e}") from e
        return pod

    def group_final_values(self) -> dict[str, Any]:
        base = self._capture_base()
        values = super().group_final_values()
        values["image"] = self.image
        values["extra_resource_limits"] = dict(self.extra_resource_limits)
        values["node_selector"] = {k: v for k, v in self.node_selector.items()
                                   if base["node_selector"].get(k) != v}
        values["tolerations"] = [t for t in self.tolerations if t not in base["tolerations"]]
        return values

    async def load_user_options(self) -> None:
        # KubeSpawner applies profile overrides here, inside start(): re-apply
        # the policy and check again so nothing it sets escapes the policy.
        if self.profile_list:
            raise self._refuse(500, "groupspawner replaces profile_list; leave it empty")
        await self.apply_group_policy()
        self.check_group_final_values()
