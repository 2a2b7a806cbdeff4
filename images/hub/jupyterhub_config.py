"""JupyterHub settings for nbkit's groupspawner.

In the hub image this file is /usr/local/etc/jupyterhub/jupyterhub_config.d/
50-groupspawner.py, which zero-to-jupyterhub's own jupyterhub_config.py loads
after its settings. It also works on its own: ``jupyterhub -f
jupyterhub_config.py``. Every setting can be changed with an environment
variable (hub.extraEnv in the Z2JH values) or, later, in hub.extraConfig.
"""

import os

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


# The spawner: KubeSpawner with the group form. NBKIT_SPAWNER_CLASS can name
# another class that uses groupspawner.GroupFormMixin.
c.JupyterHub.spawner_class = _env("NBKIT_SPAWNER_CLASS", "groupspawner.GroupFormKubeSpawner")

# The policy: a ConfigMap mounted as a directory (not with subPath, which
# would never see updates). It is re-read when it changes; nothing restarts.
c.GroupFormMixin.policy_file = _env("NBKIT_POLICY_FILE", "/etc/jupyterhub/policy/groups.yaml")

# Groups: JupyterHub's own groups (from the Authenticator, e.g.
# c.Authenticator.manage_groups in JupyterHub >= 2.2) unless LDAP is set.
if _env("NBKIT_LDAP_URL"):
    c.GroupFormMixin.ldap = {
        "url": [u for u in _env("NBKIT_LDAP_URL").split(",") if u],
        "user_base": _env("NBKIT_LDAP_USER_BASE"),
        "group_base": _env("NBKIT_LDAP_GROUP_BASE"),
        "bind_dn": _env("NBKIT_LDAP_BIND_DN"),
        # a mounted Kubernetes secret, never a literal in the values
        "bind_password_file": _env("NBKIT_LDAP_BIND_PASSWORD_FILE"),
        "nested": _env("NBKIT_LDAP_NESTED", "false").lower() in ("1", "true", "yes"),
        "start_tls": _env("NBKIT_LDAP_START_TLS", "false").lower() in ("1", "true", "yes"),
        "cache_ttl": float(_env("NBKIT_LDAP_CACHE_TTL", "60")),
    }
    for key, var in (("user_filter", "NBKIT_LDAP_USER_FILTER"),
                     ("group_filter", "NBKIT_LDAP_GROUP_FILTER"),
                     ("ca_file", "NBKIT_LDAP_CA_FILE")):
        if _env(var):
            c.GroupFormMixin.ldap[key] = _env(var)

# A refused spawn (a value outside the policy, sent through the API) counts as
# a failed spawn in JupyterHub; with a consecutive failure limit a few of them
# would make the hub exit. Refusals are user errors, so do not count them.
c.Spawner.consecutive_failure_limit = int(_env("NBKIT_CONSECUTIVE_FAILURE_LIMIT", "0"))

# Kubernetes specifics (ignored by other spawners): groupspawner sets image,
# resources, node selector, tolerations and labels from the policy, so the
# chart's profile list must stay empty.
if "Kube" in str(c.JupyterHub.spawner_class):
    c.KubeSpawner.profile_list = []
