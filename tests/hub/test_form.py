"""The form HTML: only allowed choices, limits shown, no JavaScript needed,
labels for screen readers, everything escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from hub_support import EXAMPLE_POLICY
from groupspawner import Policy, PolicyError, options_from_form_data, render_form


class Inputs(HTMLParser):
    """Collects form controls, labels and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: dict[str, dict] = {}
        self.labels: set[str] = set()
        self.options: dict[str, list[str]] = {}
        self.scripts = 0
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select"):
            self.controls[a["name"]] = a
            if tag == "select":
                self._select = a["name"]
                self.options[a["name"]] = []
        elif tag == "option":
            self.options[self._select].append(a["value"])
        elif tag == "label":
            self.labels.add(a["for"])
        elif tag == "script" or any(k.startswith("on") for k in a):
            self.scripts += 1


def parse(html: str) -> Inputs:
    p = Inputs()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_file(EXAMPLE_POLICY)


@pytest.mark.parametrize("groups", [[], ["ds-gpu"], ["mlops"], ["ds-gpu", "mlops"]])
def test_form_controls_match_the_limits(policy: Policy, groups: list[str]) -> None:
    limits = policy.limits_for(groups)
    form = parse(render_form(limits))
    assert form.scripts == 0  # works without JavaScript
    assert form.options["image"] == limits.image_choices
    for name, rng in (("cpu", limits.cpu), ("memory", limits.memory_gib)):
        control = form.controls[name]
        assert control["type"] == "number"
        assert (control["min"], control["max"], control["step"]) == tuple(
            rng.as_strings()[k] for k in ("min", "max", "step"))
        assert control["value"] == rng.as_strings()["default"]
    assert ("gpu" in form.controls) == (limits.gpu_max > 0)
    assert ("pool" in form.controls) == (len(limits.pools) > 1)
    for control in form.controls.values():
        assert control["id"] in form.labels, f"no label for {control['name']}"
        assert control.get("aria-describedby")


def test_limits_are_shown_in_words(policy: Policy) -> None:
    html = render_form(policy.limits_for(["ds-gpu"]))
    assert "From 0.5 to 16 CPUs, in steps of 0.5; 33% of it is guaranteed." in html
    assert "From 1 to 128 GiB" in html and "From 0 to 2 GPUs (nvidia.com/gpu)" in html


def test_error_text_is_escaped() -> None:
    html = render_form(None, error="<img src=x onerror=alert(1)>")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not re.search(r'name="(cpu|memory|image)"', html)


def test_form_data_parsing() -> None:
    assert options_from_form_data({"cpu": ["2"], "image": [], "_xsrf": ["t"]}) == {
        "cpu": "2", "image": None}
    with pytest.raises(PolicyError, match="too many form fields"):
        options_from_form_data({f"f{i}": ["1"] for i in range(40)})
    with pytest.raises(PolicyError, match="expected one value"):
        options_from_form_data({"pool": ["a", "b"]})
