"""pytest set-up of tests/hub: images/hub on sys.path (for groupspawner) and
the fixtures of hub_support (a real slapd, JupyterHub and Chromium)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent
for _path in (_HERE.parents[1] / "images" / "hub", _HERE):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from hub_support import browser, hub, slapd  # noqa: E402,F401 - fixtures


def pytest_configure(config: pytest.Config) -> None:
    # noise from Debian's JupyterHub 3.0 on Python 3.11 / SQLAlchemy 1.4
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:jupyterhub.*")
    config.addinivalue_line("filterwarnings", "ignore:.*SQLAlchemy 2.0.*")
