"""A stand-in for kubespawner, which cannot be installed here.

It is NOT KubeSpawner: it has only the traits groupspawner sets and the order
of calls of KubeSpawner's start (load_user_options, get_pod_manifest,
modify_pod_hook, then "create" the pod), on JupyterHub's own Spawner, so the
small GroupFormKubeSpawner class can be exercised. Tests put it on sys.modules
explicitly; it is never importable by accident (it lives under stubs/).
"""

from jupyterhub.spawner import Spawner
from traitlets import Any, Dict, List, Unicode, Union


class KubeSpawner(Spawner):
    image = Unicode("quay.io/jupyterhub/k8s-singleuser-sample:latest").tag(config=True)
    container_name = Unicode("notebook").tag(config=True)
    extra_resource_limits = Dict().tag(config=True)
    extra_resource_guarantees = Dict().tag(config=True)
    node_selector = Dict().tag(config=True)
    tolerations = List().tag(config=True)
    volumes = List().tag(config=True)
    volume_mounts = List().tag(config=True)
    extra_labels = Dict().tag(config=True)
    extra_annotations = Dict().tag(config=True)
    modify_pod_hook = Any(None, allow_none=True).tag(config=True)
    profile_list = Union([List(), Any()], default_value=[]).tag(config=True)

    created_pods: list

    async def load_user_options(self):
        """KubeSpawner applies profile_list overrides here."""

    async def get_pod_manifest(self):
        limits = {"cpu": self.cpu_limit, "memory": self.mem_limit,
                  **self.extra_resource_limits}
        requests = {"cpu": self.cpu_guarantee, "memory": self.mem_guarantee,
                    **self.extra_resource_guarantees}
        return {
            "metadata": {"labels": dict(self.extra_labels),
                         "annotations": dict(self.extra_annotations)},
            "spec": {
                "nodeSelector": dict(self.node_selector),
                "tolerations": list(self.tolerations),
                "volumes": list(self.volumes),
                "containers": [{"name": self.container_name, "image": self.image,
                                "volumeMounts": list(self.volume_mounts),
                                "resources": {"limits": limits, "requests": requests}}],
            },
        }

    def start(self):
        import asyncio

        return asyncio.ensure_future(self._start())

    async def stop(self, now=False):
        pass

    async def poll(self):
        return None

    async def _start(self):
        await self.load_user_options()
        pod = await self.get_pod_manifest()
        if self.modify_pod_hook:
            pod = self.modify_pod_hook(self, pod)
            if hasattr(pod, "__await__"):
                pod = await pod
        if not hasattr(self, "created_pods"):
            self.created_pods = []
        self.created_pods.append(pod)
        return ("127.0.0.1", 8888)
